//! Name search over a whole restore point.
//!
//! A point's folders form a graph in which equal subtrees are one object;
//! a hostile point can make a few objects stand for exponentially many
//! paths (a folder bomb). The search therefore works in two passes. The
//! first ([`counts_below`]) reads every distinct tree once, level by level
//! and in parallel, and counts the matches below each one. The second builds paths only
//! down to the matches, and only as many as the caller asked for: its
//! cost follows the answer, not the number of paths.

use super::{Found, NamePattern};
use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{Entry, EntryKind};
use crate::format::ChunkId;
use crate::repo::Repository;
use crate::treewalk::{counts_below, ReadTree};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Distinct folders one search reads at most.
const MAX_SEARCHED_FOLDERS: usize = 10_000_000;

/// Refuses a search once it knows of more than [`MAX_SEARCHED_FOLDERS`].
fn within_bound(queued: usize) -> Result<()> {
    if queued > MAX_SEARCHED_FOLDERS {
        return Err(Error::invalid(format!(
            "the restore point holds more than {MAX_SEARCHED_FOLDERS} folders to search; search inside one folder instead"
        )));
    }
    Ok(())
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
    let hit = |e: &Entry| pattern.matches_bytes(&e.name);
    let total = counts_below(tree, &[*root], &hit, &mut within_bound)?;
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
