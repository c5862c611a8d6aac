//! Backup repositories in the catalog.

use super::{now, Catalog};
use crate::error::{Error, Result};
use cairn_model::RepositoryKind;
use rusqlite::{params, OptionalExtension, Row};

/// A repository as stored in the catalog.
#[derive(Debug, Clone)]
pub struct RepositoryRecord {
    /// Catalog id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Storage kind.
    pub kind: RepositoryKind,
    /// Folder path (local) or bucket/container.
    pub location: String,
    /// Backend settings as JSON (never secrets: only keyring references).
    pub settings: String,
    /// Free text.
    pub description: String,
    /// The embedded default repository.
    pub is_default: bool,
    /// Immutability period.
    pub immutable_days: Option<u32>,
}

pub(crate) fn kind_to_str(k: RepositoryKind) -> &'static str {
    match k {
        RepositoryKind::Local => "local",
        RepositoryKind::AmazonS3 => "amazon_s3",
        RepositoryKind::S3Compatible => "s3_compatible",
        RepositoryKind::AzureBlob => "azure_blob",
    }
}

pub(crate) fn kind_from_str(s: &str) -> RepositoryKind {
    match s {
        "amazon_s3" => RepositoryKind::AmazonS3,
        "s3_compatible" => RepositoryKind::S3Compatible,
        "azure_blob" => RepositoryKind::AzureBlob,
        _ => RepositoryKind::Local,
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<RepositoryRecord> {
    Ok(RepositoryRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: kind_from_str(&r.get::<_, String>(2)?),
        location: r.get(3)?,
        settings: r.get(4)?,
        description: r.get(5)?,
        is_default: r.get(6)?,
        immutable_days: r.get(7)?,
    })
}

const COLUMNS: &str = "id, name, kind, location, settings, description, is_default, immutable_days";

impl Catalog {
    /// Adds a repository; a duplicate name is refused.
    pub fn add_repository(
        &self,
        name: &str,
        kind: RepositoryKind,
        location: &str,
        description: &str,
        is_default: bool,
    ) -> Result<RepositoryRecord> {
        if self.repository_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a repository named \"{name}\" already exists; choose another name"
            )));
        }
        self.conn().execute(
            "INSERT INTO repositories(name, kind, location, description, is_default, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                kind_to_str(kind),
                location,
                description,
                is_default,
                now()
            ],
        )?;
        let id = self.conn().last_insert_rowid();
        self.repository(id)
    }

    /// All repositories, default first, then by name.
    pub fn repositories(&self) -> Result<Vec<RepositoryRecord>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM repositories ORDER BY is_default DESC, name"
        ))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One repository by id.
    pub fn repository(&self, id: i64) -> Result<RepositoryRecord> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM repositories WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("no repository with id {id}")))
    }

    /// One repository by name (case-insensitive).
    pub fn repository_by_name(&self, name: &str) -> Result<Option<RepositoryRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM repositories WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?)
    }

    /// The embedded default repository, if it was created.
    pub fn default_repository(&self) -> Result<Option<RepositoryRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM repositories WHERE is_default = 1"),
                [],
                from_row,
            )
            .optional()?)
    }

    /// Removes a repository from the configuration (its data stays on disk).
    /// Refused while a job targets it.
    pub fn remove_repository(&self, name: &str) -> Result<()> {
        let repo = self.repository_by_name(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no repository named \"{name}\"; `cairn repo list` shows them"
            ))
        })?;
        let jobs: Vec<String> = {
            let mut st = self
                .conn()
                .prepare("SELECT name FROM jobs WHERE repository_id = ?1 ORDER BY name")?;
            let rows = st.query_map([repo.id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if !jobs.is_empty() {
            return Err(Error::conflict(format!(
                "repository \"{name}\" is the target of job(s) {}; delete or retarget them first",
                jobs.join(", ")
            )));
        }
        self.conn()
            .execute("DELETE FROM repositories WHERE id = ?1", [repo.id])?;
        Ok(())
    }
}
