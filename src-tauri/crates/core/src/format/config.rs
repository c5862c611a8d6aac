//! The repository config object (`config`), plain JSON.

use super::chunker::ChunkerParams;
use serde::{Deserialize, Serialize};

/// Current format version.
pub const FORMAT_VERSION: u32 = 1;

/// What `config` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoConfig {
    /// Always "cairn-repository".
    pub format: String,
    /// Format version; a newer one is refused.
    pub version: u32,
    /// Random repository id.
    pub id: String,
    /// Unix seconds of creation.
    pub created: i64,
    /// Chunk size bounds.
    pub chunker: ChunkerParams,
    /// Target pack size in bytes.
    pub pack_size: u32,
    /// The unencrypted key set used by jobs without encryption.
    pub default_keyset: String,
}
