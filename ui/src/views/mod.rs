//! The three views (Home, Backup Infrastructure, History): their inventory
//! trees and the list each node shows in the working area.

mod history;
mod home;
pub mod infrastructure;

use crate::components::table::Table;
use cairn_model::{ApiError, View};

/// A node of an inventory tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Jobs,
    JobsBackup,
    JobsCopy,
    Backups,
    BackupsDisk,
    BackupsDiskCopy,
    BackupsObject,
    BackupsExternal,
    Running,
    Last24,
    Last24Success,
    Last24Warning,
    Last24Failed,
    Repositories,
    ExternalRepositories,
    ProtectionGroups,
    CloudMachines,
    ServiceProviders,
    History,
    HistoryBackup,
    HistoryCopy,
    HistoryRestore,
    HistorySystem,
}

impl Node {
    /// Text in the tree.
    pub fn label(self) -> &'static str {
        use Node::*;
        match self {
            Jobs => "Jobs",
            JobsBackup => "Backup",
            JobsCopy => "Backup Copy",
            Backups => "Backups",
            BackupsDisk => "Disk",
            BackupsDiskCopy => "Copy",
            BackupsObject => "Object Storage",
            BackupsExternal => "External Repository",
            Running => "Running",
            Last24 => "Last 24 Hours",
            Last24Success => "Success",
            Last24Warning => "Warning",
            Last24Failed => "Failed",
            Repositories => "Backup Repositories",
            ExternalRepositories => "External Repositories",
            ProtectionGroups => "Protection Groups",
            CloudMachines => "Cloud Machines",
            ServiceProviders => "Service Providers",
            History => "Sessions",
            HistoryBackup => "Backup",
            HistoryCopy => "Backup Copy",
            HistoryRestore => "Restore",
            HistorySystem => "System",
        }
    }

    /// Stable id for tests and the DOM (`data-node`).
    pub fn id(self) -> &'static str {
        use Node::*;
        match self {
            Jobs => "jobs",
            JobsBackup => "jobs-backup",
            JobsCopy => "jobs-copy",
            Backups => "backups",
            BackupsDisk => "backups-disk",
            BackupsDiskCopy => "backups-disk-copy",
            BackupsObject => "backups-object",
            BackupsExternal => "backups-external",
            Running => "running",
            Last24 => "last24",
            Last24Success => "last24-success",
            Last24Warning => "last24-warning",
            Last24Failed => "last24-failed",
            Repositories => "repositories",
            ExternalRepositories => "external-repositories",
            ProtectionGroups => "protection-groups",
            CloudMachines => "cloud-machines",
            ServiceProviders => "service-providers",
            History => "history",
            HistoryBackup => "history-backup",
            HistoryCopy => "history-copy",
            HistoryRestore => "history-restore",
            HistorySystem => "history-system",
        }
    }

    /// Small glyph drawn before the label.
    pub fn icon(self) -> &'static str {
        use Node::*;
        match self {
            Jobs | JobsBackup | JobsCopy => "icon-job",
            Backups | BackupsDisk | BackupsDiskCopy | BackupsObject | BackupsExternal => {
                "icon-backup"
            }
            Running => "icon-running",
            Last24 | History => "icon-clock",
            Last24Success => "icon-success",
            Last24Warning => "icon-warning",
            Last24Failed => "icon-failed",
            Repositories => "icon-repo",
            ExternalRepositories => "icon-cloud",
            ProtectionGroups => "icon-group",
            CloudMachines => "icon-cloud",
            ServiceProviders => "icon-provider",
            HistoryBackup | HistoryCopy | HistoryRestore | HistorySystem => "icon-session",
        }
    }

    /// Child nodes.
    pub fn children(self) -> &'static [Node] {
        use Node::*;
        match self {
            Jobs => &[JobsBackup, JobsCopy],
            Backups => &[BackupsDisk, BackupsObject, BackupsExternal],
            BackupsDisk => &[BackupsDiskCopy],
            Last24 => &[Last24Success, Last24Warning, Last24Failed],
            ProtectionGroups => &[CloudMachines],
            History => &[HistoryBackup, HistoryCopy, HistoryRestore, HistorySystem],
            _ => &[],
        }
    }

    /// Loads the list this node shows.
    /// True for the Home → Backups nodes (rows are backups).
    pub fn is_backups(self) -> bool {
        use Node::*;
        matches!(
            self,
            Backups | BackupsDisk | BackupsDiskCopy | BackupsObject | BackupsExternal
        )
    }

    /// True for the Home → Jobs nodes (rows are jobs, keyed by name).
    pub fn is_jobs(self) -> bool {
        matches!(self, Node::Jobs | Node::JobsBackup | Node::JobsCopy)
    }

    /// True for nodes whose rows are sessions (keyed by id).
    pub fn is_sessions(self) -> bool {
        use Node::*;
        matches!(
            self,
            Running
                | Last24
                | Last24Success
                | Last24Warning
                | Last24Failed
                | History
                | HistoryBackup
                | HistoryCopy
                | HistoryRestore
                | HistorySystem
        )
    }

    pub async fn load(self) -> Result<Table, ApiError> {
        use Node::*;
        match self {
            Jobs | JobsBackup | JobsCopy => home::jobs(self).await,
            Backups | BackupsDisk | BackupsDiskCopy | BackupsObject | BackupsExternal => {
                home::backups(self).await
            }
            Running => home::running().await,
            Last24 | Last24Success | Last24Warning | Last24Failed => home::last24(self).await,
            Repositories => infrastructure::repositories().await,
            ExternalRepositories => infrastructure::external().await,
            ProtectionGroups => infrastructure::protection_groups().await,
            CloudMachines => infrastructure::cloud_machines().await,
            ServiceProviders => infrastructure::service_providers().await,
            History | HistoryBackup | HistoryCopy | HistoryRestore | HistorySystem => {
                history::sessions(self).await
            }
        }
    }
}

/// The root nodes of a view's tree.
pub fn roots(view: View) -> &'static [Node] {
    use Node::*;
    match view {
        View::Home => &[Jobs, Backups, Running, Last24],
        View::Infrastructure => &[
            Repositories,
            ExternalRepositories,
            ProtectionGroups,
            ServiceProviders,
        ],
        View::History => &[History],
    }
}

/// The node selected when a view opens.
pub fn default_node(view: View) -> Node {
    roots(view)[0]
}

/// A ribbon button's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Backup Job ▾ (Linux, Windows, This computer).
    BackupJob,
    /// Backup Copy ▾.
    BackupCopy,
    /// Restore ▾.
    Restore,
    /// A command on the selected job.
    Job(JobCommand),
    /// Add Repository ▾.
    AddRepository,
    /// Connect to Repository ▾ (external repositories).
    ConnectRepository,
    /// Add Protection Group (cloud machines).
    AddProtectionGroup,
    /// Rescan the selected repository, protection group or external
    /// repository, or every external repository.
    Rescan,
    /// Edit the selected repository or protection group.
    Edit,
    /// Remove the selected repository, external repository or group.
    RemoveRepository,
    /// History → Show Log.
    ShowLog,
}

impl Action {
    /// The id its button and tests use (`ribbon-<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Self::BackupJob => "backup-job",
            Self::BackupCopy => "backup-copy",
            Self::Restore => "restore",
            Self::Job(c) => c.id(),
            Self::AddRepository => "add-repository",
            Self::ConnectRepository => "connect-repository",
            Self::AddProtectionGroup => "add-protection-group",
            Self::Rescan => "rescan",
            Self::Edit => "edit",
            Self::RemoveRepository => "remove-repository",
            Self::ShowLog => "show-log",
        }
    }

    /// The drop-down menu the action opens, if it opens one.
    pub fn menu(self) -> Option<Menu> {
        match self {
            Self::BackupJob => Some(Menu::BackupJob),
            Self::BackupCopy => Some(Menu::BackupCopy),
            Self::Restore => Some(Menu::Restore),
            Self::AddRepository => Some(Menu::AddRepository),
            Self::ConnectRepository => Some(Menu::Connect),
            _ => None,
        }
    }
}

/// A command on a job (ribbon, context menu, double-click).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobCommand {
    /// Start now.
    Start,
    /// Stop the running session.
    Stop,
    /// Run a failed job again.
    Retry,
    /// Read every file again.
    ActiveFull,
    /// Open the job wizard on it.
    Edit,
    /// Copy it under a new name.
    Clone,
    /// Enable or disable, whichever it is not (the ribbon's toggle).
    Toggle,
    /// Enable its schedule.
    Enable,
    /// Disable its schedule.
    Disable,
    /// Delete it (asks first).
    Delete,
    /// Its last session.
    Statistics,
}

impl JobCommand {
    /// The id buttons use (`ribbon-<id>`, `context-<id>`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Start => "job-start",
            Self::Stop => "job-stop",
            Self::Retry => "job-retry",
            Self::ActiveFull => "job-active-full",
            Self::Edit => "job-edit",
            Self::Clone => "job-clone",
            Self::Toggle => "job-toggle",
            Self::Enable => "job-enable",
            Self::Disable => "job-disable",
            Self::Delete => "job-delete",
            Self::Statistics => "job-statistics",
        }
    }
}

/// The drop-down menus of the ribbon and the application menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    /// ☰: credentials and passwords.
    App,
    /// Backup Job ▾.
    BackupJob,
    /// Backup Copy ▾.
    BackupCopy,
    /// Connect to Repository ▾.
    Connect,
    /// Restore ▾.
    Restore,
    /// Add Repository ▾.
    AddRepository,
}

/// Ribbon buttons of a view: (label, glyph class, action).
pub fn ribbon(view: View) -> &'static [(&'static str, &'static str, Action)] {
    use Action::*;
    use JobCommand as J;
    match view {
        View::Home => &[
            ("Backup Job", "icon-job", BackupJob),
            ("Backup Copy", "icon-copy", BackupCopy),
            ("Restore", "icon-restore", Restore),
            ("Start", "icon-start", Job(J::Start)),
            ("Stop", "icon-stop", Job(J::Stop)),
            ("Retry", "icon-rescan", Job(J::Retry)),
            ("Active Full", "icon-full", Job(J::ActiveFull)),
            ("Edit", "icon-edit", Job(J::Edit)),
            ("Clone", "icon-copy", Job(J::Clone)),
            ("Disable", "icon-disable", Job(J::Toggle)),
            ("Delete", "icon-remove", Job(J::Delete)),
            ("Statistics", "icon-session", Job(J::Statistics)),
        ],
        View::Infrastructure => &[
            ("Add Repository", "icon-repo", AddRepository),
            ("Connect to Repository", "icon-cloud", ConnectRepository),
            ("Add Group", "icon-group", AddProtectionGroup),
            ("Rescan", "icon-rescan", Rescan),
            ("Edit", "icon-edit", Edit),
            ("Remove", "icon-remove", RemoveRepository),
        ],
        View::History => &[("Show Log", "icon-session", ShowLog)],
    }
}
