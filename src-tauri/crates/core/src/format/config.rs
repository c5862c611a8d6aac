//! The repository config object (`config`), plain JSON.

use super::chunker::ChunkerParams;
use serde::{Deserialize, Serialize};

/// Current format version.
pub const FORMAT_VERSION: u32 = 1;

/// Smallest and largest target pack size a config may ask for: a writer
/// allocates one pack's worth per packer.
pub const PACK_SIZE_RANGE: std::ops::RangeInclusive<u32> = (64 << 10)..=(1 << 30);

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

impl RepoConfig {
    /// Says what in a config read from storage cannot be used, if anything.
    pub fn problem(&self) -> Option<String> {
        if let Some(p) = self.chunker.problem() {
            return Some(p);
        }
        (!PACK_SIZE_RANGE.contains(&self.pack_size)).then(|| {
            format!(
                "pack size {} is outside {}..={} bytes",
                self.pack_size,
                PACK_SIZE_RANGE.start(),
                PACK_SIZE_RANGE.end()
            )
        })
    }
}
