//! Rescan of a backup repository: the catalog's backups and restore points
//! brought in line with what the repository holds, as a System session. A
//! console on a new machine (or one whose database was lost) sees every
//! backup of a repository it adds; a backup sealed with a password this
//! console does not know is listed by its restore points' names until the
//! password is given (Manage Passwords, or at a restore).

use super::Console;
use crate::catalog::{BackupRecord, PointRecord, RepositoryRecord};
use crate::error::{Error, Result};
use cairn_core::format::crypto::KeySet;
use cairn_core::repo::Repository;
use cairn_model::{ErrorKind, SessionKind};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What a rescan of one backup repository found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryRescan {
    /// Repository name.
    pub repository: String,
    /// Backups in it.
    pub backups: u32,
    /// Their restore points.
    pub restore_points: u32,
    /// Restore points the catalog did not list before.
    pub added: u32,
    /// Restore points the catalog listed that are gone.
    pub removed: u32,
    /// Backups whose password this console does not know yet.
    pub sealed: u32,
    /// Backups that could not be read (each with the reason).
    pub warnings: Vec<String>,
}

impl Console {
    /// `cairn repo rescan`, the window's Rescan, and every repository add:
    /// reads the repository's backup metadata (one request per backup and
    /// one listing per sealed backup) and rewrites the catalog's cache of
    /// it, as a System session with the counts.
    pub fn rescan_repository(&self, name: &str) -> Result<RepositoryRescan> {
        let (rec, session) = self.begin_repository_rescan(name)?;
        self.finish_repository_rescan(&rec, session)
    }

    /// The window's Rescan: the same in the background; the answer is the
    /// session, whose window follows it.
    pub fn start_repository_rescan(self: &Arc<Self>, name: &str) -> Result<i64> {
        let (rec, session) = self.begin_repository_rescan(name)?;
        let me = self.clone();
        std::thread::Builder::new()
            .name("repository rescan".into())
            .spawn(move || {
                let _ = me.finish_repository_rescan(&rec, session);
            })
            .map_err(|e| Error::internal("cannot start the rescan").caused_by(e))?;
        Ok(session)
    }

    fn begin_repository_rescan(&self, name: &str) -> Result<(RepositoryRecord, i64)> {
        let rec = self.repository_named(name)?;
        let title = format!("Rescan of repository {}", rec.name);
        let session = self
            .catalog()?
            .start_session(None, &title, SessionKind::System)?;
        Ok((rec, session))
    }

    fn finish_repository_rescan(
        &self,
        rec: &RepositoryRecord,
        session: i64,
    ) -> Result<RepositoryRescan> {
        // A panic (crafted data that slipped past validation) still ends
        // the session, as runs, restores and external rescans do.
        let what = format!("the rescan of {}", rec.name);
        let outcome = crate::error::catch_panic(&what, || self.rescan_into_catalog(rec));
        let ended = match &outcome {
            Ok(r) => Ok((r.warnings.as_slice(), r.summary())),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }

    fn rescan_into_catalog(&self, rec: &RepositoryRecord) -> Result<RepositoryRescan> {
        let repo = self.open_repository(rec)?;
        let before = points_of(&self.cached_backups(rec.id)?);
        // One listing (a request per backup) serves both steps.
        let listing = repo.list_backups()?;
        let (keysets, mut warnings) = self.keysets_from_passwords(&repo, &listing)?;
        let refs: Vec<&KeySet> = keysets.iter().collect();
        warnings.extend(self.refresh_listed_backups(rec, &repo, &refs, listing)?);
        let backups = self.cached_backups(rec.id)?;
        let after = points_of(&backups);
        Ok(RepositoryRescan {
            repository: rec.name.clone(),
            backups: backups.len() as u32,
            restore_points: after.len() as u32,
            added: after.difference(&before).count() as u32,
            removed: before.difference(&after).count() as u32,
            sealed: backups.iter().filter(|b| b.sealed).count() as u32,
            warnings,
        })
    }

    /// The catalog's backups of one repository.
    fn cached_backups(&self, repository_id: i64) -> Result<Vec<BackupRecord>> {
        Ok(self
            .catalog()?
            .backups()?
            .into_iter()
            .filter(|b| b.repository_id == repository_id)
            .collect())
    }

    /// The repository's encrypted key sets that a password of Manage
    /// Passwords opens. A password the keyring cannot give is a warning.
    fn keysets_from_passwords(
        &self,
        repo: &Repository,
        listing: &[(String, String)],
    ) -> Result<(Vec<KeySet>, Vec<String>)> {
        let plain = repo.default_keyset()?;
        let wanted: BTreeSet<&String> = listing
            .iter()
            .map(|(_, ks)| ks)
            .filter(|ks| ks.as_str() != plain.id())
            .collect();
        let (mut found, mut warnings) = (Vec::new(), Vec::new());
        if wanted.is_empty() {
            return Ok((found, warnings));
        }
        let mut passwords = Vec::new();
        for (c, _) in self.credentials()? {
            if c.kind != cairn_model::CredentialKind::Password {
                continue;
            }
            match crate::secrets::load(&c.secret_ref, &c.name) {
                Ok(pw) => passwords.push(pw),
                Err(e) => warnings.push(format!("password {}: {}", c.name, e.message())),
            }
        }
        for ks in &wanted {
            for pw in &passwords {
                match repo.encrypted_keyset(ks, Some(pw.expose())) {
                    Ok(k) => {
                        found.push(k);
                        break;
                    }
                    Err(e) if e.kind() == ErrorKind::WrongPassword => {}
                    Err(e) => {
                        warnings.push(e.message().into_owned());
                        break;
                    }
                }
            }
        }
        Ok((found, warnings))
    }
}

/// (backup, point) pairs of some backups.
fn points_of(backups: &[BackupRecord]) -> BTreeSet<(String, String)> {
    backups
        .iter()
        .flat_map(|b| {
            b.points
                .iter()
                .map(|p| (b.backup_id.clone(), p.point_id.clone()))
        })
        .collect()
}

/// A backup this console cannot open yet: what the repository says without
/// the password (its restore points' names, which are their times).
pub(super) fn sealed_record(
    rec: &RepositoryRecord,
    repo: &Repository,
    backup: &str,
    keyset: &str,
) -> Result<BackupRecord> {
    let encrypted = repo.key_file(keyset)?.kind != "plain";
    let mut points = repo.list_points(backup)?;
    points.sort();
    Ok(BackupRecord {
        repository_id: rec.id,
        backup_id: backup.to_string(),
        job_name: String::new(),
        machine: String::new(),
        platform: String::new(),
        encrypted,
        location: super::jobs::backup_location(rec, false).into(),
        sealed: true,
        points: points
            .into_iter()
            .map(|id| PointRecord {
                time: cairn_core::time::point_id_time(&id).unwrap_or(0),
                point_id: id,
                kind: String::new(),
                size: 0,
                gfs: String::new(),
            })
            .collect(),
    })
}

impl RepositoryRescan {
    /// One line for a session log or the repository wizard's log.
    pub fn summary(&self) -> String {
        rescan_summary(self)
    }
}

fn rescan_summary(r: &RepositoryRescan) -> String {
    let mut s = format!(
        "{}: {} backup(s), {} restore point(s); {} added, {} removed",
        r.repository, r.backups, r.restore_points, r.added, r.removed
    );
    if r.sealed > 0 {
        s.push_str(&format!(
            "; {} encrypted backup(s) need their password (Manage Passwords, or give it at a restore)",
            r.sealed
        ));
    }
    if !r.warnings.is_empty() {
        s.push_str(&format!(
            "; {} backup(s) could not be read",
            r.warnings.len()
        ));
    }
    s
}
