//! The Guest files restore wizard and the Backup Browser.

use crate::api::Command;
use crate::repository::Secret;
use serde::{Deserialize, Serialize};

/// Whether a restore point holds every file or only the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointKind {
    /// Every file's data is in the point's packs or earlier ones it names.
    Full,
    /// Only what changed since the point before.
    Increment,
}

impl PointKind {
    /// The name the tables show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Full => "Full",
            Self::Increment => "Increment",
        }
    }
}

/// Why retention keeps a point longer than the job's count (GFS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GfsFlag {
    /// Kept as the week's point.
    Weekly,
    /// Kept as the month's point.
    Monthly,
    /// Kept as the year's point.
    Yearly,
}

impl GfsFlag {
    /// The flag a manifest stores (`weekly`, `monthly`, `yearly`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "weekly" => Some(Self::Weekly),
            "monthly" => Some(Self::Monthly),
            "yearly" => Some(Self::Yearly),
            _ => None,
        }
    }

    /// The name the tables show.
    pub fn label(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Yearly => "yearly",
        }
    }

    /// Flags as the tables show them: `weekly, monthly`.
    pub fn list(flags: &[Self]) -> String {
        flags
            .iter()
            .map(|f| f.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One restore point as the wizard's Restore Point step lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestorePointRow {
    /// Restore point id.
    pub id: String,
    /// Unix seconds.
    pub time: i64,
    /// Full or Increment.
    pub kind: PointKind,
    /// Bytes of the point's files.
    pub size: u64,
    /// GFS flags.
    pub gfs: Vec<GfsFlag>,
    /// Unix seconds until which the point is immutable, when it is.
    pub immutable_until: Option<i64>,
    /// The backup is sealed with a password this console does not know
    /// yet: kind and size are unknown until it is given.
    #[serde(default)]
    pub sealed: bool,
}

/// The restore points of a backup, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListRestorePoints {
    /// Backup id.
    pub backup: String,
}

impl Command for ListRestorePoints {
    const NAME: &'static str = "list_restore_points";
    type Response = Vec<RestorePointRow>;
}

/// An open restore point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserPoint {
    /// Browser id for the calls that follow.
    pub id: u64,
    /// Backup id.
    pub backup: String,
    /// Restore point id.
    pub point: String,
    /// Unix seconds.
    pub time: i64,
    /// Job or policy.
    pub job: String,
    /// Machine.
    pub machine: String,
    /// Repository name.
    pub repository: String,
    /// Folders the backup included.
    pub sources: Vec<String>,
}

/// Opens a restore point in the Backup Browser. An encrypted backup needs
/// its password; a wrong one is reported as such.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenBrowser {
    /// Backup id.
    pub backup: String,
    /// Restore point id, or "latest".
    pub point: String,
    /// Encryption password, if the backup is encrypted.
    pub password: Option<Secret>,
}

impl Command for OpenBrowser {
    const NAME: &'static str = "open_browser";
    type Response = BrowserPoint;
}

/// Closes a Backup Browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloseBrowser {
    /// Browser id.
    pub id: u64,
}

impl Command for CloseBrowser {
    const NAME: &'static str = "close_browser";
    type Response = ();
}

/// How an item compares with the live file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Same size, time and permissions.
    Unchanged,
    /// Different on disk.
    Changed,
    /// In the backup, not on disk.
    Deleted,
    /// On disk, not in the backup.
    New,
}

impl ItemState {
    /// Words for the list.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unchanged => "Unchanged",
            Self::Changed => "Changed",
            Self::Deleted => "Deleted",
            Self::New => "New",
        }
    }
}

/// One item of a folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserEntry {
    /// Name.
    pub name: String,
    /// Folder, file, link or special.
    pub kind: ItemKind,
    /// Bytes.
    pub size: u64,
    /// Modified, Unix seconds.
    pub mtime: i64,
    /// user:group.
    pub owner: String,
    /// Permission bits in octal.
    pub mode: String,
    /// True for folders.
    pub has_children: bool,
    /// After Compare with production.
    pub state: Option<ItemState>,
}

/// Lists a folder of an open restore point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowseFolder {
    /// Browser id.
    pub id: u64,
    /// Full path ("/" for the top).
    pub path: String,
    /// Compare each item with the live file system.
    pub compare: bool,
}

impl Command for BrowseFolder {
    const NAME: &'static str = "browse_folder";
    type Response = Vec<BrowserEntry>;
}

/// What an entry of a restore point is, as the lists show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A folder.
    Folder,
    /// A regular file.
    File,
    /// A symbolic link.
    Link,
    /// A device, pipe or socket.
    Special,
}

impl ItemKind {
    /// The word lists and CSS classes use: folder, file, link, special.
    pub fn word(self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::File => "file",
            Self::Link => "link",
            Self::Special => "special",
        }
    }
}

/// How an item differs between two restore points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the newer point.
    Added,
    /// Only in the older point.
    Deleted,
    /// In both, with other content or metadata.
    Changed,
}

impl ChangeKind {
    /// The word the Compare pane shows: added, deleted, changed.
    pub fn word(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Deleted => "deleted",
            Self::Changed => "changed",
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundItem {
    /// Full path.
    pub path: String,
    /// Folder, file, link or special.
    pub kind: ItemKind,
    /// Bytes.
    pub size: u64,
    /// Modified, Unix seconds.
    pub mtime: i64,
}

/// Search results, capped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// The items found.
    pub items: Vec<FoundItem>,
    /// True when there were more than the limit.
    pub truncated: bool,
}

/// Searches the whole restore point by name or `*`/`?` mask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPoint {
    /// Browser id.
    pub id: u64,
    /// Name or mask.
    pub pattern: String,
    /// At most this many results.
    pub limit: u32,
}

impl Command for SearchPoint {
    const NAME: &'static str = "search_point";
    type Response = SearchResult;
}

/// Where restored items go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum RestoreTarget {
    /// Original location, replacing what is there.
    Overwrite,
    /// Original location, keeping what is there (restored items get
    /// `_RESTORED_YYYYMMDD_HHMMSS`).
    Keep,
    /// Another folder (full paths below it).
    CopyTo {
        /// Folder.
        folder: String,
        /// Restore owner, group and special permission bits.
        preserve_permissions: bool,
    },
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    /// Files written.
    pub restored: u64,
    /// Files left alone.
    pub skipped: u64,
    /// Items that failed, with the reason.
    pub failed: Vec<String>,
    /// Bytes written.
    pub bytes: u64,
}

/// Restores selected items of an open restore point as a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreItems {
    /// Browser id.
    pub id: u64,
    /// Full paths of the selected items.
    pub paths: Vec<String>,
    /// Where.
    pub target: RestoreTarget,
    /// Only items that differ from the live file system.
    pub changed_only: bool,
    /// The wizard's Reason step.
    pub reason: String,
    /// Another restore point of the same backup (a version picked from
    /// Versions); None for the open one.
    #[serde(default)]
    pub point: Option<String>,
}

impl Command for RestoreItems {
    const NAME: &'static str = "restore_items";
    type Response = RestoreOutcome;
}

/// One version of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRow {
    /// Restore point id.
    pub point: String,
    /// Restore point time, Unix seconds.
    pub time: i64,
    /// Bytes.
    pub size: u64,
    /// Modified, Unix seconds.
    pub mtime: i64,
}

/// The restore points in which an item differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemVersions {
    /// Browser id.
    pub id: u64,
    /// Full path.
    pub path: String,
}

impl Command for ItemVersions {
    const NAME: &'static str = "item_versions";
    type Response = Vec<VersionRow>;
}

/// Extracts a file to a temporary folder and opens it with the desktop's
/// default application; replies with the extracted file's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenItem {
    /// Browser id.
    pub id: u64,
    /// Full path.
    pub path: String,
}

impl Command for OpenItem {
    const NAME: &'static str = "open_item";
    type Response = String;
}

/// Stops the restore running from a Backup Browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelRestore {
    /// Browser id.
    pub id: u64,
}

impl Command for CancelRestore {
    const NAME: &'static str = "cancel_restore";
    type Response = ();
}

/// One difference between two restore points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointDifference {
    /// Full path.
    pub path: String,
    /// Added, deleted or changed.
    pub change: ChangeKind,
    /// Folder, file, link or special.
    pub kind: ItemKind,
    /// Bytes in the newer point.
    pub size: u64,
}

/// What was added, changed and deleted between another restore point of
/// the same backup and the open one (older → newer, whichever is which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparePoints {
    /// Browser id.
    pub id: u64,
    /// The other restore point.
    pub other: String,
}

impl Command for ComparePoints {
    const NAME: &'static str = "compare_points";
    type Response = Vec<PointDifference>;
}

/// Asks the user for a folder with the desktop's folder dialog; None when
/// the dialog was cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickFolder {
    /// The dialog's title.
    pub title: String,
}

impl Command for PickFolder {
    const NAME: &'static str = "pick_folder";
    type Response = Option<String>;
}
