//! Backup copy jobs: resolve what they copy (root backups in external or
//! regular repositories, the backups of jobs, whole repositories), copy
//! the restore points the target lacks, apply the target's retention.

use super::Console;
use crate::catalog::JobRecord;
use crate::error::{Error, Result};
use cairn_core::format::crypto::KeySet;
use cairn_core::format::manifest::{BackupMeta, Manifest, PointStats};
use cairn_core::format::pack::PackWriter;
use cairn_core::format::ChunkId;
use cairn_core::jobs::backup::{update_backup_meta, zstd_level};
use cairn_core::jobs::copy::{Side, Translator};
use cairn_core::jobs::{prune, retention};
use cairn_core::lock::WriterLock;
use cairn_core::progress::{CancelToken, Counters, ProgressSink, Ticker};
use cairn_core::repo::Repository;
use cairn_model::{
    BackupJobSettings, CopySettings, CopySource, CopySourceKind, ErrorKind, JobKind, LogLevel,
    Retention, SessionResult,
};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// A source backup, resolved.
pub(super) struct SourceBackup {
    /// Repository name (external or regular).
    pub repository: String,
    /// True for an external repository.
    pub external: bool,
    /// Backup id.
    pub backup: String,
}

/// An opened source repository.
struct OpenSource {
    repo: Repository,
    password: Option<String>,
}

/// The id a copy's target backup has: one per copy job and source backup.
fn target_backup_id(uid: &str, origin_backup: &str) -> String {
    cairn_core::jobs::backup_id(uid, origin_backup)
}

impl Console {
    /// Parses a copy source as the command line gives it: `REPO` (every
    /// backup in it), `REPO/BACKUP_ID` or `REPO/MACHINE` (its backups),
    /// where REPO is an external or regular repository.
    pub fn copy_sources(&self, reference: &str) -> Result<Vec<CopySource>> {
        let cat = self.catalog()?;
        let mut names: Vec<(String, Option<i64>)> = cat
            .externals()?
            .into_iter()
            .map(|e| (e.name, Some(e.id)))
            .collect();
        names.extend(cat.repositories()?.into_iter().map(|r| (r.name, None)));
        // The longest name that prefixes the reference wins.
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let lower = reference.to_lowercase();
        let Some((name, ext, rest)) = names.iter().find_map(|(n, ext)| {
            let ln = n.to_lowercase();
            if lower == ln {
                Some((n.clone(), *ext, None))
            } else if lower.starts_with(&format!("{ln}/")) {
                Some((n.clone(), *ext, Some(reference[n.len() + 1..].to_string())))
            } else {
                None
            }
        }) else {
            return Err(Error::not_found(format!(
                "{reference}: no external or backup repository by that name; `cairn external list` and `cairn repo list` show them"
            )));
        };
        let Some(rest) = rest else {
            return Ok(vec![CopySource {
                kind: CopySourceKind::Repository,
                repository: name.clone(),
                label: format!("Repository {name}"),
                ..Default::default()
            }]);
        };
        // (backup id, job or policy, machine, platform)
        let backups: Vec<(String, String, String, String)> = match ext {
            Some(id) => cat
                .external_backups(id)?
                .into_iter()
                .map(|b| (b.backup_id, b.meta.job, b.meta.machine, b.meta.platform))
                .collect(),
            None => {
                let rid = cat
                    .repository_by_name(&name)?
                    .map(|r| r.id)
                    .unwrap_or_default();
                cat.backups()?
                    .into_iter()
                    .filter(|b| b.repository_id == rid)
                    .map(|b| (b.backup_id, b.job_name, b.machine, b.platform))
                    .collect()
            }
        };
        let picked: Vec<_> = match backups.iter().find(|b| b.0 == rest) {
            Some(b) => vec![b.clone()],
            None => backups
                .into_iter()
                .filter(|b| b.2.eq_ignore_ascii_case(&rest))
                .collect(),
        };
        if picked.is_empty() {
            return Err(Error::not_found(format!(
                "{name} has no backup or machine \"{rest}\"{}",
                if ext.is_some() {
                    "; rescan it (`cairn external rescan`) or check `cairn backups list`"
                } else {
                    "; `cairn backups list` shows them"
                }
            )));
        }
        Ok(picked
            .into_iter()
            .map(|(id, job, machine, platform)| CopySource {
                kind: CopySourceKind::Backup,
                repository: name.clone(),
                backup: id,
                label: format!("{job} / {machine} ({platform})"),
                ..Default::default()
            })
            .collect())
    }

    /// Objects step: every source exists and the list is not empty.
    pub(super) fn resolve_copy_sources(&self, c: &CopySettings) -> Result<Vec<SourceBackup>> {
        if c.sources.is_empty() {
            return Err(Error::invalid(
                "the job copies nothing; click Add and choose backups, jobs or repositories",
            ));
        }
        let mut out: Vec<SourceBackup> = Vec::new();
        let cat = self.catalog()?;
        for s in &c.sources {
            match s.kind {
                CopySourceKind::Backup | CopySourceKind::Repository => {
                    if let Some(ext) = cat.external_by_name(&s.repository)? {
                        let backups = cat.external_backups(ext.id)?;
                        if s.kind == CopySourceKind::Backup {
                            if !backups.iter().any(|b| b.backup_id == s.backup) {
                                return Err(Error::not_found(format!(
                                    "external repository {} has no backup {}; rescan it, or remove the object",
                                    ext.name, s.backup
                                )));
                            }
                            out.push(SourceBackup {
                                repository: ext.name.clone(),
                                external: true,
                                backup: s.backup.clone(),
                            });
                        } else {
                            out.extend(backups.into_iter().map(|b| SourceBackup {
                                repository: ext.name.clone(),
                                external: true,
                                backup: b.backup_id,
                            }));
                        }
                    } else if let Some(rec) = cat.repository_by_name(&s.repository)? {
                        let backups: Vec<String> = cat
                            .backups()?
                            .into_iter()
                            .filter(|b| b.repository_id == rec.id)
                            .map(|b| b.backup_id)
                            .collect();
                        if s.kind == CopySourceKind::Backup {
                            if !backups.contains(&s.backup) {
                                return Err(Error::not_found(format!(
                                    "repository {} has no backup {}; remove the object",
                                    rec.name, s.backup
                                )));
                            }
                            out.push(SourceBackup {
                                repository: rec.name.clone(),
                                external: false,
                                backup: s.backup.clone(),
                            });
                        } else {
                            out.extend(backups.into_iter().map(|b| SourceBackup {
                                repository: rec.name.clone(),
                                external: false,
                                backup: b,
                            }));
                        }
                    } else {
                        return Err(Error::not_found(format!(
                            "no repository or external repository named \"{}\"",
                            s.repository
                        )));
                    }
                }
                CopySourceKind::Job => {
                    let j = cat.job_by_name(&s.job)?.ok_or_else(|| {
                        Error::not_found(format!("no job named \"{}\" to copy from", s.job))
                    })?;
                    if j.kind != JobKind::Backup {
                        return Err(Error::invalid(format!(
                            "{} is a backup copy job; copy from backup jobs",
                            j.name
                        )));
                    }
                    let rec = cat.repository(j.repository_id)?;
                    out.push(SourceBackup {
                        repository: rec.name,
                        external: false,
                        backup: cairn_core::jobs::backup_id(&j.settings.uid, &j.settings.machine),
                    });
                }
            }
        }
        let mut seen = HashSet::new();
        out.retain(|b| seen.insert((b.repository.to_lowercase(), b.backup.clone())));
        Ok(out)
    }

    /// Target step of a copy job: not one of its own sources' repository.
    pub(super) fn check_copy_target(&self, s: &BackupJobSettings, target: &str) -> Result<()> {
        if let Some(c) = &s.copy {
            if let Ok(sources) = self.resolve_copy_sources(c) {
                if sources
                    .iter()
                    .any(|b| !b.external && b.repository.eq_ignore_ascii_case(target))
                {
                    return Err(Error::invalid(format!(
                        "repository {target} holds a backup the job copies; choose another repository as the target"
                    )));
                }
            }
        }
        Ok(())
    }

    fn open_source(&self, b: &SourceBackup) -> Result<OpenSource> {
        let dir = crate::paths::tree_cache_dir(&self.data_dir);
        if b.external {
            let rec = self.external_named(&b.repository)?;
            let storage: Arc<dyn cairn_core::storage::Storage> =
                self.open_external_storage(&rec)?;
            let repo = Repository::open(storage, &rec.name)?.with_tree_cache(dir);
            let password = self.external_password(&rec)?.map(|p| p.expose().clone());
            Ok(OpenSource { repo, password })
        } else {
            let rec = self.repository_named(&b.repository)?;
            let repo = self.open_repository(&rec)?;
            Ok(OpenSource {
                repo,
                password: None,
            })
        }
    }

    /// The key set of a source backup: plain, the external repository's
    /// password, or the password of the job that writes it.
    fn source_keyset(&self, src: &OpenSource, backup: &str) -> Result<KeySet> {
        let ks_id = src.repo.backup_keyset(backup)?.ok_or_else(|| {
            Error::not_found(format!(
                "backup {backup} is no longer in repository {}",
                src.repo.name()
            ))
        })?;
        if let Some(pw) = &src.password {
            return Ok(src.repo.keyset(&ks_id, Some(pw))?);
        }
        match src.repo.keyset(&ks_id, None) {
            Err(e) if e.kind() == ErrorKind::WrongPassword => {
                let job = self.catalog()?.jobs()?.into_iter().find(|j| {
                    j.settings
                        .encryption
                        .as_ref()
                        .is_some_and(|e| e.keyset == ks_id)
                });
                let name = job
                    .and_then(|j| j.settings.password_name)
                    .ok_or(Error::from(e))?;
                let c = self.catalog()?.credential(&name)?;
                let pw = crate::secrets::load(&c.secret_ref, &name)?;
                Ok(src.repo.keyset(&ks_id, Some(pw.expose()))?)
            }
            r => Ok(r?),
        }
    }

    /// Runs a backup copy job's work (the session is the caller's).
    pub(super) fn run_copy_inner(
        &self,
        job: &JobRecord,
        password: Option<&str>,
        queue: bool,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<super::JobRunReport> {
        let s = &job.settings;
        let c = s
            .copy
            .as_ref()
            .ok_or_else(|| Error::internal("not a backup copy job"))?;
        let sources = self.resolve_copy_sources(c)?;
        let rec = self.catalog()?.repository(job.repository_id)?;
        let dst = self.open_repository(&rec)?;
        let dst_ks = match &s.encryption {
            Some(enc) => dst.keyset(&enc.keyset, password)?,
            None => dst.default_keyset()?,
        };
        let purpose = format!("backup copy job {}", job.name);
        let _lock = if queue {
            WriterLock::acquire_waiting(
                dst.storage().clone(),
                &rec.name,
                &purpose,
                cancel,
                &mut |busy| sink.log(LogLevel::Info, &format!("Waiting: {busy}")),
            )?
        } else {
            WriterLock::acquire(dst.storage().clone(), &rec.name, &purpose)?
        };
        sink.log(LogLevel::Info, "Loading the target repository index");
        let mut dst_index = dst.load_index(&dst_ks, true)?;
        let mut total = PointStats::default();
        let mut copied: Vec<String> = Vec::new();
        let mut removed_all = Vec::new();
        let mut warnings = 0u64;
        let mut first_backup = String::new();
        for b in &sources {
            cancel.check()?;
            let label = format!("{}/{}", b.repository, b.backup);
            let src = match self.open_source(b) {
                Ok(s) => s,
                Err(e) if sources.len() > 1 => {
                    sink.log(LogLevel::Warning, &format!("{label}: {e}; skipped"));
                    warnings += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let src_ks = self.source_keyset(&src, &b.backup)?;
            let src_meta = src.repo.read_backup_meta(&src_ks, &b.backup)?;
            if c.exclusions
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&src_meta.machine))
            {
                sink.log(
                    LogLevel::Info,
                    &format!("{label}: machine {} is excluded", src_meta.machine),
                );
                continue;
            }
            let origin_backup = format!("{}/{}", src.repo.config().id, b.backup);
            let target = target_backup_id(&s.uid, &origin_backup);
            if first_backup.is_empty() {
                first_backup = target.clone();
            }
            let existing = dst.read_backup_meta(&dst_ks, &target).ok();
            let done: HashSet<String> = existing
                .iter()
                .flat_map(|m| m.points.iter().map(|p| p.origin.clone()))
                .collect();
            let newest_done = existing
                .as_ref()
                .and_then(|m| {
                    m.points
                        .iter()
                        .filter(|p| !p.origin.is_empty())
                        .max_by_key(|p| p.time)
                })
                .cloned();
            let mut todo: Vec<_> = src_meta
                .points
                .iter()
                .filter(|p| !done.contains(&format!("{origin_backup}/{}", p.id)))
                .filter(|p| newest_done.as_ref().is_none_or(|n| p.time > n.time))
                .cloned()
                .collect();
            todo.sort_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id)));
            match s.retention {
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
            if todo.is_empty() {
                sink.log(
                    LogLevel::Info,
                    &format!(
                        "{} / {} ({}): no new restore points to copy",
                        src_meta.job, src_meta.machine, b.repository
                    ),
                );
                continue;
            }
            sink.log(
                LogLevel::Info,
                &format!(
                    "{} / {} ({}): copying {} restore point(s)",
                    src_meta.job,
                    src_meta.machine,
                    b.repository,
                    todo.len()
                ),
            );
            sink.log(
                LogLevel::Info,
                &format!("Loading the index of {}", b.repository),
            );
            let src_index = src.repo.load_index(&src_ks, false)?;
            let counters = Arc::new(Counters::default());
            counters
                .bytes_total
                .store(todo.iter().map(|p| p.size).sum(), Ordering::Relaxed);
            let ticker = Ticker::start(counters.clone(), sink.clone(), Duration::from_millis(250));
            let result = self.copy_points(
                &src,
                &src_ks,
                &src_index,
                &src_meta,
                &dst,
                &dst_ks,
                &mut dst_index,
                existing.as_ref(),
                &origin_backup,
                &target,
                &todo,
                job,
                c.read_entire,
                counters.clone(),
                sink.as_ref(),
                cancel,
            );
            drop(ticker);
            let made = result?;
            for m in &made {
                total.files = m.stats.files;
                total.dirs = m.stats.dirs;
                total.bytes += m.stats.bytes;
                total.bytes_read += m.stats.bytes_read;
                total.bytes_written += m.stats.bytes_written;
                copied.push(m.id.clone());
            }
            let removed =
                retention::apply(&dst, &dst_ks, &target, s.retention, s.gfs, sink.as_ref())?;
            removed_all.extend(removed);
        }
        if !removed_all.is_empty() {
            prune::prune(&dst, &dst_ks, super::PRUNE_GRACE_SECS, sink.as_ref())?;
        }
        self.refresh_backups(&rec, &dst, &[&dst_ks])?;
        self.record_usage(&rec, dst.storage().as_ref())?;
        let message = if copied.is_empty() {
            "no new restore points to copy".to_string()
        } else {
            format!(
                "{} restore point(s) copied, {} bytes transferred",
                copied.len(),
                total.bytes_written
            )
        };
        Ok(super::JobRunReport {
            session: 0,
            result: if warnings > 0 {
                SessionResult::Warning
            } else {
                SessionResult::Success
            },
            point: copied.last().cloned(),
            backup: first_backup,
            stats: total,
            removed_points: removed_all,
            message,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_points(
        &self,
        src: &OpenSource,
        src_ks: &KeySet,
        src_index: &cairn_core::format::index::Index,
        src_meta: &BackupMeta,
        dst: &Repository,
        dst_ks: &KeySet,
        dst_index: &mut cairn_core::format::index::Index,
        existing: Option<&BackupMeta>,
        origin_backup: &str,
        target: &str,
        todo: &[cairn_core::format::manifest::PointSummary],
        job: &JobRecord,
        read_entire: bool,
        counters: Arc<Counters>,
        sink: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Result<Vec<Manifest>> {
        let level = zstd_level(job.settings.compression);
        let mut made = Vec::new();
        let mut has_points = existing.is_some_and(|m| !m.points.is_empty());
        // What the last copy translated, learnt from its two trees.
        let mut learn_from: Option<(String, String)> = existing.and_then(|m| {
            let p = m
                .points
                .iter()
                .filter(|p| !p.origin.is_empty())
                .max_by_key(|p| p.time)?;
            let src_point = p.origin.rsplit('/').next()?.to_string();
            Some((src_point, p.id.clone()))
        });
        for p in todo {
            let sm = src.repo.read_manifest(src_ks, &src_meta.id, &p.id)?;
            let writer = PackWriter::new(
                dst.storage().clone(),
                dst_ks.clone(),
                dst.config().pack_size as usize,
            );
            if let Ok(mut t) = counters.target_ns.lock() {
                *t = Some(writer.busy_ns.clone());
            }
            let (root, read, present) = {
                let tr = Translator::new(
                    Side {
                        repo: &src.repo,
                        ks: src_ks,
                        index: src_index,
                    },
                    Side {
                        repo: dst,
                        ks: dst_ks,
                        index: dst_index,
                    },
                    level,
                    read_entire,
                    counters.clone(),
                    cancel,
                );
                if let Some((sp, dp)) = &learn_from {
                    if let (Ok(a), Ok(b)) = (
                        src.repo.read_manifest(src_ks, &src_meta.id, sp),
                        dst.read_manifest(dst_ks, target, dp),
                    ) {
                        tr.learn(ChunkId::from_hex(&a.root)?, ChunkId::from_hex(&b.root)?)?;
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
                dst_index.add(pk);
            }
            let bytes_written = written.load(Ordering::Relaxed);
            Counters::add(&counters.bytes_written, bytes_written);
            let m = Manifest {
                id: sm.id.clone(),
                backup: target.to_string(),
                job: job.name.clone(),
                machine: sm.machine.clone(),
                platform: sm.platform.clone(),
                time: sm.time,
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
                origin: format!("{origin_backup}/{}", sm.id),
            };
            // Every pack is durable: now make the copied point visible.
            dst.write_manifest(dst_ks, &m)?;
            update_backup_meta(dst, dst_ks, &m, "")?;
            has_points = true;
            learn_from = Some((sm.id.clone(), m.id.clone()));
            sink.log(
                LogLevel::Info,
                &format!(
                    "Restore point {} of {} ({}) copied: {} chunk(s) read from the source, {} already in the target, {} bytes transferred",
                    sm.id,
                    sm.machine,
                    cairn_core::time::point_time_label(sm.time),
                    read,
                    present,
                    bytes_written
                ),
            );
            made.push(m);
        }
        Ok(made)
    }

    /// Starts the enabled immediate copy jobs that copy from these
    /// repositories or jobs (after a rescan or backup brought new points),
    /// inside their permitted hours.
    pub fn start_immediate_copies(self: &Arc<Self>, changed: &[String]) {
        if changed.is_empty() {
            return;
        }
        let Ok(jobs) = self.catalog().and_then(|c| c.jobs()) else {
            return;
        };
        let now = cairn_core::time::now();
        for j in jobs {
            let Some(c) = &j.settings.copy else { continue };
            if !j.enabled || c.mode != cairn_model::CopyMode::Immediate || self.is_running(j.id) {
                continue;
            }
            if let Some(w) = &j.settings.schedule.window {
                if !crate::schedule::allows_unix(w, now) {
                    continue;
                }
            }
            let hit = c.sources.iter().any(|s| {
                changed.iter().any(|n| {
                    n.eq_ignore_ascii_case(&s.repository) || n.eq_ignore_ascii_case(&s.job)
                })
            });
            if hit {
                let opts = super::RunOptions {
                    note: Some("Immediate copy: new restore points appeared in the source".into()),
                    ..Default::default()
                };
                let _ = self.start_job(&j.name, opts);
            }
        }
    }

    /// The backups a copy job wrote, for Delete with its backups.
    pub(super) fn copy_backups_of(
        &self,
        job: &JobRecord,
        repo: &Repository,
        ks: &KeySet,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for (id, k) in repo.list_backups()? {
            if k != ks.id() {
                continue;
            }
            let Ok(meta) = repo.read_backup_meta(ks, &id) else {
                continue;
            };
            let Some(origin) = meta.points.iter().find(|p| !p.origin.is_empty()) else {
                continue;
            };
            let Some((prefix, _)) = origin.origin.rsplit_once('/') else {
                continue;
            };
            if target_backup_id(&job.settings.uid, prefix) == id {
                out.push(id);
            }
        }
        Ok(out)
    }
}
