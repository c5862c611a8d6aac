use super::*;
use crate::storage::{LocalStorage, ObjectInfo, ReadStorage};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

fn local(dir: &std::path::Path) -> Arc<dyn Storage> {
    Arc::new(LocalStorage::open(dir, true).expect("open"))
}

fn plant(s: &dyn Storage, id: &str, f: impl FnOnce(&mut LockFile)) {
    let mut l = LockFile {
        id: id.into(),
        host: "elsewhere".into(),
        pid: 1,
        machine: String::new(),
        purpose: "planted".into(),
        created: now(),
        expires: now() + LEASE_SECS,
    };
    f(&mut l);
    s.put(
        &format!("locks/{id}"),
        &serde_json::to_vec(&l).expect("json"),
    )
    .expect("put");
}

fn quick() -> Timing {
    Timing {
        settle: Duration::ZERO,
        lease: Duration::from_secs(LEASE_SECS as u64),
        refresh_every: Duration::from_secs(60),
    }
}

#[test]
fn a_second_writer_is_refused_until_the_first_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    let a = WriterLock::acquire(s.clone(), "R", "backup A").expect("first");
    let err = WriterLock::acquire(s.clone(), "R", "backup B")
        .err()
        .expect("second writer must be refused");
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
    let s = local(dir.path());
    plant(&*s, "y", |l| {
        l.host = hostname();
        l.machine = holder::machine();
        l.pid = u32::MAX - 1;
    });
    WriterLock::acquire(s, "R", "backup").expect("dead holder ignored");
}

#[test]
fn a_killed_holder_not_yet_reaped_does_not_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    // A child that exits and stays a zombie until we wait for it.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let pid = child.id();
    let zombie = |stat: &str| {
        stat.rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
    };
    while !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| zombie(&s)) {
        std::thread::sleep(Duration::from_millis(5));
    }
    plant(&*s, "z", |l| {
        l.host = hostname();
        l.machine = holder::machine();
        l.pid = pid;
    });
    WriterLock::acquire(s, "R", "backup").expect("a zombie holds no lock");
    child.wait().expect("reap");
}

#[test]
fn the_same_host_name_in_another_pid_namespace_is_not_taken_for_dead() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    plant(&*s, "y", |l| {
        l.host = hostname();
        l.machine = "another-boot/pid:[1]".into();
        l.pid = u32::MAX - 1;
    });
    let err = WriterLock::acquire(s, "R", "backup").err().expect("held");
    assert!(
        err.message().contains("in use by planted"),
        "{}",
        err.message()
    );
}

#[test]
fn another_hosts_lease_ends_only_after_the_skew_margin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    plant(&*s, "x", |l| l.expires = now() - 10);
    WriterLock::acquire(s.clone(), "R", "backup")
        .err()
        .expect("a lease just past its end may be a clock ahead of theirs");
    plant(&*s, "x", |l| l.expires = now() - SKEW_SECS - 1);
    WriterLock::acquire(s.clone(), "R", "backup").expect("expired lease ignored");
    assert!(!s.exists("locks/x").expect("exists"));
}

#[test]
fn an_unreadable_lock_counts_as_held() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    s.put("locks/garbage", b"\x00not json").expect("put");
    let err = WriterLock::acquire(s.clone(), "R", "backup")
        .err()
        .expect("held");
    assert!(
        err.message().contains("cannot read (locks/garbage)"),
        "{}",
        err.message()
    );
    assert!(s.exists("locks/garbage").expect("exists"), "never deleted");
}

/// A store whose listings show a lock object only `delay` after it was
/// written, as some S3-compatible stores do.
struct LateListing {
    inner: Arc<dyn Storage>,
    delay: Duration,
    written: Mutex<HashMap<String, Instant>>,
}

impl ReadStorage for LateListing {
    fn get(&self, key: &str) -> crate::Result<Vec<u8>> {
        self.inner.get(key)
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> crate::Result<Vec<u8>> {
        self.inner.get_range(key, offset, len)
    }
    fn list(&self, prefix: &str) -> crate::Result<Vec<ObjectInfo>> {
        let written = self.written.lock().expect("map");
        let visible = |o: &ObjectInfo| {
            written
                .get(&o.key)
                .is_none_or(|t| t.elapsed() >= self.delay)
        };
        Ok(self
            .inner
            .list(prefix)?
            .into_iter()
            .filter(visible)
            .collect())
    }
    fn exists(&self, key: &str) -> crate::Result<bool> {
        self.inner.exists(key)
    }
    fn describe(&self) -> String {
        "late listing".into()
    }
}

impl Storage for LateListing {
    fn put(&self, key: &str, data: &[u8]) -> crate::Result<()> {
        let first = self.written.lock().expect("map").contains_key(key);
        self.inner.put(key, data)?;
        if !first {
            self.written
                .lock()
                .expect("map")
                .insert(key.into(), Instant::now());
        }
        Ok(())
    }
    fn delete(&self, key: &str) -> crate::Result<()> {
        self.inner.delete(key)
    }
    fn list_settle(&self) -> Duration {
        self.delay * 2
    }
}

#[test]
fn two_writers_racing_on_a_store_that_lists_late_never_both_hold() {
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let s: Arc<dyn Storage> = Arc::new(LateListing {
            inner: local(dir.path()),
            delay: Duration::from_millis(200),
            written: Mutex::new(HashMap::new()),
        });
        let start = Arc::new(std::sync::Barrier::new(2));
        let racers: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|who| {
                let (s, start) = (s.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let lock = WriterLock::acquire(s, "R", who);
                    // Hold a while so a loser's late success would overlap.
                    std::thread::sleep(Duration::from_millis(600));
                    lock.is_ok()
                })
            })
            .collect();
        let won = racers
            .into_iter()
            .map(|r| r.join().expect("racer"))
            .filter(|won| *won)
            .count();
        assert_eq!(won, 1, "exactly one of two racing writers holds the lock");
    }
}

#[test]
fn a_writer_whose_lock_was_removed_neither_deletes_nor_writes_a_restore_point() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = local(dir.path());
    let repo = crate::repo::Repository::init(s.clone(), "R", "test").expect("init");
    let lock = WriterLock::acquire_with(s.clone(), "R", "prune", quick()).expect("lock");
    let guarded = lock.guard(&repo);
    guarded
        .storage()
        .put("snapshots/b/p", b"x")
        .expect("held: writes");
    for o in s.list("locks/").expect("list") {
        s.delete(&o.key).expect("someone else clears it");
    }
    let err = guarded
        .storage()
        .put("snapshots/b/q", b"x")
        .expect_err("lost");
    assert!(
        err.message().contains("no longer holds its lock"),
        "{}",
        err.message()
    );
    std::thread::sleep(super::holder::RECHECK_EVERY);
    let err = guarded.storage().delete("snapshots/b/p").expect_err("lost");
    assert!(
        err.message().contains("removed by someone else"),
        "{}",
        err.message()
    );
    assert!(s.exists("snapshots/b/p").expect("exists"));
}

#[test]
fn a_lease_that_cannot_be_renewed_stops_the_writer_before_it_changes_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inner = local(dir.path());
    let faulty = Arc::new(crate::storage::faulty::FaultyStorage::new(inner.clone(), 2));
    let timing = Timing {
        settle: Duration::ZERO,
        lease: Duration::from_millis(600),
        refresh_every: Duration::from_millis(200),
    };
    let lock = WriterLock::acquire_with(faulty, "R", "backup", timing).expect("first write ok");
    lock.confirm().expect("fresh");
    std::thread::sleep(Duration::from_millis(700));
    let err = lock.confirm().expect_err("every refresh failed");
    assert!(
        err.message().contains("could not be renewed"),
        "{}",
        err.message()
    );
}

#[test]
fn the_writer_lock_guard_conforms_to_the_storage_contract() {
    let locks = Mutex::new(Vec::new());
    crate::storage::testing::assert_wrapper_conforms("writer lock guard", false, |inner| {
        let lock =
            WriterLock::acquire_with(inner.clone(), "R", "conformance", quick()).expect("lock");
        let guarded = Arc::new(Guarded::new(inner, lock.holder.clone()));
        locks.lock().expect("locks").push(lock);
        guarded
    });
}
