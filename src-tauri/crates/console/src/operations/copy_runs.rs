//! Running a backup copy job: for each source backup, the restore points
//! the target lacks are translated chunk by chunk into the target
//! repository (reading only chunks it does not hold), made visible one by
//! one, then the target's retention is applied.

use super::copy_jobs::{OpenSource, SourceBackup};
use super::Console;
use crate::catalog::JobRecord;
use crate::error::{Error, Result};
use cairn_core::format::crypto::KeySet;
use cairn_core::format::index::Index;
use cairn_core::format::manifest::{BackupMeta, Manifest, PointStats, PointSummary};
use cairn_core::format::pack::PackWriter;
use cairn_core::format::ChunkId;
use cairn_core::jobs::backup::{update_backup_meta, zstd_level};
use cairn_core::jobs::copy::{Side, Translator};
use cairn_core::jobs::{prune, retention};
use cairn_core::progress::{CancelToken, Counters, ProgressSink, Ticker};
use cairn_core::repo::Repository;
use cairn_model::{CopySettings, LogLevel, Retention, SessionResult};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The target repository of a copy run and its index as it grows.
struct Target<'a> {
    repo: &'a Repository,
    ks: &'a KeySet,
    index: Index,
    job: &'a JobRecord,
    copy: &'a CopySettings,
}

/// One source backup being copied into its target backup.
struct BackupCopy<'a> {
    src: &'a OpenSource,
    ks: &'a KeySet,
    index: &'a Index,
    meta: &'a BackupMeta,
    /// "<source repository id>/<backup>": what copied points name as origin.
    origin_backup: String,
    /// The target backup's id.
    target: String,
    /// The target backup as it was, if it exists.
    existing: Option<BackupMeta>,
    read_entire: bool,
}

/// What a run did, over all its source backups.
#[derive(Default)]
struct Tally {
    total: PointStats,
    copied: Vec<String>,
    removed: Vec<String>,
    warnings: u64,
    first_backup: String,
}

impl Tally {
    fn add(&mut self, made: &[Manifest]) {
        for m in made {
            self.total.files = m.stats.files;
            self.total.dirs = m.stats.dirs;
            self.total.bytes += m.stats.bytes;
            self.total.bytes_read += m.stats.bytes_read;
            self.total.bytes_written += m.stats.bytes_written;
            self.copied.push(m.id.clone());
        }
    }

    fn report(self) -> super::JobRunReport {
        let message = if self.copied.is_empty() {
            "no new restore points to copy".to_string()
        } else {
            format!(
                "{} restore point(s) copied, {} bytes transferred",
                self.copied.len(),
                self.total.bytes_written
            )
        };
        let result = if self.warnings > 0 {
            SessionResult::Warning
        } else {
            SessionResult::Success
        };
        super::JobRunReport {
            session: 0,
            result,
            point: self.copied.last().cloned(),
            backup: self.first_backup,
            stats: self.total,
            removed_points: self.removed,
            message,
        }
    }
}

/// The source points a target lacks, oldest first, newer than the newest
/// copied one, within the target's retention (at least the newest point).
fn points_to_copy(
    src: &BackupMeta,
    existing: Option<&BackupMeta>,
    origin_backup: &str,
    retention: Retention,
) -> Vec<PointSummary> {
    let done: HashSet<&str> = existing
        .iter()
        .flat_map(|m| m.points.iter().map(|p| p.origin.as_str()))
        .collect();
    // Points are ordered by (time, id): times are seconds, and two points
    // of one second differ in their microsecond ids.
    let newest_done = existing.and_then(|m| {
        m.points
            .iter()
            .filter(|p| !p.origin.is_empty())
            .map(|p| (p.time, p.origin.rsplit('/').next().unwrap_or("")))
            .max()
    });
    let mut todo: Vec<_> = src
        .points
        .iter()
        .filter(|p| !done.contains(format!("{origin_backup}/{}", p.id).as_str()))
        .filter(|p| newest_done.is_none_or(|n| (p.time, p.id.as_str()) > n))
        .cloned()
        .collect();
    todo.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
    match retention {
        Retention::Points(n) => {
            let skip = todo.len().saturating_sub(n as usize);
            todo.drain(..skip);
        }
        Retention::Days(d) => {
            let from = cairn_core::time::now() - i64::from(d) * 86_400;
            let last = todo.last().cloned();
            todo.retain(|p| p.time >= from);
            if todo.is_empty() {
                todo.extend(last);
            }
        }
    }
    todo
}

impl Console {
    /// Runs a backup copy job's work (the session is the caller's).
    pub(super) fn run_copy_inner(
        &self,
        job: &JobRecord,
        password: Option<&str>,
        queue: bool,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<super::JobRunReport> {
        let c = job
            .settings
            .copy
            .as_ref()
            .ok_or_else(|| Error::internal("not a backup copy job"))?;
        let sources = self.resolve_copy_sources(c)?;
        let rec = self.catalog()?.repository(job.repository_id)?;
        let dst = self.open_repository(&rec)?;
        let dst_ks = match &job.settings.encryption {
            Some(enc) => dst.encrypted_keyset(&enc.keyset, password)?,
            None => dst.default_keyset()?,
        };
        let purpose = format!("backup copy job {}", job.name);
        let lock =
            super::jobs::writer_lock(&dst, &rec.name, &purpose, queue, sink.as_ref(), cancel)?;
        let dst = lock.guard(&dst);
        sink.log(LogLevel::Info, "Loading the target repository index");
        let index = dst.load_index(&dst_ks, true)?;
        let mut target = Target {
            repo: &dst,
            ks: &dst_ks,
            index,
            job,
            copy: c,
        };
        let mut tally = Tally::default();
        for b in &sources {
            cancel.check()?;
            match self.open_source(b) {
                Ok(src) => self.copy_backup(b, &src, &mut target, &mut tally, &sink, cancel)?,
                Err(e) if sources.len() > 1 => {
                    sink.log(
                        LogLevel::Warning,
                        &format!("{}/{}: {e}; skipped", b.repository, b.backup),
                    );
                    tally.warnings += 1;
                }
                Err(e) => return Err(e),
            }
        }
        if !tally.removed.is_empty() {
            prune::prune(&dst, &dst_ks, super::PRUNE_GRACE_SECS, sink.as_ref())?;
        }
        self.refresh_backups(&rec, &dst, &[&dst_ks])?;
        self.record_usage(&rec, dst.storage().as_ref())?;
        Ok(tally.report())
    }

    /// Copies what one source backup's target lacks, then applies the
    /// target's retention.
    fn copy_backup(
        &self,
        b: &SourceBackup,
        src: &OpenSource,
        t: &mut Target,
        tally: &mut Tally,
        sink: &Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<()> {
        let s = &t.job.settings;
        let src_ks = self.source_keyset(src, &b.backup)?;
        let meta = src.repo.read_backup_meta(&src_ks, &b.backup)?;
        let what = format!("{} / {} ({})", meta.job, meta.machine, b.repository);
        let excluded = s
            .copy
            .iter()
            .flat_map(|c| &c.exclusions)
            .any(|m| m.eq_ignore_ascii_case(&meta.machine));
        if excluded {
            let msg = format!(
                "{}/{}: machine {} is excluded",
                b.repository, b.backup, meta.machine
            );
            sink.log(LogLevel::Info, &msg);
            return Ok(());
        }
        let origin_backup = format!("{}/{}", src.repo.config().id, b.backup);
        let target = super::backup_map::copy_target(s, &origin_backup);
        if tally.first_backup.is_empty() {
            tally.first_backup = target.clone();
        }
        let existing = t.repo.read_backup_meta(t.ks, &target).ok();
        let todo = points_to_copy(&meta, existing.as_ref(), &origin_backup, s.retention);
        if todo.is_empty() {
            sink.log(
                LogLevel::Info,
                &format!("{what}: no new restore points to copy"),
            );
            return Ok(());
        }
        sink.log(
            LogLevel::Info,
            &format!("{what}: copying {} restore point(s)", todo.len()),
        );
        sink.log(
            LogLevel::Info,
            &format!("Loading the index of {}", b.repository),
        );
        let src_index = src.repo.load_index(&src_ks, false)?;
        let read_entire = t.copy.read_entire;
        let copy = BackupCopy {
            src,
            ks: &src_ks,
            index: &src_index,
            meta: &meta,
            origin_backup,
            target,
            existing,
            read_entire,
        };
        let counters = Arc::new(Counters::default());
        counters
            .bytes_total
            .store(todo.iter().map(|p| p.size).sum(), Ordering::Relaxed);
        let ticker = Ticker::start(counters.clone(), sink.clone());
        let made = self.copy_points(&copy, t, &todo, &counters, sink.as_ref(), cancel);
        drop(ticker);
        tally.add(&made?);
        let removed = retention::apply(
            t.repo,
            t.ks,
            &copy.target,
            s.retention,
            s.gfs,
            sink.as_ref(),
        )?;
        tally.removed.extend(removed);
        Ok(())
    }

    /// Copies `todo` in order; each point is visible once all its packs
    /// are durable.
    fn copy_points(
        &self,
        b: &BackupCopy,
        t: &mut Target,
        todo: &[PointSummary],
        counters: &Arc<Counters>,
        sink: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Result<Vec<Manifest>> {
        let mut made = Vec::new();
        let mut has_points = b.existing.as_ref().is_some_and(|m| !m.points.is_empty());
        // What the last copy translated, learnt from its two trees.
        let mut learn_from: Option<(String, String)> = b.existing.as_ref().and_then(|m| {
            let p = m
                .points
                .iter()
                .filter(|p| !p.origin.is_empty())
                .max_by_key(|p| p.time)?;
            let src_point = p.origin.rsplit('/').next()?.to_string();
            Some((src_point, p.id.clone()))
        });
        for p in todo {
            let sm = b.src.repo.read_manifest(b.ks, &b.meta.id, &p.id)?;
            let copied = translate(b, t, &sm, learn_from.as_ref(), counters, cancel)?;
            let m = copied_manifest(
                &sm,
                b,
                t.job,
                has_points,
                copied.written,
                counters,
                copied.root,
            );
            // Every pack is durable: now make the copied point visible.
            t.repo.write_manifest(t.ks, &m)?;
            update_backup_meta(t.repo, t.ks, &m, "")?;
            has_points = true;
            learn_from = Some((sm.id.clone(), m.id.clone()));
            sink.log(
                LogLevel::Info,
                &format!(
                    "Restore point {} of {} ({}) copied: {} chunk(s) read from the source, {} already in the target, {} bytes transferred",
                    sm.id,
                    sm.machine,
                    cairn_core::time::point_time_label(sm.time),
                    copied.read,
                    copied.present,
                    copied.written
                ),
            );
            made.push(m);
        }
        Ok(made)
    }
}

/// What translating one point did.
struct Translated {
    root: ChunkId,
    /// Chunks read from the source.
    read: u64,
    /// Chunks the target already held.
    present: u64,
    /// Bytes written to the target.
    written: u64,
}

/// Translates one point's tree into the target, learning first what the
/// previous copy translated; the new packs join the target's index.
fn translate(
    b: &BackupCopy,
    t: &mut Target,
    sm: &Manifest,
    learn_from: Option<&(String, String)>,
    counters: &Arc<Counters>,
    cancel: &CancelToken,
) -> Result<Translated> {
    let writer = PackWriter::new(
        t.repo.storage().clone(),
        t.ks.clone(),
        t.repo.config().pack_size as usize,
    );
    if let Ok(mut g) = counters.target_ns.lock() {
        *g = Some(writer.busy_ns.clone());
    }
    let level = zstd_level(t.job.settings.compression);
    let (root, read, present) = {
        let src = Side {
            repo: &b.src.repo,
            ks: b.ks,
            index: b.index,
        };
        let dst = Side {
            repo: t.repo,
            ks: t.ks,
            index: &t.index,
        };
        let tr = Translator::new(src, dst, level, b.read_entire, counters.clone(), cancel);
        if let Some((sp, dp)) = learn_from {
            let before = (
                b.src.repo.read_manifest(b.ks, &b.meta.id, sp),
                t.repo.read_manifest(t.ks, &b.target, dp),
            );
            if let (Ok(a), Ok(d)) = before {
                tr.learn(ChunkId::from_hex(&a.root)?, ChunkId::from_hex(&d.root)?)?;
            }
        }
        let root = tr.tree(&writer, ChunkId::from_hex(&sm.root)?);
        (
            root,
            tr.chunks_read.load(Ordering::Relaxed),
            tr.chunks_present.load(Ordering::Relaxed),
        )
    };
    let written = writer.bytes_written.clone();
    let packs = writer.finish();
    let root = root?;
    let packs = packs?;
    cancel.check()?;
    for pk in &packs {
        t.index.add(pk);
    }
    let written = written.load(Ordering::Relaxed);
    Counters::add(&counters.bytes_written, written);
    Ok(Translated {
        root,
        read,
        present,
        written,
    })
}

/// The target's manifest of a copied point: the source point's identity
/// and stats, this run's transfer, and where it came from.
fn copied_manifest(
    sm: &Manifest,
    b: &BackupCopy,
    job: &JobRecord,
    has_points: bool,
    bytes_written: u64,
    counters: &Counters,
    root: ChunkId,
) -> Manifest {
    Manifest {
        id: sm.id.clone(),
        backup: b.target.clone(),
        job: job.name.clone(),
        machine: sm.machine.clone(),
        platform: sm.platform.clone(),
        time: sm.time,
        // The first point of a target backup is a full one.
        kind: if has_points {
            sm.kind.clone()
        } else {
            "full".into()
        },
        sources: sm.sources.clone(),
        root: root.to_hex(),
        stats: PointStats {
            bytes_read: counters.bytes_read.load(Ordering::Relaxed),
            bytes_written,
            ..sm.stats.clone()
        },
        region: sm.region.clone(),
        origin: format!("{}/{}", b.origin_backup, sm.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(id: &str, time: i64, origin: &str) -> PointSummary {
        PointSummary {
            id: id.into(),
            time,
            kind: "full".into(),
            size: 1,
            gfs: Vec::new(),
            stored: 1,
            origin: origin.into(),
        }
    }

    fn meta(points: Vec<PointSummary>) -> BackupMeta {
        BackupMeta {
            id: "b".into(),
            job: "j".into(),
            machine: "m".into(),
            platform: "Linux".into(),
            keyset: String::new(),
            region: String::new(),
            writer: String::new(),
            points,
        }
    }

    #[test]
    fn a_point_made_in_the_same_second_as_the_last_copied_one_is_still_copied() {
        let src = meta(vec![
            point("20261201T100000.100000Z", 1000, ""),
            point("20261201T100000.900000Z", 1000, ""),
        ]);
        let copied = meta(vec![point("x", 1000, "R/b/20261201T100000.100000Z")]);
        let todo = points_to_copy(&src, Some(&copied), "R/b", Retention::Points(7));
        let ids: Vec<&str> = todo.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["20261201T100000.900000Z"]);
    }
}
