//! Volume restores and disk exports: the formats a volume of a restore
//! point is exported to.

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
