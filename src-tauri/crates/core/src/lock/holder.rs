//! The holder's side of a writer lock: its lock object, the lease it keeps
//! alive, and the check that the lock is still ours.

use super::{beats, busy, others, LockFile, Timing, SKEW_SECS};
use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::time::{hostname, now};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A throttled listing re-check is at most this old before a delete.
pub(super) const RECHECK_EVERY: Duration = Duration::from_secs(5);

/// One held lock.
pub(super) struct Holder {
    storage: Arc<dyn Storage>,
    repo_name: String,
    file: LockFile,
    timing: Timing,
    stopped: AtomicBool,
    /// When the lock object was last written successfully.
    refreshed: Mutex<Instant>,
    /// When a listing last confirmed the lock.
    listed: Mutex<Option<Instant>>,
}

impl Holder {
    pub(super) fn new(
        storage: Arc<dyn Storage>,
        repo_name: &str,
        file: LockFile,
        timing: Timing,
    ) -> Self {
        Self {
            storage,
            repo_name: repo_name.to_string(),
            file,
            timing,
            stopped: AtomicBool::new(false),
            refreshed: Mutex::new(Instant::now()),
            listed: Mutex::new(None),
        }
    }

    pub(super) fn storage(&self) -> &dyn Storage {
        &*self.storage
    }
    pub(super) fn repo_name(&self) -> &str {
        &self.repo_name
    }
    pub(super) fn file(&self) -> &LockFile {
        &self.file
    }
    pub(super) fn timing(&self) -> Timing {
        self.timing
    }
    fn key(&self) -> String {
        format!("locks/{}", self.file.id)
    }

    /// Writes the lock object with a fresh lease.
    pub(super) fn write_lock(&self) -> Result<()> {
        let mut l = self.file.clone();
        l.expires = now() + self.timing.lease.as_secs() as i64;
        let body = serde_json::to_vec(&l).map_err(|e| Error::internal(e.to_string()))?;
        self.storage.put(&self.key(), &body)?;
        *self.refreshed.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(())
    }

    pub(super) fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub(super) fn release(&self) {
        let _ = self.storage.delete(&self.key());
    }

    /// The lock is ours unless a refresh has failed for most of a lease
    /// (others may soon take it as ended), or a listing shows our lock
    /// gone or beaten. `fresh` forces the listing; otherwise one that is
    /// a few seconds old is enough.
    pub(super) fn check(&self, fresh: bool) -> Result<()> {
        let since = self
            .refreshed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed();
        let limit = self.timing.lease.saturating_sub(self.timing.refresh_every);
        if since > limit {
            return Err(self.lost(&format!(
                "its lease could not be renewed for {} s",
                since.as_secs()
            )));
        }
        let mut listed = self.listed.lock().unwrap_or_else(|p| p.into_inner());
        if !fresh && listed.is_some_and(|t| t.elapsed() < RECHECK_EVERY) {
            return Ok(());
        }
        if !self.storage.exists(&self.key())? {
            return Err(self.lost("its lock object was removed by someone else"));
        }
        let found = others(&*self.storage, Some(&self.file.id))?;
        if let Some(winner) = found.iter().find(|f| beats(f, &self.file)) {
            return Err(self.lost(&busy(&self.repo_name, winner).message()));
        }
        *listed = Some(Instant::now());
        Ok(())
    }

    pub(super) fn confirm(&self) -> Result<()> {
        self.check(true)
    }

    fn lost(&self, why: &str) -> Error {
        Error::conflict(format!(
            "stopped before changing repository {}: this writer no longer holds its lock ({why}); \
             nothing more was written, run it again",
            self.repo_name
        ))
    }
}

/// The thread that keeps a lease alive; a failed refresh is retried every
/// few seconds, and `Holder::check` notices when it keeps failing.
pub(super) struct Lease;

impl Lease {
    pub(super) fn keep(holder: Arc<Holder>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let tick = (holder.timing.refresh_every / 12).max(Duration::from_millis(10));
            let mut last = Instant::now();
            while !holder.stopped.load(Ordering::Relaxed) {
                std::thread::park_timeout(tick);
                if last.elapsed() >= holder.timing.refresh_every && holder.write_lock().is_ok() {
                    last = Instant::now();
                }
            }
        })
    }
}

/// True when a lock no longer holds: its lease ended (by the holder's own
/// `expires`, plus a margin for clock skew), or its holder process is gone
/// from this very machine (same host, boot and PID namespace).
pub(super) fn ended(l: &LockFile) -> bool {
    if l.expires.saturating_add(SKEW_SECS) < now() {
        return true;
    }
    let here = l.host == hostname() && !l.machine.is_empty() && l.machine == machine();
    here && !process_alive(l.pid)
}

/// This machine's boot and PID namespace, so a holder's process id is only
/// judged where it means the same process. Read once per process.
pub(super) fn machine() -> String {
    static MACHINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MACHINE.get_or_init(read_machine).clone()
}

fn read_machine() -> String {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let ns = std::fs::read_link("/proc/self/ns/pid")
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    if boot.trim().is_empty() || ns.is_empty() {
        return String::new();
    }
    format!("{}/{ns}", boot.trim())
}

/// True when a process with this id runs in this PID namespace; a zombie
/// (killed, not yet reaped by its parent) holds nothing.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (name) S …": the state follows the last parenthesis.
    let state = stat
        .rsplit(')')
        .next()
        .and_then(|rest| rest.trim_start().chars().next());
    !matches!(state, Some('Z') | Some('X'))
}
