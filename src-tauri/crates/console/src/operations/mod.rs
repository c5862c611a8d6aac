//! [`Console`]: one data folder's configuration and the operations the
//! desktop shell and the CLI offer on it.

mod agent_distributor;
mod agent_grants;
mod agent_install;
mod agent_link;
mod agent_packages;
mod agent_runs;
mod agent_scripts;
mod agent_status;
mod backup_listing;
mod backup_map;
mod browser;
mod configuration;
mod configuration_schedule;
mod copy_jobs;
mod copy_runs;
mod credentials;
mod disk_exports;
mod external;
mod followups;
mod group_cloud;
mod group_rescan;
mod group_wizard;
mod groups;
mod inventory;
mod jobs;
mod mounts;
mod point_exports;
mod repositories;
mod repository_rescan;
mod repository_wizard;
mod restores;
mod runs;
mod sessions;
mod volume_restores;
mod volume_tasks;
mod watch;

pub use agent_runs::{Target, AGENT_TIMEOUT_SECS};
pub use agent_status::AgentAnswer;
pub use configuration::{
    ConfigBackupReport, ConfigRestoreReport, CONFIGURATION_BACKUP, CONFIGURATION_PLATFORM,
};
pub use disk_exports::{ExportReport, Listen};
pub use external::RESCAN_EVERY_SECS;
pub use group_rescan::{GroupRescan, Takeover, AGENT_SILENT_SECS};
pub use groups::CONSOLE_TAG;
pub use jobs::{
    machine_name, session_kind, JobRunReport, NewEncryption, RunOptions, PRUNE_GRACE_SECS,
};
pub use mounts::{is_mounted, MountReport};
pub use point_exports::{browse_export_file, restore_export_file};
pub use repository_rescan::RepositoryRescan;
pub use restores::{OpenPoint, Version};
pub use runs::Live;
pub use volume_restores::Volume;
pub use volume_tasks::probe_volume_target;
pub use watch::SessionWatcher;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::paths;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Name of the repository created on first start.
pub const DEFAULT_REPOSITORY: &str = "Default Backup Repository";

/// The console's state: its data folder and catalog.
pub struct Console {
    data_dir: PathBuf,
    catalog: Mutex<Catalog>,
    session_events: Arc<crate::catalog::SessionEvents>,
    browsers: browser::Browsers,
    runs: runs::Runs,
}

impl Console {
    /// Opens a data folder, creating on first start the folder, the SQLite
    /// configuration and the default local repository inside it.
    pub fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| Error::io("create the data folder", data_dir, e))?;
        let catalog = Catalog::open(&paths::catalog_file(data_dir))?;
        let console = Self {
            data_dir: data_dir.to_path_buf(),
            session_events: catalog.session_events(),
            catalog: Mutex::new(catalog),
            browsers: browser::Browsers::default(),
            runs: runs::Runs::default(),
        };
        console.ensure_default_repository()?;
        console.catalog()?.close_interrupted_sessions()?;
        remove_stale_opened_files(data_dir);
        Ok(console)
    }

    /// This process's runs (the scheduler keeps its retries there).
    pub(crate) fn runs(&self) -> &runs::Runs {
        &self.runs
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Waits, without holding the catalog, until a session of this
    /// process starts or ends after change `seen`, or another process on
    /// this data folder (the CLI, a daemon) writes the catalog, or
    /// `timeout`; the newest change number.
    pub fn wait_sessions_changed(&self, seen: u64, timeout: std::time::Duration) -> u64 {
        const LOOK_AT_OTHERS: std::time::Duration = std::time::Duration::from_secs(1);
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Ok(v) = self.catalog().and_then(|c| c.data_version()) {
                self.session_events.note_data_version(v);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let now = self
                .session_events
                .wait_after(seen, left.min(LOOK_AT_OTHERS));
            if now != seen || left.is_zero() {
                return now;
            }
        }
    }

    /// The catalog, locked for this thread.
    pub fn catalog(&self) -> Result<MutexGuard<'_, Catalog>> {
        self.catalog.lock().map_err(|_| {
            Error::internal("the configuration database is unavailable after an earlier failure")
        })
    }
}

impl Console {
    /// Removes the files Open extracted (decrypted copies) for this
    /// process. Dropping the console does it; the window, which exits
    /// without dropping what it shares, calls it when it exits.
    pub fn remove_opened_files(&self) {
        let mine = paths::open_dir(&self.data_dir).join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(mine);
    }
}

impl Drop for Console {
    /// Files Open extracted are decrypted copies: they go with the console.
    fn drop(&mut self) {
        self.remove_opened_files();
    }
}

/// Removes the extracted files of console processes that have ended
/// without removing them (a crash, a kill).
fn remove_stale_opened_files(data_dir: &Path) {
    let Ok(rd) = std::fs::read_dir(paths::open_dir(data_dir)) else {
        return;
    };
    for e in rd.flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        let alive = pid.parse::<u32>().is_ok() && Path::new("/proc").join(&pid).exists();
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests;
