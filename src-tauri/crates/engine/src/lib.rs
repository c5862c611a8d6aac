//! `cairn-engine`: everything in Cairn that does work. The desktop shell and
//! the `cairn` CLI are thin faces over [`Console`], which owns the catalog
//! (SQLite configuration) of one data folder and opens repositories.

pub mod appliance;
pub mod catalog;
pub mod console;
pub mod error;
pub mod explore;
pub mod format;

pub mod paths;
pub mod progress;
pub mod repo;
pub mod runtime;
pub mod secrets;

pub mod check;
pub mod jobs;
pub mod lock;
pub mod restore;
pub mod schedule;
pub mod scheduler;
pub mod storage;
pub mod treewalk;

pub use console::Console;
pub use error::{Error, Result};
