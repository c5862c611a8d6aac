//! Two-phase pruning of packs no restore point needs: a pack found unused
//! is first marked (in `prune/<key set>`), and deleted by a later prune
//! only if it is still unused after the grace period. A backup that started
//! before the mark and references the pack keeps it alive, because the
//! second phase recomputes what is used.
//! Packs that are only partly unused are kept whole (no repacking yet).

use crate::error::{Error, Result};
use crate::format::blob::{open_object, seal_object, ObjectKind};
use crate::format::crypto::KeySet;
use crate::format::index::{index_key, pack_key, Index};
use crate::format::ChunkId;
use crate::progress::{Counters, ProgressSink};
use crate::repo::Repository;
use crate::treewalk;
use cairn_model::LogLevel;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::Instant;

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

/// Every blob id the key set's restore points reference (every manifest
/// in `snapshots/`, whether or not its backup's metadata is there).
pub fn referenced(repo: &Repository, ks: &KeySet, index: &Index) -> Result<HashSet<ChunkId>> {
    let mut used = HashSet::new();
    for m in repo.manifests_of_keyset(ks)? {
        treewalk::collect(repo, ks, index, &m.root, &mut used)?;
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
    let now = crate::time::now();
    let mut marks = read_marks(repo, ks, &marks_key, now, sink)?;
    let sizes = repo.pack_sizes()?;
    let mut report = PruneReport::default();
    let mut next = BTreeMap::new();
    let due = (index.packs.iter().enumerate())
        .filter(|(i, p)| unused_packs[*i] && marks.get(*p).is_some_and(|t| now - t >= grace_secs))
        .count();
    let mut progress = Deletions::new(sink, due);
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
                let size = sizes.get(pack).copied().unwrap_or(0);
                report.deleted += 1;
                report.bytes_freed += size;
                progress.deleted(pack, size);
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
    progress.finish();
    if next.is_empty() {
        repo.storage().delete(&marks_key)?;
    } else {
        let body = serde_json::to_vec(&next).map_err(|e| Error::internal(e.to_string()))?;
        let sealed = seal_object(ks, ObjectKind::PruneMarks, &body)?;
        repo.storage().put(&marks_key, &sealed)?;
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

/// Progress of the deleting phase: packs deleted of those due, bytes
/// freed, at the sink's interval.
struct Deletions<'a> {
    sink: &'a dyn ProgressSink,
    counters: Counters,
    start: Instant,
    last: Option<Instant>,
}

impl<'a> Deletions<'a> {
    fn new(sink: &'a dyn ProgressSink, due: usize) -> Self {
        let counters = Counters::default();
        counters.files_total.store(due as u64, Ordering::Relaxed);
        Self {
            sink,
            counters,
            start: Instant::now(),
            last: None,
        }
    }

    fn deleted(&mut self, pack: &str, size: u64) {
        Counters::add(&self.counters.files, 1);
        Counters::add(&self.counters.bytes_processed, size);
        self.counters.set_current(pack);
        if self
            .last
            .is_none_or(|t| t.elapsed() >= self.sink.interval())
        {
            self.sink.progress(&self.counters.snapshot(self.start));
            self.last = Some(Instant::now());
        }
    }

    /// The final totals, whatever the interval.
    fn finish(&self) {
        if self.last.is_some() {
            self.sink.progress(&self.counters.snapshot(self.start));
        }
    }
}

/// Parses a stored prune marks object: packs and when they were first
/// found unused. None when it is not a readable marks object of `ks`.
pub fn marks_from(ks: &KeySet, raw: &[u8], key: &str) -> Option<BTreeMap<String, i64>> {
    let plain = open_object(ks, ObjectKind::PruneMarks, raw, key).ok()?;
    serde_json::from_slice(&plain).ok()
}

/// The marks of earlier prunes, trusted only as far as they can be: a
/// sealed object of this key set (authenticated when it is encrypted),
/// each time no earlier than the repository's creation and not in the
/// future. Anything else (the unsealed marks of older versions, a forged
/// time 0) restarts the grace period for that pack instead of skipping it.
fn read_marks(
    repo: &Repository,
    ks: &KeySet,
    key: &str,
    now: i64,
    sink: &dyn ProgressSink,
) -> Result<BTreeMap<String, i64>> {
    let raw = match repo
        .storage()
        .get_at_most(key, ObjectKind::PruneMarks.max_stored())
    {
        Ok(raw) => raw,
        Err(e) if e.kind() == cairn_model::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let Some(mut marks) = marks_from(ks, &raw, key) else {
        sink.log(
            LogLevel::Warning,
            &format!(
                "Prune: {key} cannot be verified; unused packs wait a full grace period again"
            ),
        );
        return Ok(BTreeMap::new());
    };
    let created = repo.config().created;
    for t in marks.values_mut() {
        if *t < created || *t > now {
            *t = now;
        }
    }
    Ok(marks)
}
