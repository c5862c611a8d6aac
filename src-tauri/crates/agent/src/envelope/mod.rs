//! Sealed envelopes: every message between the console and an agent is a
//! JSON envelope whose header travels in clear and whose body is encrypted
//! and authenticated with the machine's agent key (XChaCha20-Poly1305, the
//! header as associated data). A message that was forged, altered, sent to
//! someone else, or is past its expiry never reaches a handler.

use crate::messages::Body;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Largest envelope sent or accepted, in bytes: under Azure Queue
/// Storage's 64 KiB message limit, the smaller of the two services.
pub const MAX_ENVELOPE: usize = 60 * 1024;

/// A 256-bit key shared by the console and one agent.
#[derive(Clone)]
pub struct AgentKey(Zeroizing<[u8; 32]>);

impl AgentKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::Rng::fill(&mut rand::thread_rng(), k.as_mut_slice());
        Self(k)
    }

    /// A key from its 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
        let arr: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Self(Zeroizing::new(arr)))
    }

    /// The key as 64 hex digits (for the agent's configuration file and
    /// the console's keyring entry).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_slice()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_slice().into())
    }
}

impl fmt::Debug for AgentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AgentKey(‹secret›)")
    }
}

/// What a message is, readable without the key (for routing and logs);
/// the sealed body must agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Console → agent: say who you are.
    Hello,
    /// Console → agent: report your state.
    Status,
    /// Console → agent: run this backup.
    RunBackup,
    /// Console → agent: stop that backup.
    Cancel,
    /// Console → agent: stop serving (and forget this console).
    Stop,
    /// Agent → console: version, OS, free space, running command.
    Heartbeat,
    /// Agent → console: progress of a backup.
    Progress,
    /// Agent → console: a backup's end.
    Finished,
}

/// The clear part of an envelope: bound to the body by the seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Protocol version.
    pub v: u32,
    /// This message's id (32 hex digits, random).
    pub id: String,
    /// The id of the message this one answers, if any.
    #[serde(default)]
    pub correlation: Option<String>,
    /// What it is.
    pub kind: MessageKind,
    /// Unix seconds when sent.
    pub sent: i64,
    /// Unix seconds after which it must not be acted on.
    pub expires: i64,
    /// Who sent it: "console:<console id>" or "agent:<machine id>".
    pub sender: String,
    /// Who it is for, in the same form.
    pub recipient: String,
}

/// An envelope as it travels on a queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// The clear header.
    #[serde(flatten)]
    pub header: Header,
    /// 24-byte nonce, base64.
    pub nonce: String,
    /// The sealed body, base64.
    pub body: String,
}

/// Why an incoming message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// Larger than [`MAX_ENVELOPE`].
    TooLarge(usize),
    /// Not an envelope of this protocol.
    Malformed(String),
    /// Another protocol version.
    Version(u32),
    /// Addressed to someone else, or from someone unexpected.
    Misaddressed {
        /// Its sender.
        sender: String,
        /// Its recipient.
        recipient: String,
    },
    /// The seal does not verify: forged, altered, or another key.
    BadSignature,
    /// Past its expiry.
    Expired {
        /// When it expired.
        expires: i64,
    },
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(n) => write!(f, "message of {n} bytes is over the {MAX_ENVELOPE}-byte limit"),
            Self::Malformed(why) => write!(f, "not a Cairn message ({why})"),
            Self::Version(v) => write!(f, "protocol version {v} is not {PROTOCOL_VERSION}"),
            Self::Misaddressed { sender, recipient } => {
                write!(f, "message from {sender} to {recipient} is not for this endpoint")
            }
            Self::BadSignature => f.write_str("the message's signature does not verify (forged, altered or sealed with another key)"),
            Self::Expired { expires } => write!(f, "the message expired at {expires}"),
        }
    }
}

/// A message checked and opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Its header.
    pub header: Header,
    /// Its body.
    pub body: Body,
}

/// A new random message id.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    rand::Rng::fill(&mut rand::thread_rng(), &mut b);
    hex::encode(b)
}

fn aad(h: &Header) -> Vec<u8> {
    // The header's fields in their declared order: the same bytes on both
    // ends, whatever order the JSON on the wire has.
    serde_json::to_vec(h).unwrap_or_default()
}

/// Seals `body` under `header` into the text sent on a queue.
pub fn seal(key: &AgentKey, header: &Header, body: &Body) -> Result<String, String> {
    if body.kind() != header.kind {
        return Err(format!(
            "body {:?} under header {:?}",
            body.kind(),
            header.kind
        ));
    }
    let plain = Zeroizing::new(serde_json::to_vec(body).map_err(|e| e.to_string())?);
    let mut nonce = [0u8; 24];
    rand::Rng::fill(&mut rand::thread_rng(), &mut nonce);
    let sealed = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &aad(header),
            },
        )
        .map_err(|_| "cannot seal the message".to_string())?;
    let env = Envelope {
        header: header.clone(),
        nonce: B64.encode(nonce),
        body: B64.encode(sealed),
    };
    let text = serde_json::to_string(&env).map_err(|e| e.to_string())?;
    if text.len() > MAX_ENVELOPE {
        return Err(Rejected::TooLarge(text.len()).to_string());
    }
    Ok(text)
}

/// A new message from `ends.me` to `ends.peer`, valid for `ttl` seconds
/// from `now`, answering `correlation` when given: its id and sealed text.
pub fn letter(
    key: &AgentKey,
    ends: &Endpoints,
    correlation: Option<&str>,
    body: &Body,
    now: i64,
    ttl: i64,
) -> Result<(String, String), String> {
    let header = Header {
        v: PROTOCOL_VERSION,
        id: new_id(),
        correlation: correlation.map(str::to_string),
        kind: body.kind(),
        sent: now,
        expires: now + ttl,
        sender: ends.me.clone(),
        recipient: ends.peer.clone(),
    };
    let text = seal(key, &header, body)?;
    Ok((header.id, text))
}

/// Who an endpoint is and whom it listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// This endpoint ("agent:i-0abc…" or "console:…").
    pub me: String,
    /// The only sender accepted.
    pub peer: String,
}

/// Reads the header without the key: for routing a message to the key
/// that opens it. Nothing in it is trusted until [`open`] succeeds.
pub fn peek(text: &str) -> Result<Envelope, Rejected> {
    if text.len() > MAX_ENVELOPE {
        return Err(Rejected::TooLarge(text.len()));
    }
    let env: Envelope =
        serde_json::from_str(text).map_err(|e| Rejected::Malformed(e.to_string()))?;
    if env.header.v != PROTOCOL_VERSION {
        return Err(Rejected::Version(env.header.v));
    }
    Ok(env)
}

/// Checks and opens an incoming message at time `now` (Unix seconds).
pub fn open(key: &AgentKey, ends: &Endpoints, text: &str, now: i64) -> Result<Opened, Rejected> {
    let env = peek(text)?;
    let h = &env.header;
    if h.recipient != ends.me || h.sender != ends.peer {
        return Err(Rejected::Misaddressed {
            sender: h.sender.clone(),
            recipient: h.recipient.clone(),
        });
    }
    let nonce = B64
        .decode(&env.nonce)
        .ok()
        .filter(|n| n.len() == 24)
        .ok_or(Rejected::BadSignature)?;
    let sealed = B64.decode(&env.body).map_err(|_| Rejected::BadSignature)?;
    let plain = Zeroizing::new(
        key.cipher()
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: &aad(h),
                },
            )
            .map_err(|_| Rejected::BadSignature)?,
    );
    // Expiry is checked only once the header is known to be genuine, so a
    // forger cannot make a message look expired or fresh.
    if now > h.expires {
        return Err(Rejected::Expired { expires: h.expires });
    }
    let body: Body =
        serde_json::from_slice(&plain).map_err(|e| Rejected::Malformed(e.to_string()))?;
    if body.kind() != h.kind {
        return Err(Rejected::Malformed(format!(
            "body {:?} under header {:?}",
            body.kind(),
            h.kind
        )));
    }
    Ok(Opened {
        header: env.header,
        body,
    })
}

#[cfg(test)]
mod tests;
