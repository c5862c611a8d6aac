//! Objects kept in memory: a complete, fast backend for tests and the
//! conformance suite. It can be told to behave like particular object
//! storage (an Object Lock bucket, an archive storage class, a quota, a
//! pack size), so wrappers can be checked for passing those answers on.

use super::{check_key, ObjectInfo, ReadStorage, Storage};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What a [`MemoryStorage`] reports besides its objects.
#[derive(Debug, Clone, Default)]
pub struct MemoryBehaviour {
    /// Objects written are locked for this many seconds (Object Lock),
    /// except the keys that change in place ([`super::is_mutable_key`]).
    pub lock_secs: Option<i64>,
    /// Data objects (`data/…`) start archived and need `prepare_read`.
    pub archive_data: bool,
    /// Total capacity in bytes; `usage` reports used and free.
    pub capacity: Option<u64>,
    /// Pack size new repositories use (the default when `None`).
    pub pack_size: Option<u32>,
    /// Requests that may run at once (4 when `None`).
    pub concurrency: Option<usize>,
    /// How long a listing may lag a write (none when `None`).
    pub list_settle: Option<std::time::Duration>,
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, (Vec<u8>, u64, Option<i64>)>,
    archived: BTreeSet<String>,
}

/// An in-memory backend.
#[derive(Default)]
pub struct MemoryStorage {
    state: Mutex<State>,
    behaviour: MemoryBehaviour,
    writes: AtomicU64,
}

impl MemoryStorage {
    /// An empty store that behaves like a plain bucket.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store with the given behaviour.
    pub fn with_behaviour(behaviour: MemoryBehaviour) -> Self {
        Self {
            behaviour,
            ..Self::default()
        }
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| Error::internal("the in-memory storage failed earlier"))
    }

    fn missing(key: &str) -> Error {
        Error::not_found(format!("object {key} does not exist in memory storage"))
    }
}

impl ReadStorage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        check_key(key)?;
        let st = self.state()?;
        if st.archived.contains(key) {
            return Err(Error::storage(format!(
                "waiting for retrieval: {key} is archived; call prepare_read first"
            )));
        }
        st.objects
            .get(key)
            .map(|(d, _, _)| d.clone())
            .ok_or_else(|| Self::missing(key))
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        let data = self.get(key)?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let end = usize::try_from(offset.saturating_add(len)).unwrap_or(usize::MAX);
        if end > data.len() || start > end {
            return Err(Error::corrupt(format!(
                "range {offset}+{len} is outside {key} ({} bytes)",
                data.len()
            )));
        }
        Ok(data[start..end].to_vec())
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let st = self.state()?;
        Ok(st
            .objects
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, (d, gen, _))| ObjectInfo {
                key: k.clone(),
                size: d.len() as u64,
                etag: format!("m{gen}"),
            })
            .collect())
    }
    fn exists(&self, key: &str) -> Result<bool> {
        check_key(key)?;
        Ok(self.state()?.objects.contains_key(key))
    }
    fn describe(&self) -> String {
        "in-memory storage".into()
    }
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        let mut st = self.state()?;
        let mut waiting = Vec::new();
        for k in keys {
            // The first request starts the retrieval; the next one finds it done.
            if st.archived.remove(k) {
                waiting.push(k.clone());
            }
        }
        Ok(waiting)
    }
}

impl Storage for MemoryStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        check_key(key)?;
        let now = crate::time::now();
        let mut st = self.state()?;
        if let Some((_, _, Some(until))) = st.objects.get(key) {
            if *until > now {
                return Err(Error::storage(format!("{key} is locked until {until}")));
            }
        }
        let gen = self.writes.fetch_add(1, Ordering::Relaxed);
        let lock = match self.behaviour.lock_secs {
            Some(s) if !super::is_mutable_key(key) => Some(now + s),
            _ => None,
        };
        st.objects
            .insert(key.to_string(), (data.to_vec(), gen, lock));
        if self.behaviour.archive_data && key.starts_with("data/") {
            st.archived.insert(key.to_string());
        }
        Ok(())
    }
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.put(key, data)?;
        self.state()?.archived.remove(key);
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        check_key(key)?;
        let mut st = self.state()?;
        if let Some((_, _, Some(until))) = st.objects.get(key) {
            if *until > crate::time::now() {
                return Err(Error::storage(format!("{key} is locked until {until}")));
            }
        }
        st.objects.remove(key);
        st.archived.remove(key);
        Ok(())
    }
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        let used: u64 = self
            .state()?
            .objects
            .values()
            .map(|o| o.0.len() as u64)
            .sum();
        Ok((
            Some(used),
            self.behaviour.capacity.map(|c| c.saturating_sub(used)),
        ))
    }
    fn concurrency(&self) -> usize {
        self.behaviour.concurrency.unwrap_or(4)
    }
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        let st = self.state()?;
        let until = st.objects.get(key).and_then(|o| o.2);
        Ok(until.filter(|u| *u > crate::time::now()))
    }
    fn preferred_pack_size(&self) -> u32 {
        self.behaviour.pack_size.unwrap_or(super::DEFAULT_PACK_SIZE)
    }
    fn list_settle(&self) -> std::time::Duration {
        self.behaviour.list_settle.unwrap_or_default()
    }
}
