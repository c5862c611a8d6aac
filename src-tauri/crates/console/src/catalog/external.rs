//! External repositories and the backups their last rescan found.

use super::repositories::{kind_from_str, kind_to_str};
use super::Catalog;
use crate::error::{Error, Result};
use cairn_core::format::manifest::BackupMeta;
use cairn_model::RepositoryKind;
use rusqlite::{params, OptionalExtension, Row};

/// An external repository as stored.
#[derive(Debug, Clone)]
pub struct ExternalRecord {
    /// Catalog id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Amazon S3, S3 compatible or Azure Blob.
    pub kind: RepositoryKind,
    /// Bucket or container.
    pub bucket: String,
    /// Folder inside it.
    pub folder: String,
    /// S3Settings or AzureSettings as JSON (credentials by name).
    pub settings: String,
    /// The console that owns it, as the marker says.
    pub owner: String,
    /// Last rescan.
    pub last_rescan: Option<i64>,
    /// Backups found.
    pub backups: u32,
    /// Restore points found.
    pub restore_points: u32,
    /// Free text.
    pub description: String,
    /// Manage Passwords entry that opens its encrypted backups.
    pub password_name: Option<String>,
    /// The last rescan's error.
    pub last_error: String,
}

/// A backup found in an external repository.
#[derive(Debug, Clone)]
pub struct ExternalBackupRecord {
    /// External repository id.
    pub external_id: i64,
    /// Backup id.
    pub backup_id: String,
    /// Tag of the metadata object when it was read.
    pub etag: String,
    /// Key set it is sealed with.
    pub keyset: String,
    /// True when the key set is password protected.
    pub encrypted: bool,
    /// The metadata as read.
    pub meta: BackupMeta,
}

const COLUMNS: &str = "id, name, kind, bucket, folder, settings, owner, last_rescan, backups,
     restore_points, description, password_name, last_error";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ExternalRecord> {
    Ok(ExternalRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: kind_from_str(&r.get::<_, String>(2)?),
        bucket: r.get(3)?,
        folder: r.get(4)?,
        settings: r.get(5)?,
        owner: r.get(6)?,
        last_rescan: r.get(7)?,
        backups: r.get(8)?,
        restore_points: r.get(9)?,
        description: r.get(10)?,
        password_name: r.get(11)?,
        last_error: r.get(12)?,
    })
}

impl Catalog {
    /// Records a new external repository; duplicate names are refused.
    #[allow(clippy::too_many_arguments)]
    pub fn add_external(
        &self,
        name: &str,
        kind: RepositoryKind,
        bucket: &str,
        folder: &str,
        settings: &str,
        owner: &str,
        description: &str,
        password_name: Option<&str>,
    ) -> Result<ExternalRecord> {
        if self.external_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "an external repository named \"{name}\" already exists; choose another name"
            )));
        }
        self.conn().execute(
            "INSERT INTO external_repositories(name, kind, bucket, folder, settings, owner, description, password_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![name, kind_to_str(kind), bucket, folder, settings, owner, description, password_name],
        )?;
        self.external_by_name(name)?
            .ok_or_else(|| Error::internal("the external repository vanished after insert"))
    }

    /// Every external repository, by name.
    pub fn externals(&self) -> Result<Vec<ExternalRecord>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM external_repositories ORDER BY name"
        ))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One external repository by name (case-insensitive).
    pub fn external_by_name(&self, name: &str) -> Result<Option<ExternalRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM external_repositories WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?)
    }

    /// Forgets an external repository and its cached backups.
    pub fn remove_external(&self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM external_repositories WHERE id = ?1", [id])?;
        Ok(())
    }

    /// The cached backups of an external repository.
    pub fn external_backups(&self, external_id: i64) -> Result<Vec<ExternalBackupRecord>> {
        let mut st = self.conn().prepare(
            "SELECT external_id, backup_id, etag, keyset, encrypted, meta FROM external_backups
             WHERE external_id = ?1 ORDER BY backup_id",
        )?;
        let rows = st.query_map([external_id], |r| {
            let meta: String = r.get(5)?;
            let meta = serde_json::from_str(&meta).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            Ok(ExternalBackupRecord {
                external_id: r.get(0)?,
                backup_id: r.get(1)?,
                etag: r.get(2)?,
                keyset: r.get(3)?,
                encrypted: r.get(4)?,
                meta,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces the cached backups with what a rescan found, and records
    /// the rescan on the repository, in one transaction.
    pub fn finish_external_rescan(
        &self,
        external_id: i64,
        backups: &[ExternalBackupRecord],
        owner: &str,
        time: i64,
    ) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "DELETE FROM external_backups WHERE external_id = ?1",
            [external_id],
        )?;
        let mut points = 0u32;
        for b in backups {
            points += b.meta.points.len() as u32;
            let meta = serde_json::to_string(&b.meta)
                .map_err(|e| Error::internal("cannot encode backup metadata").caused_by(e))?;
            tx.execute(
                "INSERT INTO external_backups(external_id, backup_id, etag, keyset, encrypted, meta)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![external_id, b.backup_id, b.etag, b.keyset, b.encrypted, meta],
            )?;
        }
        tx.execute(
            "UPDATE external_repositories SET last_rescan = ?2, backups = ?3, restore_points = ?4,
             last_error = '', owner = ?5 WHERE id = ?1",
            params![external_id, time, backups.len() as u32, points, owner],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed rescan (the cached backups stay as they were).
    pub fn fail_external_rescan(&self, external_id: i64, time: i64, error: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE external_repositories SET last_rescan = ?2, last_error = ?3 WHERE id = ?1",
            params![external_id, time, error],
        )?;
        Ok(())
    }

    /// Records the owner after taking ownership.
    pub fn set_external_owner(&self, external_id: i64, owner: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE external_repositories SET owner = ?2 WHERE id = ?1",
            params![external_id, owner],
        )?;
        Ok(())
    }
}
