//! The index: which pack holds each chunk. One `index/<pack>` object per
//! pack; the same entries are repeated in the pack's trailer so a lost index
//! object can be rebuilt from the pack.

use super::ChunkId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Blob kinds.
pub const KIND_DATA: u8 = 0;
/// A tree blob.
pub const KIND_TREE: u8 = 1;

/// One blob inside a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Chunk or tree id.
    pub id: ChunkId,
    /// [`KIND_DATA`] or [`KIND_TREE`].
    pub kind: u8,
    /// Byte offset in the pack.
    pub offset: u32,
    /// Stored (encoded) length.
    pub length: u32,
    /// Length of the original data.
    pub raw_length: u32,
}

/// The content of an `index/<pack>` object and of a pack trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackIndex {
    /// Pack id (hex).
    pub pack: String,
    /// Entries in pack order.
    pub entries: Vec<IndexEntry>,
}

/// Where a blob lives, packed small: about 50 bytes per chunk in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Index into [`Index::packs`].
    pub pack: u32,
    /// Byte offset in the pack.
    pub offset: u32,
    /// Stored length.
    pub length: u32,
    /// Original length.
    pub raw_length: u32,
    /// Blob kind.
    pub kind: u8,
}

/// The in-memory index of one key set.
#[derive(Debug, Default)]
pub struct Index {
    /// Pack ids.
    pub packs: Vec<String>,
    /// Blob locations.
    pub blobs: HashMap<ChunkId, Location>,
    /// Objects under `index/` that are not Cairn's (their names are not
    /// pack ids), ignored; a backup reports them as a warning.
    pub ignored: Vec<String>,
}

impl Index {
    /// Adds a pack's entries.
    pub fn add(&mut self, p: &PackIndex) {
        let pack = self.packs.len() as u32;
        self.packs.push(p.pack.clone());
        for e in &p.entries {
            self.blobs.insert(
                e.id,
                Location {
                    pack,
                    offset: e.offset,
                    length: e.length,
                    raw_length: e.raw_length,
                    kind: e.kind,
                },
            );
        }
    }

    /// Finds a blob.
    pub fn get(&self, id: &ChunkId) -> Option<(&str, Location)> {
        self.blobs
            .get(id)
            .map(|l| (self.packs[l.pack as usize].as_str(), *l))
    }
}

/// The storage key of a pack.
pub fn pack_key(pack: &str) -> String {
    format!("data/{}/{}", pack.get(..2).unwrap_or("__"), pack)
}

/// The storage key of a pack's index object.
pub fn index_key(pack: &str) -> String {
    format!("index/{pack}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_index_round_trips_through_postcard() {
        let p = PackIndex {
            pack: "ab".repeat(16),
            entries: vec![IndexEntry {
                id: ChunkId([7; 32]),
                kind: KIND_TREE,
                offset: 10,
                length: 20,
                raw_length: 30,
            }],
        };
        let bytes = postcard::to_allocvec(&p).expect("encode");
        let back: PackIndex = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back, p);
        let mut idx = Index::default();
        idx.add(&back);
        let (pack, loc) = idx.get(&ChunkId([7; 32])).expect("found");
        assert_eq!(pack, p.pack);
        assert_eq!(
            (loc.offset, loc.length, loc.raw_length, loc.kind),
            (10, 20, 30, KIND_TREE)
        );
        assert_eq!(pack_key(&p.pack), format!("data/ab/{}", p.pack));
    }
}
