//! Following a session as it runs: the session window gets new counters
//! and log lines as the run's sink produces them, and the end, after which
//! the stream stops. A run of this process wakes its watchers through its
//! [`super::runs::Live`]; a session another process runs (the daemon, a
//! command line) is read from the catalog every half second.

use super::Console;
use crate::error::Result;
use cairn_model::api::SessionEvent;
use std::sync::Arc;
use std::time::Duration;

/// Delivers one event; false when nobody listens any more.
pub type SessionWatcher = Box<dyn Fn(SessionEvent) -> bool + Send>;

impl Console {
    /// Streams session `id` to `send` from a background thread until it
    /// ends or `send` reports that the window stopped listening. The
    /// session must exist.
    pub fn watch_session(self: &Arc<Self>, id: i64, send: SessionWatcher) -> Result<()> {
        self.catalog()?.session(id)?;
        let me = self.clone();
        std::thread::Builder::new()
            .name(format!("watch session {id}"))
            .spawn(move || me.follow(id, &send))
            .map_err(|e| crate::Error::internal(format!("cannot start a worker thread: {e}")))?;
        Ok(())
    }

    fn follow(&self, id: i64, send: &SessionWatcher) {
        let mut last_line = 0i64;
        let mut last_progress = None;
        loop {
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
            if d.row.ended.is_some() {
                send(SessionEvent::Finished { row: d.row });
                return;
            }
            if !listening {
                return;
            }
            match (live, seen) {
                (Some(l), Some(seen)) => l.wait_change(seen, Duration::from_secs(2)),
                _ => std::thread::sleep(Duration::from_millis(500)),
            }
        }
    }
}
