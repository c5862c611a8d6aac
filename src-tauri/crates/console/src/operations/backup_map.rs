//! Map backup: a job continues a backup already in its repository (an
//! imported one, after a lost console) instead of starting its own; the
//! chain, retention and GFS go on and the next run is an increment.
//! Also which backups belong to which job, for Imported and for mapping.

use super::copy_jobs::target_backup_id;
use super::{Console, NewEncryption};
use crate::catalog::{BackupRecord, JobRecord, RepositoryRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_core::format::crypto::KeySet;
use cairn_core::repo::Repository;
use cairn_model::{BackupJobSettings, BackupJobSpec, Encryption, JobKind};
use std::collections::HashMap;

/// The backup a backup job writes: the mapped one, else its own.
pub(crate) fn job_backup_id(s: &BackupJobSettings) -> String {
    match &s.map {
        Some(m) => m.backup.clone(),
        None => cairn_core::jobs::backup_id(&s.uid, &s.machine),
    }
}

/// The target backup a copy job writes for one source backup
/// (`<source repository id>/<backup>`): the mapped copy when it copies
/// that source, else the job's own.
pub(crate) fn copy_target(s: &BackupJobSettings, origin_backup: &str) -> String {
    match &s.map {
        Some(m) if m.origin == origin_backup => m.backup.clone(),
        _ => target_backup_id(&s.uid, origin_backup),
    }
}

/// Which job of this console writes each backup it holds.
pub(crate) struct JobBackups {
    /// (repository, backup id) → backup job, and mapped copies.
    by_backup: HashMap<(i64, String), String>,
    /// (repository, copy job name): copies carry their copy job's name.
    copy_jobs: HashMap<(i64, String), String>,
}

impl JobBackups {
    fn of(jobs: &[JobRecord]) -> Self {
        let mut by_backup = HashMap::new();
        let mut copy_jobs = HashMap::new();
        for j in jobs {
            let s = &j.settings;
            if j.kind == JobKind::BackupCopy {
                copy_jobs.insert((j.repository_id, j.name.clone()), j.name.clone());
                if let Some(m) = &s.map {
                    by_backup.insert((j.repository_id, m.backup.clone()), j.name.clone());
                }
            } else {
                by_backup.insert((j.repository_id, job_backup_id(s)), j.name.clone());
            }
        }
        Self {
            by_backup,
            copy_jobs,
        }
    }

    /// The job that writes `b`, when one of this console's does.
    pub(crate) fn owner(&self, b: &BackupRecord) -> Option<&str> {
        let by_id = self.by_backup.get(&(b.repository_id, b.backup_id.clone()));
        by_id
            .or_else(|| self.copy_jobs.get(&(b.repository_id, b.job_name.clone())))
            .map(String::as_str)
    }
}

impl Console {
    /// `cairn job map`: an existing job continues `backup` from now on;
    /// `password` opens an encrypted backup when the job names no stored
    /// password.
    pub fn map_job(
        &self,
        name: &str,
        backup: &str,
        password: Option<Sensitive<String>>,
    ) -> Result<JobRecord> {
        let mut spec = self.job_spec(name)?;
        spec.settings.map = Some(cairn_model::MappedBackup {
            backup: backup.to_string(),
            origin: String::new(),
        });
        let encryption = match password {
            Some(password) => Some(NewEncryption {
                cipher: cairn_model::Cipher::Aes256Gcm,
                password,
                hint: spec.settings.encryption.as_ref().map(|e| e.hint.clone()).unwrap_or_default(),
            }),
            None if spec.encrypt && spec.settings.password_name.is_none() => {
                return Err(Error::invalid(format!(
                    "job {name} is encrypted without a stored password: give the backup's password with --password-stdin"
                )))
            }
            None => None,
        };
        self.save_backup_job(&spec, Some(name), encryption)
    }

    /// Which job writes each backup of this console.
    pub(crate) fn job_backups(&self) -> Result<JobBackups> {
        Ok(JobBackups::of(&self.catalog()?.jobs()?))
    }

    /// Storage step: the mapped backup is in the job's repository, no
    /// other job writes it, and it is encrypted exactly when the job is.
    pub(super) fn check_map(&self, spec: &BackupJobSpec, editing: Option<&str>) -> Result<()> {
        let Some(map) = &spec.settings.map else {
            return Ok(());
        };
        let rec = self.repository_named(&spec.repository)?;
        let owners = self.job_backups()?;
        let backups = self.catalog()?.backups()?;
        let Some(b) = backups
            .iter()
            .find(|b| b.repository_id == rec.id && b.backup_id == map.backup)
        else {
            return Err(Error::not_found(format!(
                "repository {} has no backup {}; `cairn backups list` shows the backups and their ids (`cairn repo rescan {}` first if it was added elsewhere)",
                rec.name, map.backup, rec.name
            )));
        };
        if b.platform == cairn_model::CONFIGURATION_PLATFORM {
            return Err(Error::invalid(format!(
                "backup {} is a console's configuration backup: map the job to a backup of a computer (☰ → Configuration Backup restores it)",
                map.backup
            )));
        }
        let editing = |name: &str| editing.is_some_and(|e| e.eq_ignore_ascii_case(name));
        if let Some(owner) = owners.owner(b).filter(|o| !editing(o)) {
            return Err(Error::conflict(format!(
                "backup {} is already written by job {owner}; a backup continues one job only",
                map.backup
            )));
        }
        match (b.encrypted, spec.encrypt) {
            (true, false) => Err(Error::invalid(format!(
                "backup {} is encrypted: encrypt the job with the password the backup was made with",
                map.backup
            ))),
            (false, true) => Err(Error::invalid(format!(
                "backup {} is not encrypted: a job that continues it cannot encrypt (its increments would need the backup's own key)",
                map.backup
            ))),
            _ => Ok(()),
        }
    }

    /// Saving a mapped job: checks the backup's kind against the job's (a
    /// backup for a backup job, a copy for a copy job), records which
    /// source a mapped copy copies, and returns the job's encryption: the
    /// backup's own key set, which the job's password must open. `None`
    /// when the job maps nothing.
    pub(super) fn apply_map(
        &self,
        spec: &mut BackupJobSpec,
        rec: &RepositoryRecord,
        encryption: Option<&NewEncryption>,
    ) -> Result<Option<Option<Encryption>>> {
        let Some(backup) = spec.settings.map.as_ref().map(|m| m.backup.clone()) else {
            return Ok(None);
        };
        let repo = self.open_repository(rec)?;
        let (ks, enc) = if spec.encrypt {
            let enc = match encryption {
                Some(e) => e.clone(),
                None => self.stored_encryption(&spec.settings)?,
            };
            let (ks, e) = open_mapped(&repo, &backup, &enc)?;
            (ks, Some(e))
        } else {
            (repo.default_keyset()?, None)
        };
        let origin = copied_origin(&repo, &ks, &backup)?;
        let copy_job = spec.settings.copy.is_some();
        let kind_error = |fix: &str| Err(Error::invalid(format!("backup {backup} {fix}")));
        let origin = match (copy_job, origin) {
            (false, None) => String::new(),
            (true, Some(origin)) => origin,
            (false, Some(_)) => return kind_error("is a backup copy: map it to a backup copy job"),
            (true, None) => {
                return kind_error("was made by a backup job, not copied: map it to a backup job")
            }
        };
        if let Some(m) = spec.settings.map.as_mut() {
            m.origin = origin;
        }
        Ok(Some(enc))
    }
}

/// Opens an encrypted backup's key set with the job's password.
fn open_mapped(
    repo: &Repository,
    backup: &str,
    enc: &NewEncryption,
) -> Result<(KeySet, Encryption)> {
    let keyset = mapped_keyset_id(repo, backup)?;
    let ks = repo
        .encrypted_keyset(&keyset, Some(enc.password.expose()))
        .map_err(|e| match e.kind() {
            cairn_model::ErrorKind::WrongPassword => Error::invalid(format!(
                "the job's password does not open backup {backup}: choose the password the backup was encrypted with"
            )),
            _ => Error::from(e),
        })?;
    let e = Encryption {
        keyset,
        cipher: ks.cipher().unwrap_or(enc.cipher),
        hint: enc.hint.clone(),
    };
    Ok((ks, e))
}

/// The key set a backup in `repo` is sealed with.
fn mapped_keyset_id(repo: &Repository, backup: &str) -> Result<String> {
    repo.list_backups()?
        .into_iter()
        .find(|(id, _)| id == backup)
        .map(|(_, k)| k)
        .ok_or_else(|| Error::not_found(format!("backup {backup} is no longer in the repository")))
}

/// For a copied backup, the source backup its points came from.
fn copied_origin(repo: &Repository, ks: &KeySet, backup: &str) -> Result<Option<String>> {
    let meta = repo.read_backup_meta(ks, backup)?;
    let origin = meta.points.iter().find(|p| !p.origin.is_empty());
    Ok(origin.and_then(|p| p.origin.rsplit_once('/').map(|(b, _)| b.to_string())))
}
