//! Backup jobs: create (one validation for the CLI and the wizard), run as
//! a session, delete.

use super::repositories::validate_name;
use super::Console;
use crate::catalog::{BackupRecord, JobRecord, PointRecord, RepositoryRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_core::format::crypto::KeySet;
use cairn_core::format::manifest::{Manifest, PointStats};
use cairn_core::jobs::{backup, prune, retention};
use cairn_core::lock::WriterLock;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::repo::Repository;
use cairn_model::{
    AgentOs, BackupJobSettings, BackupJobSpec, BackupMode, Cipher, ComputerType, JobKind, JobStep,
    LogLevel, Management, Retention, SessionKind, SessionResult,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Grace period between marking an unused pack and deleting it.
pub const PRUNE_GRACE_SECS: i64 = 24 * 3600;

/// Encryption asked for when a job is created.
#[derive(Debug, Clone)]
pub struct NewEncryption {
    /// Algorithm.
    pub cipher: Cipher,
    /// The password (kept only in memory, wiped when dropped; stored
    /// wrapped, never plain).
    pub password: Sensitive<String>,
    /// Hint shown when the password is asked for.
    pub hint: String,
}

/// The result of one job run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRunReport {
    /// Session id in History.
    pub session: i64,
    /// Success, Warning or Failed.
    pub result: SessionResult,
    /// The new restore point.
    pub point: Option<String>,
    /// Backup id.
    pub backup: String,
    /// Counters of the new point.
    pub stats: PointStats,
    /// Restore points removed by retention.
    pub removed_points: Vec<String>,
    /// One-line summary.
    pub message: String,
}

/// How a run was started. Its Debug output never shows the password.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Password of an encrypted job (else read from Manage Passwords).
    pub password: Option<Sensitive<String>>,
    /// Active full: read every file again.
    pub full: bool,
    /// A line for the session log saying why it runs (scheduled, retry…).
    pub note: Option<String>,
    /// Why a cancellation happened, when not the user (backup window).
    pub stop_reason: Arc<std::sync::Mutex<Option<String>>>,
    /// Started by the scheduler: failures are retried as the job says.
    pub scheduled: bool,
    /// Retry attempt number (0 = first run).
    pub attempt: u32,
    /// Wait for the repository while another job writes to it (background
    /// runs) instead of failing at once (the command line).
    pub queue: bool,
    /// Seconds a cloud machine's agent may stay silent before its machine
    /// fails (default [`super::AGENT_TIMEOUT_SECS`]).
    pub agent_timeout: Option<u64>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("full", &self.full)
            .field("note", &self.note)
            .field("scheduled", &self.scheduled)
            .field("attempt", &self.attempt)
            .field("queue", &self.queue)
            .finish()
    }
}

impl RunOptions {
    fn stop_reason(&self) -> Option<String> {
        self.stop_reason.lock().ok().and_then(|g| g.clone())
    }
}

fn validate_job_mode(s: &BackupJobSettings) -> Result<()> {
    if s.os == AgentOs::Linux && s.computer_type == ComputerType::FailoverCluster {
        return Err(Error::invalid(
            "failover clusters are not available for Linux computers; choose Workstation or Server",
        ));
    }
    Ok(())
}

/// `machine` is the computer the backups are named after (the first one
/// until the job is saved).
fn validate_computers(computers: &[String], machine: &str) -> Result<()> {
    if computers.iter().all(|c| c.trim().is_empty()) {
        return Err(Error::invalid(
            "the job has no computers; click Add… and choose at least one",
        ));
    }
    if machine.trim().is_empty() {
        return Err(Error::invalid("the job has no computer; choose one"));
    }
    Ok(())
}

fn validate_objects(s: &BackupJobSettings) -> Result<()> {
    match s.backup_mode {
        BackupMode::File => {
            if s.includes.is_empty() {
                return Err(Error::invalid(
                    "the job has no folders or files to back up; add at least one",
                ));
            }
            for inc in &s.includes {
                let p = PathBuf::from(inc);
                if !p.is_absolute() {
                    return Err(Error::invalid(format!(
                        "the included path {inc} is not absolute; give a full path such as /home/user"
                    )));
                }
                if p == Path::new("/") {
                    return Err(Error::invalid(
                        "backing up / as a whole is not supported; include its folders",
                    ));
                }
            }
            cairn_core::jobs::filter::Filter::new(&s.exclude_masks, &s.include_masks)?;
        }
        BackupMode::Volume => {
            if s.volumes.is_empty() {
                return Err(Error::invalid(
                    "the job has no volumes; add a block device or a disk image file",
                ));
            }
            for v in &s.volumes {
                if !Path::new(v).is_absolute() {
                    return Err(Error::invalid(format!(
                        "the volume {v} is not a full path; give one such as /dev/sdb1 or /srv/disk.img"
                    )));
                }
            }
        }
        BackupMode::EntireComputer => {}
    }
    Ok(())
}

fn validate_storage_settings(s: &BackupJobSettings) -> Result<()> {
    match s.retention {
        Retention::Points(0) => {
            return Err(Error::invalid(
                "retention must keep at least 1 restore point",
            ))
        }
        Retention::Days(0) => return Err(Error::invalid("retention must keep at least 1 day")),
        Retention::Points(n) if n > 999 => {
            return Err(Error::invalid(
                "retention can keep at most 999 restore points",
            ))
        }
        Retention::Days(n) if n > 9999 => {
            return Err(Error::invalid("retention can keep at most 9999 days"))
        }
        _ => {}
    }
    if s.management == Management::Agent && s.cache.enabled {
        if !Path::new(&s.cache.location).is_absolute() {
            return Err(Error::invalid(
                "the backup cache needs a full folder path on the computer, such as /var/cache/cairn",
            ));
        }
        if s.cache.size_gb == 0 {
            return Err(Error::invalid(
                "the backup cache needs a size of at least 1 GB",
            ));
        }
    }
    Ok(())
}

fn validate_guest(s: &BackupJobSettings) -> Result<()> {
    for (what, script) in [
        ("pre-job", &s.guest.pre_script),
        ("post-job", &s.guest.post_script),
    ] {
        if !script.is_empty() && !Path::new(script).is_absolute() {
            return Err(Error::invalid(format!(
                "the {what} script {script} is not a full path; give one such as /usr/local/bin/{what}.sh"
            )));
        }
    }
    Ok(())
}

/// The first computer of a job that is not this one (it needs an agent).
fn foreign_computer(s: &BackupJobSettings) -> Option<&str> {
    let me = machine_name();
    s.computers
        .iter()
        .find(|c| !c.eq_ignore_ascii_case(&me))
        .map(String::as_str)
}

/// The kind of session a job's runs are.
pub fn session_kind(job: &JobRecord) -> SessionKind {
    if job.settings.copy.is_some() {
        SessionKind::BackupCopy
    } else {
        SessionKind::Backup
    }
}

/// This computer's name: what "This computer" means in a job (the same
/// name the writer lock and the sessions record).
pub use cairn_core::time::hostname as machine_name;

impl Console {
    /// Creates a backup job (the CLI's `job create backup`).
    pub fn create_backup_job(
        &self,
        name: &str,
        repository: &str,
        description: &str,
        settings: BackupJobSettings,
        encryption: Option<NewEncryption>,
    ) -> Result<JobRecord> {
        let spec = BackupJobSpec {
            name: name.to_string(),
            description: description.to_string(),
            repository: repository.to_string(),
            encrypt: encryption.is_some() || settings.password_name.is_some(),
            settings,
            enabled: true,
        };
        self.save_backup_job(&spec, None, encryption)
    }

    /// Fills what a new job leaves empty: its id, this computer as the
    /// computer, and the machine the backups are named after.
    fn complete_settings(&self, s: &mut BackupJobSettings) {
        if s.uid.is_empty() {
            s.uid = cairn_core::format::random_id();
        }
        if s.copy.is_some() {
            // A copy keeps its sources' machines; it has no computers.
            s.computers.clear();
            s.machine.clear();
            return;
        }
        if s.computers.is_empty() {
            s.computers.push(machine_name());
        }
        if s.machine.is_empty() {
            s.machine = s.computers[0].clone();
        }
    }

    /// Checks one step of the job wizard against what is stored (names,
    /// repositories, passwords, other jobs); every step before Finish, and
    /// [`Console::save_backup_job`] checks them all.
    pub fn check_job_step(
        &self,
        step: JobStep,
        spec: &BackupJobSpec,
        editing: Option<&str>,
    ) -> Result<()> {
        let s = &spec.settings;
        match step {
            JobStep::JobMode => validate_job_mode(s),
            JobStep::Name => self.check_job_name(&spec.name, editing),
            JobStep::Computers => {
                let first = s.computers.first().map(String::as_str).unwrap_or("");
                let machine = if s.machine.is_empty() { first } else { &s.machine };
                validate_computers(&s.computers, machine)
            }
            JobStep::BackupMode => Ok(()),
            JobStep::Objects if s.copy.is_some() => {
                if let Some(c) = &s.copy {
                    self.resolve_copy_sources(c)?;
                }
                Ok(())
            }
            JobStep::Objects => {
                validate_objects(s)?;
                if s.backup_mode == BackupMode::Volume && self.runs_here(s) {
                    for v in &s.volumes {
                        cairn_core::jobs::image::probe(Path::new(v))?;
                    }
                }
                Ok(())
            }
            JobStep::Destination => match s.destination {
                cairn_model::Destination::BackupRepository => Ok(()),
                d => Err(Error::invalid(format!(
                    "{} needs an agent that writes on its own; this build's policies write to a backup repository",
                    d.label()
                ))),
            },
            JobStep::Storage => {
                self.check_job_storage(spec)?;
                self.check_map(spec, editing)
            }
            JobStep::BackupCache => validate_storage_settings(s),
            JobStep::GuestProcessing => validate_guest(s),
            JobStep::Schedule => self.check_job_schedule(spec, editing),
            JobStep::Summary => Ok(()),
        }
    }

    /// Name step: a valid name no other job has.
    fn check_job_name(&self, name: &str, editing: Option<&str>) -> Result<()> {
        validate_name(name, "job")?;
        let same = editing.is_some_and(|e| e.eq_ignore_ascii_case(name));
        if !same && self.catalog()?.job_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a job named \"{name}\" already exists; choose another name"
            )));
        }
        Ok(())
    }

    /// Storage step: the repository exists, is not a copy's own source,
    /// and an encrypted job names a stored encryption password.
    fn check_job_storage(&self, spec: &BackupJobSpec) -> Result<()> {
        let s = &spec.settings;
        validate_storage_settings(s)?;
        self.repository_named(&spec.repository)?;
        self.check_copy_target(s, &spec.repository)?;
        if !spec.encrypt {
            return Ok(());
        }
        let Some(pw) = s.password_name.as_deref().filter(|p| !p.is_empty()) else {
            return Err(Error::invalid(
                "choose the password that encrypts the backups, or click Add… to create one",
            ));
        };
        let c = self.catalog()?.credential(pw)?;
        if c.kind != cairn_model::CredentialKind::Password {
            return Err(Error::invalid(format!(
                "{pw} is not an encryption password; choose one from Manage Passwords"
            )));
        }
        Ok(())
    }

    /// Schedule step: valid, and not chained into a loop with other jobs.
    fn check_job_schedule(&self, spec: &BackupJobSpec, editing: Option<&str>) -> Result<()> {
        let others: Vec<(String, cairn_model::Schedule)> = self
            .catalog()?
            .jobs()?
            .into_iter()
            .filter(|j| !editing.is_some_and(|e| e.eq_ignore_ascii_case(&j.name)))
            .map(|j| (j.name, j.settings.schedule))
            .collect();
        crate::schedule::validate(&spec.settings.schedule, &spec.name, &others)
    }

    /// True when every computer of the job is this computer.
    pub fn runs_here(&self, s: &BackupJobSettings) -> bool {
        foreign_computer(s).is_none()
    }

    /// Creates a job, or saves an existing one (`editing` = its current
    /// name). The wizard's Finish and `cairn job create backup` both end
    /// here. With `encryption` (the CLI) or `settings.password_name` (the
    /// wizard, read from the keyring) a password-wrapped key set is created
    /// in the target repository, unless an edited job keeps its password.
    pub fn save_backup_job(
        &self,
        spec: &BackupJobSpec,
        editing: Option<&str>,
        encryption: Option<NewEncryption>,
    ) -> Result<JobRecord> {
        let mut spec = spec.clone();
        let existing = match editing {
            Some(e) => Some(self.job_named(e)?),
            None => None,
        };
        if let Some(j) = &existing {
            spec.settings.uid = j.settings.uid.clone();
            spec.settings.machine = j.settings.machine.clone();
        }
        self.complete_settings(&mut spec.settings);
        if encryption.is_some() {
            spec.encrypt = true;
        }
        for step in JobStep::shown(&spec.settings) {
            if step == JobStep::Storage && encryption.is_some() {
                validate_storage_settings(&spec.settings)?;
                self.repository_named(&spec.repository)?;
                self.check_map(&spec, editing)?;
                continue;
            }
            self.check_job_step(step, &spec, editing)?;
        }
        let rec = self.repository_named(&spec.repository)?;
        let encryption = match self.apply_map(&mut spec, &rec, encryption.as_ref())? {
            Some(mapped) => mapped,
            None => self.job_encryption(&spec, existing.as_ref(), &rec, encryption)?,
        };
        let s = &mut spec.settings;
        if !spec.encrypt {
            s.password_name = None;
        }
        s.encryption = encryption;
        self.store_job(&spec, existing.as_ref(), rec.id)?;
        self.wake_scheduler();
        self.job_named(&spec.name)
    }

    /// The key set a saved job encrypts with: none for a plain job, the
    /// job's own when an edit keeps target and password, else a new one
    /// created in the repository from `encryption` (the CLI) or the
    /// stored password the wizard named.
    fn job_encryption(
        &self,
        spec: &BackupJobSpec,
        existing: Option<&JobRecord>,
        rec: &RepositoryRecord,
        encryption: Option<NewEncryption>,
    ) -> Result<Option<cairn_model::Encryption>> {
        let s = &spec.settings;
        if !spec.encrypt {
            return Ok(None);
        }
        let keep = existing.and_then(|j| {
            let same_target = j.repository_id == rec.id;
            let same_pw = j.settings.password_name == s.password_name;
            (same_target && same_pw && encryption.is_none())
                .then(|| j.settings.encryption.clone())
                .flatten()
        });
        if keep.is_some() {
            return Ok(keep);
        }
        let enc = match encryption {
            Some(e) => e,
            None => self.stored_encryption(s)?,
        };
        let repo = self.open_repository(rec)?;
        let ks = repo.create_keyset(enc.cipher, enc.password.expose(), &enc.hint)?;
        Ok(Some(cairn_model::Encryption {
            keyset: ks.id().to_string(),
            cipher: enc.cipher,
            hint: enc.hint,
        }))
    }

    /// The encryption the wizard's stored password (Manage Passwords) gives.
    pub(super) fn stored_encryption(&self, s: &BackupJobSettings) -> Result<NewEncryption> {
        let name = s.password_name.clone().unwrap_or_default();
        let c = self.catalog()?.credential(&name)?;
        Ok(NewEncryption {
            cipher: Cipher::Aes256Gcm,
            password: crate::secrets::load(&c.secret_ref, &name)?,
            hint: c.hint.clone(),
        })
    }

    /// Writes a checked job to the catalog with its next run.
    fn store_job(
        &self,
        spec: &BackupJobSpec,
        existing: Option<&JobRecord>,
        repo: i64,
    ) -> Result<()> {
        let s = &spec.settings;
        let next = crate::schedule::next_run_unix(&s.schedule, cairn_core::time::now());
        let cat = self.catalog()?;
        let job = match existing {
            Some(j) => {
                cat.update_job(j.id, &spec.name, repo, s, &spec.description)?;
                cat.set_job_enabled(j.id, spec.enabled)?;
                j.id
            }
            None => {
                let kind = if s.copy.is_some() {
                    JobKind::BackupCopy
                } else {
                    JobKind::Backup
                };
                let j = cat.add_job(&spec.name, kind, repo, s, &spec.description)?;
                cat.set_job_enabled(j.id, spec.enabled)?;
                j.id
            }
        };
        cat.set_next_run(job, next)
    }

    /// A job as the wizard edits it.
    pub fn job_spec(&self, name: &str) -> Result<BackupJobSpec> {
        let j = self.job_named(name)?;
        let repository = self.catalog()?.repository(j.repository_id)?.name;
        Ok(BackupJobSpec {
            name: j.name,
            description: j.description,
            repository,
            encrypt: j.settings.encryption.is_some(),
            settings: j.settings,
            enabled: j.enabled,
        })
    }

    /// Clone: the same settings under a free name "NAME (copy)", disabled
    /// schedule-wise until the user enables it, writing a backup of its own.
    pub fn clone_job(&self, name: &str) -> Result<JobRecord> {
        let mut spec = self.job_spec(name)?;
        let cat_has = |n: &str| -> Result<bool> { Ok(self.catalog()?.job_by_name(n)?.is_some()) };
        let mut new_name = format!("{name} (copy)");
        let mut i = 2;
        while cat_has(&new_name)? {
            new_name = format!("{name} (copy {i})");
            i += 1;
        }
        // A backup of its own (new id), the same key set and password.
        spec.settings.uid = cairn_core::format::random_id();
        let rec = self.repository_named(&spec.repository)?;
        let cat = self.catalog()?;
        let kind = if spec.settings.copy.is_some() {
            JobKind::BackupCopy
        } else {
            JobKind::Backup
        };
        let j = cat.add_job(&new_name, kind, rec.id, &spec.settings, &spec.description)?;
        cat.set_job_enabled(j.id, false)?;
        drop(cat);
        self.job_named(&new_name)
    }

    /// Enable / Disable: a disabled job is not scheduled.
    pub fn set_job_enabled(&self, name: &str, enabled: bool) -> Result<()> {
        let j = self.job_named(name)?;
        let cat = self.catalog()?;
        cat.set_job_enabled(j.id, enabled)?;
        let next = enabled
            .then(|| crate::schedule::next_run_unix(&j.settings.schedule, cairn_core::time::now()))
            .flatten();
        cat.set_next_run(j.id, next)?;
        drop(cat);
        self.wake_scheduler();
        Ok(())
    }

    /// Deletes a job; with `delete_backups` its restore points are removed
    /// from the repository too (their data goes at the next prune).
    pub fn delete_job(&self, name: &str, delete_backups: bool) -> Result<()> {
        let j = self.job_named(name)?;
        if self.is_running(j.id) {
            return Err(Error::conflict(format!(
                "job {name} is running; stop it before deleting it"
            )));
        }
        if delete_backups {
            let rec = self.catalog()?.repository(j.repository_id)?;
            let repo = self.open_repository(&rec)?;
            let lock = WriterLock::acquire(
                repo.storage().clone(),
                &rec.name,
                &format!("delete backups of job {name}"),
            )?;
            let repo = lock.guard(&repo);
            let backups = if j.settings.copy.is_some() {
                match &j.settings.encryption {
                    // The job's own key set: every backup sealed with it is the job's.
                    Some(enc) => repo
                        .keysets_in_use()?
                        .remove(&enc.keyset)
                        .unwrap_or_default(),
                    None => self.copy_backups_of(&j, &repo, &repo.default_keyset()?)?,
                }
            } else {
                vec![super::backup_map::job_backup_id(&j.settings)]
            };
            for backup in backups {
                repo.delete_backup(&backup)?;
            }
            self.refresh_backups(&rec, &repo, &[])?;
        }
        self.catalog()?.delete_job(name)
    }

    /// Finds a job by name, with a helpful error.
    pub fn job_named(&self, name: &str) -> Result<JobRecord> {
        self.catalog()?.job_by_name(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no job named \"{name}\"; `cairn job list` shows them"
            ))
        })
    }

    /// The key set a job writes with.
    pub(super) fn job_keyset(
        &self,
        repo: &Repository,
        job: &JobRecord,
        password: Option<&str>,
    ) -> Result<KeySet> {
        match &job.settings.encryption {
            Some(enc) => Ok(repo.encrypted_keyset(&enc.keyset, password)?),
            None => Ok(repo.default_keyset()?),
        }
    }

    /// Runs a backup job as a session and waits for it: backup,
    /// retention, prune, catalog (the CLI's `job run`; the window and the
    /// scheduler use [`Console::start_job`]).
    pub fn run_job(
        &self,
        name: &str,
        opts: &RunOptions,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let job = self.job_named(name)?;
        let session = self.begin_run(&job, opts, cancel)?;
        self.finish_run(&job, session, opts, sink, cancel)
    }

    /// Checks that a job can run here and now.
    fn check_runnable(&self, job: &JobRecord) -> Result<()> {
        if self.names_groups(&job.settings)? {
            return Ok(());
        }
        if let Some(other) = foreign_computer(&job.settings) {
            return Err(Error::conflict(format!(
                "computer {other} has no agent yet: Cairn backs up other computers through their agent, and none is connected for it; remove it from the job or connect its agent"
            )));
        }
        if self.is_running(job.id) {
            return Err(Error::conflict(format!(
                "job {} is already running",
                job.name
            )));
        }
        Ok(())
    }

    /// Creates the session and registers the run.
    pub(crate) fn begin_run(
        &self,
        job: &JobRecord,
        opts: &RunOptions,
        cancel: &CancelToken,
    ) -> Result<i64> {
        let starting =
            self.runs.starting.lock().map_err(|_| {
                Error::internal("the run registry is poisoned; restart the console")
            })?;
        self.check_runnable(job)?;
        let session = self
            .catalog()?
            .start_session(Some(job.id), &job.name, session_kind(job))?;
        self.register_run(job, session, cancel.clone(), opts.stop_reason.clone());
        drop(starting);
        let cat = self.catalog()?;
        cat.log(
            session,
            LogLevel::Info,
            &format!("Job {} started", job.name),
        )?;
        if let Some(note) = &opts.note {
            cat.log(session, LogLevel::Info, note)?;
        }
        Ok(session)
    }

    /// Runs a registered session to its end and records the result.
    pub(crate) fn finish_run(
        &self,
        job: &JobRecord,
        session: i64,
        opts: &RunOptions,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let sink = self.session_sink(session, sink)?;
        let outcome = crate::error::catch_panic(&format!("job {}", job.name), || {
            self.run_job_inner(job, session, opts, sink.clone(), cancel)
        });
        let (result, message, report) = match outcome {
            Ok(mut r) => {
                r.session = session;
                (r.result, r.message.clone(), Ok(r))
            }
            Err(e) if e.kind() == cairn_model::ErrorKind::Cancelled => {
                let why = opts
                    .stop_reason()
                    .unwrap_or_else(|| "Stopped by the user".into());
                sink.log(
                    LogLevel::Warning,
                    &format!("{why}; no restore point was created"),
                );
                (SessionResult::Failed, why, Err(e))
            }
            Err(e) => {
                sink.log(LogLevel::Error, &e.message());
                (SessionResult::Failed, e.message().to_string(), Err(e))
            }
        };
        self.unregister_run(job.id);
        self.end_session(session, result, &message)?;
        report
    }

    /// Runs a pre- or post-job script; Stop kills it.
    fn run_script(
        &self,
        what: &str,
        script: &str,
        job: &str,
        sink: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Result<()> {
        sink.log(
            LogLevel::Info,
            &format!("Running the {what} script {script}"),
        );
        let mut child = std::process::Command::new(script)
            .env("CAIRN_JOB_NAME", job)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| {
                Error::invalid(format!("the {what} script {script} could not start")).caused_by(e)
            })?;
        // Its error output is read aside so a chatty script never blocks.
        let mut stderr = child.stderr.take();
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(e) = stderr.as_mut() {
                let _ = std::io::Read::read_to_end(e, &mut buf);
            }
            buf
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if cancel.is_cancelled() => {
                    let _ = child.kill();
                    let _ = child.wait();
                    sink.log(LogLevel::Warning, &format!("The {what} script was stopped"));
                    return Err(Error::cancelled());
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
                Err(e) => {
                    return Err(Error::invalid(format!(
                        "the {what} script {script} could not be waited for: {e}"
                    )))
                }
            }
        };
        let stderr = reader.join().unwrap_or_default();
        if !status.success() {
            // The last three lines of its error output say why.
            let text = String::from_utf8_lossy(&stderr);
            let lines: Vec<&str> = text.lines().collect();
            let err = lines[lines.len().saturating_sub(3)..].join(" / ");
            return Err(Error::invalid(format!(
                "the {what} script {script} failed ({status}){}",
                if err.is_empty() {
                    String::new()
                } else {
                    format!(": {err}")
                }
            )));
        }
        sink.log(LogLevel::Info, &format!("The {what} script finished"));
        Ok(())
    }

    fn run_job_inner(
        &self,
        job: &JobRecord,
        session: i64,
        opts: &RunOptions,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let password = self.job_password(job, opts)?;
        let password = password.as_ref().map(|p| p.expose().as_str());
        if job.settings.copy.is_some() {
            return self.run_copy_inner(job, password, opts.queue, sink, cancel);
        }
        if self.names_groups(&job.settings)? {
            return self.run_on_agents(session, job, password, opts, sink, cancel);
        }
        let rec = self.catalog()?.repository(job.repository_id)?;
        let repo = self.open_repository(&rec)?;
        let ks = self.job_keyset(&repo, job, password)?;
        let purpose = format!("backup job {}", job.name);
        let lock = writer_lock(
            &repo,
            &rec.name,
            &purpose,
            opts.queue,
            sink.as_ref(),
            cancel,
        )?;
        let repo = lock.guard(&repo);
        let s = &job.settings;
        let local_scripts = s.computer_type != ComputerType::Workstation;
        if local_scripts && !s.guest.pre_script.is_empty() {
            self.run_script(
                "pre-job",
                &s.guest.pre_script,
                &job.name,
                sink.as_ref(),
                cancel,
            )?;
        }
        if opts.full {
            sink.log(LogLevel::Info, "Active full: every file is read again");
        }
        let spec = backup_spec(job, opts.full)?;
        let out = backup::run(&repo, &ks, &spec, sink.clone(), cancel)?;
        let m = &out.manifest;
        sink.log(
            LogLevel::Info,
            &format!(
                "Restore point {} created: {} files, {} bytes processed, {} bytes read, {} bytes written",
                m.id, m.stats.files, m.stats.bytes, m.stats.bytes_read, m.stats.bytes_written
            ),
        );
        let removed = retention::apply(&repo, &ks, &m.backup, s.retention, s.gfs, sink.as_ref())?;
        if !removed.is_empty() {
            prune::prune(&repo, &ks, PRUNE_GRACE_SECS, sink.as_ref())?;
        }
        self.refresh_backups(&rec, &repo, &[&ks])?;
        self.record_usage(&rec, repo.storage().as_ref())?;
        let mut warnings = out.warnings;
        if local_scripts && !s.guest.post_script.is_empty() {
            let post = self.run_script(
                "post-job",
                &s.guest.post_script,
                &job.name,
                sink.as_ref(),
                cancel,
            );
            if let Err(e) = post {
                sink.log(LogLevel::Warning, &e.message());
                warnings += 1;
            }
        }
        Ok(run_report(&out.manifest, warnings, removed))
    }

    /// The password of an encrypted job: the one given for this run, or
    /// the one its settings name in Manage Passwords.
    fn job_password(
        &self,
        job: &JobRecord,
        opts: &RunOptions,
    ) -> Result<Option<Sensitive<String>>> {
        if let Some(p) = &opts.password {
            return Ok(Some(p.clone()));
        }
        let (Some(name), Some(_)) = (&job.settings.password_name, &job.settings.encryption) else {
            return Ok(None);
        };
        let c = self.catalog()?.credential(name).map_err(|_| {
            Error::new(cairn_model::ErrorKind::WrongPassword, format!(
                "the job is encrypted with password {name}, which is no longer in Manage Passwords; add it again or run the job with --password-stdin"
            ))
        })?;
        Ok(Some(crate::secrets::load(&c.secret_ref, name)?))
    }

    /// Rebuilds the catalog's backups of one repository from the repository
    /// and answers what could not be read (one line per backup). A backup
    /// whose key set is not among `keysets` keeps its cached row, or, when
    /// the catalog has none, is listed sealed (its points by name).
    pub fn refresh_backups(
        &self,
        rec: &RepositoryRecord,
        repo: &Repository,
        keysets: &[&KeySet],
    ) -> Result<Vec<String>> {
        self.refresh_listed_backups(rec, repo, keysets, repo.list_backups()?)
    }

    /// [`Console::refresh_backups`] over a listing of the repository's
    /// (backup, key set) pairs already read.
    pub(super) fn refresh_listed_backups(
        &self,
        rec: &RepositoryRecord,
        repo: &Repository,
        keysets: &[&KeySet],
        listing: Vec<(String, String)>,
    ) -> Result<Vec<String>> {
        let plain = repo.default_keyset()?;
        let cached: Vec<BackupRecord> = self
            .catalog()?
            .backups()?
            .into_iter()
            .filter(|b| b.repository_id == rec.id)
            .collect();
        let (mut out, mut problems) = (Vec::new(), Vec::new());
        for (id, keyset) in listing {
            let ks = if keyset == plain.id() {
                Some(&plain)
            } else {
                keysets.iter().copied().find(|k| k.id() == keyset)
            };
            let found = match ks {
                Some(ks) => backup_record(rec, repo, ks, &id),
                None => match cached.iter().find(|c| c.backup_id == id && !c.sealed) {
                    Some(c) => Ok(c.clone()),
                    None => super::repository_rescan::sealed_record(rec, repo, &id, &keyset),
                },
            };
            match found {
                Ok(b) => out.push(b),
                Err(e) => problems.push(format!("backup {id}: {}", e.message())),
            }
        }
        self.catalog()?.replace_backups(rec.id, &out)?;
        Ok(problems)
    }

    /// Marks and deletes unused packs of a repository's plain key set (and of
    /// the encrypted key set `password` opens), under the writer lock.
    pub fn prune_repository(
        &self,
        name: &str,
        password: Option<&str>,
        grace_secs: i64,
        sink: &dyn ProgressSink,
    ) -> Result<prune::PruneReport> {
        let rec = self.repository_named(name)?;
        let repo = self.open_repository(&rec)?;
        let lock = WriterLock::acquire(repo.storage().clone(), &rec.name, "prune")?;
        let repo = lock.guard(&repo);
        let mut total = prune::PruneReport::default();
        for (keyset, _) in repo.keysets_in_use()? {
            let ks = match repo.keyset(&keyset, password) {
                Ok(k) => k,
                Err(e) if e.kind() == cairn_model::ErrorKind::WrongPassword => continue,
                Err(e) => return Err(e.into()),
            };
            let r = prune::prune(&repo, &ks, grace_secs, sink)?;
            total.marked += r.marked;
            total.deleted += r.deleted;
            total.waiting += r.waiting;
            total.bytes_freed += r.bytes_freed;
            total.locked += r.locked;
        }
        self.record_usage(&rec, repo.storage().as_ref())?;
        Ok(total)
    }
}

/// The repository's writer lock: runs started by the window or the
/// scheduler (`queue`) wait behind the job that holds it, as long as it
/// takes; others are refused at once.
pub(super) fn writer_lock(
    repo: &Repository,
    name: &str,
    purpose: &str,
    queue: bool,
    sink: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<WriterLock> {
    let storage = repo.storage().clone();
    if !queue {
        return Ok(WriterLock::acquire(storage, name, purpose)?);
    }
    let mut waiting = |busy: &str| sink.log(LogLevel::Info, &format!("Waiting: {busy}"));
    Ok(WriterLock::acquire_waiting(
        storage,
        name,
        purpose,
        cancel,
        &mut waiting,
    )?)
}

/// What a backup job's run backs up: folders, volumes, or every disk.
fn backup_spec(job: &JobRecord, full: bool) -> Result<backup::BackupSpec> {
    let s = &job.settings;
    let (includes, images) = match s.backup_mode {
        BackupMode::File => (s.includes.iter().map(PathBuf::from).collect(), false),
        BackupMode::Volume => (s.volumes.iter().map(PathBuf::from).collect(), true),
        BackupMode::EntireComputer => {
            let disks = cairn_core::jobs::image::whole_disks();
            if disks.is_empty() {
                return Err(Error::not_found(
                    "this computer shows no disks in /sys/block",
                ));
            }
            (disks, true)
        }
    };
    Ok(backup::BackupSpec {
        backup_id: super::backup_map::job_backup_id(s),
        job: job.name.clone(),
        machine: s.machine.clone(),
        platform: s.os.label().into(),
        includes,
        exclude_masks: s.exclude_masks.clone(),
        include_masks: s.include_masks.clone(),
        compression: s.compression,
        full,
        images,
        region: String::new(),
        writer: String::new(),
        source_root: None,
    })
}

/// The report of a backup run that made point `m`.
fn run_report(m: &Manifest, warnings: u64, removed: Vec<String>) -> JobRunReport {
    let (result, message) = if warnings > 0 {
        let msg = format!("{warnings} warning(s); restore point {} created", m.id);
        (SessionResult::Warning, msg)
    } else {
        (
            SessionResult::Success,
            format!("restore point {} created", m.id),
        )
    };
    JobRunReport {
        session: 0,
        result,
        point: Some(m.id.clone()),
        backup: m.backup.clone(),
        stats: m.stats.clone(),
        removed_points: removed,
        message,
    }
}

/// A backup's catalog row from its metadata.
fn backup_record(
    rec: &RepositoryRecord,
    repo: &Repository,
    ks: &KeySet,
    id: &str,
) -> Result<BackupRecord> {
    let meta = repo.read_backup_meta(ks, id)?;
    let copied = meta.points.iter().any(|p| !p.origin.is_empty());
    Ok(BackupRecord {
        repository_id: rec.id,
        backup_id: id.to_string(),
        job_name: meta.job,
        machine: meta.machine,
        platform: meta.platform,
        encrypted: ks.encrypted(),
        location: backup_location(rec, copied).into(),
        sealed: false,
        points: meta
            .points
            .into_iter()
            .map(|p| PointRecord {
                point_id: p.id,
                time: p.time,
                kind: p.kind,
                size: p.size,
                gfs: p.gfs.join(","),
            })
            .collect(),
    })
}

/// Where a backup is, as Home → Backups groups it.
pub(super) fn backup_location(rec: &RepositoryRecord, copied: bool) -> &'static str {
    if rec.kind != cairn_model::RepositoryKind::Local {
        "object_storage"
    } else if copied {
        "disk_copy"
    } else {
        "disk"
    }
}
