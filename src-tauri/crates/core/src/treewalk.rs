//! Walking the trees of a restore point.

use crate::error::Result;
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{too_deep, Entry, EntryKind, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use std::collections::{HashMap, HashSet};

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

/// How many entries a walk of every path under the trees `roots` meets
/// (their sum): a subtree shared by several folders counts at each of
/// them (saturating). Each distinct tree is read once, across all the
/// roots, so a folder bomb (2^64 paths in 65 trees) is measured in 65
/// reads, before anything acts on its paths.
pub fn paths_below(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    roots: &[ChunkId],
) -> Result<u64> {
    let mut counts: HashMap<ChunkId, u64> = HashMap::new();
    let mut pending: HashMap<ChunkId, (u64, Vec<ChunkId>)> = HashMap::new();
    let mut stack: Vec<(ChunkId, usize, bool)> = roots.iter().map(|r| (*r, 0, false)).collect();
    while let Some((id, depth, children_done)) = stack.pop() {
        if children_done {
            let (entries, subs) = pending.remove(&id).unwrap_or_default();
            let below = subs.iter().map(|s| counts.get(s).copied().unwrap_or(0));
            counts.insert(id, below.fold(entries, u64::saturating_add));
            continue;
        }
        if counts.contains_key(&id) || pending.contains_key(&id) {
            continue;
        }
        if depth > MAX_DEPTH {
            return Err(too_deep("the restore point"));
        }
        let tree = repo.read_tree(ks, index, &id)?;
        let subs: Vec<ChunkId> = tree
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Dir)
            .filter_map(|e| e.subtree)
            .collect();
        stack.push((id, depth, true));
        stack.extend(subs.iter().map(|s| (*s, depth + 1, false)));
        pending.insert(id, (tree.entries.len() as u64, subs));
    }
    let per_root = roots.iter().map(|r| counts.get(r).copied().unwrap_or(0));
    Ok(per_root.fold(0, u64::saturating_add))
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
