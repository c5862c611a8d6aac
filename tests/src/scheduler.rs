//! Watching the scheduler from outside: `cairn daemon` as a child that is
//! stopped when dropped, a job made due by moving its next run into the
//! past, and the catalog's sessions of a job (results and log lines).

use crate::cli::Cairn;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `cairn daemon`, killed when dropped.
pub struct Daemon(Child);

impl Daemon {
    /// Starts the daemon on `c`'s data folder, its stderr into `log`.
    pub fn start(c: &Cairn, log: &Path, env: &[(&str, &str)]) -> Self {
        let child = Command::new(&c.bin)
            .arg("--data-dir")
            .arg(&c.data)
            .arg("daemon")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("start cairn daemon");
        Self(child)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn catalog(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("cairn.sqlite")).expect("catalog")
}

/// Moves `job`'s next run an hour into the past: the scheduler's next look
/// starts it (as a missed run).
pub fn make_due(data: &Path, job: &str) {
    let an_hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
        - 3600;
    catalog(data)
        .execute(
            "UPDATE jobs SET next_run = ?1 WHERE name = ?2",
            rusqlite::params![an_hour_ago, job],
        )
        .expect("move next run");
}

/// Session log lines of every session of a job, oldest first.
pub fn log_of(data: &Path, job: &str) -> Vec<String> {
    let db = catalog(data);
    let mut st = db
        .prepare(
            "SELECT l.message FROM session_log l JOIN sessions s ON s.id = l.session_id
             WHERE s.name = ?1 ORDER BY l.rowid",
        )
        .expect("query");
    st.query_map([job], |r| r.get::<_, String>(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

/// Results of every session of a job, oldest first ("running" while one runs).
pub fn results_of(data: &Path, job: &str) -> Vec<String> {
    let db = catalog(data);
    let mut st = db
        .prepare("SELECT COALESCE(result, 'running') FROM sessions WHERE name = ?1 ORDER BY id")
        .expect("query");
    st.query_map([job], |r| r.get::<_, String>(0))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect()
}

/// Polls until `f` holds; a scheduler works in minutes, so this waits up to
/// four of them (a guard against hanging, not a speed check).
pub fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}
