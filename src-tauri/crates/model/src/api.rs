//! The typed commands the UI sends to the backend. Each request is one
//! struct; [`Command::NAME`] is the Tauri command it goes to and
//! [`Command::Response`] what comes back (errors are [`crate::ApiError`]).

use crate::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// A request the UI can send.
pub trait Command: Serialize {
    /// The Tauri command name.
    const NAME: &'static str;
    /// What a successful call returns.
    type Response: DeserializeOwned;
}

macro_rules! command {
    ($(#[$m:meta])* $ty:ident, $name:literal, $resp:ty) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct $ty {}
        impl Command for $ty {
            const NAME: &'static str = $name;
            type Response = $resp;
        }
    };
}

command!(
    /// Backup Infrastructure → Backup Repositories.
    ListRepositories, "list_repositories", Vec<RepositoryRow>);
command!(
    /// Home → Jobs.
    ListJobs, "list_jobs", Vec<JobRow>);
command!(
    /// Home → Backups.
    ListBackups, "list_backups", Vec<BackupRow>);
command!(
    /// Backup Infrastructure → External Repositories.
    ListExternalRepositories, "list_external_repositories", Vec<ExternalRepositoryRow>);
command!(
    /// Backup Infrastructure → Protection Groups.
    ListProtectionGroups, "list_protection_groups", Vec<ProtectionGroupRow>);
command!(
    /// Backup Infrastructure → Protection Groups → Cloud Machines: every
    /// group's machines.
    ListGroupMachines, "list_group_machines", Vec<MachineRow>);
command!(
    /// Backup Infrastructure → Service Providers.
    ListServiceProviders, "list_service_providers", Vec<ServiceProviderRow>);
command!(
    /// The status bar.
    GetStatus, "get_status", ConsoleStatus);
command!(
    /// Preferences at start.
    GetSettings, "get_settings", UiSettings);
command!(
    /// Opens ☰ → Configuration Backup.
    GetConfigBackup, "get_config_backup", crate::ConfigBackupView);
command!(
    /// Back up now, with the saved settings; the answer says what was done.
    BackupConfigurationNow, "backup_configuration_now", String);

/// Waits (up to half a minute) until a session of this console starts or
/// ends after the change numbered `seen`, and answers the newest change's
/// number; the status bar and the lists follow sessions by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitSessionsChanged {
    /// The last change number the window has seen (0 at first).
    pub seen: u64,
}

impl Command for WaitSessionsChanged {
    const NAME: &'static str = "wait_sessions_changed";
    type Response = u64;
}

/// Which sessions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SessionScope {
    /// In progress.
    Running,
    /// Finished in the last 24 hours.
    Last24Hours,
    /// Everything.
    #[default]
    History,
}

/// Sessions for Running, Last 24 Hours and History.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListSessions {
    /// Which sessions.
    pub scope: SessionScope,
    /// Only this result.
    pub result: Option<SessionResult>,
    /// Only this kind.
    pub kind: Option<SessionKind>,
}

impl Command for ListSessions {
    const NAME: &'static str = "list_sessions";
    type Response = Vec<SessionRow>;
}

/// Saves preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SaveSettings {
    /// The new preferences.
    pub settings: UiSettings,
}

impl Command for SaveSettings {
    const NAME: &'static str = "save_settings";
    type Response = ();
}

/// Validates one step of the job wizard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckJobStep {
    /// The step to check.
    pub step: JobStep,
    /// Everything entered so far.
    pub spec: BackupJobSpec,
    /// The job's current name when editing.
    pub editing: Option<String>,
}

impl Command for CheckJobStep {
    const NAME: &'static str = "check_job_step";
    type Response = ();
}

/// Finish: creates the job, or saves it when editing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveJob {
    /// The job.
    pub spec: BackupJobSpec,
    /// The job's current name when editing.
    pub editing: Option<String>,
    /// "Run the job when I click Finish".
    pub run_now: bool,
}

/// What Finish did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedJob {
    /// The job's name.
    pub name: String,
    /// The session started by "Run the job when I click Finish".
    pub session: Option<i64>,
    /// Next scheduled start.
    pub next_run: Option<i64>,
}

impl Command for SaveJob {
    const NAME: &'static str = "save_job";
    type Response = SavedJob;
}

/// A job's settings, for Edit and Clone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetJob {
    /// Job name.
    pub name: String,
}

impl Command for GetJob {
    const NAME: &'static str = "get_job";
    type Response = BackupJobSpec;
}

/// Start, Stop, Retry, Active Full, Enable, Disable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunJobAction {
    /// Job name.
    pub name: String,
    /// What to do.
    pub action: JobAction,
}

impl Command for RunJobAction {
    const NAME: &'static str = "job_action";
    /// The session started, for Start / Retry / Active Full.
    type Response = Option<i64>;
}

/// Deletes a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteJob {
    /// Job name.
    pub name: String,
    /// Also delete its backups from the repository.
    pub delete_backups: bool,
}

impl Command for DeleteJob {
    const NAME: &'static str = "delete_job";
    type Response = ();
}

/// One log line of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionLogLine {
    /// Catalog id (increasing).
    pub id: i64,
    /// Unix seconds.
    pub time: i64,
    /// Info, warning or error.
    pub level: LogLevel,
    /// The text.
    pub message: String,
}

/// Live counters of a running session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SessionProgress {
    /// 0–100 when the total is known.
    pub percent: Option<u8>,
    /// Source bytes processed.
    pub processed: u64,
    /// Source bytes read (changed data).
    pub read: u64,
    /// Bytes stored in the repository.
    pub transferred: u64,
    /// Bytes per second.
    pub rate: f64,
    /// Seconds since the start.
    pub elapsed: f64,
    /// Seconds left, when known.
    pub eta: Option<f64>,
    /// Files processed.
    pub files: u64,
    /// Source, Compression or Target.
    pub bottleneck: Option<String>,
    /// Item being processed.
    pub current: String,
}

/// What the session window shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDetails {
    /// The session.
    pub row: SessionRow,
    /// Its log so far.
    pub log: Vec<SessionLogLine>,
    /// Live counters while it runs (and the last ones after).
    pub progress: Option<SessionProgress>,
    /// One task per machine (jobs of cloud machines); empty otherwise.
    #[serde(default)]
    pub tasks: Vec<SessionTask>,
}

/// Where one machine's share of a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting for a free slot.
    Pending,
    /// Its agent has the order.
    Running,
    /// A restore point was made.
    Success,
    /// No restore point; the detail says why.
    Failed,
}

impl TaskStatus {
    /// The Status column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Success => "Success",
            Self::Failed => "Failed",
        }
    }
}

/// One machine's share of a session, as its agent reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTask {
    /// The machine's name.
    pub name: String,
    /// Where it stands.
    pub status: TaskStatus,
    /// 0–100 when the agent knows its total.
    pub percent: Option<u8>,
    /// Files done.
    pub files: u64,
    /// Source bytes done.
    pub processed: u64,
    /// The item being read, the restore point made, or why it failed.
    pub detail: String,
    /// Unix seconds.
    pub started: Option<i64>,
    /// Unix seconds.
    pub ended: Option<i64>,
}

/// A session for the session window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetSession {
    /// Session id.
    pub id: i64,
}

impl Command for GetSession {
    const NAME: &'static str = "get_session";
    type Response = SessionDetails;
}

/// The last session of a job (Statistics, double-click on a job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastJobSession {
    /// Job name.
    pub name: String,
}

impl Command for LastJobSession {
    const NAME: &'static str = "last_job_session";
    type Response = Option<i64>;
}

command!(
    /// This computer's name (the Computers step's "This computer").
    ThisComputer, "this_computer", String);
command!(
    /// ☰ → Exit: the console quits (the tray too), removing what goes with
    /// it; a closed window only hides while the tray runs.
    ExitConsole, "exit_console", ());

/// Follows a session: its counters, new log lines and its end arrive as
/// [`SessionEvent`]s over the channel passed beside the request, until it
/// ends or [`UnwatchSession`] is sent with the watch id answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchSession {
    /// Session id.
    pub id: i64,
}

impl Command for WatchSession {
    const NAME: &'static str = "watch_session";
    type Response = u64;
}

/// Stops a [`WatchSession`] stream (the session window closed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnwatchSession {
    /// The id [`WatchSession`] answered.
    pub watch: u64,
}

impl Command for UnwatchSession {
    const NAME: &'static str = "unwatch_session";
    type Response = ();
}

/// Updates streamed over a Tauri channel by [`WatchSession`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum SessionEvent {
    /// New counters.
    Progress {
        /// The counters.
        progress: SessionProgress,
    },
    /// New log lines.
    Log {
        /// The lines.
        lines: Vec<SessionLogLine>,
    },
    /// The machines' tasks changed (jobs of cloud machines).
    Tasks {
        /// Every task.
        tasks: Vec<SessionTask>,
    },
    /// The session ended.
    Finished {
        /// The final row.
        row: SessionRow,
    },
}

/// Clone: a copy of the job under a free name (returns it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloneJob {
    /// Job name.
    pub name: String,
}

impl Command for CloneJob {
    const NAME: &'static str = "clone_job";
    type Response = String;
}

/// The next starts a schedule would make (the Summary step shows them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewSchedule {
    /// The schedule as entered.
    pub schedule: Schedule,
    /// How many starts.
    pub count: u32,
}

impl Command for PreviewSchedule {
    const NAME: &'static str = "preview_schedule";
    /// Unix seconds; empty when the job starts only by hand or after another.
    type Response = Vec<i64>;
}

/// The name of every [`Command`]: the backend has a handler for each (its
/// test checks), and this list is complete (the test below checks).
pub const COMMAND_NAMES: &[&str] = &[
    ListRepositories::NAME,
    ListJobs::NAME,
    ListBackups::NAME,
    ListExternalRepositories::NAME,
    ListProtectionGroups::NAME,
    ListGroupMachines::NAME,
    crate::CheckGroupStep::NAME,
    crate::AddProtectionGroup::NAME,
    crate::EditProtectionGroup::NAME,
    crate::GetProtectionGroup::NAME,
    crate::RemoveProtectionGroup::NAME,
    crate::RescanProtectionGroup::NAME,
    crate::ListMachinesOfGroup::NAME,
    ListServiceProviders::NAME,
    GetStatus::NAME,
    GetSettings::NAME,
    ListSessions::NAME,
    SaveSettings::NAME,
    CheckJobStep::NAME,
    SaveJob::NAME,
    GetJob::NAME,
    RunJobAction::NAME,
    DeleteJob::NAME,
    GetSession::NAME,
    WatchSession::NAME,
    UnwatchSession::NAME,
    LastJobSession::NAME,
    ThisComputer::NAME,
    ExitConsole::NAME,
    CloneJob::NAME,
    PreviewSchedule::NAME,
    ListRestorePoints::NAME,
    OpenBrowser::NAME,
    crate::ListVolumes::NAME,
    crate::ProbeVolumeTarget::NAME,
    crate::StartVolumeTask::NAME,
    CloseBrowser::NAME,
    BrowseFolder::NAME,
    SearchPoint::NAME,
    RestoreItems::NAME,
    ItemVersions::NAME,
    OpenItem::NAME,
    CancelRestore::NAME,
    ComparePoints::NAME,
    PickFolder::NAME,
    CheckExternalStep::NAME,
    ConnectExternal::NAME,
    RescanExternal::NAME,
    RescanRepository::NAME,
    WaitSessionsChanged::NAME,
    GetConfigBackup::NAME,
    crate::SaveConfigBackup::NAME,
    BackupConfigurationNow::NAME,
    crate::RestoreConfiguration::NAME,
    RemoveExternal::NAME,
    CheckRepositoryStep::NAME,
    AddRepository::NAME,
    GetRepository::NAME,
    EditRepository::NAME,
    RemoveRepository::NAME,
    ListCredentials::NAME,
    PutCredential::NAME,
    DeleteCredential::NAME,
];

#[cfg(test)]
mod tests {
    use super::COMMAND_NAMES;
    use std::collections::BTreeSet;

    /// Every command name declared in the model's sources.
    fn declared() -> BTreeSet<String> {
        let sources = [
            include_str!("api.rs"),
            include_str!("browse.rs"),
            include_str!("disks.rs"),
            include_str!("external.rs"),
            include_str!("repository.rs"),
            include_str!("jobs.rs"),
            include_str!("inventory.rs"),
            include_str!("groups.rs"),
            include_str!("schedule.rs"),
            include_str!("settings.rs"),
        ];
        let mut out = BTreeSet::new();
        for line in sources.iter().flat_map(|s| s.lines()) {
            let quoted = |l: &str| l.split('"').nth(1).map(str::to_string);
            let t = line.trim();
            if t.starts_with("const NAME: &'static str = \"") {
                out.extend(quoted(t));
            } else if let Some((ty, _)) = t.split_once(", \"") {
                // `command!(… Name, "name", Response);`
                let is_type = ty.starts_with(|c: char| c.is_ascii_uppercase())
                    && ty.chars().all(|c| c.is_ascii_alphanumeric());
                if is_type && t.ends_with(");") {
                    out.extend(quoted(t));
                }
            }
        }
        out
    }

    #[test]
    fn the_command_list_names_every_command_once() {
        let listed: BTreeSet<String> = COMMAND_NAMES.iter().map(|s| s.to_string()).collect();
        assert_eq!(listed.len(), COMMAND_NAMES.len(), "a name is listed twice");
        assert_eq!(
            listed,
            declared(),
            "COMMAND_NAMES differs from the declared commands"
        );
    }
}
