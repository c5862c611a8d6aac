//! Two-phase pruning of packs no restore point needs: a pack found unused
//! is first marked (in `prune/<key set>`), and deleted by a later prune
//! only if it is still unused after the grace period. A backup that started
//! before the mark and references the pack keeps it alive, because the
//! second phase recomputes what is used.
//! Packs that are only partly unused are kept whole (no repacking yet).

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::{index_key, pack_key, Index};
use crate::format::ChunkId;
use crate::progress::ProgressSink;
use crate::repo::Repository;
use crate::treewalk;
use cairn_model::LogLevel;
use std::collections::{BTreeMap, HashSet};

/// What a prune did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PruneReport {
    /// Packs newly marked as unused.
    pub marked: usize,
    /// Packs deleted (marked earlier, still unused).
    pub deleted: usize,
    /// Marked packs waiting for the grace period.
    pub waiting: usize,
    /// Bytes of deleted packs.
    pub bytes_freed: u64,
    /// Unused packs kept because they are still immutable.
    pub locked: usize,
}

/// Every blob id the key set's restore points reference.
pub fn referenced(repo: &Repository, ks: &KeySet, index: &Index) -> Result<HashSet<ChunkId>> {
    let mut used = HashSet::new();
    for (backup, keyset) in repo.list_backups()? {
        if keyset != ks.id() {
            continue;
        }
        for point in repo.list_points(&backup)? {
            let m = repo.read_manifest(ks, &backup, &point)?;
            treewalk::collect(repo, ks, index, &m.root, &mut used)?;
        }
    }
    Ok(used)
}

/// Runs both phases for one key set. The caller holds the writer lock.
pub fn prune(
    repo: &Repository,
    ks: &KeySet,
    grace_secs: i64,
    sink: &dyn ProgressSink,
) -> Result<PruneReport> {
    let index = repo.load_index(ks, false)?;
    let used = referenced(repo, ks, &index)?;
    let mut unused_packs: Vec<bool> = vec![true; index.packs.len()];
    for (id, loc) in &index.blobs {
        if used.contains(id) {
            unused_packs[loc.pack as usize] = false;
        }
    }
    let marks_key = format!("prune/{}", ks.id());
    let mut marks: BTreeMap<String, i64> = match repo.storage().get(&marks_key) {
        Ok(raw) => serde_json::from_slice(&raw)
            .map_err(|_| Error::corrupt(format!("{marks_key} is damaged")))?,
        Err(_) => BTreeMap::new(),
    };
    let now = crate::time::now();
    let sizes = repo.pack_sizes()?;
    let mut report = PruneReport::default();
    let mut next = BTreeMap::new();
    for (i, pack) in index.packs.iter().enumerate() {
        if !unused_packs[i] {
            continue;
        }
        match marks.remove(pack) {
            Some(t) if now - t >= grace_secs => {
                if let Some(until) = repo.storage().locked_until(&pack_key(pack))? {
                    report.locked += 1;
                    sink.log(
                        LogLevel::Info,
                        &format!(
                            "Prune: pack {pack} kept: it is immutable until {}",
                            crate::time::point_time_label(until)
                        ),
                    );
                    next.insert(pack.clone(), t);
                    continue;
                }
                repo.storage().delete(&index_key(pack))?;
                repo.storage().delete(&pack_key(pack))?;
                report.deleted += 1;
                report.bytes_freed += sizes.get(pack).copied().unwrap_or(0);
            }
            Some(t) => {
                report.waiting += 1;
                next.insert(pack.clone(), t);
            }
            None => {
                report.marked += 1;
                next.insert(pack.clone(), now);
            }
        }
    }
    if next.is_empty() {
        repo.storage().delete(&marks_key)?;
    } else {
        let body = serde_json::to_vec(&next).map_err(|e| Error::internal(e.to_string()))?;
        repo.storage().put(&marks_key, &body)?;
    }
    if report.deleted + report.marked > 0 {
        sink.log(
            LogLevel::Info,
            &format!(
                "Prune: {} unused pack(s) marked, {} deleted ({} bytes freed), {} waiting for the grace period",
                report.marked, report.deleted, report.bytes_freed, report.waiting
            ),
        );
    }
    Ok(report)
}
