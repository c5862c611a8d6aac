//! The catalog: the console's SQLite configuration (repositories, jobs,
//! sessions, external repositories, …) and a cache of what repositories hold
//! (backups and restore points), which a rescan can always rebuild.

mod backups;
mod configuration;
mod credentials;
mod external;
mod groups;
mod jobs;
mod migrations;
mod repositories;
mod sessions;
mod tasks;

pub use backups::{BackupRecord, PointRecord};
pub use credentials::CredentialRecord;
pub use external::{ExternalBackupRecord, ExternalRecord};
pub use groups::{GroupRecord, MachineRecord};
pub use jobs::JobRecord;
pub use migrations::SCHEMA_VERSION;
pub use repositories::RepositoryRecord;
pub use sessions::{LogLine, SessionEvents};

use crate::error::Result;
use cairn_core::time::now;
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// An open configuration database.
pub struct Catalog {
    conn: Connection,
    file: PathBuf,
    events: std::sync::Arc<SessionEvents>,
}

impl Catalog {
    /// Opens (creating if needed) and migrates the database file.
    pub fn open(file: &Path) -> Result<Self> {
        let mut conn = Connection::open(file)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Migrate (or refuse a newer database) before anything writes.
        migrations::migrate(&mut conn, file)?;
        use_write_ahead_log(&conn)?;
        Ok(Self {
            conn,
            file: file.to_path_buf(),
            events: Default::default(),
        })
    }

    /// Sessions starting and ending through this catalog.
    pub fn session_events(&self) -> std::sync::Arc<SessionEvents> {
        self.events.clone()
    }

    /// The database file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Reads a preference.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a preference.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Counts rows of the inventory tables the working area lists.
    pub fn count(&self, table: InventoryTable) -> Result<u32> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Switches the database to write-ahead logging, which lets the window, the
/// scheduler and the CLI read while one of them writes. SQLite takes the
/// exclusive lock this needs without calling the busy handler, so another
/// process opening the same new database at once is waited for here.
fn use_write_ahead_log(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return Ok(other?),
        }
    }
}

/// Tables whose rows can be counted.
#[derive(Debug, Clone, Copy)]
pub enum InventoryTable {
    /// External repositories.
    ExternalRepositories,
    /// Protection groups.
    ProtectionGroups,
    /// Service providers.
    ServiceProviders,
}

impl InventoryTable {
    fn name(self) -> &'static str {
        match self {
            Self::ExternalRepositories => "external_repositories",
            Self::ProtectionGroups => "protection_groups",
            Self::ServiceProviders => "service_providers",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_opening_a_new_database_at_once_migrate_it_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        for round in 0..10 {
            let file = dir.path().join(format!("race-{round}.sqlite"));
            let start = std::sync::Arc::new(std::sync::Barrier::new(6));
            let openers: Vec<_> = (0..6)
                .map(|_| {
                    let (file, start) = (file.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Catalog::open(&file)
                            .map(|_| ())
                            .map_err(|e| e.message().into_owned())
                    })
                })
                .collect();
            for o in openers {
                o.join().expect("opener").expect("every opener succeeds");
            }
        }
    }

    #[test]
    fn migrates_a_new_database_and_reopens_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.sqlite");
        let c = Catalog::open(&file).expect("open");
        c.set_setting("theme", "dark").expect("set");
        drop(c);
        let c = Catalog::open(&file).expect("reopen");
        assert_eq!(c.setting("theme").expect("get").as_deref(), Some("dark"));
        let v: u32 = c
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn refuses_a_newer_database_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.sqlite");
        {
            let conn = Connection::open(&file).expect("open");
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
                .expect("set version");
        }
        let before = std::fs::read(&file).expect("read");
        let err = match Catalog::open(&file) {
            Ok(_) => panic!("a newer database must be refused"),
            Err(e) => e,
        };
        assert_eq!(err.kind(), cairn_model::ErrorKind::Incompatible);
        assert!(err.message().contains("newer Cairn"), "{}", err.message());
        assert_eq!(std::fs::read(&file).expect("read"), before);
    }
}
