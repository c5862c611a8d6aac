//! The daily configuration backup: its settings (☰ → Configuration
//! Backup, `cairn config schedule`) and the scheduler's run of it.

use super::Console;
use crate::error::{Error, Result};
use cairn_model::{ConfigBackupSettings, Schedule, ScheduleKind, Weekday};

const SETTINGS: &str = "configuration_backup";
const NEXT_RUN: &str = "configuration_backup_next_run";

fn daily_at(time: &str) -> Schedule {
    Schedule {
        enabled: true,
        kind: ScheduleKind::Daily {
            time: time.to_string(),
            days: Weekday::ALL.to_vec(),
        },
        ..Default::default()
    }
}

impl Console {
    /// The configuration backup's settings (defaults: daily at 10:00 into
    /// the default repository, secrets left out).
    pub fn config_backup_settings(&self) -> Result<ConfigBackupSettings> {
        let Some(text) = self.catalog()?.setting(SETTINGS)? else {
            return Ok(ConfigBackupSettings::default());
        };
        serde_json::from_str(&text).map_err(|e| {
            Error::corrupt(format!(
                "the configuration backup settings are damaged ({e}); set them again"
            ))
        })
    }

    /// Saves the settings after checking the repository, the time and the
    /// password exist; the next run is counted from now.
    pub fn set_config_backup_settings(&self, s: &ConfigBackupSettings) -> Result<()> {
        if let Some(r) = &s.repository {
            self.repository_named(r)?;
        }
        if let Some(p) = &s.password_name {
            let c = self.catalog()?.credential(p)?;
            if c.kind != cairn_model::CredentialKind::Password {
                return Err(Error::invalid(format!(
                    "{p} is not a password of Manage Passwords"
                )));
            }
        }
        crate::schedule::validate(&daily_at(&s.time), "configuration backup", &[])?;
        let text = serde_json::to_string(s).map_err(|e| Error::internal(e.to_string()))?;
        let cat = self.catalog()?;
        cat.set_setting(SETTINGS, &text)?;
        cat.set_setting(NEXT_RUN, "")?;
        drop(cat);
        self.wake_scheduler();
        Ok(())
    }

    /// The next scheduled configuration backup (unix seconds).
    pub fn config_backup_next_run(&self) -> Result<Option<i64>> {
        let s = self.config_backup_settings()?;
        if !s.enabled {
            return Ok(None);
        }
        let stored = self.catalog()?.setting(NEXT_RUN)?;
        Ok(stored.and_then(|v| v.parse().ok()))
    }

    /// The scheduler's turn: backs the configuration up when it is due,
    /// and counts the next run (the first one from now: a new console does
    /// not back up at its first start). Failures are the session's.
    pub(crate) fn configuration_backup_if_due(&self, t: i64) -> Result<()> {
        let s = self.config_backup_settings()?;
        if !s.enabled {
            return Ok(());
        }
        let due = self.config_backup_next_run()?;
        let next = crate::schedule::next_run_unix(&daily_at(&s.time), t);
        let next = next.map(|n| n.to_string()).unwrap_or_default();
        match due {
            Some(d) if d <= t => {
                self.catalog()?.set_setting(NEXT_RUN, &next)?;
                if let Err(e) = self.backup_configuration_now() {
                    eprintln!("cairn: the scheduled configuration backup failed: {e}");
                }
            }
            Some(_) => {}
            None => self.catalog()?.set_setting(NEXT_RUN, &next)?,
        }
        Ok(())
    }

    /// ☰ → Configuration Backup → Back up now, and the daily run: with
    /// the saved settings (the password read from the keyring).
    pub fn backup_configuration_now(&self) -> Result<String> {
        let s = self.config_backup_settings()?;
        let password = match &s.password_name {
            Some(name) => Some(self.stored_password(name)?),
            None => None,
        };
        let pw = password.as_ref().map(|p| p.expose().as_str());
        self.backup_configuration(s.repository.as_deref(), pw)
            .map(|r| r.summary())
    }

    /// A Manage Passwords entry's password, from the keyring.
    fn stored_password(&self, name: &str) -> Result<crate::secrets::Sensitive<String>> {
        let c = self.catalog()?.credential(name)?;
        crate::secrets::load(&c.secret_ref, name)
    }
}
