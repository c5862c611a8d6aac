//! Key sets: the keys one job (or the repository's unencrypted default)
//! writes with. A plain key set has only an id key for chunk ids; an
//! encrypted one also has a data key, and both are stored wrapped with a key
//! derived from the password by Argon2id.

use super::ChunkId;
use crate::error::{Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use cairn_model::{Cipher, ErrorKind};
use chacha20poly1305::XChaCha20Poly1305;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use zeroize::{Zeroize, Zeroizing};

/// Argon2id parameters stored with a wrapped key set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always "argon2id".
    pub algorithm: String,
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Random salt, hex.
    pub salt: String,
}

/// The JSON stored at `keys/<id>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    /// Format version (1).
    pub version: u32,
    /// Key set id.
    pub id: String,
    /// "plain" or "password".
    pub kind: String,
    /// Plain key sets: the id key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_key: Option<String>,
    /// Encrypted key sets: the cipher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<Cipher>,
    /// Encrypted key sets: how the wrapping key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<KdfParams>,
    /// Encrypted key sets: nonce ‖ AEAD(id key ‖ data key), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapped: Option<String>,
    /// Password hint (never the password).
    #[serde(default)]
    pub hint: String,
}

/// A 256-bit key in memory: shared by every clone of its key set (never
/// copied), overwritten with zeros when the last clone is dropped.
type Key = Arc<Zeroizing<[u8; 32]>>;

fn key(bytes: [u8; 32]) -> Key {
    Arc::new(Zeroizing::new(bytes))
}

/// Unwrapped keys, ready to use. Debug prints no key material; clones
/// share the keys.
#[derive(Clone)]
pub struct KeySet {
    id: String,
    id_key: Key,
    data: Option<(Cipher, Key)>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySet({}, encrypted: {})", self.id, self.data.is_some())
    }
}

fn nonce_len(c: Cipher) -> usize {
    match c {
        Cipher::Aes256Gcm => 12,
        Cipher::Xchacha20Poly1305 => 24,
    }
}

fn aead_seal(c: Cipher, key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let n = nonce_len(c);
    let mut nonce = vec![0u8; n];
    rand::Rng::fill(&mut rand::thread_rng(), nonce.as_mut_slice());
    let payload = Payload { msg: plain, aad };
    let ct = match c {
        Cipher::Aes256Gcm => Aes256Gcm::new(key.into()).encrypt(nonce.as_slice().into(), payload),
        Cipher::Xchacha20Poly1305 => {
            XChaCha20Poly1305::new(key.into()).encrypt(nonce.as_slice().into(), payload)
        }
    }
    .map_err(|_| Error::internal("encryption failed"))?;
    nonce.extend_from_slice(&ct);
    Ok(nonce)
}

/// Random bytes in front of a data seal under AES-256-GCM: the first
/// [`SEAL_KEY_INPUT`] pick the seal's own key, the other 12 are its nonce.
const SEALED_NONCE_LEN: usize = 24;
/// See [`SEALED_NONCE_LEN`].
const SEAL_KEY_INPUT: usize = 12;

/// The key one AES-256-GCM data seal is made with: derived from the data
/// key and 96 random bits of its own, so no key ever meets more than a
/// handful of random nonces and AES-GCM's limit of about 2^32 random
/// nonces per key never comes near, however much a key set seals.
fn seal_key(data_key: &[u8; 32], input: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut material = Zeroizing::new([0u8; 32 + SEAL_KEY_INPUT]);
    material[..32].copy_from_slice(data_key);
    material[32..].copy_from_slice(input);
    Zeroizing::new(blake3::derive_key(
        "cairn 2026-12-01 aes-256-gcm key of one seal",
        material.as_slice(),
    ))
}

/// Seals data (blobs and objects) under a key set's data key.
fn data_seal(c: Cipher, key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    if c != Cipher::Aes256Gcm {
        // XChaCha20-Poly1305's 192-bit nonces are safe at random.
        return aead_seal(c, key, aad, plain);
    }
    let mut out = vec![0u8; SEALED_NONCE_LEN];
    rand::Rng::fill(&mut rand::thread_rng(), out.as_mut_slice());
    let (input, nonce) = out.split_at(SEAL_KEY_INPUT);
    let own = seal_key(key, input);
    let ct = Aes256Gcm::new(own.as_ref().into())
        .encrypt(nonce.into(), Payload { msg: plain, aad })
        .map_err(|_| Error::internal("encryption failed"))?;
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens a data seal: AES-256-GCM seals with a key of their own, else
/// (repositories written before them) a seal under the data key itself.
fn data_open(c: Cipher, key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if c == Cipher::Aes256Gcm && sealed.len() >= SEALED_NONCE_LEN + 16 {
        let (head, ct) = sealed.split_at(SEALED_NONCE_LEN);
        let (input, nonce) = head.split_at(SEAL_KEY_INPUT);
        let own = seal_key(key, input);
        let opened = Aes256Gcm::new(own.as_ref().into())
            .decrypt(nonce.into(), Payload { msg: ct, aad })
            .ok();
        if opened.is_some() {
            return opened;
        }
    }
    aead_open(c, key, aad, sealed)
}

fn aead_open(c: Cipher, key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let n = nonce_len(c);
    if sealed.len() < n + 16 {
        return None;
    }
    let (nonce, ct) = sealed.split_at(n);
    let payload = Payload { msg: ct, aad };
    match c {
        Cipher::Aes256Gcm => Aes256Gcm::new(key.into())
            .decrypt(nonce.into(), payload)
            .ok(),
        Cipher::Xchacha20Poly1305 => XChaCha20Poly1305::new(key.into())
            .decrypt(nonce.into(), payload)
            .ok(),
    }
}

/// Argon2id memory a key file may ask for: 8 MiB to 1 GiB (Cairn writes
/// 64 MiB). Outside these the file is treated as corrupt, never derived:
/// a rescan or copy on a small console must not be made to allocate more.
pub const MIN_KDF_MEMORY_KIB: u32 = 8 * 1024;
/// See [`MIN_KDF_MEMORY_KIB`].
pub const MAX_KDF_MEMORY_KIB: u32 = 1024 * 1024;
/// Argon2id passes a key file may ask for (Cairn writes 3).
pub const MAX_KDF_ITERATIONS: u32 = 64;
/// Memory times passes a key file may ask for, in KiB: 4 GiB of work
/// (1 GiB × 4 or 64 MiB × 64), a few seconds of one core; Cairn writes
/// 192 MiB.
pub const MAX_KDF_WORK_KIB: u64 = 4 * 1024 * 1024;
/// Argon2id lanes a key file may ask for (Cairn writes 1).
pub const MAX_KDF_LANES: u32 = 64;

/// Refuses parameters an attacker could use to exhaust memory or time.
fn check_kdf(p: &KdfParams) -> Result<Vec<u8>> {
    let bad = |why: &str| Error::corrupt(format!("corrupt key file: {why}"));
    if p.algorithm != "argon2id" {
        return Err(bad("the key derivation is not Argon2id"));
    }
    if !(MIN_KDF_MEMORY_KIB..=MAX_KDF_MEMORY_KIB).contains(&p.memory_kib) {
        return Err(bad("the key derivation's memory is outside 8 MiB to 1 GiB"));
    }
    if !(1..=MAX_KDF_ITERATIONS).contains(&p.iterations) {
        return Err(bad("the key derivation's passes are outside 1 to 64"));
    }
    if u64::from(p.memory_kib) * u64::from(p.iterations) > MAX_KDF_WORK_KIB {
        return Err(bad(
            "the key derivation's memory times passes is above 4 GiB of work",
        ));
    }
    if !(1..=MAX_KDF_LANES).contains(&p.parallelism) {
        return Err(bad("the key derivation's lanes are outside 1 to 64"));
    }
    let salt = hex::decode(&p.salt).map_err(|_| bad("the salt is not hex"))?;
    if !(16..=64).contains(&salt.len()) {
        return Err(bad("the salt is not 16 to 64 bytes"));
    }
    Ok(salt)
}

fn derive(password: &str, p: &KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let salt = check_kdf(p)?;
    let params = argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32))
        .map_err(|e| Error::corrupt("corrupt key file: bad Argon2 parameters").caused_by(e))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    a.hash_password_into(password.as_bytes(), &salt, out.as_mut())
        .map_err(|e| Error::internal("key derivation failed").caused_by(e))?;
    Ok(out)
}

impl KeySet {
    /// A new unencrypted key set (fresh id key).
    pub fn new_plain() -> (Self, KeyFile) {
        let ks = Self {
            id: super::random_id(),
            id_key: key(rand::random()),
            data: None,
        };
        let file = KeyFile {
            version: 1,
            id: ks.id.clone(),
            kind: "plain".into(),
            id_key: Some(hex::encode(ks.id_key.as_ref())),
            cipher: None,
            kdf: None,
            wrapped: None,
            hint: String::new(),
        };
        (ks, file)
    }

    /// A new encrypted key set whose keys are wrapped by `password`.
    pub fn new_encrypted(cipher: Cipher, password: &str, hint: &str) -> Result<(Self, KeyFile)> {
        if password.is_empty() {
            return Err(Error::invalid(
                "the encryption password is empty; enter a password",
            ));
        }
        let ks = Self {
            id: super::random_id(),
            id_key: key(rand::random()),
            data: Some((cipher, key(rand::random()))),
        };
        let kdf = KdfParams {
            algorithm: "argon2id".into(),
            memory_kib: 65536,
            iterations: 3,
            parallelism: 1,
            salt: hex::encode(rand::random::<[u8; 16]>()),
        };
        let kek = derive(password, &kdf)?;
        // Room for both keys up front: growing the buffer would leave the
        // id key behind, unwiped, in the block it moved out of.
        let mut secret = Zeroizing::new(Vec::with_capacity(64));
        secret.extend_from_slice(&ks.id_key[..]);
        if let Some((_, data_key)) = &ks.data {
            secret.extend_from_slice(&data_key[..]);
        }
        let wrapped = aead_seal(cipher, &kek, ks.id.as_bytes(), &secret)?;
        let file = KeyFile {
            version: 1,
            id: ks.id.clone(),
            kind: "password".into(),
            id_key: None,
            cipher: Some(cipher),
            kdf: Some(kdf),
            wrapped: Some(hex::encode(wrapped)),
            hint: hint.to_string(),
        };
        Ok((ks, file))
    }

    /// Unwraps a stored key set. `repo` names the repository in messages.
    pub fn from_file(file: &KeyFile, password: Option<&str>, repo: &str) -> Result<Self> {
        let bad = || {
            Error::corrupt(format!(
                "the key file {} of repository {repo} is damaged",
                file.id
            ))
        };
        if file.kind == "plain" {
            let raw = Zeroizing::new(
                hex::decode(file.id_key.as_deref().ok_or_else(bad)?).map_err(|_| bad())?,
            );
            let id_key: [u8; 32] = raw.as_slice().try_into().map_err(|_| bad())?;
            return Ok(Self {
                id: file.id.clone(),
                id_key: key(id_key),
                data: None,
            });
        }
        let password = password.ok_or_else(|| {
            Error::new(
                ErrorKind::WrongPassword,
                format!("the backup in repository {repo} is encrypted; give its password (--password-stdin)"),
            )
        })?;
        let cipher = file.cipher.ok_or_else(bad)?;
        let kek = derive(password, file.kdf.as_ref().ok_or_else(bad)?)?;
        let wrapped = hex::decode(file.wrapped.as_deref().ok_or_else(bad)?).map_err(|_| bad())?;
        let secret = aead_open(cipher, &kek, file.id.as_bytes(), &wrapped).map(Zeroizing::new);
        let secret = secret.ok_or_else(|| {
            Error::new(
                ErrorKind::WrongPassword,
                format!("wrong password for repository {repo}"),
            )
        })?;
        if secret.len() != 64 {
            return Err(bad());
        }
        let (mut id_key, mut data_key) = ([0u8; 32], [0u8; 32]);
        id_key.copy_from_slice(&secret[..32]);
        data_key.copy_from_slice(&secret[32..]);
        let ks = Self {
            id: file.id.clone(),
            id_key: key(id_key),
            data: Some((cipher, key(data_key))),
        };
        id_key.zeroize();
        data_key.zeroize();
        Ok(ks)
    }

    /// The key set id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The cipher data is sealed with (none for plain key sets).
    pub fn cipher(&self) -> Option<Cipher> {
        self.data.as_ref().map(|(c, _)| *c)
    }

    /// True when data is encrypted.
    pub fn encrypted(&self) -> bool {
        self.data.is_some()
    }

    /// The keyed hash naming a chunk.
    pub fn chunk_id(&self, data: &[u8]) -> ChunkId {
        ChunkId(*blake3::keyed_hash(&self.id_key, data).as_bytes())
    }

    /// Encrypts (or, for plain key sets, passes through) bound to `aad`.
    pub fn seal(&self, aad: &[u8], plain: Vec<u8>) -> Result<Vec<u8>> {
        match &self.data {
            None => Ok(plain),
            Some((c, k)) => data_seal(*c, k, aad, &plain),
        }
    }

    /// Reverses [`seal`](Self::seal); a tampered byte is an error.
    pub fn open(&self, aad: &[u8], sealed: &[u8], what: &str) -> Result<Vec<u8>> {
        match &self.data {
            None => Ok(sealed.to_vec()),
            Some((c, k)) => data_open(*c, k, aad, sealed).ok_or_else(|| {
                Error::corrupt(format!(
                    "{what} failed its integrity check (damaged or tampered)"
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_password_is_reported_as_such() {
        let (_, file) = KeySet::new_encrypted(Cipher::Aes256Gcm, "right", "").expect("new");
        let err = KeySet::from_file(&file, Some("wrong"), "R1").expect_err("must fail");
        assert_eq!(err.kind(), ErrorKind::WrongPassword);
        assert_eq!(err.message(), "wrong password for repository R1");
        let ok = KeySet::from_file(&file, Some("right"), "R1").expect("unwrap");
        assert!(ok.encrypted());
    }

    #[test]
    fn tampered_ciphertext_is_detected_for_both_ciphers() {
        for c in [Cipher::Aes256Gcm, Cipher::Xchacha20Poly1305] {
            let (ks, _) = KeySet::new_encrypted(c, "pw", "").expect("new");
            let mut sealed = ks.seal(b"aad", b"secret data".to_vec()).expect("seal");
            assert!(!sealed.windows(6).any(|w| w == b"secret"));
            assert_eq!(ks.open(b"aad", &sealed, "x").expect("open"), b"secret data");
            assert!(ks.open(b"other", &sealed, "x").is_err(), "aad is bound");
            let last = sealed.len() - 1;
            sealed[last] ^= 1;
            assert_eq!(
                ks.open(b"aad", &sealed, "x").expect_err("tampered").kind(),
                ErrorKind::Corrupt
            );
        }
    }

    #[test]
    fn aes_gcm_seals_use_a_key_of_their_own_so_random_nonces_never_run_out() {
        let (ks, _) = KeySet::new_encrypted(Cipher::Aes256Gcm, "pw", "").expect("new");
        let Some((_, data_key)) = &ks.data else {
            panic!("encrypted")
        };
        let sealed = ks.seal(b"aad", b"payload".to_vec()).expect("seal");
        // 24 random bytes: 12 pick the seal's own key, 12 are its nonce.
        assert_eq!(sealed.len(), 24 + b"payload".len() + 16);
        let under_data_key = Aes256Gcm::new((&***data_key).into()).decrypt(
            sealed[12..24].into(),
            Payload {
                msg: &sealed[24..],
                aad: b"aad",
            },
        );
        assert!(
            under_data_key.is_err(),
            "not sealed with the data key itself"
        );
        assert_eq!(ks.open(b"aad", &sealed, "x").expect("open"), b"payload");
        // Seals of repositories written before stay readable.
        let classic = aead_seal(Cipher::Aes256Gcm, data_key, b"aad", b"old").expect("seal");
        assert_eq!(ks.open(b"aad", &classic, "x").expect("open"), b"old");
    }

    #[test]
    fn chunk_ids_depend_on_the_key() {
        let (a, _) = KeySet::new_plain();
        let (b, _) = KeySet::new_plain();
        assert_eq!(a.chunk_id(b"x"), a.chunk_id(b"x"));
        assert_ne!(a.chunk_id(b"x"), b.chunk_id(b"x"));
    }

    #[test]
    fn key_derivation_parameters_outside_sane_limits_are_a_corrupt_key_file() {
        let (_, good) = KeySet::new_encrypted(Cipher::Aes256Gcm, "pw", "").expect("new");
        let with = |f: &dyn Fn(&mut KdfParams)| {
            let mut file = good.clone();
            f(file.kdf.as_mut().expect("kdf"));
            KeySet::from_file(&file, Some("pw"), "R1")
        };
        type Edit = fn(&mut KdfParams);
        let absurd: [(&str, Edit); 10] = [
            ("4 TiB of memory", |k| k.memory_kib = u32::MAX),
            ("memory above the limit", |k| {
                k.memory_kib = MAX_KDF_MEMORY_KIB + 1
            }),
            ("memory below the limit", |k| {
                k.memory_kib = MIN_KDF_MEMORY_KIB - 1
            }),
            ("4 billion passes", |k| k.iterations = u32::MAX),
            ("1 GiB for 64 passes", |k| {
                k.memory_kib = MAX_KDF_MEMORY_KIB;
                k.iterations = MAX_KDF_ITERATIONS
            }),
            ("just above the work limit", |k| {
                k.memory_kib = MAX_KDF_MEMORY_KIB;
                k.iterations = 5
            }),
            ("no passes", |k| k.iterations = 0),
            ("too many lanes", |k| k.parallelism = MAX_KDF_LANES + 1),
            ("a short salt", |k| k.salt = "00".repeat(7)),
            ("another algorithm", |k| k.algorithm = "scrypt".into()),
        ];
        for (what, edit) in absurd {
            let err = with(&edit).expect_err(what);
            assert_eq!(err.kind(), ErrorKind::Corrupt, "{what}: {}", err.message());
            assert!(
                err.message().contains("corrupt key file"),
                "{what}: {}",
                err.message()
            );
        }
        // The limits themselves are accepted (the wrong key then fails its tag).
        let edge = with(&|k: &mut KdfParams| {
            k.memory_kib = MIN_KDF_MEMORY_KIB;
            k.iterations = 1;
        });
        assert_eq!(
            edge.expect_err("other key").kind(),
            ErrorKind::WrongPassword
        );
        assert!(with(&|_: &mut KdfParams| {}).is_ok());
    }
}
