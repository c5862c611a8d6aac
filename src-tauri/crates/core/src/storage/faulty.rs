//! A storage wrapper for tests that fails on purpose: the Nth write, or
//! every write after it, so interrupted backups can be proven harmless.

use super::{ObjectInfo, ReadStorage, Storage};
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Wraps a storage and fails writes from the `fail_from`-th one on (1-based).
pub struct FaultyStorage {
    inner: Arc<dyn Storage>,
    fail_from: usize,
    writes: AtomicUsize,
}

impl FaultyStorage {
    /// Fails every write from the `fail_from`-th on.
    pub fn new(inner: Arc<dyn Storage>, fail_from: usize) -> Self {
        Self {
            inner,
            fail_from,
            writes: AtomicUsize::new(0),
        }
    }
    /// Writes attempted so far.
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

impl ReadStorage for FaultyStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.inner.get(key)
    }
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        self.inner.get_at_most(key, max)
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        self.inner.get_range(key, offset, len)
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        self.inner.list(prefix)
    }
    fn exists(&self, key: &str) -> Result<bool> {
        self.inner.exists(key)
    }
    fn describe(&self) -> String {
        format!("faulty {}", self.inner.describe())
    }
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        self.inner.prepare_read(keys)
    }
}

impl Storage for FaultyStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= self.fail_from {
            return Err(Error::storage(format!(
                "injected failure writing {key} (write {n})"
            )));
        }
        self.inner.put(key, data)
    }
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n >= self.fail_from {
            return Err(Error::storage(format!(
                "injected failure writing {key} (write {n})"
            )));
        }
        self.inner.put_hot(key, data)
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.inner.delete(key)
    }
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        self.inner.usage()
    }
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        self.inner.locked_until(key)
    }
    fn preferred_pack_size(&self) -> u32 {
        self.inner.preferred_pack_size()
    }
    fn list_settle(&self) -> std::time::Duration {
        self.inner.list_settle()
    }
    fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }
}
