//! The repository format, specified byte by byte in `FORMAT.md` beside this
//! crate: key sets and encryption, blob encoding, packs, the index, trees,
//! restore-point manifests and backup metadata.

pub mod blob;
pub mod chunker;
pub mod config;
pub mod crypto;
pub mod index;
pub mod manifest;
pub mod markers;
pub mod pack;
pub mod tree;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A chunk or tree id: BLAKE3 keyed with the key set's id key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChunkId(pub [u8; 32]);

impl ChunkId {
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// Parses a hex id as stored in manifests and trees; anything but 64
    /// hex digits is corrupt data.
    pub fn from_hex(hex_id: &str) -> Result<ChunkId> {
        let bad = || Error::corrupt(format!("bad object id {hex_id}"));
        let v = hex::decode(hex_id).map_err(|_| bad())?;
        Ok(ChunkId(v.try_into().map_err(|_| bad())?))
    }
}

impl fmt::Debug for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", &self.to_hex()[..16])
    }
}

/// The largest JSON object a reader takes whole (config, key files,
/// ownership markers, locks).
pub const MAX_SMALL_OBJECT: u64 = 1 << 20;

/// A random 16-byte id in hex (repositories, key sets, packs, locks).
pub fn random_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// True for an id [`random_id`] makes: 32 lower-case hex digits. Pack,
/// key set and lock ids read from a repository are refused otherwise.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// True for a backup or restore point id read from a repository: 1 to 128
/// letters, digits, dots, hyphens and underscores, not starting with a
/// dot. Anything else in `backups/` or `snapshots/` (`._x`, `.DS_Store`)
/// is not Cairn's and is ignored.
pub fn is_name_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}
