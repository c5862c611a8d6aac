//! Sessions (job runs, restores, system tasks) and their logs.

use super::{now, Catalog};
use crate::error::Result;
use cairn_model::api::SessionLogLine;
use cairn_model::{LogLevel, SessionKind, SessionResult, SessionRow};
use rusqlite::{params, Row};

/// One line of a session log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogLine {
    /// Unix seconds.
    pub time: i64,
    /// Info, warning or error.
    pub level: LogLevel,
    /// The message.
    pub message: String,
}

fn kind_str(k: SessionKind) -> &'static str {
    match k {
        SessionKind::Backup => "backup",
        SessionKind::BackupCopy => "backup_copy",
        SessionKind::Restore => "restore",
        SessionKind::System => "system",
    }
}

fn kind_from(s: &str) -> SessionKind {
    match s {
        "backup_copy" => SessionKind::BackupCopy,
        "restore" => SessionKind::Restore,
        "system" => SessionKind::System,
        _ => SessionKind::Backup,
    }
}

pub(crate) fn result_str(r: SessionResult) -> &'static str {
    match r {
        SessionResult::Success => "success",
        SessionResult::Warning => "warning",
        SessionResult::Failed => "failed",
    }
}

pub(crate) fn result_from(s: &str) -> Option<SessionResult> {
    match s {
        "success" => Some(SessionResult::Success),
        "warning" => Some(SessionResult::Warning),
        "failed" => Some(SessionResult::Failed),
        _ => None,
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    let result: Option<String> = r.get(3)?;
    Ok(SessionRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: kind_from(&r.get::<_, String>(2)?),
        result: result.as_deref().and_then(result_from),
        started: r.get(4)?,
        ended: r.get(5)?,
        progress: r.get(6)?,
        details: r.get(7)?,
    })
}

const COLUMNS: &str = "id, name, kind, result, started, ended, progress, details";

/// Sessions starting and ending in this process, and commits of other
/// processes on the same database, numbered, for whoever waits on them
/// (the window's status bar and lists).
#[derive(Debug, Default)]
pub struct SessionEvents {
    changes: std::sync::Mutex<u64>,
    changed: std::sync::Condvar,
    /// The database's `data_version` last seen: it moves when another
    /// connection (the CLI, a daemon) commits.
    others: std::sync::Mutex<Option<i64>>,
}

impl SessionEvents {
    /// Counts a change when another process has committed since the last
    /// look at `data_version` (the first look only remembers it).
    pub fn note_data_version(&self, version: i64) {
        let Ok(mut last) = self.others.lock() else {
            return;
        };
        let moved = last.is_some_and(|l| l != version);
        *last = Some(version);
        drop(last);
        if moved {
            self.bump();
        }
    }

    fn bump(&self) {
        if let Ok(mut n) = self.changes.lock() {
            *n += 1;
            self.changed.notify_all();
        }
    }

    /// Waits until a change after `seen`, or `timeout`; the newest number.
    pub fn wait_after(&self, seen: u64, timeout: std::time::Duration) -> u64 {
        let Ok(n) = self.changes.lock() else {
            return seen;
        };
        match self.changed.wait_timeout_while(n, timeout, |n| *n <= seen) {
            Ok((n, _)) => *n,
            Err(_) => seen,
        }
    }
}

impl Catalog {
    /// SQLite's `data_version`: it changes when another connection commits.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Records the start of a session and returns its id.
    pub fn start_session(&self, job_id: Option<i64>, name: &str, kind: SessionKind) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO sessions(job_id, name, kind, started, pid, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                job_id,
                name,
                kind_str(kind),
                now(),
                std::process::id(),
                cairn_core::time::hostname()
            ],
        )?;
        let id = self.conn().last_insert_rowid();
        self.session_events().bump();
        Ok(id)
    }

    /// Appends a log line to a session.
    pub fn log(&self, session: i64, level: LogLevel, message: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO session_log(session_id, time, level, message) VALUES (?1, ?2, ?3, ?4)",
            params![session, now(), level.word(), message],
        )?;
        Ok(())
    }

    /// Updates the progress of a running session.
    pub fn session_progress(&self, session: i64, percent: u8) -> Result<()> {
        self.conn().execute(
            "UPDATE sessions SET progress = ?2 WHERE id = ?1",
            params![session, percent],
        )?;
        Ok(())
    }

    /// Records the end of a session.
    pub fn finish_session(&self, session: i64, result: SessionResult, details: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE sessions SET result = ?2, ended = ?3, progress = 100, details = ?4 WHERE id = ?1",
            params![session, result_str(result), now(), details],
        )?;
        self.session_events().bump();
        Ok(())
    }

    /// Sessions started at or after `since`, newest first.
    pub fn sessions_since(&self, since: i64) -> Result<Vec<SessionRow>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE started >= ?1 ORDER BY started DESC, id DESC"
        ))?;
        let rows = st.query_map([since], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sessions still running, newest first.
    pub fn running_sessions(&self) -> Result<Vec<SessionRow>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE ended IS NULL ORDER BY started DESC"
        ))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The log of a session in order.
    pub fn session_log(&self, session: i64) -> Result<Vec<LogLine>> {
        let mut st = self.conn().prepare(
            "SELECT time, level, message FROM session_log WHERE session_id = ?1 ORDER BY rowid",
        )?;
        let rows = st.query_map([session], |r| {
            Ok(LogLine {
                time: r.get(0)?,
                level: LogLevel::from_word(&r.get::<_, String>(1)?),
                message: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Last result and start time of a job's newest finished session.
    pub fn last_job_result(&self, job_id: i64) -> Result<Option<(SessionResult, i64)>> {
        let mut st = self.conn().prepare(
            "SELECT result, started FROM sessions WHERE job_id = ?1 AND result IS NOT NULL
             ORDER BY started DESC, id DESC LIMIT 1",
        )?;
        let mut rows = st.query([job_id])?;
        if let Some(r) = rows.next()? {
            let res: String = r.get(0)?;
            let started: i64 = r.get(1)?;
            return Ok(result_from(&res).map(|x| (x, started)));
        }
        Ok(None)
    }

    /// One session.
    pub fn session(&self, id: i64) -> Result<SessionRow> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"),
                [id],
                from_row,
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    crate::Error::not_found(format!("there is no session {id}"))
                }
                e => e.into(),
            })
    }

    /// Log lines of a session after line `after` (0 = from the start).
    pub fn session_log_after(&self, session: i64, after: i64) -> Result<Vec<SessionLogLine>> {
        let mut st = self.conn().prepare(
            "SELECT rowid, time, level, message FROM session_log
             WHERE session_id = ?1 AND rowid > ?2 ORDER BY rowid",
        )?;
        let rows = st.query_map(params![session, after], |r| {
            Ok(SessionLogLine {
                id: r.get(0)?,
                time: r.get(1)?,
                level: LogLevel::from_word(&r.get::<_, String>(2)?),
                message: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest session of a job.
    pub fn last_job_session(&self, job_id: i64) -> Result<Option<i64>> {
        let mut st = self.conn().prepare(
            "SELECT id FROM sessions WHERE job_id = ?1 ORDER BY started DESC, id DESC LIMIT 1",
        )?;
        let mut rows = st.query([job_id])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// Closes sessions of this computer whose process is gone: they were
    /// interrupted (the restore point they were writing was never made
    /// visible). Returns how many.
    pub fn close_interrupted_sessions(&self) -> Result<usize> {
        if !std::path::Path::new("/proc/self").exists() {
            return Ok(0);
        }
        let host = cairn_core::time::hostname();
        let mut st = self.conn().prepare(
            "SELECT id, pid FROM sessions WHERE ended IS NULL AND host = ?1 AND pid IS NOT NULL",
        )?;
        let rows: Vec<(i64, u32)> = st
            .query_map([&host], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut n = 0;
        for (id, pid) in rows {
            if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            {
                let msg = "Interrupted: the process running this session ended (crash, power loss or kill); no restore point was kept from it";
                self.log(id, LogLevel::Error, msg)?;
                self.finish_session(id, SessionResult::Failed, msg)?;
                n += 1;
            }
        }
        Ok(n)
    }
}
