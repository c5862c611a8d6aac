//! Looking into restore points without reading file data: name search
//! with masks, the versions of one item across restore points, and the
//! differences between two restore points. Only tree objects are read;
//! subtrees with the same id are the same content and are skipped.

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{too_deep, Entry, EntryKind, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

mod search;

pub use search::{find, find_with};

/// A name pattern: `*` and `?` masks match the whole name; plain text
/// matches any part of it. Both ignore case.
pub struct NamePattern {
    mask: Option<glob::Pattern>,
    text: String,
    ascii: bool,
}

impl NamePattern {
    /// Parses a pattern; an empty one is refused.
    pub fn new(pattern: &str) -> Result<Self> {
        if pattern.is_empty() {
            return Err(Error::invalid(
                "the search pattern is empty; give a name or a mask such as *.pdf",
            ));
        }
        let mask = if pattern.contains(['*', '?']) {
            Some(glob::Pattern::new(pattern).map_err(|e| {
                Error::invalid(format!("\"{pattern}\" is not a valid mask")).caused_by(e)
            })?)
        } else {
            None
        };
        Ok(Self {
            mask,
            text: pattern.to_lowercase(),
            ascii: pattern.is_ascii(),
        })
    }

    /// Matches a raw name (names are bytes; most are UTF-8 and need no
    /// copy).
    pub fn matches_bytes(&self, name: &[u8]) -> bool {
        if self.mask.is_none() && self.ascii {
            let t = self.text.as_bytes();
            return t.len() <= name.len()
                && name.windows(t.len()).any(|w| w.eq_ignore_ascii_case(t));
        }
        match std::str::from_utf8(name) {
            Ok(s) => self.matches(s),
            Err(_) => self.matches(&String::from_utf8_lossy(name)),
        }
    }

    /// True when a name matches.
    pub fn matches(&self, name: &str) -> bool {
        match &self.mask {
            Some(m) => m.matches_with(
                name,
                glob::MatchOptions {
                    case_sensitive: false,
                    require_literal_separator: false,
                    require_literal_leading_dot: false,
                },
            ),
            None => name.to_lowercase().contains(&self.text),
        }
    }
}

/// One item found, with its full path in the restore point.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// Full path (`/home/user/a.txt`).
    pub path: String,
    /// Kind.
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
}

impl Found {
    fn of(path: &str, e: &Entry) -> Self {
        Self {
            path: path.to_string(),
            kind: e.kind,
            size: e.size,
            mtime: e.mtime_ns.div_euclid(1_000_000_000),
        }
    }
}

/// Folders one comparison reads at most, and differences it lists at most:
/// a point of shared subtrees would otherwise differ at exponentially many
/// paths.
const MAX_COMPARED_FOLDERS: usize = 10_000_000;
const MAX_DIFFERENCES: usize = 1_000_000;

fn too_many_differences() -> Error {
    Error::invalid(format!(
        "the restore points differ in more than {MAX_DIFFERENCES} items or {MAX_COMPARED_FOLDERS} folders, \
         more than one comparison lists; restore the folders you need and compare them there"
    ))
}

/// The trees one comparison read last, so a subtree met at many paths is
/// read from the repository once; bounded, emptied when full.
#[derive(Default)]
struct TreeMemo(HashMap<ChunkId, Arc<Tree>>);

impl TreeMemo {
    const MAX: usize = 4096;

    fn get(&mut self, id: ChunkId, read: impl Fn(&ChunkId) -> Result<Tree>) -> Result<Arc<Tree>> {
        if let Some(t) = self.0.get(&id) {
            return Ok(t.clone());
        }
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        let t = Arc::new(read(&id)?);
        self.0.insert(id, t.clone());
        Ok(t)
    }
}

/// What changed for one path between two restore points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the newer point.
    Added,
    /// Only in the older point.
    Deleted,
    /// In both, with different content or metadata.
    Changed,
}

impl From<Change> for cairn_model::ChangeKind {
    fn from(c: Change) -> Self {
        match c {
            Change::Added => Self::Added,
            Change::Deleted => Self::Deleted,
            Change::Changed => Self::Changed,
        }
    }
}

/// One difference.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// Full path.
    pub path: String,
    /// What happened.
    pub change: Change,
    /// Kind (in the newer point, or the older one when deleted).
    pub kind: EntryKind,
    /// Size in the newer point (0 when deleted).
    pub size: u64,
}

/// True when two entries differ in what a restore would write.
pub fn entry_differs(a: &Entry, b: &Entry) -> bool {
    a.kind != b.kind
        || a.size != b.size
        || a.mtime_ns != b.mtime_ns
        || a.mode != b.mode
        || a.uid != b.uid
        || a.gid != b.gid
        || a.content != b.content
        || a.target != b.target
        || a.xattrs != b.xattrs
}

/// The differences between two restore points (`old` → `new`), sorted by
/// path. Folders are reported as changed only for their own metadata;
/// their contents are listed item by item. An added or deleted folder is
/// one line.
pub fn diff(
    repo: &Repository,
    ks_old: &KeySet,
    ks_new: &KeySet,
    index_old: &Index,
    index_new: &Index,
    old: &ChunkId,
    new: &ChunkId,
) -> Result<Vec<Difference>> {
    let mut out = Vec::new();
    let mut trees_old = TreeMemo::default();
    let mut trees_new = TreeMemo::default();
    let mut stack = vec![(String::new(), *old, *new, 0usize)];
    let mut compared = 0usize;
    while let Some((prefix, a, b, depth)) = stack.pop() {
        if a == b {
            continue;
        }
        if depth > MAX_DEPTH {
            return Err(too_deep(&format!("the folder {prefix}")));
        }
        compared += 1;
        if compared > MAX_COMPARED_FOLDERS || out.len() > MAX_DIFFERENCES {
            return Err(too_many_differences());
        }
        let ta = trees_old.get(a, |id| repo.read_tree(ks_old, index_old, id))?;
        let tb = trees_new.get(b, |id| repo.read_tree(ks_new, index_new, id))?;
        let (mut i, mut j) = (0, 0);
        while i < ta.entries.len() || j < tb.entries.len() {
            let ea = ta.entries.get(i);
            let eb = tb.entries.get(j);
            let order = match (ea, eb) {
                (Some(x), Some(y)) => x.name.cmp(&y.name),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let name_of = |e: &Entry| format!("{prefix}/{}", String::from_utf8_lossy(&e.name));
            match order {
                std::cmp::Ordering::Less => {
                    let x = ea.expect("old entry");
                    out.push(Difference {
                        path: name_of(x),
                        change: Change::Deleted,
                        kind: x.kind,
                        size: 0,
                    });
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    let y = eb.expect("new entry");
                    out.push(Difference {
                        path: name_of(y),
                        change: Change::Added,
                        kind: y.kind,
                        size: y.size,
                    });
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (x, y) = (ea.expect("old"), eb.expect("new"));
                    let path = name_of(y);
                    let both_dirs = x.kind == EntryKind::Dir && y.kind == EntryKind::Dir;
                    let meta_differs = if both_dirs {
                        x.mode != y.mode || x.uid != y.uid || x.gid != y.gid
                    } else {
                        entry_differs(x, y)
                    };
                    if meta_differs {
                        out.push(Difference {
                            path: path.clone(),
                            change: Change::Changed,
                            kind: y.kind,
                            size: y.size,
                        });
                    }
                    if both_dirs {
                        if let (Some(sa), Some(sb)) = (x.subtree, y.subtree) {
                            stack.push((path, sa, sb, depth + 1));
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
