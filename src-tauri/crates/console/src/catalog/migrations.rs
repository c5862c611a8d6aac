//! Versioned schema migrations, tracked in SQLite's `user_version`.

use crate::error::{Error, Result};
use cairn_model::ErrorKind;
use rusqlite::{Connection, TransactionBehavior};

/// Each entry upgrades the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE repositories (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind           TEXT NOT NULL,
        location       TEXT NOT NULL,
        settings       TEXT NOT NULL DEFAULT '{}',
        description    TEXT NOT NULL DEFAULT '',
        is_default     INTEGER NOT NULL DEFAULT 0,
        immutable_days INTEGER,
        created        INTEGER NOT NULL
    );
    CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind          TEXT NOT NULL,
        repository_id INTEGER NOT NULL REFERENCES repositories(id),
        settings      TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        enabled       INTEGER NOT NULL DEFAULT 1,
        next_run      INTEGER,
        created       INTEGER NOT NULL
    );
    CREATE TABLE backups (
        repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
        backup_id     TEXT NOT NULL,
        job_name      TEXT NOT NULL,
        machine       TEXT NOT NULL,
        platform      TEXT NOT NULL,
        encrypted     INTEGER NOT NULL,
        location      TEXT NOT NULL,
        PRIMARY KEY (repository_id, backup_id)
    );
    CREATE TABLE restore_points (
        repository_id INTEGER NOT NULL,
        backup_id     TEXT NOT NULL,
        point_id      TEXT NOT NULL,
        time          INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        size          INTEGER NOT NULL,
        gfs           TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (repository_id, backup_id, point_id),
        FOREIGN KEY (repository_id, backup_id)
            REFERENCES backups(repository_id, backup_id) ON DELETE CASCADE
    );
    CREATE TABLE sessions (
        id       INTEGER PRIMARY KEY,
        job_id   INTEGER,
        name     TEXT NOT NULL,
        kind     TEXT NOT NULL,
        result   TEXT,
        started  INTEGER NOT NULL,
        ended    INTEGER,
        progress INTEGER NOT NULL DEFAULT 0,
        details  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_started ON sessions(started);
    CREATE TABLE session_log (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        time       INTEGER NOT NULL,
        level      TEXT NOT NULL,
        message    TEXT NOT NULL
    );
    CREATE INDEX session_log_session ON session_log(session_id);
    CREATE TABLE external_repositories (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind        TEXT NOT NULL,
        bucket      TEXT NOT NULL,
        folder      TEXT NOT NULL DEFAULT '',
        settings    TEXT NOT NULL DEFAULT '{}',
        owner       TEXT NOT NULL DEFAULT '',
        last_rescan INTEGER,
        backups     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE protection_groups (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind        TEXT NOT NULL,
        settings    TEXT NOT NULL DEFAULT '{}',
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE service_providers (
        id          INTEGER PRIMARY KEY,
        host        TEXT NOT NULL,
        port        INTEGER NOT NULL,
        settings    TEXT NOT NULL DEFAULT '{}',
        description TEXT NOT NULL DEFAULT ''
    );
    "#,
    // 1 → 2: credentials (secrets live in the OS keyring; this holds references).
    r#"
    CREATE TABLE credentials (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind        TEXT NOT NULL,
        identity    TEXT NOT NULL DEFAULT '',
        secret_ref  TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        hint        TEXT NOT NULL DEFAULT '',
        edited      INTEGER NOT NULL
    );
    "#,
    // 2 → 3: which process runs a session, to close sessions whose process
    // died (crash, power loss, kill) instead of showing them running forever.
    r#"
    ALTER TABLE sessions ADD COLUMN pid INTEGER;
    ALTER TABLE sessions ADD COLUMN host TEXT NOT NULL DEFAULT '';
    "#,
    // 3 → 4: external repositories gain what the Connect wizard and rescans
    // record, and a cache of the backups a rescan found (with the ETag of
    // each backup's metadata object, so unchanged ones are not read again).
    r#"
    ALTER TABLE external_repositories ADD COLUMN description TEXT NOT NULL DEFAULT '';
    ALTER TABLE external_repositories ADD COLUMN password_name TEXT;
    ALTER TABLE external_repositories ADD COLUMN restore_points INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE external_repositories ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
    CREATE TABLE external_backups (
        external_id INTEGER NOT NULL REFERENCES external_repositories(id) ON DELETE CASCADE,
        backup_id   TEXT NOT NULL,
        etag        TEXT NOT NULL,
        keyset      TEXT NOT NULL,
        encrypted   INTEGER NOT NULL,
        meta        TEXT NOT NULL,
        PRIMARY KEY (external_id, backup_id)
    );
    "#,
    // 4 → 5: backups whose metadata this console cannot open yet (an
    // encrypted backup found by a rescan before its password was given).
    r#"
    ALTER TABLE backups ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5 → 6: the machines of cloud-machine protection groups, each with its
    // queue and the keyring entry of the key its agent's messages carry.
    r#"
    ALTER TABLE protection_groups ADD COLUMN last_rescan INTEGER;
    CREATE TABLE group_machines (
        group_id      INTEGER NOT NULL REFERENCES protection_groups(id) ON DELETE CASCADE,
        machine_id    TEXT NOT NULL,
        name          TEXT NOT NULL,
        platform      TEXT NOT NULL,
        region        TEXT NOT NULL,
        state         TEXT NOT NULL,
        queue_url     TEXT NOT NULL DEFAULT '',
        key_ref       TEXT NOT NULL DEFAULT '',
        agent_version TEXT NOT NULL DEFAULT '',
        last_seen     INTEGER,
        last_backup   INTEGER,
        PRIMARY KEY (group_id, machine_id)
    );
    "#,
    // 6 → 7: one task per machine of a session of a cloud-machines job.
    r#"
    CREATE TABLE session_tasks (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        status     TEXT NOT NULL,
        percent    INTEGER,
        files      INTEGER NOT NULL DEFAULT 0,
        processed  INTEGER NOT NULL DEFAULT 0,
        detail     TEXT NOT NULL DEFAULT '',
        started    INTEGER,
        ended      INTEGER,
        PRIMARY KEY (session_id, name)
    );
    "#,
    // 7 → 8: what an installed agent is (its package's SHA-256), how the
    // console reaches it, and why its last install or command failed.
    r#"
    ALTER TABLE group_machines ADD COLUMN agent_build TEXT NOT NULL DEFAULT '';
    ALTER TABLE group_machines ADD COLUMN channel TEXT NOT NULL DEFAULT 'queue';
    ALTER TABLE group_machines ADD COLUMN problem TEXT NOT NULL DEFAULT '';
    "#,
];

/// The schema version this program writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the database up to [`SCHEMA_VERSION`], each step in a
/// transaction that takes the write lock before it reads the version, so
/// two processes opening an old database at once upgrade it once.
/// A database written by a newer Cairn is refused and left untouched.
pub fn migrate(conn: &mut Connection, file: &std::path::Path) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(newer(file, current));
        }
        let Some(sql) = MIGRATIONS.get(current as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}

fn newer(file: &std::path::Path, current: u32) -> Error {
    Error::new(
        ErrorKind::Incompatible,
        format!(
            "the configuration database {} was written by a newer Cairn (schema {current}, \
             this program understands up to {SCHEMA_VERSION}); install the newer Cairn or \
             point --data-dir at another folder",
            file.display()
        ),
    )
}
