//! Credentials: names, identities and keyring references (never secrets).

use super::{now, Catalog};
use crate::error::{Error, Result};
use cairn_model::CredentialKind;
use rusqlite::{params, OptionalExtension, Row};

/// A stored credential.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CredentialRecord {
    /// Unique name.
    pub name: String,
    /// What it holds.
    pub kind: CredentialKind,
    /// Access key id or storage account (not secret).
    pub identity: String,
    /// Keyring account the secret is stored under.
    pub secret_ref: String,
    /// Free text.
    pub description: String,
    /// Password hint.
    pub hint: String,
    /// Unix seconds of the last change.
    pub edited: i64,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CredentialRecord> {
    Ok(CredentialRecord {
        name: r.get(0)?,
        kind: kind_from(r.get(1)?)?,
        identity: r.get(2)?,
        secret_ref: r.get(3)?,
        description: r.get(4)?,
        hint: r.get(5)?,
        edited: r.get(6)?,
    })
}

/// A stored kind this version does not know is an error, never another kind.
fn kind_from(name: String) -> rusqlite::Result<CredentialKind> {
    CredentialKind::parse(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            1,
            rusqlite::types::Type::Text,
            format!("unknown credentials kind {name}").into(),
        )
    })
}

const COLUMNS: &str = "name, kind, identity, secret_ref, description, hint, edited";

impl Catalog {
    /// Adds or replaces a credential's record.
    pub fn put_credential(&self, c: &CredentialRecord) -> Result<()> {
        self.conn().execute(
            "INSERT INTO credentials(name, kind, identity, secret_ref, description, hint, edited)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, identity = excluded.identity,
               secret_ref = excluded.secret_ref, description = excluded.description,
               hint = excluded.hint, edited = excluded.edited",
            params![
                c.name,
                c.kind.as_str(),
                c.identity,
                c.secret_ref,
                c.description,
                c.hint,
                now()
            ],
        )?;
        Ok(())
    }

    /// All credentials by name.
    pub fn credentials(&self) -> Result<Vec<CredentialRecord>> {
        let mut st = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM credentials ORDER BY name"))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One credential.
    pub fn credential(&self, name: &str) -> Result<CredentialRecord> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM credentials WHERE name = ?1"),
                [name],
                from_row,
            )
            .optional()?
            .ok_or_else(|| {
                Error::not_found(format!(
                    "no credentials named \"{name}\"; `cairn credentials list` shows them"
                ))
            })
    }

    /// Removes a credential's record.
    pub fn remove_credential(&self, name: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM credentials WHERE name = ?1", [name])?;
        Ok(())
    }

    /// Stores a repository's backend settings (JSON, no secrets).
    pub fn set_repository_settings(
        &self,
        id: i64,
        settings: &str,
        immutable_days: Option<u32>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE repositories SET settings = ?2, immutable_days = ?3 WHERE id = ?1",
            params![id, settings, immutable_days],
        )?;
        Ok(())
    }

    /// Saves an edited repository's name, description and settings.
    pub fn update_repository(
        &self,
        id: i64,
        name: &str,
        description: &str,
        settings: &str,
        immutable_days: Option<u32>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE repositories SET name = ?2, description = ?3, settings = ?4, immutable_days = ?5 WHERE id = ?1",
            params![id, name, description, settings, immutable_days],
        )?;
        Ok(())
    }

    /// Records the bytes a cloud repository holds, measured by listing it
    /// after a job, a prune or when it was added.
    pub fn set_repository_used(&self, id: i64, bytes: u64) -> Result<()> {
        self.set_setting(&format!("repository.{id}.used_bytes"), &bytes.to_string())
    }

    /// The last recorded size of a cloud repository.
    pub fn repository_used(&self, id: i64) -> Result<Option<u64>> {
        Ok(self
            .setting(&format!("repository.{id}.used_bytes"))?
            .and_then(|v| v.parse().ok()))
    }
}
