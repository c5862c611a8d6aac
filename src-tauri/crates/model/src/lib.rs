//! `cairn-model`: the serde types the console UI (compiled to wasm32) and the
//! Rust backend exchange. No I/O and no feature flags live here, so the same
//! definitions compile on both sides of the Tauri boundary.

pub mod api;
pub mod browse;
pub mod disks;
pub mod error;
pub mod external;
pub mod groups;
pub mod inventory;
pub mod jobs;
pub mod repository;
pub mod schedule;
pub mod settings;

pub use browse::*;
pub use disks::*;
pub use error::{ApiError, ErrorKind};
pub use external::*;
pub use groups::*;
pub use inventory::*;
pub use jobs::*;
pub use repository::*;
pub use schedule::*;
pub use settings::*;
