//! Job settings as the wizards and the CLI build them. One type, validated by
//! one function in the engine, whichever face created the job.

use serde::{Deserialize, Serialize};

/// zstd compression levels a user picks in the job wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    /// Stored as read.
    None,
    /// Fast, light compression that keeps data deduplicable.
    DedupeFriendly,
    /// The balanced default.
    #[default]
    Optimal,
    /// Smaller, slower.
    High,
    /// Smallest, slowest.
    Extreme,
}

impl Compression {
    /// All levels in wizard order.
    pub const ALL: [Compression; 5] = [
        Self::None,
        Self::DedupeFriendly,
        Self::Optimal,
        Self::High,
        Self::Extreme,
    ];
    /// The name in the wizard and the CLI flag value.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::DedupeFriendly => "Dedupe-friendly",
            Self::Optimal => "Optimal",
            Self::High => "High",
            Self::Extreme => "Extreme",
        }
    }
}

/// Authenticated encryption algorithms for encrypted jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Cipher {
    /// AES-256 in Galois/Counter Mode (hardware AES where available).
    #[default]
    Aes256Gcm,
    /// XChaCha20-Poly1305 (fast without AES instructions).
    Xchacha20Poly1305,
}

/// How many restore points a backup keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Retention {
    /// Keep the newest N restore points.
    Points(u32),
    /// Keep restore points younger than N days (the newest one always stays).
    Days(u32),
}

impl Default for Retention {
    fn default() -> Self {
        Self::Points(7)
    }
}

/// Grandfather-father-son: full restore points kept longer for archival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Gfs {
    /// Weekly points kept for N weeks (0 = off).
    pub weekly: u32,
    /// Monthly points kept for N months (0 = off).
    pub monthly: u32,
    /// Yearly points kept for N years (0 = off).
    pub yearly: u32,
}

/// Encryption of a job's backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// The repository key set (password-wrapped) the job writes with.
    pub keyset: String,
    /// Algorithm.
    pub cipher: Cipher,
    /// Hint shown when the password is asked for (never the password).
    pub hint: String,
}

/// Settings of a file-level backup job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupJobSettings {
    /// Stable id that names the job's backups in the repository.
    pub uid: String,
    /// Computer whose files are backed up.
    pub machine: String,
    /// Directories or files to back up (absolute paths).
    pub includes: Vec<String>,
    /// Masks (`*.tmp`, `cache/`, `/home/*/.cache`) excluded; exclude wins.
    pub exclude_masks: Vec<String>,
    /// When not empty, only files whose names match one of these are kept.
    pub include_masks: Vec<String>,
    /// zstd level.
    pub compression: Compression,
    /// Encryption, when enabled.
    pub encryption: Option<Encryption>,
    /// Restore points kept.
    pub retention: Retention,
    /// Archival fulls kept longer.
    pub gfs: Gfs,
}
