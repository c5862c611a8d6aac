//! Rows of the working-area lists: repositories, jobs, backups, restore
//! points, sessions, external repositories, protection groups and service
//! providers. Times are Unix seconds (UTC); sizes are bytes.

use serde::{Deserialize, Serialize};

/// The kind of storage a repository lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepositoryKind {
    /// A folder on a local or mounted disk.
    Local,
    /// An Amazon S3 bucket.
    AmazonS3,
    /// A bucket on an S3-compatible store.
    S3Compatible,
    /// An Azure Blob Storage container.
    AzureBlob,
}

impl RepositoryKind {
    /// The name shown in the Type column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Local => "Local folder",
            Self::AmazonS3 => "Amazon S3",
            Self::S3Compatible => "S3 compatible",
            Self::AzureBlob => "Azure Blob",
        }
    }
}

/// A backup repository as Backup Infrastructure → Backup Repositories lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryRow {
    /// Catalog id.
    pub id: i64,
    /// Unique display name.
    pub name: String,
    /// Storage kind.
    pub kind: RepositoryKind,
    /// Folder path, or bucket/container with folder.
    pub location: String,
    /// Bytes used by the repository, when known.
    pub used_bytes: Option<u64>,
    /// Free bytes on the underlying storage, when known.
    pub free_bytes: Option<u64>,
    /// Days recent backups are immutable for, when immutability is on.
    pub immutable_days: Option<u32>,
    /// Free text.
    pub description: String,
    /// True for the embedded default repository created on first start.
    pub is_default: bool,
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Backs up files of a computer.
    Backup,
    /// Copies restore points from other backups into a repository.
    BackupCopy,
}

impl JobKind {
    /// The name shown in the Type column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Backup => "Agent Backup",
            Self::BackupCopy => "Backup Copy",
        }
    }
}

/// How serious a session's log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    /// What happened.
    Info,
    /// Something was skipped or needs a look; the session goes on.
    Warning,
    /// Something failed.
    Error,
}

impl LogLevel {
    /// The word stored in the catalog and used in CSS classes.
    pub fn word(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
    /// Reads a stored word; anything unknown is info.
    pub fn from_word(s: &str) -> Self {
        match s {
            "warning" => Self::Warning,
            "error" => Self::Error,
            _ => Self::Info,
        }
    }
}

/// The result of a finished session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionResult {
    /// Everything was processed.
    Success,
    /// Finished, but some items were skipped; the log says which.
    Warning,
    /// The session did not produce what it should have.
    Failed,
}

impl SessionResult {
    /// The word shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::Warning => "Warning",
            Self::Failed => "Failed",
        }
    }
}

/// A job's Status column in Home → Jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    /// Waiting for its schedule or a start.
    Idle,
    /// A session of it runs now.
    Running,
    /// Runs neither on schedule nor by a chain until enabled.
    Disabled,
}

impl JobStatus {
    /// The word shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::Idle => "Idle",
            Self::Running => "Running",
            Self::Disabled => "Disabled",
        }
    }
}

/// A job as Home → Jobs lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    /// Catalog id.
    pub id: i64,
    /// Unique job name.
    pub name: String,
    /// Backup or backup copy.
    pub kind: JobKind,
    /// What the job processes, in words.
    pub objects: String,
    /// Whether it runs now, waits or is disabled.
    pub status: JobStatus,
    /// Result of the last session.
    pub last_result: Option<SessionResult>,
    /// Start of the last session.
    pub last_run: Option<i64>,
    /// Next scheduled start.
    pub next_run: Option<i64>,
    /// Target repository name.
    pub target: String,
    /// Free text.
    pub description: String,
}

/// Where a backup lives, which decides its Home → Backups sub-node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupLocation {
    /// A local folder repository.
    Disk,
    /// A backup copy written into a local repository.
    DiskCopy,
    /// An object-storage repository.
    ObjectStorage,
    /// An external repository written by a cloud backup appliance.
    External,
}

/// The platform configuration backups carry, which tells them apart.
pub const CONFIGURATION_PLATFORM: &str = "Cairn configuration";

/// A backup (job × machine) as Home → Backups lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRow {
    /// Backup id as stored in the repository.
    pub id: String,
    /// Job or policy name.
    pub job_name: String,
    /// Machine the data came from.
    pub machine: String,
    /// Time of the first restore point.
    pub creation_time: i64,
    /// Number of restore points.
    pub restore_points: u32,
    /// Time of the newest restore point (0 = none).
    #[serde(default)]
    pub last_point: i64,
    /// Repository name.
    pub repository: String,
    /// Linux, Windows, EC2, Azure VM.
    pub platform: String,
    /// Bytes of the latest restore point.
    pub size_bytes: u64,
    /// Which sub-node lists it.
    pub location: BackupLocation,
    /// True when the backup is encrypted.
    pub encrypted: bool,
    /// No job of this console writes it: found by a rescan (a repository
    /// added to a new console, or a lost database).
    #[serde(default)]
    pub imported: bool,
    /// Encrypted with a password this console does not know yet: job,
    /// machine and sizes show once it is given.
    #[serde(default)]
    pub sealed: bool,
}

impl BackupRow {
    /// A console's configuration backup, not a computer's: it restores
    /// through ☰ → Configuration Backup, and no job continues it.
    pub fn is_configuration(&self) -> bool {
        self.platform == CONFIGURATION_PLATFORM
    }
}

/// What kind of work a session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A backup job run.
    Backup,
    /// A backup copy job run.
    BackupCopy,
    /// A restore.
    Restore,
    /// A system task: rescan, health check, repository operation.
    System,
}

impl SessionKind {
    /// The word shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::Backup => "Backup",
            Self::BackupCopy => "Backup Copy",
            Self::Restore => "Restore",
            Self::System => "System",
        }
    }
}

/// A session as Running, Last 24 Hours and History list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Catalog id.
    pub id: i64,
    /// Job name or task title.
    pub name: String,
    /// What kind of work.
    pub kind: SessionKind,
    /// None while running.
    pub result: Option<SessionResult>,
    /// Start time.
    pub started: i64,
    /// End time, None while running.
    pub ended: Option<i64>,
    /// Progress 0–100 while running.
    pub progress: u8,
    /// One-line summary.
    pub details: String,
}

/// An external repository as Backup Infrastructure lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalRepositoryRow {
    /// Catalog id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Amazon S3 or Azure Blob.
    pub kind: RepositoryKind,
    /// Bucket or container.
    pub bucket: String,
    /// Folder inside it.
    pub folder: String,
    /// Console that owns it.
    pub owner: String,
    /// Time of the last rescan.
    pub last_rescan: Option<i64>,
    /// Backups found by the last rescan.
    pub backups: u32,
    /// Restore points found by the last rescan.
    #[serde(default)]
    pub restore_points: u32,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The last rescan's error, empty when it worked.
    #[serde(default)]
    pub last_error: String,
}

/// A service provider as Backup Infrastructure lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceProviderRow {
    /// Catalog id.
    pub id: i64,
    /// DNS name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Cloud repositories offered.
    pub resources: u32,
    /// Free text.
    pub description: String,
}

/// Facts for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleStatus {
    /// Sessions in progress.
    pub running_sessions: u32,
    /// Message of the last failed session, if any in the last 24 hours.
    pub last_error: Option<String>,
    /// Folder holding the configuration and default repository.
    pub data_dir: String,
    /// Program version.
    pub version: String,
}

/// A backup as `cairn backups list` shows it: the console's own and those
/// a rescan found in external repositories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupListing {
    /// Backup id.
    pub id: String,
    /// The job that writes it.
    pub job: String,
    /// The machine backed up.
    pub machine: String,
    /// Its platform.
    pub platform: String,
    /// The repository (or external repository) holding it.
    pub repository: String,
    /// Encrypted.
    pub encrypted: bool,
    /// "disk", "object", "copy" or "external".
    pub location: String,
    /// No job of this console writes it (found by a rescan).
    pub imported: bool,
    /// Encrypted with a password this console does not know yet.
    pub sealed: bool,
    /// Its restore points, oldest first.
    pub restore_points: Vec<PointListing>,
}

/// A restore point in a [`BackupListing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointListing {
    /// Point id.
    pub id: String,
    /// Unix seconds.
    pub time: i64,
    /// "full" or "increment".
    pub kind: String,
    /// Bytes of source data.
    pub size: u64,
    /// GFS flags (weekly, monthly, yearly).
    pub gfs: Vec<String>,
}
