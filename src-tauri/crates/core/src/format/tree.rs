//! Tree objects: one per directory, entries sorted by name, stored as blobs
//! of kind tree and named by their keyed hash (unchanged folders dedup).

use super::ChunkId;
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// The deepest folder a restore point may hold, in levels below its root.
/// Readers refuse deeper trees (a crafted chain of nested trees would
/// otherwise exhaust the stack) and backups skip deeper folders' contents.
pub const MAX_DEPTH: usize = 256;

/// The error for a tree nested deeper than [`MAX_DEPTH`].
pub fn too_deep(what: &str) -> Error {
    Error::corrupt(format!(
        "{what} nests folders more than {MAX_DEPTH} levels deep, the format's limit; the restore point is damaged or was crafted"
    ))
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// Regular file with content.
    File,
    /// Directory with a subtree.
    Dir,
    /// Symbolic link with a target.
    Symlink,
    /// Named pipe (recorded, not read).
    Fifo,
    /// Character device (recorded, not read).
    CharDevice,
    /// Block device (recorded, not read).
    BlockDevice,
    /// Unix socket (recorded, not read).
    Socket,
}

impl From<EntryKind> for cairn_model::ItemKind {
    /// What the console's lists call an entry: folder, file, link, special.
    fn from(k: EntryKind) -> Self {
        match k {
            EntryKind::Dir => Self::Folder,
            EntryKind::File => Self::File,
            EntryKind::Symlink => Self::Link,
            _ => Self::Special,
        }
    }
}

/// One directory entry. Names and link targets are raw bytes: data, never
/// trusted as paths on restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// File name (one path component).
    pub name: Vec<u8>,
    /// Kind.
    pub kind: EntryKind,
    /// Permission and type bits.
    pub mode: u32,
    /// Owner id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Owner name at backup time.
    pub user: String,
    /// Group name at backup time.
    pub group: String,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status change time, nanoseconds (for incremental detection).
    pub ctime_ns: i64,
    /// Inode number (incremental detection, hard links).
    pub inode: u64,
    /// Device id (hard links).
    pub dev: u64,
    /// Link count.
    pub nlink: u64,
    /// Size in bytes (files).
    pub size: u64,
    /// Device number (devices).
    pub rdev: u64,
    /// Symlink target.
    pub target: Vec<u8>,
    /// File content, in order.
    pub content: Vec<ChunkId>,
    /// Directory subtree.
    pub subtree: Option<ChunkId>,
    /// Extended attributes (name, value).
    pub xattrs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A directory's entries, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    /// Entries.
    pub entries: Vec<Entry>,
}

impl Tree {
    /// Encodes with postcard (see FORMAT.md).
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }
    /// Decodes; `None` when damaged.
    pub fn decode(b: &[u8]) -> Option<Self> {
        postcard::from_bytes(b).ok()
    }
    /// Finds an entry by name.
    pub fn find(&self, name: &[u8]) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.name.as_slice().cmp(name))
            .ok()
            .map(|i| &self.entries[i])
    }
}
