//! The working-area lists of the console, read from the catalog.

use super::Console;
use crate::error::{Error, Result};
use cairn_core::storage::{LocalStorage, Storage};
use cairn_core::time::now;
use cairn_model::{
    BackupLocation, BackupRow, ConsoleStatus, ExternalRepositoryRow, JobRow, JobStatus,
    RepositoryKind, RepositoryRow, ServiceProviderRow, SessionResult, SessionRow, UiSettings,
    WindowSize,
};
use std::path::Path;

const DAY: i64 = 24 * 3600;

impl Console {
    /// Backup Infrastructure → Backup Repositories.
    pub fn repository_rows(&self) -> Result<Vec<RepositoryRow>> {
        let recs = self.catalog()?.repositories()?;
        Ok(recs
            .into_iter()
            .map(|r| {
                let (used, free) = match r.kind {
                    RepositoryKind::Local => LocalStorage::open(Path::new(&r.location), false)
                        .and_then(|s| s.usage())
                        .unwrap_or((None, None)),
                    _ => (
                        self.catalog()
                            .ok()
                            .and_then(|c| c.repository_used(r.id).ok().flatten()),
                        None,
                    ),
                };
                RepositoryRow {
                    id: r.id,
                    name: r.name,
                    kind: r.kind,
                    location: r.location,
                    used_bytes: used,
                    free_bytes: free,
                    immutable_days: r.immutable_days,
                    description: r.description,
                    is_default: r.is_default,
                }
            })
            .collect())
    }

    /// Home → Jobs.
    pub fn job_rows(&self) -> Result<Vec<JobRow>> {
        let cat = self.catalog()?;
        let running: Vec<String> = cat
            .running_sessions()?
            .into_iter()
            .map(|s| s.name)
            .collect();
        let mut out = Vec::new();
        for j in cat.jobs()? {
            let target = cat
                .repository(j.repository_id)
                .map(|r| r.name)
                .unwrap_or_default();
            let last = cat.last_job_result(j.id)?;
            let status = if running.contains(&j.name) {
                JobStatus::Running
            } else if !j.enabled {
                JobStatus::Disabled
            } else {
                JobStatus::Idle
            };
            let objects = match (&j.settings.copy, j.settings.backup_mode) {
                (Some(c), _) => c
                    .sources
                    .iter()
                    .map(|s| s.label.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                (None, mode) => match mode {
                    cairn_model::BackupMode::EntireComputer => "Entire computer".to_string(),
                    cairn_model::BackupMode::Volume => j.settings.volumes.join(", "),
                    cairn_model::BackupMode::File => j.settings.includes.join(", "),
                },
            };
            out.push(JobRow {
                id: j.id,
                name: j.name.clone(),
                kind: j.kind,
                objects,
                status,
                last_result: last.map(|l| l.0),
                last_run: last.map(|l| l.1),
                next_run: j.next_run.filter(|_| j.enabled),
                target,
                description: j.description,
            });
        }
        Ok(out)
    }

    /// Home → Backups.
    pub fn backup_rows(&self) -> Result<Vec<BackupRow>> {
        let own = self.job_backups()?;
        let cat = self.catalog()?;
        let mut out = Vec::new();
        for b in cat.backups()? {
            let imported = own.owner(&b).is_none();
            let repository = cat
                .repository(b.repository_id)
                .map(|r| r.name)
                .unwrap_or_default();
            out.push(BackupRow {
                id: b.backup_id.clone(),
                job_name: b.job_name.clone(),
                machine: b.machine.clone(),
                creation_time: b.points.first().map(|p| p.time).unwrap_or(0),
                restore_points: b.points.len() as u32,
                last_point: b.points.iter().map(|p| p.time).max().unwrap_or(0),
                repository,
                platform: b.platform.clone(),
                size_bytes: b.points.last().map(|p| p.size).unwrap_or(0),
                location: match b.location.as_str() {
                    "disk_copy" => BackupLocation::DiskCopy,
                    "object_storage" => BackupLocation::ObjectStorage,
                    "external" => BackupLocation::External,
                    _ => BackupLocation::Disk,
                },
                encrypted: b.encrypted,
                imported,
                sealed: b.sealed,
            });
        }
        for ext in cat.externals()? {
            for b in cat.external_backups(ext.id)? {
                let m = &b.meta;
                out.push(BackupRow {
                    id: b.backup_id.clone(),
                    job_name: m.job.clone(),
                    machine: m.machine.clone(),
                    creation_time: m.points.first().map(|p| p.time).unwrap_or(0),
                    restore_points: m.points.len() as u32,
                    last_point: m.points.iter().map(|p| p.time).max().unwrap_or(0),
                    repository: ext.name.clone(),
                    platform: m.platform.clone(),
                    size_bytes: m.points.last().map(|p| p.size).unwrap_or(0),
                    location: BackupLocation::External,
                    encrypted: b.encrypted,
                    imported: false,
                    sealed: false,
                });
            }
        }
        Ok(out)
    }

    /// Running, Last 24 Hours or History, filtered by kind and result.
    pub fn session_rows(&self, req: &cairn_model::api::ListSessions) -> Result<Vec<SessionRow>> {
        use cairn_model::api::SessionScope;
        let rows = match req.scope {
            SessionScope::Running => self.running_rows()?,
            SessionScope::Last24Hours => self.recent_rows(req.result)?,
            SessionScope::History => self.history_rows()?,
        };
        Ok(rows
            .into_iter()
            .filter(|s| req.kind.is_none() || Some(s.kind) == req.kind)
            .filter(|s| req.result.is_none() || s.result == req.result)
            .collect())
    }

    /// One repository's row (after adding or editing it).
    pub fn repository_row(&self, id: i64) -> Result<RepositoryRow> {
        self.repository_rows()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::internal("the repository is missing"))
    }

    /// Home → Running.
    pub fn running_rows(&self) -> Result<Vec<SessionRow>> {
        self.catalog()?.running_sessions()
    }

    /// Home → Last 24 Hours, optionally one result only.
    pub fn recent_rows(&self, only: Option<SessionResult>) -> Result<Vec<SessionRow>> {
        let rows = self.catalog()?.sessions_since(now() - DAY)?;
        Ok(rows
            .into_iter()
            .filter(|s| s.result.is_some() && (only.is_none() || s.result == only))
            .collect())
    }

    /// History: every session.
    pub fn history_rows(&self) -> Result<Vec<SessionRow>> {
        self.catalog()?.sessions_since(0)
    }

    /// Backup Infrastructure → External Repositories.
    pub fn external_repository_rows(&self) -> Result<Vec<ExternalRepositoryRow>> {
        let me = self.console_id()?;
        Ok(self
            .catalog()?
            .externals()?
            .into_iter()
            .map(|r| ExternalRepositoryRow {
                id: r.id,
                name: r.name,
                kind: r.kind,
                bucket: r.bucket,
                folder: r.folder,
                owner: if r.owner == me {
                    "This console".into()
                } else if r.owner.is_empty() || r.owner.starts_with("appliance-") {
                    "Nobody".into()
                } else {
                    format!("Console {}", &r.owner[..r.owner.len().min(12)])
                },
                last_rescan: r.last_rescan,
                backups: r.backups,
                restore_points: r.restore_points,
                description: r.description,
                last_error: r.last_error,
            })
            .collect())
    }

    /// Backup Infrastructure → Service Providers.
    pub fn service_provider_rows(&self) -> Result<Vec<ServiceProviderRow>> {
        let cat = self.catalog()?;
        let mut st = cat
            .conn()
            .prepare("SELECT id, host, port, description FROM service_providers ORDER BY host")?;
        let rows = st.query_map([], |r| {
            Ok(ServiceProviderRow {
                id: r.get(0)?,
                host: r.get(1)?,
                port: r.get(2)?,
                resources: 0,
                description: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The status bar.
    pub fn status(&self) -> Result<ConsoleStatus> {
        let cat = self.catalog()?;
        let running = cat.running_sessions()?.len() as u32;
        let last_error = cat
            .sessions_since(now() - DAY)?
            .into_iter()
            .find(|s| s.result == Some(SessionResult::Failed))
            .map(|s| format!("{}: {}", s.name, s.details));
        Ok(ConsoleStatus {
            running_sessions: running,
            last_error,
            data_dir: self.data_dir.to_string_lossy().into_owned(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// Preferences (theme, last view).
    pub fn ui_settings(&self) -> Result<UiSettings> {
        let raw = self.catalog()?.setting("ui")?;
        Ok(raw
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default())
    }

    /// Saves preferences.
    pub fn save_ui_settings(&self, s: &UiSettings) -> Result<()> {
        let json = serde_json::to_string(s)
            .map_err(|e| crate::Error::internal("cannot encode the settings").caused_by(e))?;
        self.catalog()?.set_setting("ui", &json)
    }

    /// The remembered window size.
    pub fn window_size(&self) -> Result<Option<WindowSize>> {
        let raw = self.catalog()?.setting("window")?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Remembers the window size.
    pub fn save_window_size(&self, w: WindowSize) -> Result<()> {
        let json = serde_json::to_string(&w)
            .map_err(|e| crate::Error::internal("cannot encode the settings").caused_by(e))?;
        self.catalog()?.set_setting("window", &json)
    }
}
