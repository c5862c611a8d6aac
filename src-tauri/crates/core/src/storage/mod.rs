//! The storage trait every repository backend implements, and the backends.
//! Keys are `/`-separated relative names such as `data/ab/abcdef…`.
//! Storage never knows about jobs or the repository format above it.

pub mod faulty;
mod local;
mod memory;
pub mod readonly;
pub mod retry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use local::{free_space, LocalStorage};
pub use memory::{MemoryBehaviour, MemoryStorage};
pub use readonly::{ExternalStorage, OWNER_KEY};
pub use retry::{RetryPolicy, RetryStorage};

use crate::error::Result;

/// Pack size of repositories on storage that does not prefer another.
pub const DEFAULT_PACK_SIZE: u32 = 16 * 1024 * 1024;

/// One stored object as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Full key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Changes whenever the object is rewritten (the ETag on object
    /// storage, modification time and size on a disk); rescans skip
    /// objects whose tag they already know.
    pub etag: String,
}

/// No whole-object read returns more than this, whatever the object.
pub const MAX_OBJECT_LEN: u64 = 2 << 30;

/// The refusal of an object larger than its reader accepts.
pub fn too_large(key: &str, size: u64, max: u64) -> crate::error::Error {
    crate::error::Error::corrupt(format!(
        "object too large: {key} holds {size} bytes, more than the {max} Cairn reads for it; \
         the object is damaged or was planted"
    ))
}

/// Reading side of a backend. Readers never lock.
pub trait ReadStorage: Send + Sync {
    /// Reads a whole object. A missing object is an error of kind NotFound.
    /// Backends refuse objects over [`MAX_OBJECT_LEN`].
    fn get(&self, key: &str) -> Result<Vec<u8>>;
    /// Reads a whole object of at most `max` bytes; a larger one is
    /// refused as too large. Backends override this to refuse before the
    /// object is downloaded; this default (for in-memory stores and
    /// wrappers over them) checks after.
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        let data = self.get(key)?;
        if data.len() as u64 > max {
            return Err(too_large(key, data.len() as u64, max));
        }
        Ok(data)
    }
    /// Reads `len` bytes at `offset` of an object.
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>>;
    /// Lists the objects whose keys start with `prefix`, in key order.
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>>;
    /// True when the object exists.
    fn exists(&self, key: &str) -> Result<bool>;
    /// Human description for messages ("folder /srv/backups").
    fn describe(&self) -> String;
    /// Makes objects readable before a restore reads them: objects in an
    /// archive storage class get a retrieval request. Returns the keys
    /// still waiting for retrieval (none on storage without archive
    /// classes).
    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        let _ = keys;
        Ok(Vec::new())
    }
}

/// Writing side of a backend.
pub trait Storage: ReadStorage {
    /// Stores an object atomically: readers see the whole new object or the
    /// old state, never a part; it is durable when this returns.
    fn put(&self, key: &str, data: &[u8]) -> Result<()>;
    /// Stores an object that browsing and backups read often (tree packs):
    /// never in an archive storage class.
    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.put(key, data)
    }
    /// Deletes an object; deleting a missing object succeeds.
    fn delete(&self, key: &str) -> Result<()>;
    /// Bytes used and free, when the backend can tell.
    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        Ok((None, None))
    }
    /// How many requests may run at once.
    fn concurrency(&self) -> usize {
        4
    }
    /// When an object is immutable (Object Lock), the Unix time its lock
    /// ends; retention and prune never delete such an object.
    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        let _ = key;
        Ok(None)
    }
    /// Pack size new repositories on this storage use.
    fn preferred_pack_size(&self) -> u32 {
        DEFAULT_PACK_SIZE
    }
    /// How long after a write a listing is sure to show it: a writer lock
    /// waits this long before deciding a race. Object storage (S3, Azure)
    /// lists after write consistently; the default leaves a margin for
    /// S3-compatible stores that lag.
    fn list_settle(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }
}

/// Keys that change in place and are never locked on immutable storage:
/// lock files, prune marks, and the owner marker (replaced on takeover).
pub fn is_mutable_key(key: &str) -> bool {
    key.starts_with("locks/") || key.starts_with("prune/") || key == OWNER_KEY
}

/// Refuses keys that could escape the backend's root.
pub fn check_key(key: &str) -> Result<()> {
    let bad = key.is_empty()
        || key.starts_with('/')
        || key.contains('\\')
        || key
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        return Err(crate::Error::internal(format!(
            "refused an unsafe storage key \"{key}\""
        )));
    }
    Ok(())
}
