//! The storage conformance suite: one contract, checked the same way for
//! every backend (local, memory, S3, Azure) and every wrapper (read-only
//! external, retry, faulty). Each check has a name; a run reports every
//! check that failed, with its reason.
//!
//! A wrapper that forgets to pass a method on falls back to the trait's
//! default answer. [`assert_wrapper_conforms`] catches that: it wraps an
//! in-memory store that answers every defaulted method differently from
//! the defaults (locked objects, archived data, a quota, its own pack size
//! and concurrency) and expects the wrapper to give the same answers.

use super::{MemoryBehaviour, MemoryStorage, Storage, OWNER_KEY};
use crate::error::Result;
use cairn_model::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

/// What the storage under test should answer where backends differ.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Writes go through the storage under test (false for read-only
    /// wrappers: objects are then seeded through the inner storage).
    pub read_only: bool,
    /// New data objects are locked (Object Lock, immutability policies).
    pub locks: bool,
    /// Data objects are archived and `prepare_read` reports them waiting.
    pub archive: bool,
    /// `usage` knows the bytes used.
    pub knows_used: bool,
    /// `usage` knows the bytes free.
    pub knows_free: bool,
    /// The pack size the storage prefers.
    pub pack_size: u32,
    /// How many requests it allows at once, when that is fixed.
    pub concurrency: Option<usize>,
    /// How long its listings may lag a write, when that is fixed.
    pub list_settle: Option<Duration>,
}

/// The storage a run checks.
pub struct Subject<'a> {
    /// The storage whose answers are checked.
    pub store: &'a dyn Storage,
    /// Where the checks write the objects they read back: the store
    /// itself, or for a read-only wrapper the storage it wraps. It must
    /// start empty.
    pub seed: &'a dyn Storage,
    /// What it should answer.
    pub expect: Expect,
}

type Check = fn(&Subject) -> std::result::Result<(), String>;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("put_then_get", put_then_get),
    ("range_get", range_get),
    ("list_by_prefix", list_by_prefix),
    ("delete_of_a_missing_object_succeeds", delete_missing),
    ("delete_removes", delete_removes),
    ("overwrite_is_atomic", overwrite_is_atomic),
    ("missing_objects_are_not_found", missing_is_not_found),
    ("large_objects", large_objects),
    ("capped_get_refuses_larger_objects", capped_get),
    ("concurrent_puts", concurrent_puts),
    ("prepare_read", prepare_read),
    ("hot_puts_are_never_archived", hot_puts_are_never_archived),
    ("locked_until", locked_until),
    ("usage", usage),
    ("preferred_pack_size", preferred_pack_size),
    ("concurrency", concurrency),
    ("list_settle", list_settle),
    ("read_only_refuses_writes", read_only_refuses_writes),
];

/// Runs every check; returns `(check, reason)` for each that failed.
pub fn run(s: &Subject) -> Vec<(&'static str, String)> {
    CHECKS
        .iter()
        .filter_map(|(name, check)| check(s).err().map(|why| (*name, why)))
        .collect()
}

/// Runs every check and panics with the list of failures.
pub fn assert_conforms(name: &str, s: &Subject) {
    let failed = run(s);
    assert!(
        failed.is_empty(),
        "{name} fails the storage contract:\n{}",
        failed
            .iter()
            .map(|(c, why)| format!("  {c}: {why}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The in-memory store [`assert_wrapper_conforms`] wraps: every defaulted
/// method answers something a default would not.
pub fn distinctive_memory() -> MemoryStorage {
    MemoryStorage::with_behaviour(MemoryBehaviour {
        lock_secs: Some(3600),
        archive_data: true,
        capacity: Some(1 << 40),
        pack_size: Some(3 * 1024 * 1024),
        concurrency: Some(7),
        list_settle: Some(DISTINCTIVE_SETTLE),
    })
}

/// The listing lag of [`distinctive_memory`]: neither the default nor zero.
const DISTINCTIVE_SETTLE: Duration = Duration::from_millis(250);

/// Checks a wrapper: `wrap` gets a distinctive in-memory store, and the
/// wrapper must conform with that store's answers.
pub fn assert_wrapper_conforms(
    name: &str,
    read_only: bool,
    wrap: impl Fn(Arc<dyn Storage>) -> Arc<dyn Storage>,
) {
    let expect = Expect {
        read_only,
        locks: true,
        archive: true,
        knows_used: true,
        knows_free: true,
        pack_size: 3 * 1024 * 1024,
        concurrency: Some(7),
        list_settle: Some(DISTINCTIVE_SETTLE),
    };
    assert_wrapper_over(name, Arc::new(distinctive_memory()), expect, wrap);
}

/// Checks `wrap(inner)` against what `inner` answers (`expect`). Writes go
/// through the wrapper, unless it is read-only: then they go to `inner`.
pub fn assert_wrapper_over(
    name: &str,
    inner: Arc<dyn Storage>,
    expect: Expect,
    wrap: impl Fn(Arc<dyn Storage>) -> Arc<dyn Storage>,
) {
    let store = wrap(inner.clone());
    let seed = if expect.read_only { &inner } else { &store };
    assert_conforms(
        name,
        &Subject {
            store: store.as_ref(),
            seed: seed.as_ref(),
            expect,
        },
    );
}

fn ensure(ok: bool, why: impl FnOnce() -> String) -> std::result::Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

fn step<T>(what: &str, r: Result<T>) -> std::result::Result<T, String> {
    r.map_err(|e| format!("{what}: {}", e.message()))
}

/// Bytes that differ at every offset, so a wrong range shows.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

/// A key that is never locked, so it can be rewritten and deleted on
/// immutable storage too.
fn mutable(name: &str) -> String {
    format!("locks/conformance-{name}")
}

fn put_then_get(s: &Subject) -> std::result::Result<(), String> {
    let data = pattern(1000, 1);
    step("put", s.seed.put("conf/put-get", &data))?;
    let got = step("get", s.store.get("conf/put-get"))?;
    ensure(got == data, || {
        format!("get returned {} other bytes", got.len())
    })?;
    ensure(step("exists", s.store.exists("conf/put-get"))?, || {
        "exists says false after a put".into()
    })
}

fn range_get(s: &Subject) -> std::result::Result<(), String> {
    let data = pattern(10_000, 2);
    step("put", s.seed.put("conf/range", &data))?;
    for (off, len) in [(0u64, 1u64), (123, 4567), (9_990, 10)] {
        let got = step("range get", s.store.get_range("conf/range", off, len))?;
        let want = &data[off as usize..(off + len) as usize];
        ensure(got == want, || {
            format!("range {off}+{len} returned {} wrong bytes", got.len())
        })?;
    }
    Ok(())
}

fn list_by_prefix(s: &Subject) -> std::result::Result<(), String> {
    for (k, n) in [("conf/l/b/c", 3), ("conf/l/a", 1), ("conf/l2/d", 4)] {
        step("put", s.seed.put(k, &pattern(n, 3)))?;
    }
    let got = step("list", s.store.list("conf/l/"))?;
    let keys: Vec<(&str, u64)> = got.iter().map(|o| (o.key.as_str(), o.size)).collect();
    ensure(keys == [("conf/l/a", 1), ("conf/l/b/c", 3)], || {
        format!("list(\"conf/l/\") gave {keys:?}: want nested keys in order, not conf/l2")
    })?;
    ensure(got.iter().all(|o| !o.etag.is_empty()), || {
        "a listed object has no etag".into()
    })?;
    let all = step("list", s.store.list("conf/l"))?;
    ensure(all.len() == 3, || {
        format!(
            "list(\"conf/l\") gave {} objects, want 3 (a plain prefix)",
            all.len()
        )
    })
}

fn delete_missing(s: &Subject) -> std::result::Result<(), String> {
    if s.expect.read_only {
        return Ok(());
    }
    step("delete", s.store.delete(&mutable("never-written")))
}

fn delete_removes(s: &Subject) -> std::result::Result<(), String> {
    if s.expect.read_only {
        return Ok(());
    }
    let key = mutable("delete");
    step("put", s.store.put(&key, b"x"))?;
    step("delete", s.store.delete(&key))?;
    ensure(!step("exists", s.store.exists(&key))?, || {
        "the object still exists after delete".into()
    })
}

fn overwrite_is_atomic(s: &Subject) -> std::result::Result<(), String> {
    let key = mutable("overwrite");
    let (v1, v2) = (pattern(300_000, 4), pattern(200_001, 5));
    step("put", s.seed.put(&key, &v1))?;
    let seen = std::thread::scope(|sc| {
        let reader = sc.spawn(|| {
            (0..20)
                .map(|_| s.store.get(&key).map_err(|e| e.message().into_owned()))
                .collect::<Vec<_>>()
        });
        for i in 0..6 {
            let _ = s.seed.put(&key, if i % 2 == 0 { &v2 } else { &v1 });
        }
        reader.join().unwrap_or_default()
    });
    for r in seen {
        let got = r?;
        ensure(got == v1 || got == v2, || {
            format!(
                "a read during overwrites saw {} bytes of neither version",
                got.len()
            )
        })?;
    }
    step("put", s.seed.put(&key, &v2))?;
    ensure(step("get", s.store.get(&key))? == v2, || {
        "get after the last overwrite is not the last version".into()
    })
}

fn missing_is_not_found(s: &Subject) -> std::result::Result<(), String> {
    let kind = |r: Result<Vec<u8>>| r.err().map(|e| e.kind());
    ensure(
        kind(s.store.get("conf/missing")) == Some(ErrorKind::NotFound),
        || "get of a missing object is not a NotFound error".into(),
    )?;
    ensure(
        kind(s.store.get_range("conf/missing", 0, 1)) == Some(ErrorKind::NotFound),
        || "range get of a missing object is not a NotFound error".into(),
    )?;
    ensure(!step("exists", s.store.exists("conf/missing"))?, || {
        "exists says true for a missing object".into()
    })
}

fn large_objects(s: &Subject) -> std::result::Result<(), String> {
    // Above the 16 MiB at which the cloud backends switch to parts.
    let data = pattern(17 * 1024 * 1024 + 5, 6);
    step("put", s.seed.put("conf/large", &data))?;
    ensure(step("get", s.store.get("conf/large"))? == data, || {
        "a 17 MiB object came back different".into()
    })?;
    let off = 8 * 1024 * 1024 - 10;
    let got = step("range get", s.store.get_range("conf/large", off, 20))?;
    ensure(got == data[off as usize..off as usize + 20], || {
        "a range across a part boundary came back different".into()
    })
}

fn capped_get(s: &Subject) -> std::result::Result<(), String> {
    // Larger than the cloud backends' download chunks.
    let data = pattern(3 * 1024 * 1024 + 7, 8);
    step("put", s.seed.put("conf/capped", &data))?;
    let got = step(
        "get_at_most",
        s.store.get_at_most("conf/capped", data.len() as u64),
    )?;
    ensure(got == data, || {
        "an object at its cap came back different".into()
    })?;
    match s.store.get_at_most("conf/capped", 1024 * 1024) {
        Ok(d) => Err(format!(
            "an object over its cap was read ({} bytes)",
            d.len()
        )),
        Err(e)
            if e.kind() == cairn_model::ErrorKind::Corrupt && e.message().contains("too large") =>
        {
            Ok(())
        }
        Err(e) => Err(format!(
            "an object over its cap failed with {e}, want \"too large\""
        )),
    }
}

fn concurrent_puts(s: &Subject) -> std::result::Result<(), String> {
    let errors: Vec<String> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..12)
            .map(|i| sc.spawn(move || s.seed.put(&format!("conf/par/{i:02}"), &pattern(i + 1, 7))))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.message().into_owned()),
                Err(_) => Some("a writer panicked".into()),
            })
            .collect()
    });
    ensure(errors.is_empty(), || {
        format!("concurrent puts failed: {errors:?}")
    })?;
    let got = step("list", s.store.list("conf/par/"))?;
    let ok = got.len() == 12 && got.iter().enumerate().all(|(i, o)| o.size == i as u64 + 1);
    ensure(ok, || {
        format!("after 12 concurrent puts, list shows {} objects", got.len())
    })
}

fn prepare_read(s: &Subject) -> std::result::Result<(), String> {
    step("put", s.seed.put("data/conf-archived", b"cold"))?;
    let asked = vec!["data/conf-archived".to_string()];
    let waiting = step("prepare_read", s.store.prepare_read(&asked))?;
    ensure(waiting.iter().all(|k| asked.contains(k)), || {
        format!("prepare_read reported keys it was not asked for: {waiting:?}")
    })?;
    ensure(waiting.is_empty() != s.expect.archive, || {
        format!(
            "prepare_read reported {} waiting object(s); archived data: {}",
            waiting.len(),
            s.expect.archive
        )
    })
}

fn hot_puts_are_never_archived(s: &Subject) -> std::result::Result<(), String> {
    if s.expect.read_only {
        return Ok(());
    }
    step("hot put", s.store.put_hot("data/conf-hot", b"tree"))?;
    let asked = vec!["data/conf-hot".to_string()];
    let waiting = step("prepare_read", s.store.prepare_read(&asked))?;
    ensure(waiting.is_empty(), || {
        "an object written with put_hot is archived: trees must stay readable".into()
    })?;
    ensure(
        step("get", s.store.get("data/conf-hot"))? == b"tree",
        || "a hot put came back different".into(),
    )
}

fn locked_until(s: &Subject) -> std::result::Result<(), String> {
    step("put", s.seed.put("data/conf-locked", b"kept"))?;
    let until = step("locked_until", s.store.locked_until("data/conf-locked"))?;
    if s.expect.locks {
        ensure(until.is_some_and(|u| u > crate::time::now()), || {
            format!("a new data object on immutable storage reports lock {until:?}")
        })?;
    } else {
        ensure(until.is_none(), || {
            format!("an object reports lock {until:?}")
        })?;
    }
    step("put", s.seed.put(&mutable("lock"), b"x"))?;
    let lock = step("locked_until", s.store.locked_until(&mutable("lock")))?;
    ensure(lock.is_none(), || "a lock file is locked".into())
}

fn usage(s: &Subject) -> std::result::Result<(), String> {
    step("put", s.seed.put("conf/usage", &pattern(4096, 8)))?;
    let (used, free) = step("usage", s.store.usage())?;
    ensure(used.is_some() == s.expect.knows_used, || {
        format!(
            "usage says used {used:?}; knows used: {}",
            s.expect.knows_used
        )
    })?;
    ensure(used.is_none_or(|u| u >= 4096), || {
        format!("usage says {used:?} bytes used after a 4 KiB put")
    })?;
    ensure(free.is_some() == s.expect.knows_free, || {
        format!(
            "usage says free {free:?}; knows free: {}",
            s.expect.knows_free
        )
    })
}

fn preferred_pack_size(s: &Subject) -> std::result::Result<(), String> {
    let got = s.store.preferred_pack_size();
    ensure(got == s.expect.pack_size, || {
        format!("preferred pack size {got}, want {}", s.expect.pack_size)
    })
}

fn concurrency(s: &Subject) -> std::result::Result<(), String> {
    let got = s.store.concurrency();
    ensure(got >= 1, || "concurrency 0".into())?;
    ensure(s.expect.concurrency.is_none_or(|c| c == got), || {
        format!("concurrency {got}, want {:?}", s.expect.concurrency)
    })
}

fn list_settle(s: &Subject) -> std::result::Result<(), String> {
    let got = s.store.list_settle();
    ensure(got <= Duration::from_secs(30), || {
        format!("list settle {got:?}: a lock would wait that long")
    })?;
    ensure(s.expect.list_settle.is_none_or(|want| want == got), || {
        format!("list settle {got:?}, want {:?}", s.expect.list_settle)
    })
}

fn read_only_refuses_writes(s: &Subject) -> std::result::Result<(), String> {
    if !s.expect.read_only {
        return Ok(());
    }
    ensure(s.store.put("conf/written", b"x").is_err(), || {
        "a read-only storage accepted a put".into()
    })?;
    ensure(s.store.put_hot("conf/written", b"x").is_err(), || {
        "a read-only storage accepted a hot put".into()
    })?;
    step("put", s.seed.put("conf/kept", b"x"))?;
    ensure(s.store.delete("conf/kept").is_err(), || {
        "a read-only storage accepted a delete".into()
    })?;
    ensure(!step("exists", s.seed.exists("conf/written"))?, || {
        "a refused put reached the storage".into()
    })?;
    step("owner put", s.store.put(OWNER_KEY, b"{}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::faulty::FaultyStorage;
    use crate::storage::{ExternalStorage, LocalStorage, RetryPolicy, RetryStorage};

    #[test]
    fn local_storage_conforms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStorage::open(&dir.path().join("repo"), true).expect("open");
        let expect = Expect {
            knows_used: true,
            knows_free: true,
            pack_size: 8 * 1024 * 1024,
            concurrency: Some(1),
            list_settle: Some(Duration::ZERO),
            ..Expect::default()
        };
        assert_conforms(
            "local",
            &Subject {
                store: &store,
                seed: &store,
                expect,
            },
        );
    }

    #[test]
    fn memory_storage_conforms_plain_and_distinctive() {
        let plain = MemoryStorage::new();
        let expect = Expect {
            knows_used: true,
            pack_size: super::super::DEFAULT_PACK_SIZE,
            concurrency: Some(4),
            list_settle: Some(Duration::ZERO),
            ..Expect::default()
        };
        assert_conforms(
            "memory",
            &Subject {
                store: &plain,
                seed: &plain,
                expect,
            },
        );
        assert_wrapper_conforms("memory (distinctive)", false, |inner| inner);
    }

    #[test]
    fn read_only_external_wrapper_conforms() {
        assert_wrapper_conforms("read-only external", true, |inner| {
            Arc::new(ExternalStorage::new(inner))
        });
    }

    #[test]
    fn faulty_wrapper_conforms_until_it_fails() {
        assert_wrapper_conforms("faulty", false, |inner| {
            Arc::new(FaultyStorage::new(inner, usize::MAX))
        });
    }

    #[test]
    fn retry_wrapper_conforms() {
        assert_wrapper_conforms("retry", false, |inner| {
            Arc::new(RetryStorage::new(inner, RetryPolicy::default()))
        });
    }
}
