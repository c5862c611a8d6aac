//! `cairn-core`: the backup engine. It knows the repository format
//! ([`format`], specified in `FORMAT.md`), the [`storage`] trait with the
//! local and in-memory backends and the wrappers (read-only, retry, faulty),
//! repositories and their writer lock, the jobs (backup, copy, prune,
//! retention), restore, check and explore. It has no SQLite, keyring, async
//! runtime or cloud SDK: the console and the cloud backends build on it.

pub mod archive;
pub mod check;
#[cfg(any(test, feature = "crafted"))]
pub mod crafted;
pub mod error;
pub mod explore;
pub mod format;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
pub mod jobs;
pub mod lock;
pub mod mount;
pub mod nbd;
pub mod progress;
pub mod repo;
#[cfg(feature = "testing")]
pub mod residue;
pub mod restore;
pub mod storage;
pub mod time;
pub mod treewalk;

mod sensitive;

pub use error::{Error, Result};
pub use repo::Repository;
pub use sensitive::{protect_process, Sensitive};
pub use storage::{ReadStorage, Storage};
