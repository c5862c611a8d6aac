//! One writer per repository: a lock object under `locks/` with a lease
//! that its holder refreshes; a lease that ran out (its holder died) no
//! longer blocks. Readers never lock.

use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::time::{hostname, now};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Seconds a lease lasts without a refresh.
pub const LEASE_SECS: i64 = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LockFile {
    id: String,
    host: String,
    pid: u32,
    purpose: String,
    created: i64,
    expires: i64,
}

/// A held writer lock; dropping it releases the lock.
pub struct WriterLock {
    storage: Arc<dyn Storage>,
    key: String,
    stop: Arc<AtomicBool>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

fn live_locks(storage: &dyn Storage) -> Result<Vec<(String, LockFile)>> {
    let mut out = Vec::new();
    for o in storage.list("locks/")? {
        let Ok(raw) = storage.get(&o.key) else {
            continue;
        };
        let Ok(l) = serde_json::from_slice::<LockFile>(&raw) else {
            continue;
        };
        let holder_dead = l.host == hostname() && !process_alive(l.pid);
        if l.expires > now() && !holder_dead {
            out.push((o.key, l));
        } else {
            // A dead holder's lease: clear it so it never blocks again.
            let _ = storage.delete(&o.key);
        }
    }
    Ok(out)
}

/// True when a process with this id runs on this machine.
/// Without /proc (not Linux) every holder counts as alive until its lease ends.
fn process_alive(pid: u32) -> bool {
    let proc_fs = std::path::Path::new("/proc/self").exists();
    !proc_fs || pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists()
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
                    for _ in 0..20 {
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
        let busy = |l: &LockFile| {
            Error::conflict(format!(
                "repository {repo_name} is in use by {} on {} (process {}) since {}; try again when it finishes",
                l.purpose, l.host, l.pid, crate::time::point_time_label(l.created)
            ))
        };
        if let Some((_, l)) = live_locks(&*storage)?.first() {
            return Err(busy(l));
        }
        let id = crate::format::random_id();
        let mine = LockFile {
            id: id.clone(),
            host: hostname(),
            pid: std::process::id(),
            purpose: purpose.to_string(),
            created: now(),
            expires: now() + LEASE_SECS,
        };
        let key = format!("locks/{id}");
        let body = serde_json::to_vec(&mine).map_err(|e| Error::internal(e.to_string()))?;
        storage.put(&key, &body)?;
        // Two writers that raced: the older lock (then the smaller id) wins.
        let others: Vec<LockFile> = live_locks(&*storage)?
            .into_iter()
            .map(|(_, l)| l)
            .filter(|l| l.id != id)
            .collect();
        if let Some(winner) = others
            .iter()
            .find(|l| (l.created, &l.id) < (mine.created, &mine.id))
        {
            let _ = storage.delete(&key);
            return Err(busy(winner));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, st2, k2) = (stop.clone(), storage.clone(), key.clone());
        let refresher = std::thread::spawn(move || {
            let mut last = std::time::Instant::now();
            while !s2.load(Ordering::Relaxed) {
                std::thread::park_timeout(Duration::from_secs(5));
                if last.elapsed() >= Duration::from_secs(60) {
                    let mut l = mine.clone();
                    l.expires = now() + LEASE_SECS;
                    if let Ok(b) = serde_json::to_vec(&l) {
                        let _ = st2.put(&k2, &b);
                    }
                    last = std::time::Instant::now();
                }
            }
        });
        Ok(Self {
            storage,
            key,
            stop,
            refresher: Some(refresher),
        })
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.refresher.take() {
            h.thread().unpark();
            let _ = h.join();
        }
        let _ = self.storage.delete(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LocalStorage;

    #[test]
    fn a_second_writer_is_refused_until_the_first_releases() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s: Arc<dyn Storage> = Arc::new(LocalStorage::open(dir.path(), true).expect("open"));
        let a = WriterLock::acquire(s.clone(), "R", "backup A").expect("first");
        let err = match WriterLock::acquire(s.clone(), "R", "backup B") {
            Ok(_) => panic!("second writer must be refused"),
            Err(e) => e,
        };
        assert!(
            err.message().contains("in use by backup A"),
            "{}",
            err.message()
        );
        drop(a);
        WriterLock::acquire(s, "R", "backup B").expect("free again");
    }

    #[test]
    fn a_lock_of_a_dead_process_on_this_machine_does_not_block() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s: Arc<dyn Storage> = Arc::new(LocalStorage::open(dir.path(), true).expect("open"));
        let dead = LockFile {
            id: "y".into(),
            host: hostname(),
            pid: u32::MAX - 1,
            purpose: "killed".into(),
            created: now(),
            expires: now() + 300,
        };
        s.put("locks/y", &serde_json::to_vec(&dead).expect("json"))
            .expect("put");
        WriterLock::acquire(s, "R", "backup").expect("dead holder ignored");
    }

    #[test]
    fn an_expired_lease_does_not_block() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s: Arc<dyn Storage> = Arc::new(LocalStorage::open(dir.path(), true).expect("open"));
        let dead = LockFile {
            id: "x".into(),
            host: "h".into(),
            pid: 1,
            purpose: "dead".into(),
            created: 0,
            expires: now() - 1,
        };
        s.put("locks/x", &serde_json::to_vec(&dead).expect("json"))
            .expect("put");
        WriterLock::acquire(s.clone(), "R", "backup").expect("expired lease ignored");
        assert!(!s.exists("locks/x").expect("exists"));
    }
}
