//! Small JSON objects at a repository's root that say who uses it
//! (FORMAT.md, "Ownership: `owner` and `appliance`"): `owner` (the console that owns it) and
//! `appliance` (the appliance that writes it).

use serde::{Deserialize, Serialize};

/// The `owner` object: one console owns a repository at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Console id.
    pub console: String,
    /// Host the console ran on when it took ownership.
    pub host: String,
    /// Unix seconds.
    pub claimed: i64,
}

/// The `appliance` object: an appliance writes this repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplianceMarker {
    /// Appliance id.
    pub id: String,
    /// Host it ran on.
    pub host: String,
    /// Unix seconds.
    pub created: i64,
}
