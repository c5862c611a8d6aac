//! Jobs in the catalog.

use super::{now, Catalog};
use crate::error::{Error, Result};
use cairn_model::{BackupJobSettings, JobKind};
use rusqlite::{params, OptionalExtension, Row};

/// A job as stored.
#[derive(Debug, Clone)]
pub struct JobRecord {
    /// Catalog id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Backup or copy.
    pub kind: JobKind,
    /// Target repository id.
    pub repository_id: i64,
    /// Settings (for backup jobs).
    pub settings: BackupJobSettings,
    /// Free text.
    pub description: String,
    /// Disabled jobs are not scheduled.
    pub enabled: bool,
    /// Next scheduled run.
    pub next_run: Option<i64>,
}

fn kind_str(k: JobKind) -> &'static str {
    match k {
        JobKind::Backup => "backup",
        JobKind::BackupCopy => "backup_copy",
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let settings: String = r.get(4)?;
    let settings = serde_json::from_str(&settings).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(JobRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: if r.get::<_, String>(2)? == "backup_copy" {
            JobKind::BackupCopy
        } else {
            JobKind::Backup
        },
        repository_id: r.get(3)?,
        settings,
        description: r.get(5)?,
        enabled: r.get(6)?,
        next_run: r.get(7)?,
    })
}

const COLUMNS: &str = "id, name, kind, repository_id, settings, description, enabled, next_run";

impl Catalog {
    /// Stores a new job; duplicate names are refused.
    pub fn add_job(
        &self,
        name: &str,
        kind: JobKind,
        repository_id: i64,
        settings: &BackupJobSettings,
        description: &str,
    ) -> Result<JobRecord> {
        if self.job_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a job named \"{name}\" already exists; choose another name"
            )));
        }
        let json = serde_json::to_string(settings)
            .map_err(|e| Error::internal("cannot encode job settings").caused_by(e))?;
        self.conn().execute(
            "INSERT INTO jobs(name, kind, repository_id, settings, description, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                kind_str(kind),
                repository_id,
                json,
                description,
                now()
            ],
        )?;
        self.job_by_name(name)?
            .ok_or_else(|| Error::internal("the job vanished after it was stored"))
    }

    /// All jobs by name.
    pub fn jobs(&self) -> Result<Vec<JobRecord>> {
        let mut st = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM jobs ORDER BY name"))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One job by name (case-insensitive).
    pub fn job_by_name(&self, name: &str) -> Result<Option<JobRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?)
    }

    /// Deletes a job (its backups stay in the repository).
    pub fn delete_job(&self, name: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("DELETE FROM jobs WHERE name = ?1", [name])?;
        if n == 0 {
            return Err(Error::not_found(format!(
                "no job named \"{name}\"; `cairn job list` shows them"
            )));
        }
        Ok(())
    }

    /// Replaces a job's name, target, settings and description.
    pub fn update_job(
        &self,
        id: i64,
        name: &str,
        repository_id: i64,
        settings: &BackupJobSettings,
        description: &str,
    ) -> Result<()> {
        let json = serde_json::to_string(settings)
            .map_err(|e| Error::internal("cannot encode job settings").caused_by(e))?;
        self.conn().execute(
            "UPDATE jobs SET name = ?2, repository_id = ?3, settings = ?4, description = ?5
             WHERE id = ?1",
            params![id, name, repository_id, json, description],
        )?;
        Ok(())
    }

    /// Enables or disables a job.
    pub fn set_job_enabled(&self, id: i64, enabled: bool) -> Result<()> {
        self.conn().execute(
            "UPDATE jobs SET enabled = ?2 WHERE id = ?1",
            params![id, enabled],
        )?;
        Ok(())
    }

    /// Records a job's next scheduled start.
    pub fn set_next_run(&self, id: i64, next: Option<i64>) -> Result<()> {
        self.conn().execute(
            "UPDATE jobs SET next_run = ?2 WHERE id = ?1",
            params![id, next],
        )?;
        Ok(())
    }
}
