//! Storage seen through a held writer lock: before anything is deleted,
//! and before a restore point or backup metadata is written, the holder
//! confirms the lock is still its own. A writer that lost its lock (a
//! lease it could not renew, a lock removed by someone else) stops before
//! it can harm another writer's work.

use super::holder::Holder;
use crate::error::Result;
use crate::storage::{ObjectInfo, ReadStorage, Storage};
use std::sync::Arc;
use std::time::Duration;

/// Storage whose destructive writes are guarded by a writer lock.
pub struct Guarded {
    inner: Arc<dyn Storage>,
    holder: Arc<Holder>,
}

impl Guarded {
    pub(super) fn new(inner: Arc<dyn Storage>, holder: Arc<Holder>) -> Self {
        Self { inner, holder }
    }

    /// Restore points and backup metadata make a run visible: check with a
    /// fresh listing. Deletes and prune marks: a listing a few seconds old
    /// is enough (prune deletes many objects in a row).
    fn check_before_put(&self, key: &str) -> Result<()> {
        if key.starts_with("snapshots/") || key.starts_with("backups/") {
            self.holder.check(true)
        } else if key.starts_with("prune/") {
            self.holder.check(false)
        } else {
            Ok(())
        }
    }
}

impl ReadStorage for Guarded {
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
        self.inner.describe()
    }
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        self.inner.prepare_read(keys)
    }
}

impl Storage for Guarded {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        self.check_before_put(key)?;
        self.inner.put(key, data)
    }
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.check_before_put(key)?;
        self.inner.put_hot(key, data)
    }
    fn delete(&self, key: &str) -> Result<()> {
        if !key.starts_with("locks/") {
            self.holder.check(false)?;
        }
        self.inner.delete(key)
    }
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        self.inner.usage()
    }
    fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        self.inner.locked_until(key)
    }
    fn preferred_pack_size(&self) -> u32 {
        self.inner.preferred_pack_size()
    }
    fn list_settle(&self) -> Duration {
        self.inner.list_settle()
    }
}
