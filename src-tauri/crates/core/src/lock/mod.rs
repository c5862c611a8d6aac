//! One writer per repository: a lock object under `locks/` with a lease
//! that its holder refreshes. Taking it is safe on object storage whose
//! listings lag behind writes: a writer writes its lock, waits longer than
//! the storage's list-after-write delay, then lists; the lowest
//! (created, id) wins, and a winner that still sees a contender waits once
//! more, so two writers never both proceed. A holder re-checks its lock
//! (see `guard`) before every destructive step and before a manifest.
//! Readers never lock.

mod guard;
mod holder;

pub use guard::Guarded;

use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::time::{hostname, now};
use holder::{Holder, Lease};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Seconds a lease lasts without a refresh.
pub const LEASE_SECS: i64 = 300;
/// Seconds another host's clock may differ from ours: its lease counts as
/// ended only this long after the `expires` it wrote.
pub const SKEW_SECS: i64 = 120;

/// How a lock is taken and kept; `Timing::of` gives the defaults for a
/// storage, tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Wait between writing the lock and listing (longer than the
    /// storage's list-after-write delay).
    pub settle: Duration,
    /// Lease written into the lock.
    pub lease: Duration,
    /// How often the holder rewrites its lock.
    pub refresh_every: Duration,
}

impl Timing {
    /// The defaults on this storage.
    pub fn of(storage: &dyn Storage) -> Self {
        Self {
            settle: storage.list_settle(),
            lease: Duration::from_secs(LEASE_SECS as u64),
            refresh_every: Duration::from_secs(60),
        }
    }
}

/// What a lock object holds (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LockFile {
    id: String,
    host: String,
    pid: u32,
    /// Boot id and PID namespace of the holder: a process id is only
    /// checked for liveness where both match ours.
    #[serde(default)]
    machine: String,
    purpose: String,
    created: i64,
    expires: i64,
}

impl LockFile {
    fn order(&self) -> (i64, &str) {
        (self.created, &self.id)
    }
}

/// A lock found under `locks/`: readable, or held by someone whose lock we
/// cannot read (which counts as held: we cannot tell when it ends).
#[derive(Debug)]
enum Found {
    Live(LockFile),
    Unreadable(String),
}

/// A held writer lock; dropping it releases the lock.
pub struct WriterLock {
    holder: Arc<Holder>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

/// The live locks under `locks/` other than `mine`; locks whose holder is
/// gone are deleted on the way.
fn others(storage: &dyn Storage, mine: Option<&str>) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    for o in storage.list("locks/")? {
        let Some(id) = o.key.strip_prefix("locks/") else {
            continue;
        };
        if Some(id) == mine {
            continue;
        }
        let raw = match storage.get_at_most(&o.key, crate::format::MAX_SMALL_OBJECT) {
            Ok(raw) => raw,
            Err(e) if e.kind() == cairn_model::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        match serde_json::from_slice::<LockFile>(&raw) {
            Ok(l) if holder::ended(&l) => {
                // A dead holder's lease: clear it so it never blocks again.
                let _ = storage.delete(&o.key);
            }
            Ok(l) => out.push(Found::Live(l)),
            Err(_) => out.push(Found::Unreadable(o.key)),
        }
    }
    Ok(out)
}

fn busy(repo_name: &str, found: &Found) -> Error {
    match found {
        Found::Live(l) => Error::conflict(format!(
            "repository {repo_name} is in use by {} on {} (process {}) since {}; try again when it finishes",
            l.purpose,
            l.host,
            l.pid,
            crate::time::point_time_label(l.created)
        )),
        Found::Unreadable(key) => Error::conflict(format!(
            "repository {repo_name} has a lock Cairn cannot read ({key}); it counts as held. \
             If no other program writes to this repository, delete that object and try again"
        )),
    }
}

/// Whether a contender `found` beats `mine`: unreadable locks always do.
fn beats(found: &Found, mine: &LockFile) -> bool {
    match found {
        Found::Live(l) => l.order() < mine.order(),
        Found::Unreadable(_) => true,
    }
}

impl WriterLock {
    /// Takes the lock, waiting while another writer holds it (`on_busy`
    /// hears once who); `cancel` ends the wait.
    pub fn acquire_waiting(
        storage: Arc<dyn Storage>,
        repo_name: &str,
        purpose: &str,
        cancel: &crate::progress::CancelToken,
        on_busy: &mut dyn FnMut(&str),
    ) -> Result<Self> {
        let mut told = false;
        loop {
            match Self::acquire(storage.clone(), repo_name, purpose) {
                Err(e) if e.kind() == cairn_model::ErrorKind::Conflict => {
                    if !told {
                        on_busy(&e.message());
                        told = true;
                    }
                    // A little jitter, so two writers that backed off
                    // together do not meet again.
                    let waits = 16 + rand::random::<u8>() % 8;
                    for _ in 0..waits {
                        cancel.check()?;
                        std::thread::sleep(Duration::from_millis(250));
                    }
                }
                other => return other,
            }
        }
    }

    /// Takes the lock or explains who holds it.
    pub fn acquire(storage: Arc<dyn Storage>, repo_name: &str, purpose: &str) -> Result<Self> {
        let timing = Timing::of(&*storage);
        Self::acquire_with(storage, repo_name, purpose, timing)
    }

    /// Takes the lock with the given timing.
    pub fn acquire_with(
        storage: Arc<dyn Storage>,
        repo_name: &str,
        purpose: &str,
        timing: Timing,
    ) -> Result<Self> {
        if let Some(found) = others(&*storage, None)?.first() {
            return Err(busy(repo_name, found));
        }
        let id = crate::format::random_id();
        let mine = LockFile {
            id: id.clone(),
            host: hostname(),
            pid: std::process::id(),
            machine: holder::machine(),
            purpose: purpose.to_string(),
            created: now(),
            expires: now() + timing.lease.as_secs() as i64,
        };
        let holder = Arc::new(Holder::new(storage, repo_name, mine, timing));
        holder.write_lock()?;
        if let Err(e) = Self::settle(&holder) {
            holder.release();
            return Err(e);
        }
        let refresher = Some(Lease::keep(holder.clone()));
        Ok(Self { holder, refresher })
    }

    /// Waits out the list-after-write delay and decides the race: a lower
    /// contender wins; a higher one gets one more settle interval to see
    /// us and back off.
    fn settle(holder: &Holder) -> Result<()> {
        let mine = holder.file();
        for round in 0..2 {
            std::thread::sleep(holder.timing().settle);
            let found = others(holder.storage(), Some(&mine.id))?;
            if let Some(winner) = found.iter().find(|f| beats(f, mine)) {
                return Err(busy(holder.repo_name(), winner));
            }
            match found.first() {
                None => return Ok(()),
                Some(f) if round == 1 => return Err(busy(holder.repo_name(), f)),
                Some(_) => continue,
            }
        }
        Ok(())
    }

    /// The repository with its storage guarded by this lock: deletes and
    /// restore point writes first confirm that the lock is still ours.
    pub fn guard(&self, repo: &crate::repo::Repository) -> crate::repo::Repository {
        repo.with_storage(Arc::new(Guarded::new(
            repo.storage().clone(),
            self.holder.clone(),
        )))
    }

    /// Fails when the lock is no longer certainly ours: a refresh has not
    /// succeeded for most of a lease, our lock object is gone, or another
    /// writer's lock beats ours.
    pub fn confirm(&self) -> Result<()> {
        self.holder.confirm()
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        self.holder.stop();
        if let Some(h) = self.refresher.take() {
            h.thread().unpark();
            let _ = h.join();
        }
        self.holder.release();
    }
}

#[cfg(test)]
mod tests;
