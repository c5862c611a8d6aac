//! Backup jobs: create (one validation for the CLI and the wizard), run as
//! a session, delete.

use super::repositories::validate_name;
use super::session::SessionSink;
use super::Console;
use crate::catalog::{BackupRecord, JobRecord, PointRecord, RepositoryRecord};
use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::manifest::PointStats;
use crate::jobs::{backup, prune, retention};
use crate::lock::WriterLock;
use crate::progress::{CancelToken, ProgressSink};
use crate::repo::Repository;
use cairn_model::{BackupJobSettings, Cipher, JobKind, Retention, SessionKind, SessionResult};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Grace period between marking an unused pack and deleting it.
pub const PRUNE_GRACE_SECS: i64 = 24 * 3600;

/// Encryption asked for when a job is created.
#[derive(Debug, Clone)]
pub struct NewEncryption {
    /// Algorithm.
    pub cipher: Cipher,
    /// The password (kept only in memory; stored wrapped, never plain).
    pub password: String,
    /// Hint shown when the password is asked for.
    pub hint: String,
}

/// The result of one job run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRunReport {
    /// Session id in History.
    pub session: i64,
    /// Success, Warning or Failed.
    pub result: SessionResult,
    /// The new restore point.
    pub point: Option<String>,
    /// Backup id.
    pub backup: String,
    /// Counters of the new point.
    pub stats: PointStats,
    /// Restore points removed by retention.
    pub removed_points: Vec<String>,
    /// One-line summary.
    pub message: String,
}

/// Checks a backup job's settings; the CLI and the wizard both call this.
pub fn validate_backup_settings(s: &BackupJobSettings) -> Result<()> {
    if s.includes.is_empty() {
        return Err(Error::invalid(
            "the job has no folders or files to back up; add at least one",
        ));
    }
    for inc in &s.includes {
        let p = PathBuf::from(inc);
        if !p.is_absolute() {
            return Err(Error::invalid(format!(
                "the included path {inc} is not absolute; give a full path such as /home/user"
            )));
        }
        if p == Path::new("/") {
            return Err(Error::invalid(
                "backing up / as a whole is not supported; include its folders",
            ));
        }
    }
    crate::jobs::filter::Filter::new(&s.exclude_masks, &s.include_masks)?;
    match s.retention {
        Retention::Points(0) => {
            return Err(Error::invalid(
                "retention must keep at least 1 restore point",
            ))
        }
        Retention::Days(0) => return Err(Error::invalid("retention must keep at least 1 day")),
        Retention::Points(n) if n > 999 => {
            return Err(Error::invalid(
                "retention can keep at most 999 restore points",
            ))
        }
        Retention::Days(n) if n > 9999 => {
            return Err(Error::invalid("retention can keep at most 9999 days"))
        }
        _ => {}
    }
    if s.machine.trim().is_empty() {
        return Err(Error::invalid("the job has no computer; choose one"));
    }
    Ok(())
}

fn machine_name() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "localhost".into())
}

impl Console {
    /// Creates a backup job of this computer. `settings.uid` and
    /// `settings.machine` are filled in when empty; with `encryption` a new
    /// password-wrapped key set is created in the target repository.
    pub fn create_backup_job(
        &self,
        name: &str,
        repository: &str,
        description: &str,
        mut settings: BackupJobSettings,
        encryption: Option<NewEncryption>,
    ) -> Result<JobRecord> {
        validate_name(name, "job")?;
        if settings.uid.is_empty() {
            settings.uid = crate::format::random_id();
        }
        if settings.machine.is_empty() {
            settings.machine = machine_name();
        }
        validate_backup_settings(&settings)?;
        if self.catalog()?.job_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a job named \"{name}\" already exists; choose another name"
            )));
        }
        let rec = self.repository_named(repository)?;
        let repo = self.open_repository(&rec)?;
        if let Some(enc) = encryption {
            let ks = repo.create_keyset(enc.cipher, &enc.password, &enc.hint)?;
            settings.encryption = Some(cairn_model::Encryption {
                keyset: ks.id().to_string(),
                cipher: enc.cipher,
                hint: enc.hint,
            });
        }
        self.catalog()?
            .add_job(name, JobKind::Backup, rec.id, &settings, description)
    }

    /// Deletes a job; its backups stay in the repository.
    pub fn delete_job(&self, name: &str) -> Result<()> {
        self.catalog()?.delete_job(name)
    }

    /// Finds a job by name, with a helpful error.
    pub fn job_named(&self, name: &str) -> Result<JobRecord> {
        self.catalog()?.job_by_name(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no job named \"{name}\"; `cairn job list` shows them"
            ))
        })
    }

    /// The key set a job writes with.
    fn job_keyset(
        &self,
        repo: &Repository,
        job: &JobRecord,
        password: Option<&str>,
    ) -> Result<KeySet> {
        match &job.settings.encryption {
            Some(enc) => repo.keyset(&enc.keyset, password),
            None => repo.default_keyset(),
        }
    }

    /// Runs a backup job as a session: backup, retention, prune, catalog.
    pub fn run_job(
        &self,
        name: &str,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let job = self.job_named(name)?;
        let session =
            self.catalog()?
                .start_session(Some(job.id), &job.name, SessionKind::Backup)?;
        let sink: Arc<dyn ProgressSink> = Arc::new(SessionSink::new(
            &crate::paths::catalog_file(&self.data_dir),
            session,
            sink,
        )?);
        sink.log("info", &format!("Job {} started", job.name));
        let outcome = self.run_job_inner(&job, password, sink.clone(), cancel);
        let (result, message, report) = match outcome {
            Ok(mut r) => {
                r.session = session;
                (r.result, r.message.clone(), Ok(r))
            }
            Err(e) => {
                sink.log("error", e.message());
                (SessionResult::Failed, e.message().to_string(), Err(e))
            }
        };
        self.catalog()?.finish_session(session, result, &message)?;
        report
    }

    fn run_job_inner(
        &self,
        job: &JobRecord,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let rec = self.catalog()?.repository(job.repository_id)?;
        let repo = self.open_repository(&rec)?;
        let ks = self.job_keyset(&repo, job, password)?;
        let _lock = WriterLock::acquire(
            repo.storage().clone(),
            &rec.name,
            &format!("backup job {}", job.name),
        )?;
        let s = &job.settings;
        let spec = backup::BackupSpec {
            backup_id: crate::jobs::backup_id(&s.uid, &s.machine),
            job: job.name.clone(),
            machine: s.machine.clone(),
            platform: "Linux".into(),
            includes: s.includes.iter().map(PathBuf::from).collect(),
            exclude_masks: s.exclude_masks.clone(),
            include_masks: s.include_masks.clone(),
            compression: s.compression,
            full: false,
        };
        let out = backup::run(&repo, &ks, &spec, sink.clone(), cancel)?;
        let m = &out.manifest;
        sink.log(
            "info",
            &format!(
                "Restore point {} created: {} files, {} bytes processed, {} bytes read, {} bytes written",
                m.id, m.stats.files, m.stats.bytes, m.stats.bytes_read, m.stats.bytes_written
            ),
        );
        let removed = apply_retention(&repo, &ks, &m.backup, s, sink.as_ref())?;
        if !removed.is_empty() {
            prune::prune(&repo, &ks, PRUNE_GRACE_SECS, sink.as_ref())?;
        }
        self.refresh_backups(&rec, &repo, &[&ks])?;
        self.record_usage(&rec, repo.storage().as_ref())?;
        let result = if out.warnings > 0 {
            SessionResult::Warning
        } else {
            SessionResult::Success
        };
        let message = if out.warnings > 0 {
            format!(
                "{} item(s) skipped with warnings; restore point {} created",
                out.warnings, m.id
            )
        } else {
            format!("restore point {} created", m.id)
        };
        Ok(JobRunReport {
            session: 0,
            result,
            point: Some(m.id.clone()),
            backup: m.backup.clone(),
            stats: m.stats.clone(),
            removed_points: removed,
            message,
        })
    }

    /// Rebuilds the catalog's backups of one repository from the repository.
    /// Backups whose key set is not among `keysets` keep their cached rows.
    pub fn refresh_backups(
        &self,
        rec: &RepositoryRecord,
        repo: &Repository,
        keysets: &[&KeySet],
    ) -> Result<()> {
        let plain = repo.default_keyset()?;
        let cached: Vec<BackupRecord> = self
            .catalog()?
            .backups()?
            .into_iter()
            .filter(|b| b.repository_id == rec.id)
            .collect();
        let mut out = Vec::new();
        for (id, keyset) in repo.list_backups()? {
            let ks = if keyset == plain.id() {
                Some(&plain)
            } else {
                keysets.iter().copied().find(|k| k.id() == keyset)
            };
            let Some(ks) = ks else {
                if let Some(c) = cached.iter().find(|c| c.backup_id == id) {
                    out.push(c.clone());
                }
                continue;
            };
            let meta = repo.read_backup_meta(ks, &id)?;
            out.push(BackupRecord {
                repository_id: rec.id,
                backup_id: id,
                job_name: meta.job,
                machine: meta.machine,
                platform: meta.platform,
                encrypted: ks.encrypted(),
                location: if rec.kind == cairn_model::RepositoryKind::Local {
                    "disk"
                } else {
                    "object_storage"
                }
                .into(),
                points: meta
                    .points
                    .into_iter()
                    .map(|p| PointRecord {
                        point_id: p.id,
                        time: p.time,
                        kind: p.kind,
                        size: p.size,
                        gfs: p.gfs.join(","),
                    })
                    .collect(),
            });
        }
        self.catalog()?.replace_backups(rec.id, &out)
    }

    /// Marks and deletes unused packs of a repository's plain key set (and of
    /// the encrypted key set `password` opens), under the writer lock.
    pub fn prune_repository(
        &self,
        name: &str,
        password: Option<&str>,
        grace_secs: i64,
        sink: &dyn ProgressSink,
    ) -> Result<prune::PruneReport> {
        let rec = self.repository_named(name)?;
        let repo = self.open_repository(&rec)?;
        let _lock = WriterLock::acquire(repo.storage().clone(), &rec.name, "prune")?;
        let mut total = prune::PruneReport::default();
        for (keyset, _) in repo.keysets_in_use()? {
            let ks = match repo.keyset(&keyset, password) {
                Ok(k) => k,
                Err(e) if e.kind() == cairn_model::ErrorKind::WrongPassword => continue,
                Err(e) => return Err(e),
            };
            let r = prune::prune(&repo, &ks, grace_secs, sink)?;
            total.marked += r.marked;
            total.deleted += r.deleted;
            total.waiting += r.waiting;
            total.bytes_freed += r.bytes_freed;
            total.locked += r.locked;
        }
        self.record_usage(&rec, repo.storage().as_ref())?;
        Ok(total)
    }
}

/// Deletes points retention no longer keeps and records GFS flags.
fn apply_retention(
    repo: &Repository,
    ks: &KeySet,
    backup: &str,
    s: &BackupJobSettings,
    sink: &dyn ProgressSink,
) -> Result<Vec<String>> {
    let mut meta = repo.read_backup_meta(ks, backup)?;
    let mut sel = retention::select(&meta.points, s.retention, s.gfs, crate::catalog::now());
    let mut removed = Vec::new();
    for id in &sel.remove {
        let key = crate::format::manifest::manifest_key(backup, id);
        if let Some(until) = repo.storage().locked_until(&key)? {
            sink.log(
                "info",
                &format!(
                    "Retention: restore point {id} kept: it is immutable until {}",
                    crate::jobs::point_time_label(until)
                ),
            );
            sel.keep.entry(id.clone()).or_default();
            continue;
        }
        repo.delete_manifest(backup, id)?;
        sink.log("info", &format!("Retention: restore point {id} removed"));
        removed.push(id.clone());
    }
    sel.remove = removed;
    meta.points.retain(|p| !sel.remove.contains(&p.id));
    for p in &mut meta.points {
        p.gfs = sel.keep.get(&p.id).cloned().unwrap_or_default();
    }
    repo.write_backup_meta(ks, &meta)?;
    Ok(sel.remove)
}
