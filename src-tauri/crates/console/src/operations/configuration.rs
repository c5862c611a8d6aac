//! Configuration backup and restore: the console's configuration database
//! (repositories, jobs, schedules, credentials' references, protection
//! groups, providers, settings) as a restore point of its own, and a new
//! console rebuilt from one. Secrets go along only when a password is set
//! for the configuration backup, sealed with it; otherwise they are listed
//! as to re-enter.

use super::jobs::writer_lock;
use super::{machine_name, Console};
use crate::catalog::{CredentialRecord, RepositoryRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_core::format::crypto::{KeyFile, KeySet};
use cairn_core::jobs::{backup, retention};
use cairn_core::progress::{CancelToken, NoProgress, ProgressSink};
use cairn_core::repo::Repository;
use cairn_model::{Cipher, Gfs, LogLevel, Retention, SessionKind, SessionResult};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The job name configuration backups carry.
pub const CONFIGURATION_BACKUP: &str = "Configuration Backup";
pub use cairn_model::CONFIGURATION_PLATFORM;
const DATABASE: &str = "configuration.sqlite";
const SECRETS: &str = "secrets.sealed";
const SECRETS_AAD: &[u8] = b"cairn configuration secrets v1";
/// Restore points kept.
const KEEP: u32 = 10;

/// The keyring's secrets, sealed with the configuration password.
#[derive(Serialize, Deserialize)]
struct SealedSecrets {
    key: KeyFile,
    sealed: String,
}

/// One secret of the keyring and the credential it belongs to.
#[derive(Serialize, Deserialize)]
struct SecretEntry {
    name: String,
    account: String,
    secret: String,
}

/// What a configuration backup did.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigBackupReport {
    /// Repository written.
    pub repository: String,
    /// The configuration backup's id there.
    pub backup: String,
    /// The restore point made.
    pub point: String,
    /// A password sealed the backup and the secrets in it.
    pub sealed: bool,
    /// Secrets included (sealed with the password).
    pub secrets: usize,
    /// Credentials whose secrets were left out (no password set).
    pub to_reenter: Vec<String>,
}

/// What a configuration restore did.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigRestoreReport {
    /// The restore point restored.
    pub point: String,
    /// Jobs and repositories now in the console.
    pub jobs: usize,
    /// Repositories now in the console.
    pub repositories: usize,
    /// Secrets put back into this machine's keyring.
    pub secrets: usize,
    /// Credentials whose secrets must be entered again.
    pub to_reenter: Vec<String>,
    /// Repositories whose rescan failed (with the reason).
    pub warnings: Vec<String>,
}

impl ConfigBackupReport {
    /// One line: where it went and what happened to the secrets.
    pub fn summary(&self) -> String {
        let secrets = if self.sealed {
            format!(
                "{} secret(s) included, sealed with the password",
                self.secrets
            )
        } else if self.to_reenter.is_empty() {
            "no secrets to include".to_string()
        } else {
            format!(
                "secrets not included (no password set): {} to re-enter after a restore",
                self.to_reenter.join(", ")
            )
        };
        format!(
            "Configuration backed up to {} as restore point {}; {secrets}",
            self.repository, self.point
        )
    }
}

impl ConfigRestoreReport {
    /// One line: what came back, and what must be entered again.
    pub fn summary(&self) -> String {
        let reenter = if self.to_reenter.is_empty() {
            String::new()
        } else {
            format!("; enter again: {}", self.to_reenter.join(", "))
        };
        format!(
            "Configuration restored from restore point {}: {} job(s), {} repositories, {} secret(s) back in the keyring{reenter}",
            self.point, self.jobs, self.repositories, self.secrets
        )
    }
}

/// The id of this machine's configuration backup (one for plain, one for
/// password-sealed ones, so they never share a key set).
fn configuration_backup_id(machine: &str, sealed: bool) -> String {
    let kind = if sealed {
        "configuration:sealed"
    } else {
        "configuration"
    };
    cairn_core::jobs::backup_id(kind, machine)
}

impl Console {
    /// ☰ → Configuration Backup and `cairn config backup`: writes the
    /// configuration into `repository` (default: the default repository)
    /// as a System session.
    pub fn backup_configuration(
        &self,
        repository: Option<&str>,
        password: Option<&str>,
    ) -> Result<ConfigBackupReport> {
        let rec = match repository {
            Some(name) => self.repository_named(name)?,
            None => self
                .catalog()?
                .default_repository()?
                .ok_or_else(|| Error::not_found("there is no default repository; name one"))?,
        };
        let title = format!("Configuration backup to {}", rec.name);
        self.system_session(
            &title,
            |sink| self.write_configuration(&rec, password, sink),
            ConfigBackupReport::summary,
        )
    }

    fn write_configuration(
        &self,
        rec: &RepositoryRecord,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<ConfigBackupReport> {
        let staging = self.staging_folder(".configuration-backup-")?;
        let dir = staging.path().join("configuration");
        std::fs::create_dir(&dir).map_err(|e| Error::io("create", &dir, e))?;
        self.catalog()?.export_configuration(&dir.join(DATABASE))?;
        let credentials = self.catalog()?.credentials()?;
        let (secrets, to_reenter) = match password {
            Some(pw) => (seal_secrets(&dir, pw, &credentials)?, Vec::new()),
            None => (0, credentials.iter().map(|c| c.name.clone()).collect()),
        };
        let repo = self.open_repository(rec)?;
        let machine = machine_name();
        let backup_id = configuration_backup_id(&machine, password.is_some());
        let ks = configuration_keyset(&repo, &backup_id, password)?;
        let cancel = CancelToken::new();
        let lock = writer_lock(
            &repo,
            &rec.name,
            "configuration backup",
            true,
            sink.as_ref(),
            &cancel,
        )?;
        let repo = lock.guard(&repo);
        let spec = backup::BackupSpec {
            backup_id: backup_id.clone(),
            job: CONFIGURATION_BACKUP.into(),
            machine,
            platform: CONFIGURATION_PLATFORM.into(),
            includes: vec![dir],
            exclude_masks: vec![],
            include_masks: vec![],
            compression: Default::default(),
            full: false,
            images: false,
            region: String::new(),
            writer: String::new(),
            source_root: None,
        };
        let out = backup::run(&repo, &ks, &spec, sink.clone(), &cancel)?;
        retention::apply(
            &repo,
            &ks,
            &backup_id,
            Retention::Points(KEEP),
            Gfs::default(),
            sink.as_ref(),
        )?;
        self.refresh_backups(rec, &repo, &[&ks])?;
        Ok(ConfigBackupReport {
            repository: rec.name.clone(),
            backup: backup_id,
            point: out.manifest.id,
            sealed: password.is_some(),
            secrets,
            to_reenter,
        })
    }

    /// A folder in the data folder that goes when dropped.
    fn staging_folder(&self, prefix: &str) -> Result<tempfile::TempDir> {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(self.data_dir())
            .map_err(|e| Error::io("create a staging folder", self.data_dir(), e))
    }

    /// Runs `work` as a System session titled `title`, its result line
    /// from `summary`.
    fn system_session<T>(
        &self,
        title: &str,
        work: impl FnOnce(Arc<dyn ProgressSink>) -> Result<T>,
        summary: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        let session = self
            .catalog()?
            .start_session(None, title, SessionKind::System)?;
        let sink = self.session_sink(session, Arc::new(NoProgress))?;
        let outcome = work(sink);
        let (result, line) = match &outcome {
            Ok(r) => (SessionResult::Success, summary(r)),
            Err(e) => (SessionResult::Failed, e.message().into_owned()),
        };
        let level = if outcome.is_ok() {
            LogLevel::Info
        } else {
            LogLevel::Error
        };
        self.catalog()?.log(session, level, &line)?;
        self.end_session(session, result, &line)?;
        outcome
    }

    /// `cairn config restore` and the window's first-run restore: rebuilds
    /// this console from the newest configuration backup in `repository`
    /// (or `point`): jobs, schedules and repositories back, secrets into
    /// this machine's keyring, then a rescan of every repository. A console
    /// that already has jobs or credentials is refused unless `overwrite`.
    pub fn restore_configuration(
        &self,
        repository: &str,
        point: Option<&str>,
        password: Option<&str>,
        overwrite: bool,
    ) -> Result<ConfigRestoreReport> {
        if !overwrite && self.catalog()?.has_jobs_or_credentials()? {
            return Err(Error::conflict(
                "this console already has jobs or credentials; a configuration restore replaces them all — restore into a fresh console, or pass --overwrite",
            ));
        }
        let rec = self.repository_named(repository)?;
        let (backup, point) = self.configuration_point(&rec, point, password)?;
        let title = format!("Configuration restore from {}", rec.name);
        self.system_session(
            &title,
            |sink| self.put_configuration_back(&backup, &point, password, sink),
            ConfigRestoreReport::summary,
        )
    }

    /// The configuration backup in `rec` and the restore point to use:
    /// `point`, else the newest one of the newest configuration backup.
    fn configuration_point(
        &self,
        rec: &RepositoryRecord,
        point: Option<&str>,
        password: Option<&str>,
    ) -> Result<(String, String)> {
        if password.is_some() {
            // Sealed backups show what they are once the password opens them.
            let sealed: Vec<String> = self
                .catalog()?
                .backups()?
                .into_iter()
                .filter(|b| b.repository_id == rec.id && b.sealed)
                .map(|b| b.backup_id)
                .collect();
            for id in sealed {
                let _ = self.open_point(&id, "latest", password);
            }
        }
        let mut found: Vec<(i64, String, String)> = self
            .catalog()?
            .backups()?
            .into_iter()
            // A password asks for a sealed one: never fall back to a plain one.
            .filter(|b| b.repository_id == rec.id && b.platform == CONFIGURATION_PLATFORM)
            .filter(|b| b.encrypted == password.is_some())
            .flat_map(|b| {
                let id = b.backup_id.clone();
                b.points
                    .into_iter()
                    .map(move |p| (p.time, id.clone(), p.point_id))
            })
            .collect();
        found.sort();
        let chosen = match point {
            Some(p) => found.into_iter().find(|(_, _, id)| id == p),
            None => found.pop(),
        };
        chosen.map(|(_, b, p)| (b, p)).ok_or_else(|| {
            let what = point.map(|p| format!("restore point {p} of a configuration backup")).unwrap_or_else(|| "a configuration backup".into());
            Error::not_found(format!(
                "repository {} holds no {what} {}",
                rec.name,
                if password.is_some() { "that this password opens: give the password the configuration backup was made with" } else { "without a password: an encrypted one needs its password (--password-stdin)" }
            ))
        })
    }

    fn put_configuration_back(
        &self,
        backup: &str,
        point: &str,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<ConfigRestoreReport> {
        let staging = self.staging_folder(".configuration-restore-")?;
        let spec = cairn_core::restore::RestoreSpec {
            paths: vec![],
            dest: cairn_core::restore::Destination::To(staging.path().to_path_buf()),
            preserve_owner: false,
            changed_only: false,
        };
        self.restore(
            backup,
            point,
            &spec,
            password,
            sink.clone(),
            &CancelToken::new(),
        )?;
        let db = find_file(staging.path(), DATABASE).ok_or_else(|| {
            Error::corrupt(format!(
                "restore point {point} holds no {DATABASE}; it is not a configuration backup"
            ))
        })?;
        let secrets = match (find_file(staging.path(), SECRETS), password) {
            (Some(f), Some(pw)) => open_secrets(&f, pw)?,
            _ => Vec::new(),
        };
        self.catalog()?.import_configuration(&db)?;
        let mut put = 0;
        for s in &secrets {
            crate::secrets::store(&s.account, &Sensitive::new(s.secret.clone()), &s.name)?;
            put += 1;
        }
        let restored: Vec<&str> = secrets.iter().map(|s| s.account.as_str()).collect();
        let to_reenter = self
            .catalog()?
            .credentials()?
            .into_iter()
            .filter(|c| !restored.contains(&c.secret_ref.as_str()))
            .map(|c| c.name)
            .collect();
        self.reschedule_all()?;
        let mut warnings = Vec::new();
        if let Some(w) = self.adopt_default_repository()? {
            sink.log(LogLevel::Warning, &w);
            warnings.push(w);
        }
        let repositories = self.catalog()?.repositories()?;
        for r in &repositories {
            sink.log(LogLevel::Info, &format!("Rescanning repository {}", r.name));
            match self.rescan_repository(&r.name) {
                Ok(scan) => warnings.extend(scan.warnings),
                Err(e) => warnings.push(format!("{}: {}", r.name, e.message())),
            }
        }
        for w in &warnings {
            sink.log(LogLevel::Warning, w);
        }
        Ok(ConfigRestoreReport {
            point: point.to_string(),
            jobs: self.catalog()?.jobs()?.len(),
            repositories: repositories.len(),
            secrets: put,
            to_reenter,
            warnings,
        })
    }

    /// The restored default repository lived in the old console's data
    /// folder; when that folder is not here, this console's own default
    /// folder takes its place (its backups were lost with the old folder).
    fn adopt_default_repository(&self) -> Result<Option<String>> {
        let Some(rec) = self.catalog()?.default_repository()? else {
            return Ok(None);
        };
        let here = crate::paths::default_repository_dir(self.data_dir());
        let location = Path::new(&rec.location);
        if location == here || location.join("config").exists() {
            return Ok(None);
        }
        let here_text = here.to_string_lossy().into_owned();
        self.catalog()?
            .set_default_repository_location(&here_text)?;
        self.ensure_default_repository()?;
        Ok(Some(format!(
            "{} was at {}, which is not on this machine; it is now this console's own folder {here_text}",
            rec.name, rec.location
        )))
    }

    /// Every job's next run counted again from now (a restored catalog
    /// carries the old machine's).
    fn reschedule_all(&self) -> Result<()> {
        let now = cairn_core::time::now();
        let cat = self.catalog()?;
        for j in cat.jobs()? {
            let next = j
                .enabled
                .then(|| crate::schedule::next_run_unix(&j.settings.schedule, now))
                .flatten();
            cat.set_next_run(j.id, next)?;
        }
        drop(cat);
        self.wake_scheduler();
        Ok(())
    }
}

/// Writes every credential's secret, sealed with `password` under a
/// key of its own, into `dir`; the plain secrets never touch a disk.
fn seal_secrets(dir: &Path, password: &str, credentials: &[CredentialRecord]) -> Result<usize> {
    let mut entries = Vec::new();
    for c in credentials {
        let secret = crate::secrets::load(&c.secret_ref, &c.name)?;
        entries.push(SecretEntry {
            name: c.name.clone(),
            account: c.secret_ref.clone(),
            secret: secret.expose().clone(),
        });
    }
    let plain = Sensitive::new(
        serde_json::to_vec(&entries)
            .map_err(|e| Error::internal("cannot encode the secrets").caused_by(e))?,
    );
    let (ks, key) = KeySet::new_encrypted(Cipher::Aes256Gcm, password, "")?;
    let sealed = ks.seal(SECRETS_AAD, plain.expose().clone())?;
    let file = SealedSecrets {
        key,
        sealed: hex::encode(sealed),
    };
    let path = dir.join(SECRETS);
    let text = serde_json::to_vec(&file)
        .map_err(|e| Error::internal("cannot encode the configuration").caused_by(e))?;
    std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    Ok(entries.len())
}

/// The key set a configuration backup is written with: plain, or the
/// password's own (the existing one of this backup, else a new one).
fn configuration_keyset(repo: &Repository, backup: &str, password: Option<&str>) -> Result<KeySet> {
    let Some(pw) = password else {
        return Ok(repo.default_keyset()?);
    };
    match repo.backup_keyset(backup)? {
        Some(k) => repo.encrypted_keyset(&k, Some(pw)).map_err(|e| match e.kind() {
            cairn_model::ErrorKind::WrongPassword => Error::invalid(
                "the configuration backup in this repository is sealed with another password: give that password, or back up to another repository",
            ),
            _ => Error::from(e),
        }),
        None => Ok(repo.create_keyset(Cipher::Aes256Gcm, pw, "configuration backup")?),
    }
}

/// Opens the sealed secrets with the configuration password.
fn open_secrets(file: &Path, password: &str) -> Result<Vec<SecretEntry>> {
    let bad = || Error::corrupt(format!("{} is damaged", file.display()));
    let text = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    let sealed: SealedSecrets = serde_json::from_slice(&text).map_err(|_| bad())?;
    let ks = KeySet::from_file(&sealed.key, Some(password), "configuration secrets")?;
    let bytes = hex::decode(&sealed.sealed).map_err(|_| bad())?;
    let plain = Sensitive::new(ks.open(SECRETS_AAD, &bytes, "the configuration secrets")?);
    serde_json::from_slice(plain.expose()).map_err(|_| bad())
}

/// The first file named `name` under `root` (a restore puts the staged
/// folder under its original absolute path).
fn find_file(root: &Path, name: &str) -> Option<PathBuf> {
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).ok()?.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                todo.push(p);
            } else if t.is_file() && e.file_name() == name {
                return Some(p);
            }
        }
    }
    None
}
