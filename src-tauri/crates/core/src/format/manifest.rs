//! Restore-point manifests (`snapshots/<backup>/<point>`) and backup
//! metadata (`backups/<backup>`), sealed JSON.

use serde::{Deserialize, Serialize};

/// Counters stored with a restore point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointStats {
    /// Files backed up.
    pub files: u64,
    /// Directories.
    pub dirs: u64,
    /// Bytes of source data in the point.
    pub bytes: u64,
    /// Bytes read from the source this run.
    pub bytes_read: u64,
    /// Bytes written to the repository this run.
    pub bytes_written: u64,
    /// Items skipped with a warning.
    pub warnings: u64,
}

/// An immutable restore point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Point id (sortable by time).
    pub id: String,
    /// Backup id.
    pub backup: String,
    /// Job or policy name.
    pub job: String,
    /// Machine.
    pub machine: String,
    /// Platform label.
    pub platform: String,
    /// Unix seconds.
    pub time: i64,
    /// "full" or "increment".
    pub kind: String,
    /// Top-level source paths, in the order of the root tree's entries.
    pub sources: Vec<String>,
    /// Root tree id (hex).
    pub root: String,
    /// Counters.
    pub stats: PointStats,
    /// Cloud region or subscription of the machine (appliance backups).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// For a backup copy: the restore point it copies, as
    /// `<source repository id>/<backup>/<point>`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
}

/// A restore point as the backup metadata lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointSummary {
    /// Point id.
    pub id: String,
    /// Unix seconds.
    pub time: i64,
    /// "full" or "increment".
    pub kind: String,
    /// Source bytes.
    pub size: u64,
    /// GFS flags ("weekly", "monthly", "yearly").
    #[serde(default)]
    pub gfs: Vec<String>,
    /// Bytes the run that made it wrote to the repository.
    #[serde(default)]
    pub stored: u64,
    /// For a backup copy: the source point's origin (see [`Manifest::origin`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
}

/// `backups/<backup>`: what a rescan reads to know a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMeta {
    /// Backup id.
    pub id: String,
    /// Job or policy name.
    pub job: String,
    /// Machine.
    pub machine: String,
    /// Platform label.
    pub platform: String,
    /// Key set the backup is written with.
    pub keyset: String,
    /// Cloud region or subscription (appliance backups).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    /// Who writes it: "appliance" for a cloud backup appliance, empty for
    /// a console job.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub writer: String,
    /// Restore points, oldest first.
    pub points: Vec<PointSummary>,
}

/// Storage key of a manifest.
pub fn manifest_key(backup: &str, point: &str) -> String {
    format!("snapshots/{backup}/{point}")
}

/// Storage key of backup metadata.
pub fn backup_key(backup: &str) -> String {
    format!("backups/{backup}")
}
