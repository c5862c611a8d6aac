//! Console preferences remembered between starts.

use serde::{Deserialize, Serialize};

/// The three navigation views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Jobs, backups, running sessions.
    #[default]
    Home,
    /// Repositories, external repositories, protection groups, providers.
    Infrastructure,
    /// Every session with its log.
    History,
}

impl View {
    /// The label on the navigation button.
    pub fn label(self) -> &'static str {
        match self {
            Self::Home => "Home",
            Self::Infrastructure => "Backup Infrastructure",
            Self::History => "History",
        }
    }
}

/// Light or dark colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Dark text on light panels.
    #[default]
    Light,
    /// Light text on dark panels.
    Dark,
}

/// Preferences the UI reads at start and saves when they change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UiSettings {
    /// Colour theme.
    pub theme: Theme,
    /// View shown at start.
    pub last_view: View,
}

/// Size of the main window in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowSize {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_json_with_snake_case_names() {
        let s = UiSettings {
            theme: Theme::Dark,
            last_view: View::Infrastructure,
        };
        let json = serde_json::to_string(&s).expect("serialize");
        assert_eq!(json, r#"{"theme":"dark","last_view":"infrastructure"}"#);
        let back: UiSettings = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, s);
    }
}

/// ☰ → Configuration Backup: where and when the console backs up its own
/// configuration by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigBackupSettings {
    /// Run it daily (on by default).
    pub enabled: bool,
    /// Repository (none = the default repository).
    #[serde(default)]
    pub repository: Option<String>,
    /// "HH:MM", local time.
    pub time: String,
    /// Manage Passwords entry that seals the secrets (none = secrets are
    /// left out and listed as to re-enter).
    #[serde(default)]
    pub password_name: Option<String>,
}

impl Default for ConfigBackupSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            repository: None,
            time: "10:00".into(),
            password_name: None,
        }
    }
}

/// ☰ → Configuration Backup: the settings and when it runs next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigBackupView {
    /// The settings.
    pub settings: ConfigBackupSettings,
    /// Next scheduled run (unix seconds), when it is on and counted.
    pub next_run: Option<i64>,
}

/// Saves ☰ → Configuration Backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveConfigBackup {
    /// The settings.
    pub settings: ConfigBackupSettings,
}

impl crate::api::Command for SaveConfigBackup {
    const NAME: &'static str = "save_config_backup";
    type Response = ();
}

/// Rebuilds a fresh console from the newest configuration backup in a
/// repository; the answer says what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreConfiguration {
    /// Repository that holds the configuration backup.
    pub repository: String,
    /// Its password, when it was sealed with one.
    pub password: Option<crate::Secret>,
}

impl crate::api::Command for RestoreConfiguration {
    const NAME: &'static str = "restore_configuration";
    type Response = String;
}
