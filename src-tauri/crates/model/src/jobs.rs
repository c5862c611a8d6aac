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

/// Settings of an agent backup job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
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
    /// Operating system of the job's computers.
    #[serde(default)]
    pub os: AgentOs,
    /// Workstation, server or failover cluster.
    #[serde(default)]
    pub computer_type: ComputerType,
    /// Managed by the backup server (a job) or by the agent (a policy).
    #[serde(default)]
    pub management: Management,
    /// Computers the job protects (host names; this computer's own name
    /// means the computer Cairn runs on).
    #[serde(default)]
    pub computers: Vec<String>,
    /// Entire computer, volume level or file level.
    #[serde(default)]
    pub backup_mode: BackupMode,
    /// Volume level: block devices or disk image files backed up whole.
    #[serde(default)]
    pub volumes: Vec<String>,
    /// Policies: where the agent writes.
    #[serde(default)]
    pub destination: Destination,
    /// Policies: the agent's backup cache.
    #[serde(default)]
    pub cache: BackupCache,
    /// Server / failover cluster: scripts run before and after the job.
    #[serde(default)]
    pub guest: GuestProcessing,
    /// When the job runs by itself.
    #[serde(default)]
    pub schedule: crate::Schedule,
    /// Name of the Manage Passwords entry that encrypts the job's backups
    /// (scheduled runs read it from the keyring).
    #[serde(default)]
    pub password_name: Option<String>,
    /// Set for backup copy jobs: what they copy and how.
    #[serde(default)]
    pub copy: Option<CopySettings>,
    /// Map backup: the backup already in the repository that the job
    /// continues instead of starting one of its own.
    #[serde(default)]
    pub map: Option<MappedBackup>,
}

/// A backup a job continues (its chain, retention and GFS go on; the
/// next run is an increment), as "map backup" does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MappedBackup {
    /// The backup's id in the job's repository.
    pub backup: String,
    /// Backup copy jobs: the source backup the mapped copy copies, as
    /// `<source repository id>/<backup>` (filled when the job is saved).
    #[serde(default)]
    pub origin: String,
}

/// How a backup copy job copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CopyMode {
    /// Copies new restore points as soon as they appear in the source
    /// (after the backup job that writes them, or the rescan that finds
    /// them), in the permitted hours.
    Immediate,
    /// Copies the restore points that appeared since the last run, on the
    /// job's schedule.
    #[default]
    Periodic,
}

impl CopyMode {
    /// Word shown in the wizard.
    pub fn label(self) -> &'static str {
        match self {
            Self::Immediate => "Immediate copy",
            Self::Periodic => "Periodic copy",
        }
    }
}

/// Where a copy source was picked: Objects → Add ▾.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CopySourceKind {
    /// From backups: one root backup (external or regular repository).
    #[default]
    Backup,
    /// From jobs: the backups a backup job writes.
    Job,
    /// From repositories: every backup a repository holds.
    Repository,
}

/// One object of a backup copy job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CopySource {
    /// Backup, job or repository.
    pub kind: CopySourceKind,
    /// Repository (external or regular) name, for backups and repositories.
    #[serde(default)]
    pub repository: String,
    /// Backup id, for a backup.
    #[serde(default)]
    pub backup: String,
    /// Job name, for a job.
    #[serde(default)]
    pub job: String,
    /// What the Objects list shows ("policy-a / i-0abc (EC2)").
    #[serde(default)]
    pub label: String,
}

/// Settings only backup copy jobs have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CopySettings {
    /// Immediate or periodic.
    pub mode: CopyMode,
    /// What to copy.
    pub sources: Vec<CopySource>,
    /// Machines not copied (Objects → Exclusions).
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// "Read the entire restore point from source instead of synthesizing
    /// it": every chunk is read and verified from the source, even those
    /// a previous copy already translated.
    #[serde(default)]
    pub read_entire: bool,
}

/// Operating system of an agent job's computers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AgentOs {
    /// Linux computers (and this computer).
    #[default]
    Linux,
    /// Windows computers.
    Windows,
}

impl AgentOs {
    /// "Linux" / "Windows".
    pub fn label(self) -> &'static str {
        match self {
            Self::Linux => "Linux",
            Self::Windows => "Windows",
        }
    }
}

/// The Type field of the Job Mode step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ComputerType {
    /// A desktop or laptop.
    Workstation,
    /// A server.
    #[default]
    Server,
    /// A Windows failover cluster.
    FailoverCluster,
}

impl ComputerType {
    /// Wizard wording.
    pub fn label(self) -> &'static str {
        match self {
            Self::Workstation => "Workstation",
            Self::Server => "Server",
            Self::FailoverCluster => "Failover cluster",
        }
    }
}

/// The Mode field of the Job Mode step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Management {
    /// The console runs the job.
    #[default]
    BackupServer,
    /// A backup policy the agents run.
    Agent,
}

impl Management {
    /// Wizard wording.
    pub fn label(self) -> &'static str {
        match self {
            Self::BackupServer => "Managed by backup server",
            Self::Agent => "Managed by agent (backup policy)",
        }
    }
}

/// The Backup Mode step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackupMode {
    /// Every disk of the computer as an image.
    EntireComputer,
    /// Chosen volumes as images.
    Volume,
    /// Chosen folders and files.
    #[default]
    File,
}

impl BackupMode {
    /// Wizard wording.
    pub fn label(self) -> &'static str {
        match self {
            Self::EntireComputer => "Entire computer",
            Self::Volume => "Volume level backup",
            Self::File => "File level backup",
        }
    }
}

/// Where a backup policy's agents write (Destination step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// A repository of this console (chosen at the Storage step).
    #[default]
    BackupRepository,
    /// A folder on the computer itself.
    LocalStorage,
    /// A network share.
    SharedFolder,
    /// A service provider's cloud repository.
    CloudRepository,
}

impl Destination {
    /// Wizard wording.
    pub fn label(self) -> &'static str {
        match self {
            Self::BackupRepository => "Backup repository",
            Self::LocalStorage => "Local storage",
            Self::SharedFolder => "Shared folder",
            Self::CloudRepository => "Cloud repository",
        }
    }
}

/// A policy's backup cache (Backup Cache step).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BackupCache {
    /// Keep restore points locally while the target is unreachable.
    pub enabled: bool,
    /// Folder on the computer.
    pub location: String,
    /// Maximum size in GB.
    pub size_gb: u32,
}

/// Guest Processing step: scripts on the computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GuestProcessing {
    /// Run before the backup (a failure fails the job).
    pub pre_script: String,
    /// Run after the backup (a failure is a warning).
    pub post_script: String,
}

/// A backup job as the wizard edits it and `cairn job create backup`
/// builds it: one type, checked by one engine function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BackupJobSpec {
    /// Unique job name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Target repository name.
    pub repository: String,
    /// Everything else.
    pub settings: BackupJobSettings,
    /// "Enable backup file encryption" (the password is
    /// `settings.password_name`, an entry of Manage Passwords).
    pub encrypt: bool,
    /// False when the job is disabled (not scheduled).
    pub enabled: bool,
}

/// Steps of the New Agent Backup Job wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStep {
    /// Type and mode.
    JobMode,
    /// Name and description.
    Name,
    /// Computers.
    Computers,
    /// Entire computer / volume / file level.
    BackupMode,
    /// Volumes, or folders and masks.
    Objects,
    /// Policies: where agents write.
    Destination,
    /// Repository, retention, GFS, compression, encryption.
    Storage,
    /// Policies: the agent's cache.
    BackupCache,
    /// Pre- and post-job scripts.
    GuestProcessing,
    /// When it runs.
    Schedule,
    /// Everything in words.
    Summary,
}

impl JobStep {
    /// The step's title.
    pub fn label(self) -> &'static str {
        match self {
            Self::JobMode => "Job Mode",
            Self::Name => "Name",
            Self::Computers => "Computers",
            Self::BackupMode => "Backup Mode",
            Self::Objects => "Objects",
            Self::Destination => "Destination",
            Self::Storage => "Storage",
            Self::BackupCache => "Backup Cache",
            Self::GuestProcessing => "Guest Processing",
            Self::Schedule => "Schedule",
            Self::Summary => "Summary",
        }
    }

    /// The step's title in the wizard of these settings (the backup copy
    /// wizard calls Name "Job" and Storage "Target").
    pub fn title(self, s: &BackupJobSettings) -> &'static str {
        match (self, s.copy.is_some()) {
            (Self::Name, true) => "Job",
            (Self::Storage, true) => "Target",
            _ => self.label(),
        }
    }

    /// The steps the wizard shows for these settings, in order (seed 004:
    /// Objects only for volume or file level, Destination and Backup Cache
    /// only for policies, Guest Processing only for servers and clusters).
    pub fn shown(s: &BackupJobSettings) -> Vec<JobStep> {
        if s.copy.is_some() {
            return vec![
                Self::Name,
                Self::Objects,
                Self::Storage,
                Self::Schedule,
                Self::Summary,
            ];
        }
        let mut v = vec![Self::JobMode, Self::Name, Self::Computers, Self::BackupMode];
        if s.backup_mode != BackupMode::EntireComputer {
            v.push(Self::Objects);
        }
        if s.management == Management::Agent {
            v.push(Self::Destination);
        }
        v.push(Self::Storage);
        if s.management == Management::Agent {
            v.push(Self::BackupCache);
        }
        if s.computer_type != ComputerType::Workstation {
            v.push(Self::GuestProcessing);
        }
        v.push(Self::Schedule);
        v.push(Self::Summary);
        v
    }
}

/// What a job's ribbon and context menu can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    /// Run now (incremental).
    Start,
    /// Cancel the running session.
    Stop,
    /// Run again after a failure.
    Retry,
    /// Run now reading every file again (a full restore point).
    ActiveFull,
    /// Schedule again.
    Enable,
    /// Stop scheduling.
    Disable,
}
