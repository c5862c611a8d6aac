//! Name search over a whole restore point.
//!
//! A point's folders form a graph in which equal subtrees are one object;
//! a hostile point can make a few objects stand for exponentially many
//! paths (a folder bomb). The search therefore works in two passes. The
//! first reads every distinct tree once, level by level and in parallel,
//! and counts the matches below each one. The second builds paths only
//! down to the matches, and only as many as the caller asked for: its
//! cost follows the answer, not the number of paths.

use super::{Found, NamePattern};
use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{too_deep, EntryKind, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Distinct folders one search reads at most.
const MAX_SEARCHED_FOLDERS: usize = 10_000_000;

/// Reads a tree (a cache or the repository).
type ReadTree<'a> = &'a (dyn Fn(&ChunkId) -> Result<Arc<Tree>> + Sync);

/// One distinct tree as the first pass saw it.
struct Scanned {
    /// Its own entries that match.
    hits: u64,
    /// The trees of its subfolders.
    subs: Vec<ChunkId>,
}

fn scan(t: &Tree, pattern: &NamePattern) -> Scanned {
    let hits = t
        .entries
        .iter()
        .filter(|e| pattern.matches_bytes(&e.name))
        .count() as u64;
    let subs = t
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Dir)
        .filter_map(|e| e.subtree)
        .collect();
    Scanned { hits, subs }
}

/// First pass: every distinct tree below `root`, read once.
fn scan_all(
    tree: ReadTree,
    root: &ChunkId,
    pattern: &NamePattern,
) -> Result<HashMap<ChunkId, Scanned>> {
    let mut scanned = HashMap::new();
    let mut queued = HashSet::from([*root]);
    let mut level = vec![*root];
    let mut depth = 0;
    while !level.is_empty() {
        if depth > MAX_DEPTH {
            return Err(too_deep("the restore point"));
        }
        depth += 1;
        let read: Vec<Result<(ChunkId, Scanned)>> = level
            .par_iter()
            .map(|id| Ok((*id, scan(tree(id)?.as_ref(), pattern))))
            .collect();
        let mut next = Vec::new();
        for r in read {
            let (id, s) = r?;
            next.extend(s.subs.iter().filter(|sub| queued.insert(**sub)));
            scanned.insert(id, s);
        }
        if queued.len() > MAX_SEARCHED_FOLDERS {
            return Err(Error::invalid(format!(
                "the restore point holds more than {MAX_SEARCHED_FOLDERS} folders to search; search inside one folder instead"
            )));
        }
        level = next;
    }
    Ok(scanned)
}

/// The matches at and below each tree, children before parents.
fn totals(scanned: &HashMap<ChunkId, Scanned>, root: &ChunkId) -> Result<HashMap<ChunkId, u64>> {
    let cycle = || Error::corrupt("the restore point's folders contain themselves");
    let mut total: HashMap<ChunkId, u64> = HashMap::with_capacity(scanned.len());
    let mut open = HashSet::new();
    let mut stack = vec![(*root, false)];
    while let Some((id, children_counted)) = stack.pop() {
        if total.contains_key(&id) {
            continue;
        }
        let s = scanned.get(&id).ok_or_else(cycle)?;
        if children_counted {
            let below = s.subs.iter().map(|c| total.get(c).copied().unwrap_or(0));
            total.insert(id, below.fold(s.hits, u64::saturating_add));
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

/// Folders of one level of the second pass: full path and tree id.
type Folders = Vec<(String, ChunkId)>;

/// Second pass: paths of matches, level by level, entering only folders
/// with matches below, and never more folders than results still wanted
/// (each one holds at least one).
fn collect(
    tree: ReadTree,
    root: &ChunkId,
    pattern: &NamePattern,
    total: &HashMap<ChunkId, u64>,
    limit: usize,
) -> Result<Vec<Found>> {
    let has_matches = |id: &ChunkId| total.get(id).is_some_and(|n| *n > 0);
    let mut out: Vec<Found> = Vec::new();
    let mut level: Folders = vec![(String::new(), *root)];
    while !level.is_empty() && out.len() <= limit {
        let read: Vec<Result<(Vec<Found>, Folders)>> = level
            .par_iter()
            .map(|(prefix, id)| {
                let t = tree(id)?;
                let (mut found, mut next) = (Vec::new(), Vec::new());
                for e in &t.entries {
                    let hit = pattern.matches_bytes(&e.name);
                    let sub = e
                        .subtree
                        .filter(|s| e.kind == EntryKind::Dir && has_matches(s));
                    if !hit && sub.is_none() {
                        continue;
                    }
                    let path = format!("{prefix}/{}", String::from_utf8_lossy(&e.name));
                    if hit {
                        found.push(Found::of(&path, e));
                    }
                    if let Some(sub) = sub {
                        next.push((path, sub));
                    }
                }
                Ok((found, next))
            })
            .collect();
        let mut next_level = Vec::new();
        for r in read {
            let (found, next) = r?;
            out.extend(found);
            next_level.extend(next);
        }
        let wanted = (limit + 1).saturating_sub(out.len());
        if next_level.len() > wanted {
            next_level.sort_by(|a, b| a.0.cmp(&b.0));
            next_level.truncate(wanted);
        }
        level = next_level;
    }
    Ok(out)
}

/// Searches a whole restore point by name; stops after `limit` results and
/// says so (`true`). Trees come from `tree` (a cache or the repository).
pub fn find_with(
    tree: ReadTree,
    root: &ChunkId,
    pattern: &NamePattern,
    limit: usize,
) -> Result<(Vec<Found>, bool)> {
    let scanned = scan_all(tree, root, pattern)?;
    let total = totals(&scanned, root)?;
    drop(scanned);
    let matches = total.get(root).copied().unwrap_or(0);
    if matches == 0 {
        return Ok((Vec::new(), false));
    }
    let mut out = collect(tree, root, pattern, &total, limit)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.truncate(limit);
    Ok((out, matches > limit as u64))
}

/// [`find_with`] reading trees from the repository.
pub fn find(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &ChunkId,
    pattern: &NamePattern,
    limit: usize,
) -> Result<(Vec<Found>, bool)> {
    find_with(
        &|id| repo.read_tree(ks, index, id).map(Arc::new),
        root,
        pattern,
        limit,
    )
}
