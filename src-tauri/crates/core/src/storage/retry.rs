//! Repeats requests that failed for a passing reason. Backends mark such
//! failures with [`crate::Error::transient`] (a dropped connection, a
//! timeout, throttling, a server error); everything else (not found,
//! access denied, a locked object, corrupt data) passes straight through on
//! the first answer. Waits grow exponentially with jitter, and the number
//! of attempts is bounded, so a dead service fails in seconds, not hours.

use super::{ObjectInfo, ReadStorage, Storage};
use crate::error::Result;
use std::sync::Arc;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub first_wait: Duration,
    /// No wait grows beyond this.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_wait: Duration::from_millis(200),
            max_wait: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `n + 1` (n ≥ 1): `first_wait · 2^(n-1)`,
    /// capped, with up to half of it taken off at random so that many
    /// writers do not retry in step.
    pub fn wait(&self, n: u32) -> Duration {
        let base = self
            .first_wait
            .saturating_mul(1u32 << (n.saturating_sub(1)).min(16))
            .min(self.max_wait);
        let jitter = rand::random::<f64>() * 0.5;
        base.mul_f64(1.0 - jitter)
    }

    /// Runs `op` until it succeeds, fails permanently, or the attempts
    /// are used up; the last error is returned.
    pub fn run<T>(&self, mut op: impl FnMut() -> Result<T>) -> Result<T> {
        let mut n = 1;
        loop {
            match op() {
                Err(e) if e.is_transient() && n < self.attempts.max(1) => {
                    std::thread::sleep(self.wait(n));
                    n += 1;
                }
                other => return other,
            }
        }
    }
}

/// Retries the transient failures of the storage it wraps.
pub struct RetryStorage {
    inner: Arc<dyn Storage>,
    policy: RetryPolicy,
}

impl RetryStorage {
    /// Wraps a storage with a retry policy.
    pub fn new(inner: Arc<dyn Storage>, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }
}

impl ReadStorage for RetryStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.policy.run(|| self.inner.get(key))
    }
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        self.policy.run(|| self.inner.get_at_most(key, max))
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        self.policy.run(|| self.inner.get_range(key, offset, len))
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        self.policy.run(|| self.inner.list(prefix))
    }
    fn exists(&self, key: &str) -> Result<bool> {
        self.policy.run(|| self.inner.exists(key))
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        self.policy.run(|| self.inner.prepare_read(keys))
    }
}

impl Storage for RetryStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        // Puts are atomic and idempotent, so repeating one is safe.
        self.policy.run(|| self.inner.put(key, data))
    }
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.policy.run(|| self.inner.put_hot(key, data))
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.policy.run(|| self.inner.delete(key))
    }
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        self.policy.run(|| self.inner.usage())
    }
    fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        self.policy.run(|| self.inner.locked_until(key))
    }
    fn preferred_pack_size(&self) -> u32 {
        self.inner.preferred_pack_size()
    }
    fn list_settle(&self) -> std::time::Duration {
        self.inner.list_settle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;
    use crate::Error;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            first_wait: Duration::from_millis(1),
            max_wait: Duration::from_millis(4),
        }
    }

    #[test]
    fn transient_failures_are_retried_until_they_pass() {
        let calls = AtomicU32::new(0);
        let out = quick(4).run(|| {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(Error::storage("connection reset").transient())
            } else {
                Ok(7)
            }
        });
        assert_eq!(out.expect("third attempt passes"), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn attempts_are_bounded_and_the_last_error_is_kept() {
        let calls = AtomicU32::new(0);
        let out: Result<()> = quick(3).run(|| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Err(Error::storage(format!("timeout {n}")).transient())
        });
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(out.expect_err("fails").message(), "timeout 2");
    }

    #[test]
    fn permanent_failures_pass_straight_through() {
        let calls = AtomicU32::new(0);
        let out: Result<()> = quick(5).run(|| {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Error::not_found("no such object"))
        });
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let s = RetryStorage::new(Arc::new(MemoryStorage::new()), quick(5));
        assert_eq!(
            s.get("missing").expect_err("missing").kind(),
            cairn_model::ErrorKind::NotFound
        );
    }

    #[test]
    fn waits_grow_and_stay_capped() {
        let p = RetryPolicy {
            attempts: 10,
            first_wait: Duration::from_millis(100),
            max_wait: Duration::from_millis(400),
        };
        for _ in 0..20 {
            let w1 = p.wait(1);
            assert!(w1 >= Duration::from_millis(50) && w1 <= Duration::from_millis(100));
            let w3 = p.wait(3);
            assert!(w3 >= Duration::from_millis(200) && w3 <= Duration::from_millis(400));
            assert!(p.wait(9) <= Duration::from_millis(400));
        }
    }
}
