//! The per-machine tasks of a session: a cloud-machines job records each
//! machine's share as its agent reports it, the session window shows them.

use super::Catalog;
use crate::error::Result;
use cairn_model::api::{SessionTask, TaskStatus};
use rusqlite::params;

fn status_word(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Pending => "pending",
        TaskStatus::Running => "running",
        TaskStatus::Success => "success",
        TaskStatus::Failed => "failed",
    }
}

fn status_of(word: &str) -> TaskStatus {
    match word {
        "running" => TaskStatus::Running,
        "success" => TaskStatus::Success,
        "failed" => TaskStatus::Failed,
        _ => TaskStatus::Pending,
    }
}

impl Catalog {
    /// Records (or replaces) one task of a session.
    pub fn put_task(&self, session: i64, t: &SessionTask) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO session_tasks(session_id, name, status, percent, files, processed, detail, started, ended)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                session,
                t.name,
                status_word(t.status),
                t.percent,
                t.files as i64,
                t.processed as i64,
                t.detail,
                t.started,
                t.ended
            ],
        )?;
        Ok(())
    }

    /// A session's tasks, by name.
    pub fn tasks(&self, session: i64) -> Result<Vec<SessionTask>> {
        let mut st = self.conn().prepare(
            "SELECT name, status, percent, files, processed, detail, started, ended
             FROM session_tasks WHERE session_id = ?1 ORDER BY name",
        )?;
        let rows = st.query_map(params![session], |r| {
            Ok(SessionTask {
                name: r.get(0)?,
                status: status_of(&r.get::<_, String>(1)?),
                percent: r.get(2)?,
                files: r.get::<_, i64>(3)?.max(0) as u64,
                processed: r.get::<_, i64>(4)?.max(0) as u64,
                detail: r.get(5)?,
                started: r.get(6)?,
                ended: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
