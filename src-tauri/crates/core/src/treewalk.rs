//! Walking the trees of a restore point.

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{too_deep, Entry, EntryKind, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// Reads a tree (a cache or the repository).
pub type ReadTree<'a> = &'a (dyn Fn(&ChunkId) -> Result<Arc<Tree>> + Sync);

/// One distinct tree as [`counts_below`] read it.
struct Scanned {
    /// Its own entries that count.
    own: u64,
    /// The trees of its subfolders.
    subs: Vec<ChunkId>,
}

/// For each distinct tree at and below `roots`, how many entries `counts`
/// accepts on every path under it: a subtree shared by several folders
/// counts at each of them (saturating). Each distinct tree is read once,
/// level by level and in parallel, so a folder bomb (2^64 paths in 65
/// trees) is measured in 65 reads. After each level `queued` is told how
/// many distinct trees are known so far, and may refuse to go on.
pub fn counts_below(
    read: ReadTree,
    roots: &[ChunkId],
    counts: &(dyn Fn(&Entry) -> bool + Sync),
    queued: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<HashMap<ChunkId, u64>> {
    let scanned = scan_all(read, roots, counts, queued)?;
    totals(&scanned, roots)
}

fn scan(t: &Tree, counts: &(dyn Fn(&Entry) -> bool + Sync)) -> Scanned {
    let own = t.entries.iter().filter(|e| counts(e)).count() as u64;
    let subs = t
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Dir)
        .filter_map(|e| e.subtree)
        .collect();
    Scanned { own, subs }
}

/// Every distinct tree at and below `roots`, read once.
fn scan_all(
    read: ReadTree,
    roots: &[ChunkId],
    counts: &(dyn Fn(&Entry) -> bool + Sync),
    queued: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<HashMap<ChunkId, Scanned>> {
    use rayon::prelude::*;
    let mut scanned = HashMap::new();
    let mut seen: HashSet<ChunkId> = HashSet::new();
    let mut level: Vec<ChunkId> = roots.iter().copied().filter(|r| seen.insert(*r)).collect();
    let mut depth = 0;
    while !level.is_empty() {
        if depth > MAX_DEPTH {
            return Err(too_deep("the restore point"));
        }
        depth += 1;
        let found: Vec<Result<(ChunkId, Scanned)>> = level
            .par_iter()
            .map(|id| Ok((*id, scan(read(id)?.as_ref(), counts))))
            .collect();
        let mut next = Vec::new();
        for r in found {
            let (id, s) = r?;
            next.extend(s.subs.iter().filter(|sub| seen.insert(**sub)));
            scanned.insert(id, s);
        }
        queued(seen.len())?;
        level = next;
    }
    Ok(scanned)
}

/// The counts at and below each scanned tree, children before parents.
fn totals(scanned: &HashMap<ChunkId, Scanned>, roots: &[ChunkId]) -> Result<HashMap<ChunkId, u64>> {
    let cycle = || Error::corrupt("the restore point's folders contain themselves");
    let mut total: HashMap<ChunkId, u64> = HashMap::with_capacity(scanned.len());
    let mut open = HashSet::new();
    let mut stack: Vec<(ChunkId, bool)> = roots.iter().map(|r| (*r, false)).collect();
    while let Some((id, children_counted)) = stack.pop() {
        if total.contains_key(&id) {
            continue;
        }
        let s = scanned.get(&id).ok_or_else(cycle)?;
        if children_counted {
            let below = s.subs.iter().map(|c| total.get(c).copied().unwrap_or(0));
            total.insert(id, below.fold(s.own, u64::saturating_add));
            open.remove(&id);
            continue;
        }
        // A tree met again before its own count is done is its own descendant.
        if !open.insert(id) {
            return Err(cycle());
        }
        stack.push((id, true));
        stack.extend(
            s.subs
                .iter()
                .filter(|c| !total.contains_key(*c))
                .map(|c| (*c, false)),
        );
    }
    Ok(total)
}

/// How many entries a walk of every path under the trees `roots` meets
/// (their sum, saturating), each distinct tree read once: measured before
/// anything acts on the paths.
pub fn paths_below(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    roots: &[ChunkId],
) -> Result<u64> {
    let read = |id: &ChunkId| repo.read_tree(ks, index, id).map(Arc::new);
    let total = counts_below(&read, roots, &|_| true, &mut |_| Ok(()))?;
    let per_root = roots.iter().map(|r| total.get(r).copied().unwrap_or(0));
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
