//! Walking the trees of a restore point.

use crate::error::Result;
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{too_deep, Entry, EntryKind, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use std::collections::HashSet;

/// Adds every tree and chunk id reachable from `root` to `used`. Trees
/// already in `used` are not read again (shared subtrees).
pub fn collect(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &str,
    used: &mut HashSet<ChunkId>,
) -> Result<()> {
    let mut stack = vec![ChunkId::from_hex(root)?];
    while let Some(id) = stack.pop() {
        if !used.insert(id) {
            continue;
        }
        let tree = repo.read_tree(ks, index, &id)?;
        for e in tree.entries {
            used.extend(e.content.iter().copied());
            if let Some(s) = e.subtree {
                stack.push(s);
            }
        }
    }
    Ok(())
}

/// Calls `f(path, entry)` for every entry under `root`, depth first;
/// `path` is the entry's full path in the restore point (`/home/a/x`).
/// A tree nested deeper than [`MAX_DEPTH`] is an error.
pub fn visit(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &ChunkId,
    f: &mut dyn FnMut(&str, &Entry) -> Result<()>,
) -> Result<()> {
    walk(repo, ks, index, root, false, f)
}

/// [`visit`], entering a subtree shared by several folders only at its
/// first path: linear in the distinct trees, where a crafted point of
/// shared subtrees would make [`visit`] exponential.
pub fn visit_once(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &ChunkId,
    f: &mut dyn FnMut(&str, &Entry) -> Result<()>,
) -> Result<()> {
    walk(repo, ks, index, root, true, f)
}

fn walk(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &ChunkId,
    once: bool,
    f: &mut dyn FnMut(&str, &Entry) -> Result<()>,
) -> Result<()> {
    let mut seen = HashSet::new();
    let mut stack = vec![(String::new(), *root, 0usize)];
    while let Some((prefix, id, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(too_deep(&format!("the folder {prefix}")));
        }
        if once && !seen.insert(id) {
            continue;
        }
        let tree = repo.read_tree(ks, index, &id)?;
        for e in &tree.entries {
            let path = format!("{prefix}/{}", String::from_utf8_lossy(&e.name));
            f(&path, e)?;
            if e.kind == EntryKind::Dir {
                if let Some(s) = e.subtree {
                    stack.push((path, s, depth + 1));
                }
            }
        }
    }
    Ok(())
}
