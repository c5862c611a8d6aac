//! External repositories: the Connect to Repository wizard and rescans.

use crate::api::Command;
use crate::{ExternalRepositoryRow, RepositoryTarget};
use serde::{Deserialize, Serialize};

/// Steps of the Connect to External Repository wizard that ask the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalStep {
    /// Name: not empty, not taken.
    Name,
    /// Account: the credentials work (lists buckets or containers).
    Account,
    /// Bucket or container and folder: exists, allowed class or tier, holds
    /// backups written by a cloud backup appliance.
    Location,
    /// The folders inside the bucket or container's folder (Browse…).
    Folders,
    /// Encryption: whether the backups are encrypted, and the password
    /// opens them.
    Encryption,
}

/// Checks one step; the reply says what was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckExternalStep {
    /// Which step.
    pub step: ExternalStep,
    /// The name entered.
    pub name: String,
    /// Account, bucket or container and folder.
    pub target: RepositoryTarget,
    /// Manage Passwords entry for encrypted backups.
    #[serde(default)]
    pub password_name: Option<String>,
}

/// What a step found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalProbe {
    /// Buckets, containers or folders (Account, Folders).
    pub items: Vec<String>,
    /// Backups the repository holds (Location).
    pub backups: u32,
    /// Some backups are encrypted: a password is needed.
    pub encrypted: bool,
    /// The password hints stored with the encrypted backups.
    pub hints: Vec<String>,
    /// Another console owns the repository: who and since when, in words.
    pub owned_by_other: Option<String>,
    /// The appliance that writes the backups, in words.
    pub writer: Option<String>,
}

impl Command for CheckExternalStep {
    const NAME: &'static str = "check_external_step";
    type Response = ExternalProbe;
}

/// Apply: records the repository, takes ownership, starts a rescan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectExternal {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Account, bucket or container and folder.
    pub target: RepositoryTarget,
    /// Manage Passwords entry for encrypted backups.
    #[serde(default)]
    pub password_name: Option<String>,
    /// The user confirmed taking ownership from another console.
    pub take_ownership: bool,
}

/// What Apply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedExternal {
    /// The new row.
    pub repository: ExternalRepositoryRow,
    /// The checks and actions, in order.
    pub log: Vec<String>,
    /// The rescan session started after adding.
    pub rescan_session: Option<i64>,
}

impl Command for ConnectExternal {
    const NAME: &'static str = "connect_external";
    type Response = ConnectedExternal;
}

/// Rescan: one external repository by name, or all (None). Runs in the
/// background; the reply is the session id (History → System).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescanExternal {
    /// Repository name; None = all external repositories.
    pub name: Option<String>,
}

impl Command for RescanExternal {
    const NAME: &'static str = "rescan_external";
    type Response = i64;
}

/// Rescan of a backup repository (Backup Infrastructure → Backup
/// Repositories): the catalog brought in line with what it holds. Runs in
/// the background; the reply is the session id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescanRepository {
    /// Repository name.
    pub name: String,
}

impl Command for RescanRepository {
    const NAME: &'static str = "rescan_repository";
    type Response = i64;
}

/// Remove: forgets an external repository (nothing is deleted in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveExternal {
    /// Repository name.
    pub name: String,
}

impl Command for RemoveExternal {
    const NAME: &'static str = "remove_external";
    type Response = ();
}

/// What one repository's rescan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescanReport {
    /// External repository name.
    pub repository: String,
    /// Backups it holds.
    pub backups: u32,
    /// Restore points it holds.
    pub restore_points: u32,
    /// Restore points that appeared since the last rescan.
    pub added: u32,
    /// Restore points that disappeared since the last rescan.
    pub removed: u32,
    /// Backup metadata objects read (changed or new ones only).
    pub metadata_read: u32,
    /// Requests made to the object storage.
    pub requests: u64,
    /// Milliseconds.
    pub duration_ms: u64,
    /// Why the rescan of this repository failed, when it did.
    pub error: Option<String>,
}
