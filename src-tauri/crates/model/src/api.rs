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
    /// Backup Infrastructure → Service Providers.
    ListServiceProviders, "list_service_providers", Vec<ServiceProviderRow>);
command!(
    /// The status bar.
    GetStatus, "get_status", ConsoleStatus);
command!(
    /// Preferences at start.
    GetSettings, "get_settings", UiSettings);

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
