//! Finding backups and restore points, browsing and restoring them.

use super::Console;
use crate::catalog::{BackupRecord, ExternalBackupRecord, ExternalRecord};
use crate::error::{Error, Result};
use cairn_core::explore;
use cairn_core::format::crypto::KeySet;
use cairn_core::format::manifest::Manifest;
use cairn_core::format::tree::Entry;
use cairn_core::format::ChunkId;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::repo::Repository;
use cairn_core::restore::{self, RestoreReport, RestoreSpec};
use cairn_model::{ErrorKind, LogLevel, SessionKind, SessionResult};
use std::sync::Arc;

/// One version of an item.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Version {
    /// Restore point id.
    pub point: String,
    /// Restore point time, Unix seconds.
    pub time: i64,
    /// Kind.
    pub kind: cairn_core::format::tree::EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, Unix seconds.
    pub mtime: i64,
}

/// An opened restore point, ready to browse or restore.
pub struct OpenPoint {
    /// Name of the repository it is in: the console's own or an external
    /// one.
    pub repository: String,
    /// The repository (read-only storage for an external one).
    pub repo: Repository,
    /// Keys of its backup.
    pub keyset: KeySet,
    /// The manifest.
    pub manifest: Manifest,
}

/// A backup opened with its keys, before a restore point is chosen.
struct OpenBackup {
    repository: String,
    repo: Repository,
    keyset: KeySet,
    backup_id: String,
}

/// The key set `id` of a backup the catalog knows to be `encrypted` or
/// not: where it is, a plain key set in its place is a downgrade and is
/// refused.
pub(super) fn open_keyset(
    repo: &Repository,
    id: &str,
    encrypted: bool,
    password: Option<&str>,
) -> cairn_core::Result<KeySet> {
    if encrypted {
        repo.encrypted_keyset(id, password)
    } else {
        repo.keyset(id, password)
    }
}

impl Console {
    /// Finds a backup by id, or by the name of the job that writes it.
    pub fn find_backup(&self, reference: &str) -> Result<BackupRecord> {
        let all = self.catalog()?.backups()?;
        if let Some(b) = all.iter().find(|b| b.backup_id == reference) {
            return Ok(b.clone());
        }
        let by_job: Vec<&BackupRecord> = all
            .iter()
            .filter(|b| b.job_name.eq_ignore_ascii_case(reference))
            .collect();
        match by_job.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::not_found(format!("no backup \"{reference}\"; `cairn backups list` shows backup ids and jobs"))),
            _ => Err(Error::invalid(format!(
                "job \"{reference}\" has several backups; give a backup id from `cairn backups list`"
            ))),
        }
    }

    /// The job name of a backup given by id (its own or an external
    /// repository's), for titles; the reference itself when unknown.
    pub(super) fn backup_label(&self, reference: &str) -> String {
        if let Some(b) = self
            .find_backup(reference)
            .ok()
            .filter(|b| !b.job_name.is_empty())
        {
            return b.job_name;
        }
        match self.find_external_backup(reference) {
            Ok(Some((_, b))) if !b.meta.job.is_empty() => b.meta.job,
            _ => reference.to_string(),
        }
    }

    /// Finds a backup the last rescan of an external repository listed,
    /// by id or by the name of the job that writes it.
    fn find_external_backup(
        &self,
        reference: &str,
    ) -> Result<Option<(ExternalRecord, ExternalBackupRecord)>> {
        let cat = self.catalog()?;
        let mut by_job = Vec::new();
        for ext in cat.externals()? {
            for b in cat.external_backups(ext.id)? {
                if b.backup_id == reference {
                    return Ok(Some((ext, b)));
                }
                if b.meta.job.eq_ignore_ascii_case(reference) {
                    by_job.push((ext.clone(), b));
                }
            }
        }
        match by_job.len() {
            0 | 1 => Ok(by_job.pop()),
            _ => Err(Error::invalid(format!(
                "job \"{reference}\" has several backups in external repositories; give a backup id from `cairn backups list`"
            ))),
        }
    }

    /// Opens a backup of the console's own, or else one of an external
    /// repository, with its keys.
    fn open_backup(&self, reference: &str, password: Option<&str>) -> Result<OpenBackup> {
        match self.find_backup(reference) {
            Ok(b) => self.open_own_backup(&b, password),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                match self.find_external_backup(reference)? {
                    Some((ext, b)) => self.open_external_backup(&ext, &b, password),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    fn open_own_backup(&self, b: &BackupRecord, password: Option<&str>) -> Result<OpenBackup> {
        let record = self.catalog()?.repository(b.repository_id)?;
        let repo = self.open_repository(&record)?;
        let keyset_id = repo.backup_keyset(&b.backup_id)?.ok_or_else(|| {
            Error::not_found(format!(
                "backup {} is no longer in repository {}",
                b.backup_id, record.name
            ))
        })?;
        let keyset = open_keyset(&repo, &keyset_id, b.encrypted, password)?;
        if b.sealed {
            // The password opened it: fill in job, machine, kinds and sizes.
            self.refresh_backups(&record, &repo, &[&keyset])?;
        }
        Ok(OpenBackup {
            repository: record.name,
            repo,
            keyset,
            backup_id: b.backup_id.clone(),
        })
    }

    /// Opens a backup of an external repository through its read-only
    /// storage, with the password stored when it was connected unless
    /// another is given. Nothing is written to the external repository.
    fn open_external_backup(
        &self,
        ext: &ExternalRecord,
        b: &ExternalBackupRecord,
        password: Option<&str>,
    ) -> Result<OpenBackup> {
        let repo = self.open_external_repository(ext)?;
        let keyset_id = repo.backup_keyset(&b.backup_id)?.ok_or_else(|| {
            Error::not_found(format!(
                "backup {} is no longer in external repository {}; rescan it",
                b.backup_id, ext.name
            ))
        })?;
        let stored = self.external_password(ext)?;
        let password = password.or(stored.as_ref().map(|p| p.expose().as_str()));
        let keyset = open_keyset(&repo, &keyset_id, b.encrypted, password)?;
        Ok(OpenBackup {
            repository: ext.name.clone(),
            repo,
            keyset,
            backup_id: b.backup_id.clone(),
        })
    }

    /// Opens a restore point ("latest" or an id) of a backup.
    pub fn open_point(
        &self,
        reference: &str,
        point: &str,
        password: Option<&str>,
    ) -> Result<OpenPoint> {
        let b = self.open_backup(reference, password)?;
        let mut points = b.repo.list_points(&b.backup_id)?;
        points.sort();
        let id = if point == "latest" {
            points.last().cloned().ok_or_else(|| {
                Error::not_found(format!("backup {} has no restore points", b.backup_id))
            })?
        } else if points.iter().any(|p| p == point) {
            point.to_string()
        } else {
            return Err(Error::not_found(format!(
                "backup {} has no restore point {point}; `cairn backups list` shows them",
                b.backup_id
            )));
        };
        let manifest = b.repo.read_manifest(&b.keyset, &b.backup_id, &id)?;
        Ok(OpenPoint {
            repository: b.repository,
            repo: b.repo,
            keyset: b.keyset,
            manifest,
        })
    }

    /// Lists a folder of a restore point.
    pub fn browse(
        &self,
        reference: &str,
        point: &str,
        path: &str,
        password: Option<&str>,
    ) -> Result<(Manifest, Vec<Entry>)> {
        let p = self.open_point(reference, point, password)?;
        let entries = restore::list(&p.repo, &p.keyset, &p.manifest, path)?;
        Ok((p.manifest, entries))
    }

    /// Searches a restore point by name or mask (`*`, `?`); at most
    /// `limit` results, and whether there were more.
    pub fn find(
        &self,
        reference: &str,
        point: &str,
        pattern: &str,
        limit: usize,
        password: Option<&str>,
    ) -> Result<(Manifest, Vec<explore::Found>, bool)> {
        let pattern = explore::NamePattern::new(pattern)?;
        let p = self.open_point(reference, point, password)?;
        let index = p.repo.load_index(&p.keyset, false)?;
        let root = ChunkId::from_hex(&p.manifest.root)?;
        let (found, more) = explore::find(&p.repo, &p.keyset, &index, &root, &pattern, limit)?;
        Ok((p.manifest, found, more))
    }

    /// The versions of one item: every restore point in which it differs
    /// from the point before, oldest first.
    pub fn versions(
        &self,
        reference: &str,
        path: &str,
        password: Option<&str>,
    ) -> Result<Vec<Version>> {
        let p = self.open_point(reference, "latest", password)?;
        self.versions_in(&p, path)
    }

    /// The versions of one item across the restore points of `p`'s backup.
    pub(super) fn versions_in(&self, p: &OpenPoint, path: &str) -> Result<Vec<Version>> {
        let backup = p.manifest.backup.clone();
        let index = p.repo.load_index(&p.keyset, false)?;
        let mut points = p.repo.list_points(&backup)?;
        points.sort();
        let mut out = Vec::new();
        let mut last: Option<Entry> = None;
        let mut seen = false;
        for id in points {
            let m = p.repo.read_manifest(&p.keyset, &backup, &id)?;
            let root = p
                .repo
                .read_tree(&p.keyset, &index, &ChunkId::from_hex(&m.root)?)?;
            match restore::resolve(&p.repo, &p.keyset, &index, &root, path) {
                Ok((e, _)) => {
                    seen = true;
                    if last.as_ref().is_none_or(|l| explore::entry_differs(l, &e)) {
                        out.push(Version {
                            point: m.id.clone(),
                            time: m.time,
                            kind: e.kind,
                            size: e.size,
                            mtime: e.mtime_ns.div_euclid(1_000_000_000),
                        });
                    }
                    last = Some(e);
                }
                Err(e) if e.kind() == ErrorKind::NotFound => last = None,
                Err(e) => return Err(e.into()),
            }
        }
        if !seen {
            return Err(Error::not_found(format!(
                "{path} is in none of the restore points of backup {backup}"
            )));
        }
        Ok(out)
    }

    /// What was added, changed and deleted from restore point `a` to `b`.
    pub fn diff(
        &self,
        reference: &str,
        a: &str,
        b: &str,
        password: Option<&str>,
    ) -> Result<Vec<explore::Difference>> {
        let pa = self.open_point(reference, a, password)?;
        let pb = self.open_point(reference, b, password)?;
        let ia = pa.repo.load_index(&pa.keyset, false)?;
        let ib = if pb.keyset.id() == pa.keyset.id() {
            None
        } else {
            Some(pb.repo.load_index(&pb.keyset, false)?)
        };
        Ok(explore::diff(
            &pa.repo,
            &pa.keyset,
            &pb.keyset,
            &ia,
            ib.as_ref().unwrap_or(&ia),
            &ChunkId::from_hex(&pa.manifest.root)?,
            &ChunkId::from_hex(&pb.manifest.root)?,
        )?)
    }

    /// Restores items as a session.
    pub fn restore(
        &self,
        reference: &str,
        point: &str,
        spec: &RestoreSpec,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<RestoreReport> {
        // A point that cannot be opened is a failed session too.
        match self.open_point(reference, point, password) {
            Ok(p) => self.restore_session(&p, None, spec, "", sink, cancel),
            Err(e) => {
                let (session, sink) =
                    self.start_restore_session(&format!("Restore from {reference}"), sink)?;
                sink.log(LogLevel::Error, &e.message());
                self.end_session(session, SessionResult::Failed, &e.message())?;
                Err(e)
            }
        }
    }

    /// Starts a Restore session; its log lines go to the catalog.
    pub(super) fn start_restore_session(
        &self,
        title: &str,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<(i64, Arc<dyn ProgressSink>)> {
        let session = self
            .catalog()?
            .start_session(None, title, SessionKind::Restore)?;
        Ok((session, self.session_sink(session, sink)?))
    }

    /// Restores items of an open restore point as a session (History →
    /// Restore); the reason, when given, goes into its log.
    pub(super) fn restore_session(
        &self,
        p: &OpenPoint,
        other: Option<&Manifest>,
        spec: &RestoreSpec,
        reason: &str,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<RestoreReport> {
        let manifest = other.unwrap_or(&p.manifest);
        let (session, sink) =
            self.start_restore_session(&format!("Restore from {}", manifest.job), sink)?;
        sink.log(
            LogLevel::Info,
            &format!(
                "Restoring from restore point {} of {} ({})",
                manifest.id, manifest.job, manifest.machine
            ),
        );
        if !reason.trim().is_empty() {
            sink.log(LogLevel::Info, &format!("Reason: {}", reason.trim()));
        }
        let outcome = crate::error::catch_panic("the restore", || {
            restore::run(&p.repo, &p.keyset, manifest, spec, sink.clone(), cancel)
        });
        let (result, details) = match &outcome {
            Ok(r) if r.failed.is_empty() => (
                SessionResult::Success,
                format!(
                    "{} file(s) restored, {} skipped",
                    r.files_restored, r.files_skipped
                ),
            ),
            Ok(r) => (
                SessionResult::Warning,
                format!(
                    "{} file(s) restored, {} skipped, {} failed",
                    r.files_restored,
                    r.files_skipped,
                    r.failed.len()
                ),
            ),
            Err(e) => {
                sink.log(LogLevel::Error, &e.message());
                (SessionResult::Failed, e.message().to_string())
            }
        };
        self.end_session(session, result, &details)?;
        Ok(outcome?)
    }
}
