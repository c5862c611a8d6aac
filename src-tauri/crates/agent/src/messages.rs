//! The bodies of the protocol's messages (sealed inside envelopes; see
//! `PROTOCOL.md`). Secrets in them (scoped storage credentials, the
//! repository password) only ever travel sealed.

use crate::envelope::MessageKind;
use cairn_model::Compression;
use serde::{Deserialize, Serialize};

/// A message's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// Console → agent: say who you are (answered by a heartbeat).
    Hello,
    /// Console → agent: report your state (answered by a heartbeat).
    Status,
    /// Console → agent: run this backup.
    RunBackup(Box<BackupOrder>),
    /// Console → agent: stop the backup of this order.
    Cancel {
        /// The order's message id.
        order: String,
    },
    /// Console → agent: stop serving; with `uninstall`, remove the state too.
    Stop {
        /// Forget this console (the machine left the group).
        uninstall: bool,
    },
    /// Agent → console: its state.
    Heartbeat(AgentStatus),
    /// Agent → console: how a backup is going.
    Progress(OrderProgress),
    /// Agent → console: how a backup ended.
    Finished(OrderResult),
}

impl Body {
    /// The header kind this body travels under.
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::Hello => MessageKind::Hello,
            Self::Status => MessageKind::Status,
            Self::RunBackup(_) => MessageKind::RunBackup,
            Self::Cancel { .. } => MessageKind::Cancel,
            Self::Stop { .. } => MessageKind::Stop,
            Self::Heartbeat(_) => MessageKind::Heartbeat,
            Self::Progress(_) => MessageKind::Progress,
            Self::Finished(_) => MessageKind::Finished,
        }
    }
}

/// Where the agent writes, with credentials scoped to that place only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RepositoryAccess {
    /// An S3 bucket folder, with short-lived STS credentials limited to it.
    S3 {
        /// Bucket.
        bucket: String,
        /// Folder in the bucket ("" = root).
        folder: String,
        /// Region.
        region: String,
        /// Service point of an S3-compatible store.
        endpoint: Option<String>,
        /// Temporary access key id.
        access_key_id: String,
        /// Temporary secret.
        secret_access_key: String,
        /// Session token of the temporary credentials.
        session_token: Option<String>,
        /// Unix seconds when the credentials stop working.
        expires: i64,
        /// Storage class of new packs.
        #[serde(default)]
        storage_class: cairn_cloud::StorageClass,
        /// Days new objects stay immutable (Object Lock), when set.
        #[serde(default)]
        immutable_days: Option<u32>,
    },
    /// An Azure container folder, with a signature limited to the
    /// container and the run's length.
    Azure {
        /// Storage account.
        account: String,
        /// Container.
        container: String,
        /// Folder in the container ("" = root).
        folder: String,
        /// Blob service address (None: the account's public one).
        endpoint: Option<String>,
        /// The shared access signature.
        sas: String,
        /// Unix seconds when the signature stops working.
        expires: i64,
        /// Access tier of new packs.
        #[serde(default)]
        tier: cairn_cloud::Tier,
        /// Days new blobs stay immutable, when set.
        #[serde(default)]
        immutable_days: Option<u32>,
    },
}

/// A backup for one machine: what the job's spec says for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupOrder {
    /// The repository's display name (for the writer lock and logs).
    pub repository: String,
    /// Where to write.
    pub access: RepositoryAccess,
    /// The encryption password, when the job is encrypted.
    pub password: Option<String>,
    /// The encrypted key set's id, when the job is encrypted.
    pub keyset: Option<String>,
    /// Backup id in the repository (job × machine).
    pub backup_id: String,
    /// Job name.
    pub job: String,
    /// The machine's display name.
    pub machine: String,
    /// "Linux" or "Windows".
    pub platform: String,
    /// The machine's region.
    pub region: String,
    /// Absolute paths on the machine.
    pub includes: Vec<String>,
    /// Exclude masks.
    pub exclude_masks: Vec<String>,
    /// Include masks.
    pub include_masks: Vec<String>,
    /// Compression.
    pub compression: Compression,
    /// Read every file again (active full).
    pub full: bool,
}

/// What an agent says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    /// Agent version.
    pub version: String,
    /// SHA-256 of the agent's executable (the package installed).
    #[serde(default)]
    pub build: String,
    /// Operating system ("Linux", "Windows").
    pub os: String,
    /// The machine's host name.
    pub hostname: String,
    /// Free bytes where the agent keeps its state.
    pub free_bytes: Option<u64>,
    /// The order it is running, if any.
    pub running: Option<String>,
}

/// A backup's progress (sent a few times a second at most).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderProgress {
    /// Files done.
    pub files: u64,
    /// Bytes processed.
    pub bytes_processed: u64,
    /// Bytes expected, when known.
    pub bytes_total: Option<u64>,
    /// Bytes written to the repository.
    pub bytes_written: u64,
    /// What it is reading.
    pub current: String,
}

/// How a backup ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OrderResult {
    /// A restore point was made.
    Succeeded {
        /// Its id.
        point: String,
        /// Files in it.
        files: u64,
        /// Bytes processed.
        bytes: u64,
        /// Items skipped with a warning.
        warnings: u64,
    },
    /// No restore point was made.
    Failed {
        /// Why, in words for the session log.
        reason: String,
    },
}
