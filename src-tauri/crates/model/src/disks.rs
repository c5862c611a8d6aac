//! Volume restores and disk exports: the formats a volume of a restore
//! point is exported to.

use crate::api::Command;
use crate::repository::Secret;
use serde::{Deserialize, Serialize};

/// A disk image format for exporting a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiskFormat {
    /// A raw image (sparse: holes stay holes).
    Raw,
    /// VMware VMDK (monolithic sparse).
    Vmdk,
    /// Microsoft VHD, dynamic (grows as written).
    Vhd,
    /// Microsoft VHD, fixed size.
    VhdFixed,
    /// Microsoft VHDX (dynamic).
    Vhdx,
}

impl DiskFormat {
    /// Every format, in the order the window offers them.
    pub const ALL: [DiskFormat; 5] = [
        DiskFormat::Vmdk,
        DiskFormat::Vhdx,
        DiskFormat::Vhd,
        DiskFormat::VhdFixed,
        DiskFormat::Raw,
    ];

    /// What the window shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Raw => "Raw image",
            Self::Vmdk => "VMDK (VMware)",
            Self::Vhd => "VHD, dynamic (Hyper-V, Azure)",
            Self::VhdFixed => "VHD, fixed size (Azure)",
            Self::Vhdx => "VHDX (Hyper-V)",
        }
    }

    /// The usual file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Raw => "img",
            Self::Vmdk => "vmdk",
            Self::Vhd | Self::VhdFixed => "vhd",
            Self::Vhdx => "vhdx",
        }
    }
}

/// A volume of a restore point: a disk image or device backed up whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// Its path as the machine saw it (`/dev/sdb`, `/srv/vm/disk.img`).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

/// The volumes of a restore point (opening it checks the password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListVolumes {
    /// Backup id.
    pub backup: String,
    /// Restore point id, or "latest".
    pub point: String,
    /// Encryption password, if the backup is encrypted.
    pub password: Option<Secret>,
}

impl Command for ListVolumes {
    const NAME: &'static str = "list_volumes";
    type Response = Vec<Volume>;
}

/// The size of an existing device or file at `path`, or None when
/// nothing is there (a new image file will be created).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeVolumeTarget {
    pub path: String,
}

impl Command for ProbeVolumeTarget {
    const NAME: &'static str = "probe_volume_target";
    type Response = Option<u64>;
}

/// What to do with a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VolumeTask {
    /// Restore onto a device or image file; an existing one is
    /// overwritten only when `confirm` is its file name.
    Restore { target: String, confirm: String },
    /// Export as a new disk image file.
    Export { format: DiskFormat, out: String },
}

/// Starts a volume restore or disk export; answers its session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartVolumeTask {
    pub backup: String,
    pub point: String,
    /// The volume's path in the restore point.
    pub volume: String,
    pub password: Option<Secret>,
    pub task: VolumeTask,
}

impl Command for StartVolumeTask {
    const NAME: &'static str = "start_volume_task";
    type Response = i64;
}
