//! The configuration part of the catalog as a database file of its own:
//! what a configuration backup saves and a configuration restore puts
//! back. The caches a rescan rebuilds (backups, restore points, external
//! backups) and the session history are left out.

use super::{migrations, Catalog};
use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Configuration tables, parents before children.
const CONFIGURATION: &[&str] = &[
    "settings",
    "credentials",
    "repositories",
    "jobs",
    "external_repositories",
    "protection_groups",
    "group_machines",
    "service_providers",
];

/// Caches of what the repositories say, children before parents.
const CACHES: &[&str] = &["restore_points", "backups", "external_backups"];

/// History, left out of a configuration backup.
const HISTORY: &[&str] = &["session_log", "sessions"];

fn path_text(p: &Path) -> Result<&str> {
    p.to_str()
        .ok_or_else(|| Error::invalid(format!("{} is not a UTF-8 path", p.display())))
}

impl Catalog {
    /// Writes the configuration (no caches, no history) to a new
    /// database file `to`.
    pub fn export_configuration(&self, to: &Path) -> Result<()> {
        self.conn.execute("VACUUM INTO ?1", [path_text(to)?])?;
        let c = Connection::open(to)?;
        for t in CACHES.iter().chain(HISTORY) {
            c.execute(&format!("DELETE FROM {t}"), [])?;
        }
        c.execute_batch("VACUUM")?;
        Ok(())
    }

    /// True when this catalog holds nothing a user set up besides
    /// repositories: no job and no credential.
    pub fn has_jobs_or_credentials(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM jobs) + (SELECT COUNT(*) FROM credentials)",
            [],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Replaces this catalog's configuration with the one in `from` (a
    /// file [`Catalog::export_configuration`] wrote, by this or an older
    /// Cairn; it is brought to this schema first), in one transaction.
    /// The caches are emptied for a rescan to fill; sessions stay.
    pub fn import_configuration(&self, from: &Path) -> Result<()> {
        {
            let mut c = Connection::open(from)?;
            migrations::migrate(&mut c, from)?;
        }
        self.conn
            .execute("ATTACH DATABASE ?1 AS restored", [path_text(from)?])?;
        let copied = self.replace_from_restored();
        let detached = self.conn.execute("DETACH DATABASE restored", []);
        copied?;
        detached?;
        Ok(())
    }

    /// Points the default repository at another folder.
    pub fn set_default_repository_location(&self, location: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE repositories SET location = ?1 WHERE is_default = 1",
            [location],
        )?;
        Ok(())
    }

    fn replace_from_restored(&self) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for t in CACHES.iter().chain(CONFIGURATION.iter().rev()) {
            tx.execute(&format!("DELETE FROM main.{t}"), [])?;
        }
        for t in CONFIGURATION {
            tx.execute(
                &format!("INSERT INTO main.{t} SELECT * FROM restored.{t}"),
                [],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
