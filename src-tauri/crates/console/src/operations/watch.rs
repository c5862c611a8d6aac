//! Following a session as it runs: the session window gets new counters
//! and log lines as the run's sink produces them, and the end, after which
//! the stream stops. A session of this process wakes its watchers through
//! its [`super::runs::Live`] (every session this process starts has one:
//! job runs, restores, rescans); a session another process runs (the
//! daemon, a command line) is read from the catalog every half second.
//! A watch also ends when its window says so ([`Console::unwatch_session`]).

use super::Console;
use crate::error::Result;
use cairn_model::api::SessionEvent;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Delivers one event; false when nobody listens any more.
pub type SessionWatcher = Box<dyn Fn(SessionEvent) -> bool + Send>;

/// How long a watch waits for a change before it checks it is still wanted.
const WAIT: Duration = Duration::from_secs(2);
/// How often a session of another process is read.
const POLL: Duration = Duration::from_millis(500);

impl Console {
    /// Streams session `id` to `send` from a background thread until it
    /// ends, `send` reports that the window stopped listening, or the
    /// returned watch id is unwatched. The session must exist.
    pub fn watch_session(self: &Arc<Self>, id: i64, send: SessionWatcher) -> Result<u64> {
        self.catalog()?.session(id)?;
        let watch = self.runs.next_watch.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut w) = self.runs.watches.lock() {
            w.insert(watch);
        }
        let me = self.clone();
        std::thread::Builder::new()
            .name(format!("watch session {id}"))
            .spawn(move || {
                me.follow(id, watch, &send);
                me.unwatch_session(watch);
            })
            .map_err(|e| crate::Error::internal("cannot start a worker thread").caused_by(e))?;
        Ok(watch)
    }

    /// Ends a watch (its session window closed); unknown ids are ignored.
    pub fn unwatch_session(&self, watch: u64) {
        if let Ok(mut w) = self.runs.watches.lock() {
            w.remove(&watch);
        }
    }

    /// The number of watches running, for tests and the status.
    pub fn watches(&self) -> usize {
        self.runs.watches.lock().map(|w| w.len()).unwrap_or(0)
    }

    fn wanted(&self, watch: u64) -> bool {
        self.runs
            .watches
            .lock()
            .map(|w| w.contains(&watch))
            .unwrap_or(false)
    }

    fn follow(&self, id: i64, watch: u64, send: &SessionWatcher) {
        let mut last_line = 0i64;
        let mut last_progress = None;
        let mut last_tasks = Vec::new();
        while self.wanted(watch) {
            let live = self.live(id);
            let seen = live.as_ref().map(|l| l.version());
            let Ok(d) = self.session_details(id, last_line) else {
                return;
            };
            if let Some(l) = d.log.last() {
                last_line = l.id;
            }
            let mut listening = true;
            if !d.log.is_empty() {
                listening &= send(SessionEvent::Log { lines: d.log });
            }
            if d.progress.is_some() && d.progress != last_progress {
                last_progress = d.progress.clone();
                if let Some(progress) = d.progress {
                    listening &= send(SessionEvent::Progress { progress });
                }
            }
            if d.tasks != last_tasks {
                last_tasks = d.tasks.clone();
                listening &= send(SessionEvent::Tasks { tasks: d.tasks });
            }
            if d.row.ended.is_some() {
                send(SessionEvent::Finished { row: d.row });
                return;
            }
            if !listening {
                return;
            }
            match (live, seen) {
                (Some(l), Some(seen)) => l.wait_change(seen, WAIT),
                _ => std::thread::sleep(POLL),
            }
        }
    }
}
