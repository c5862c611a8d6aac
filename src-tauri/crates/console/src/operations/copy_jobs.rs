//! Backup copy jobs: resolve what they copy (root backups in external or
//! regular repositories, the backups of jobs, whole repositories), open
//! the sources, and start immediate copies; `copy_runs` runs them.

use super::restores::open_keyset;
use super::Console;
use crate::catalog::{Catalog, JobRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_core::format::crypto::KeySet;
use cairn_core::repo::Repository;
use cairn_model::{
    BackupJobSettings, CopySettings, CopySource, CopySourceKind, ErrorKind, JobKind,
};
use std::collections::HashSet;
use std::sync::Arc;

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
pub(super) struct OpenSource {
    pub(super) repo: Repository,
    pub(super) password: Option<Sensitive<String>>,
    /// The catalog knows the source backup to be encrypted: a plain key
    /// set in its place is refused.
    pub(super) encrypted: bool,
}

/// The id a copy's target backup has: one per copy job and source backup.
pub(super) fn target_backup_id(uid: &str, origin_backup: &str) -> String {
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
                CopySourceKind::Job => out.push(job_source(&cat, &s.job)?),
                _ => out.extend(repository_sources(&cat, s)?),
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

    pub(super) fn open_source(&self, b: &SourceBackup) -> Result<OpenSource> {
        if b.external {
            let rec = self.external_named(&b.repository)?;
            let repo = self.open_external_repository(&rec)?;
            let password = self.external_password(&rec)?;
            let encrypted = self
                .catalog()?
                .external_backups(rec.id)?
                .iter()
                .any(|x| x.backup_id == b.backup && x.encrypted);
            Ok(OpenSource {
                repo,
                password,
                encrypted,
            })
        } else {
            let rec = self.repository_named(&b.repository)?;
            let repo = self.open_repository(&rec)?;
            let encrypted = self
                .catalog()?
                .backups()?
                .iter()
                .any(|x| x.repository_id == rec.id && x.backup_id == b.backup && x.encrypted);
            Ok(OpenSource {
                repo,
                password: None,
                encrypted,
            })
        }
    }

    /// The key set of a source backup: plain, the external repository's
    /// password, or the password of the job that writes it.
    pub(super) fn source_keyset(&self, src: &OpenSource, backup: &str) -> Result<KeySet> {
        let ks_id = src.repo.backup_keyset(backup)?.ok_or_else(|| {
            Error::not_found(format!(
                "backup {backup} is no longer in repository {}",
                src.repo.name()
            ))
        })?;
        let open = |pw| open_keyset(&src.repo, &ks_id, src.encrypted, pw);
        if let Some(pw) = &src.password {
            return Ok(open(Some(pw.expose()))?);
        }
        match open(None) {
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
                Ok(open(Some(pw.expose()))?)
            }
            r => Ok(r?),
        }
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
            if super::backup_map::copy_target(&job.settings, prefix) == id {
                out.push(id);
            }
        }
        Ok(out)
    }
}

/// The backups one Backup or Repository object names, in an external
/// repository or one of the console's own.
fn repository_sources(cat: &Catalog, s: &CopySource) -> Result<Vec<SourceBackup>> {
    let (repository, external, backups) = if let Some(ext) = cat.external_by_name(&s.repository)? {
        let ids = cat
            .external_backups(ext.id)?
            .into_iter()
            .map(|b| b.backup_id);
        (ext.name, true, ids.collect::<Vec<_>>())
    } else if let Some(rec) = cat.repository_by_name(&s.repository)? {
        let ids = cat
            .backups()?
            .into_iter()
            .filter(|b| b.repository_id == rec.id)
            .map(|b| b.backup_id);
        (rec.name, false, ids.collect())
    } else {
        return Err(Error::not_found(format!(
            "no repository or external repository named \"{}\"",
            s.repository
        )));
    };
    let source = |backup: String| SourceBackup {
        repository: repository.clone(),
        external,
        backup,
    };
    if s.kind != CopySourceKind::Backup {
        return Ok(backups.into_iter().map(source).collect());
    }
    if !backups.contains(&s.backup) {
        let what = if external {
            "external repository"
        } else {
            "repository"
        };
        let fix = if external {
            "rescan it, or remove the object"
        } else {
            "remove the object"
        };
        return Err(Error::not_found(format!(
            "{what} {repository} has no backup {}; {fix}",
            s.backup
        )));
    }
    Ok(vec![source(s.backup.clone())])
}

/// The backup a Job object names: that backup job's own.
fn job_source(cat: &Catalog, name: &str) -> Result<SourceBackup> {
    let j = cat
        .job_by_name(name)?
        .ok_or_else(|| Error::not_found(format!("no job named \"{name}\" to copy from")))?;
    if j.kind != JobKind::Backup {
        return Err(Error::invalid(format!(
            "{} is a backup copy job; copy from backup jobs",
            j.name
        )));
    }
    let rec = cat.repository(j.repository_id)?;
    Ok(SourceBackup {
        repository: rec.name,
        external: false,
        backup: super::backup_map::job_backup_id(&j.settings),
    })
}
