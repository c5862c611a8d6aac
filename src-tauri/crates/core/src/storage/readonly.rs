//! The view the console has of an external repository: every read goes
//! through, every write is refused except the ownership marker, and the
//! requests made are counted (rescans report them).

use super::{ObjectInfo, ReadStorage, Storage};
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The only object the console may write into an external repository.
pub const OWNER_KEY: &str = "owner";

/// Read-only, request-counting storage around an external repository.
pub struct ExternalStorage {
    inner: Arc<dyn Storage>,
    requests: AtomicU64,
}

impl ExternalStorage {
    /// Wraps the storage of an external repository.
    pub fn new(inner: Arc<dyn Storage>) -> Self {
        Self {
            inner,
            requests: AtomicU64::new(0),
        }
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    fn refuse(&self, what: &str, key: &str) -> Error {
        Error::invalid(format!(
            "refused to {what} {key} in external repository {}: external repositories are read-only for the console",
            self.inner.describe()
        ))
    }
}

impl ReadStorage for ExternalStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.count();
        self.inner.get(key)
    }
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        self.count();
        self.inner.get_at_most(key, max)
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        self.count();
        self.inner.get_range(key, offset, len)
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let out = self.inner.list(prefix)?;
        // A listing answers up to 1,000 keys per request.
        self.requests
            .fetch_add(1 + out.len() as u64 / 1000, Ordering::Relaxed);
        Ok(out)
    }
    fn exists(&self, key: &str) -> Result<bool> {
        self.count();
        self.inner.exists(key)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        self.inner.prepare_read(keys)
    }
}

impl Storage for ExternalStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        if key != OWNER_KEY {
            return Err(self.refuse("write", key));
        }
        self.count();
        self.inner.put(key, data)
    }
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.put(key, data)
    }
    fn delete(&self, key: &str) -> Result<()> {
        Err(self.refuse("delete", key))
    }
    fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        self.inner.locked_until(key)
    }
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        self.inner.usage()
    }
    fn preferred_pack_size(&self) -> u32 {
        self.inner.preferred_pack_size()
    }
    fn list_settle(&self) -> std::time::Duration {
        self.inner.list_settle()
    }
}
