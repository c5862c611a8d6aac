//! `cairn-console`: what a Cairn console does. [`Console`] owns one data
//! folder (its SQLite [`catalog`], the tree cache, the secrets it keeps in
//! the OS keyring) and offers the operations the desktop window and the
//! `cairn` command line show: repositories, external repositories, jobs and
//! their runs as sessions, the [`scheduler`], restores and the Backup
//! Browser, and the cloud [`appliance`]. The backup work itself is
//! `cairn-core`'s; object storage is `cairn-cloud`'s.

pub mod appliance;
pub mod catalog;
mod error;
mod operations;
pub mod paths;
pub mod schedule;
pub mod scheduler;
pub mod secrets;

pub use cairn_core::archive::{ExportReport as PointExportReport, ImportReport};
pub use error::{Error, Result};
pub use operations::probe_volume_target;
pub use operations::{browse_export_file, is_mounted, restore_export_file, MountReport};
pub use operations::{
    machine_name, session_kind, AgentAnswer, ConfigBackupReport, ConfigRestoreReport, Console,
    ExportReport, GroupRescan, JobRunReport, Listen, Live, NewEncryption, OpenPoint,
    RepositoryRescan, RunOptions, SessionWatcher, Takeover, Target, Version, Volume,
    AGENT_SILENT_SECS, AGENT_TIMEOUT_SECS, CONFIGURATION_BACKUP, CONFIGURATION_PLATFORM,
    CONSOLE_TAG, DEFAULT_REPOSITORY, PRUNE_GRACE_SECS, RESCAN_EVERY_SECS,
};

/// The cloud backends' settings and storages, for adding repositories.
pub use cairn_cloud::{
    AwsAccess, AzureAuth, AzureSettings, AzureStorage, Ec2, S3Settings, S3Storage, StorageClass,
    Tier,
};
/// Engine types the console's callers hand in or get back.
pub use cairn_core::check::{run as check_repository, CheckReport};
pub use cairn_core::crafted;
pub use cairn_core::explore::{Change, Difference, Found};
pub use cairn_core::format::manifest::{BackupMeta, Manifest, PointSummary};
pub use cairn_core::format::tree::{Entry, EntryKind};
pub use cairn_core::jobs::backup_id;
pub use cairn_core::progress::{self, CancelToken, NoProgress, ProgressSink, ProgressSnapshot};
pub use cairn_core::restore::{volume::VolumeReport, Destination, RestoreReport, RestoreSpec};
pub use cairn_core::storage::LocalStorage;
pub use cairn_core::time::{new_point_id, now, point_time_label};
pub use cairn_core::{protect_process, Repository, Sensitive, Storage};
