//! External repositories: buckets and containers a cloud backup appliance
//! writes, connected read-only (the console writes nothing there but its
//! ownership marker), and rescans that bring their backups into the catalog
//! by reading one metadata object per new or changed backup.

use super::repositories::validate_name;
use super::repository_wizard::{azure_settings, s3_settings};
use super::Console;
use crate::catalog::{ExternalBackupRecord, ExternalRecord};
use crate::error::{Error, Result};
use cairn_cloud::StorageClass;
use cairn_cloud::{AzureStorage, S3Storage};
use cairn_core::format::blob::object_keyset;
use cairn_core::format::crypto::KeySet;
use cairn_core::format::markers::{ApplianceMarker, Owner};
use cairn_core::progress::ProgressSink;
use cairn_core::repo::Repository;
use cairn_core::storage::ExternalStorage;
use cairn_core::storage::{ReadStorage, Storage};
use cairn_core::Sensitive;
use cairn_model::{
    ErrorKind, ExternalProbe, ExternalStep, LogLevel, RepositoryKind, RepositoryStep,
    RepositoryTarget, RescanReport, SessionKind, SessionResult,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// Hours between automatic rescans.
pub const RESCAN_EVERY_SECS: i64 = 24 * 3600;

/// The opened storage of an entered target, with what storing its
/// credentials needs.
enum Backend {
    S3(
        Arc<S3Storage>,
        cairn_cloud::S3Settings,
        String,
        Sensitive<String>,
    ),
    Azure(
        Arc<AzureStorage>,
        cairn_cloud::AzureSettings,
        Sensitive<String>,
    ),
}

/// An entered target: kind, bucket, folder and the opened storage.
struct Entered {
    kind: RepositoryKind,
    bucket: String,
    folder: String,
    storage: Arc<dyn Storage>,
    backend: Backend,
}

/// What a look at an external repository found.
struct Inspected {
    backups: u32,
    encrypted: Vec<(String, String)>,
    owner: Option<Owner>,
    writer: Option<ApplianceMarker>,
}

fn owner_words(o: &Owner) -> String {
    format!(
        "console {} on {} (since {})",
        &o.console[..o.console.len().min(12)],
        if o.host.is_empty() {
            "an unknown host"
        } else {
            &o.host
        },
        cairn_core::time::point_time_label(o.claimed)
    )
}

fn enter(target: &RepositoryTarget, location: bool) -> Result<Entered> {
    match target {
        RepositoryTarget::Local { .. } => Err(Error::invalid(
            "external repositories live in Amazon S3 or Azure Blob; a cloud backup appliance writes them",
        )),
        RepositoryTarget::S3 { storage_class, .. } => {
            if location && StorageClass::parse(storage_class)? != StorageClass::Standard {
                return Err(Error::invalid(
                    "external repositories are read from S3 Standard only: backups in Glacier classes cannot be read without a retrieval; choose the bucket the appliance writes in Standard",
                ));
            }
            let (s, id, secret) = s3_settings(target, location)?;
            let kind = if s.endpoint.is_some() {
                RepositoryKind::S3Compatible
            } else {
                RepositoryKind::AmazonS3
            };
            let storage = Arc::new(S3Storage::connect(s.clone(), &id, &secret)?);
            Ok(Entered {
                kind,
                bucket: s.bucket.clone(),
                folder: s.folder.trim_matches('/').to_string(),
                storage: storage.clone(),
                backend: Backend::S3(storage, s, id, secret),
            })
        }
        RepositoryTarget::Azure { .. } => {
            let (s, secret) = azure_settings(target, location)?;
            let storage = Arc::new(AzureStorage::connect(s.clone(), &secret)?);
            Ok(Entered {
                kind: RepositoryKind::AzureBlob,
                bucket: s.container.clone(),
                folder: s.folder.trim_matches('/').to_string(),
                storage: storage.clone(),
                backend: Backend::Azure(storage, s, secret),
            })
        }
    }
}

/// Reads the facts the wizard shows: backups, encryption, owner, writer.
fn inspect(e: &Entered) -> Result<Inspected> {
    match &e.backend {
        Backend::S3(st, ..) => st.probe()?,
        Backend::Azure(st, ..) => st.probe_read()?,
    }
    let storage: Arc<dyn Storage> = Arc::new(ExternalStorage::new(e.storage.clone()));
    let repo = Repository::open(storage.clone(), "external repository").map_err(|err| {
        if err.kind() == ErrorKind::NotFound {
            Error::not_found(format!(
                "{} holds no backups of a cloud backup appliance (no repository config); choose the bucket or container and folder the appliance writes to",
                storage.describe()
            ))
        } else {
            err.into()
        }
    })?;
    let backups = repo.list_backups()?;
    let mut encrypted = Vec::new();
    let used: HashSet<String> = backups.iter().map(|(_, k)| k.clone()).collect();
    for k in &used {
        let f = repo.key_file(k)?;
        if f.kind != "plain" {
            encrypted.push((k.clone(), f.hint.clone()));
        }
    }
    let writer = match storage.get_at_most("appliance", cairn_core::format::MAX_SMALL_OBJECT) {
        Ok(raw) => serde_json::from_slice(&raw).ok(),
        Err(err) if err.kind() == ErrorKind::NotFound => None,
        Err(err) => return Err(err.into()),
    };
    Ok(Inspected {
        backups: backups.len() as u32,
        encrypted,
        owner: repo.owner()?,
        writer,
    })
}

impl Console {
    /// Checks one step of the Connect to External Repository wizard.
    pub fn check_external_step(
        &self,
        step: ExternalStep,
        name: &str,
        target: &RepositoryTarget,
        password_name: Option<&str>,
    ) -> Result<ExternalProbe> {
        let mut probe = ExternalProbe::default();
        match step {
            ExternalStep::Name => {
                validate_name(name, "external repository")?;
                if self.catalog()?.external_by_name(name)?.is_some() {
                    return Err(Error::conflict(format!(
                        "an external repository named \"{name}\" already exists; choose another name"
                    )));
                }
                if self.catalog()?.repository_by_name(name)?.is_some() {
                    return Err(Error::conflict(format!(
                        "a backup repository is named \"{name}\"; give the external repository another name"
                    )));
                }
            }
            // Listing buckets, containers and folders is the same as for
            // backup repositories.
            ExternalStep::Account => {
                enter(target, false)?;
                probe.items = self.check_step(RepositoryStep::Account, name, target, None)?;
            }
            ExternalStep::Folders => {
                enter(target, true)?;
                probe.items = self.check_step(RepositoryStep::Folders, name, target, None)?;
            }
            ExternalStep::Location | ExternalStep::Encryption => {
                let e = enter(target, true)?;
                let found = inspect(&e)?;
                probe.backups = found.backups;
                probe.encrypted = !found.encrypted.is_empty();
                probe.hints = found
                    .encrypted
                    .iter()
                    .map(|(_, h)| h.clone())
                    .filter(|h| !h.is_empty())
                    .collect();
                let me = self.console_id()?;
                probe.owned_by_other = found
                    .owner
                    .as_ref()
                    .filter(|o| o.console != me && !o.console.starts_with("appliance-"))
                    .map(owner_words);
                probe.writer = found.writer.as_ref().map(|w| {
                    format!(
                        "a cloud backup appliance on {} (since {})",
                        w.host,
                        cairn_core::time::point_time_label(w.created)
                    )
                });
                if step == ExternalStep::Encryption && probe.encrypted {
                    self.check_external_password(&e, &found, password_name)?;
                }
            }
        }
        Ok(probe)
    }

    /// The Encryption step: the chosen password opens every encrypted key
    /// set the backups use.
    fn check_external_password(
        &self,
        e: &Entered,
        found: &Inspected,
        password_name: Option<&str>,
    ) -> Result<()> {
        let Some(name) = password_name.filter(|p| !p.is_empty()) else {
            return Err(Error::new(
                ErrorKind::WrongPassword,
                "the backups in this repository are encrypted; choose their password from Manage Passwords, or click Add… to enter it",
            ));
        };
        let c = self.catalog()?.credential(name)?;
        if c.kind != cairn_model::CredentialKind::Password {
            return Err(Error::invalid(format!(
                "{name} is not an encryption password; choose one from Manage Passwords"
            )));
        }
        let pw = crate::secrets::load(&c.secret_ref, name)?;
        let storage: Arc<dyn Storage> = Arc::new(ExternalStorage::new(e.storage.clone()));
        let repo = Repository::open(storage, "the external repository")?;
        for (k, hint) in &found.encrypted {
            repo.keyset(k, Some(pw.expose())).map_err(|err| {
                if err.kind() == ErrorKind::WrongPassword {
                    Error::new(
                        ErrorKind::WrongPassword,
                        format!(
                            "password {name} does not open the encrypted backups in this repository{}; choose the password the appliance uses",
                            if hint.is_empty() {
                                String::new()
                            } else {
                                format!(" (hint: {hint})")
                            }
                        ),
                    )
                } else {
                    err.into()
                }
            })?;
        }
        Ok(())
    }

    /// Apply: checks every step again, stores the credentials in the
    /// keyring, writes the ownership marker (after the user confirmed when
    /// another console owns it) and records the repository. The caller
    /// starts the first rescan.
    pub fn connect_external(
        &self,
        name: &str,
        description: &str,
        target: &RepositoryTarget,
        password_name: Option<&str>,
        take_ownership: bool,
    ) -> Result<(ExternalRecord, Vec<String>)> {
        let mut log = Vec::new();
        self.check_external_step(ExternalStep::Name, name, target, None)?;
        let probe =
            self.check_external_step(ExternalStep::Encryption, name, target, password_name)?;
        let e = enter(target, true)?;
        log.push(format!(
            "{} found: {} backup(s){}",
            e.storage.describe(),
            probe.backups,
            probe
                .writer
                .as_ref()
                .map(|w| format!(", written by {w}"))
                .unwrap_or_default()
        ));
        if probe.encrypted {
            log.push("The backups are encrypted; the password opens them".into());
        }
        if let Some(other) = &probe.owned_by_other {
            if !take_ownership {
                return Err(Error::conflict(format!(
                    "this repository is owned by {other}; confirm taking ownership (the other console stops managing it)"
                )));
            }
            log.push(format!("Ownership taken over from {other}"));
        }
        let settings = match &e.backend {
            Backend::S3(_, s, id, secret) => {
                let mut s = s.clone();
                s.credential = self.store_s3_credential(name, id, secret)?;
                serde_json::to_string(&s)
            }
            Backend::Azure(_, s, secret) => {
                let mut s = s.clone();
                s.credential = self.store_azure_credential(name, &s, secret)?;
                serde_json::to_string(&s)
            }
        }
        .map_err(|e| Error::internal("cannot encode the repository settings").caused_by(e))?;
        log.push("Credentials stored in the system keyring".into());
        let me = self.console_id()?;
        let storage: Arc<dyn Storage> = Arc::new(ExternalStorage::new(e.storage.clone()));
        Repository::open(storage, name)?.write_owner(&me)?;
        log.push("Ownership marker written (nothing else is ever written there)".into());
        let rec = self.catalog()?.add_external(
            name,
            e.kind,
            &e.bucket,
            &e.folder,
            &settings,
            &me,
            description,
            password_name.filter(|p| !p.is_empty() && probe.encrypted),
        )?;
        log.push(format!("External repository {name} added"));
        Ok((rec, log))
    }

    /// The Connect wizard's Apply: connects, then starts the rescan that
    /// lists the repository's backups (History → System); a rescan that
    /// cannot start is a line of the log, not a failure.
    pub fn connect_external_and_rescan(
        self: &Arc<Self>,
        req: &cairn_model::ConnectExternal,
    ) -> Result<cairn_model::ConnectedExternal> {
        let (rec, mut log) = self.connect_external(
            &req.name,
            &req.description,
            &req.target,
            req.password_name.as_deref(),
            req.take_ownership,
        )?;
        let rescan_session = match self.start_rescan(Some(&rec.name)) {
            Ok(s) => {
                log.push("Rescan started".into());
                Some(s)
            }
            Err(e) => {
                log.push(format!("The rescan did not start: {e}"));
                None
            }
        };
        let repository = self
            .external_repository_rows()?
            .into_iter()
            .find(|r| r.id == rec.id)
            .ok_or_else(|| Error::internal("the new external repository vanished"))?;
        Ok(cairn_model::ConnectedExternal {
            repository,
            log,
            rescan_session,
        })
    }

    /// Finds an external repository by name, with a helpful error.
    pub fn external_named(&self, name: &str) -> Result<ExternalRecord> {
        self.catalog()?.external_by_name(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no external repository named \"{name}\"; `cairn external list` shows them"
            ))
        })
    }

    /// The read-only, request-counting storage of an external repository.
    pub fn open_external_storage(&self, rec: &ExternalRecord) -> Result<Arc<ExternalStorage>> {
        let inner = self.storage_from_settings(rec.kind, &rec.settings, &rec.name)?;
        Ok(Arc::new(ExternalStorage::new(inner)))
    }

    /// An external repository opened through its read-only storage, with
    /// the console's tree cache.
    pub(super) fn open_external_repository(&self, rec: &ExternalRecord) -> Result<Repository> {
        let storage: Arc<dyn Storage> = self.open_external_storage(rec)?;
        Ok(Repository::open(storage, &rec.name)?
            .with_tree_cache(crate::paths::tree_cache_dir(&self.data_dir)))
    }

    /// The password of an external repository's encrypted backups.
    pub(super) fn external_password(
        &self,
        rec: &ExternalRecord,
    ) -> Result<Option<Sensitive<String>>> {
        match &rec.password_name {
            Some(name) => {
                let c = self.catalog()?.credential(name).map_err(|_| {
                    Error::new(ErrorKind::WrongPassword, format!(
                        "the backups of external repository {} are encrypted with password {name}, which is no longer in Manage Passwords; add it again",
                        rec.name
                    ))
                })?;
                Ok(Some(crate::secrets::load(&c.secret_ref, name)?))
            }
            None => Ok(None),
        }
    }

    /// Remove: forgets an external repository (nothing in it is touched);
    /// refused while a backup copy job reads from it.
    pub fn remove_external(&self, name: &str) -> Result<()> {
        let rec = self.external_named(name)?;
        let users: Vec<String> = self
            .catalog()?
            .jobs()?
            .into_iter()
            .filter(|j| {
                j.settings.copy.as_ref().is_some_and(|c| {
                    c.sources
                        .iter()
                        .any(|s| s.repository.eq_ignore_ascii_case(&rec.name))
                })
            })
            .map(|j| j.name)
            .collect();
        if !users.is_empty() {
            return Err(Error::conflict(format!(
                "backup copy job {} copies from external repository {}; edit or delete it first",
                users.join(", "),
                rec.name
            )));
        }
        self.catalog()?.remove_external(rec.id)
    }

    /// Rescans one external repository: lists `backups/`, reads the
    /// metadata objects that are new or whose ETag changed, and replaces
    /// the cached backups. Requests grow with backups, not chunks.
    pub fn rescan_one(&self, rec: &ExternalRecord, sink: &dyn ProgressSink) -> RescanReport {
        let t0 = Instant::now();
        let mut report = RescanReport {
            repository: rec.name.clone(),
            ..Default::default()
        };
        let storage = match self.open_external_storage(rec) {
            Ok(s) => s,
            Err(e) => {
                report.error = Some(e.to_string());
                return report;
            }
        };
        let outcome = crate::error::catch_panic(&format!("the rescan of {}", rec.name), || {
            self.rescan_storage(rec, storage.clone(), sink, &mut report)
        });
        report.requests = storage.requests();
        report.duration_ms = t0.elapsed().as_millis() as u64;
        let now = cairn_core::time::now();
        if let Err(e) = outcome {
            let msg = e.to_string();
            if let Ok(c) = self.catalog() {
                let _ = c.fail_external_rescan(rec.id, now, &msg);
            }
            report.error = Some(msg);
        }
        report
    }

    /// Reads the backup metadata the storage holds (only objects whose
    /// etag changed since the last rescan) and brings the catalog in line.
    fn rescan_storage(
        &self,
        rec: &ExternalRecord,
        storage: Arc<ExternalStorage>,
        sink: &dyn ProgressSink,
        report: &mut RescanReport,
    ) -> Result<()> {
        let dynstore: Arc<dyn Storage> = storage.clone();
        let repo = Repository::open(dynstore, &rec.name)?;
        let owner = repo.owner()?.map(|o| o.console).unwrap_or_default();
        let listing = storage.list("backups/")?;
        let cached: HashMap<String, ExternalBackupRecord> = self
            .catalog()?
            .external_backups(rec.id)?
            .into_iter()
            .map(|b| (b.backup_id.clone(), b))
            .collect();
        let password = self.external_password(rec)?;
        let mut reader = MetaReader {
            repo: &repo,
            storage: storage.as_ref(),
            password: password.as_ref().map(|p| p.expose().as_str()),
            keysets: HashMap::new(),
            read: 0,
        };
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for obj in &listing {
            let id = obj.key.trim_start_matches("backups/").to_string();
            let unchanged = cached
                .get(&id)
                .filter(|c| !obj.etag.is_empty() && c.etag == obj.etag);
            if let Some(c) = unchanged {
                found.push(c.clone());
                continue;
            }
            let was_encrypted = cached.get(&id).is_some_and(|c| c.encrypted);
            match reader.read(rec.id, obj, &id, was_encrypted) {
                Ok(b) => found.push(b),
                Err(e) => {
                    // Kept as it was; the error is reported.
                    found.extend(cached.get(&id).cloned());
                    problems.push(format!("backup {id}: {e}"));
                }
            }
        }
        report.metadata_read += reader.read;
        count_changes(&cached, &found, report);
        log_changes(rec, &cached, &found, sink);
        self.catalog()?
            .finish_external_rescan(rec.id, &found, &owner, cairn_core::time::now())?;
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Corrupt,
            format!(
                "{} backup(s) could not be read: {}",
                problems.len(),
                problems.join("; ")
            ),
        ))
    }

    /// Starts a rescan session (History → System) for one external
    /// repository or all of them.
    pub fn begin_rescan(&self, name: Option<&str>) -> Result<(i64, Vec<ExternalRecord>)> {
        let recs = match name {
            Some(n) => vec![self.external_named(n)?],
            None => self.catalog()?.externals()?,
        };
        if recs.is_empty() {
            return Err(Error::not_found(
                "there are no external repositories to rescan; connect one first",
            ));
        }
        let title = match name {
            Some(_) => format!("Rescan of external repository {}", recs[0].name),
            None => "Rescan of all external repositories".to_string(),
        };
        let cat = self.catalog()?;
        let session = cat.start_session(None, &title, SessionKind::System)?;
        cat.log(
            session,
            LogLevel::Info,
            &format!(
                "Rescanning {} external repositor{}",
                recs.len(),
                if recs.len() == 1 { "y" } else { "ies" }
            ),
        )?;
        Ok((session, recs))
    }

    /// Runs a rescan session to its end; one repository failing does not
    /// stop the others.
    pub fn run_rescan(
        &self,
        session: i64,
        recs: &[ExternalRecord],
        sink: Arc<dyn ProgressSink>,
    ) -> Result<Vec<RescanReport>> {
        let sink = self.session_sink(session, sink)?;
        let mut reports = Vec::new();
        for rec in recs {
            sink.log(LogLevel::Info, &format!("Rescanning {}", rec.name));
            let r = self.rescan_one(rec, sink.as_ref());
            match &r.error {
                None => sink.log(
                    LogLevel::Info,
                    &format!(
                        "{}: {} backup(s), {} restore point(s); {} added, {} removed; {} metadata object(s) read, {} request(s), {} ms",
                        r.repository, r.backups, r.restore_points, r.added, r.removed,
                        r.metadata_read, r.requests, r.duration_ms
                    ),
                ),
                Some(e) => sink.log(LogLevel::Error, &format!("{}: {e}", r.repository)),
            }
            reports.push(r);
        }
        let failed = reports.iter().filter(|r| r.error.is_some()).count();
        let (added, removed): (u32, u32) = reports
            .iter()
            .fold((0, 0), |(a, r), x| (a + x.added, r + x.removed));
        let (result, details) = if failed == 0 {
            (
                SessionResult::Success,
                format!(
                    "{} repositor{} rescanned: {added} restore point(s) added, {removed} removed",
                    reports.len(),
                    if reports.len() == 1 { "y" } else { "ies" }
                ),
            )
        } else if failed < reports.len() {
            (
                SessionResult::Warning,
                format!(
                    "{failed} of {} repositories failed to rescan",
                    reports.len()
                ),
            )
        } else {
            (
                SessionResult::Failed,
                reports
                    .iter()
                    .filter_map(|r| r.error.clone())
                    .next()
                    .unwrap_or_default(),
            )
        };
        self.end_session(session, result, &details)?;
        Ok(reports)
    }

    /// Rescans in the background (the window, the scheduler, Apply);
    /// returns the session id at once. One rescan runs at a time: a second
    /// one waits for the first (its log says so). Immediate backup copy
    /// jobs whose sources got new restore points start when it ends.
    pub fn start_rescan(self: &Arc<Self>, name: Option<&str>) -> Result<i64> {
        let (session, recs) = self.begin_rescan(name)?;
        let me = self.clone();
        std::thread::Builder::new()
            .name("rescan".into())
            .spawn(move || {
                let mut said = false;
                while !me.runs().claim_rescan() {
                    if !said {
                        said = true;
                        if let Ok(c) = me.catalog() {
                            let _ = c.log(
                                session,
                                LogLevel::Info,
                                "Waiting: another rescan is running",
                            );
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                let reports =
                    me.run_rescan(session, &recs, Arc::new(cairn_core::progress::NoProgress));
                me.runs().release_rescan();
                if let Ok(reports) = reports {
                    let grown: Vec<String> = reports
                        .iter()
                        .filter(|r| r.added > 0)
                        .map(|r| r.repository.clone())
                        .collect();
                    me.start_immediate_copies(&grown);
                }
            })
            .map_err(|e| Error::internal("cannot start a worker thread").caused_by(e))?;
        Ok(session)
    }

    /// External repositories due for their daily rescan.
    pub fn externals_due(&self, now: i64) -> Result<Vec<String>> {
        Ok(self
            .catalog()?
            .externals()?
            .into_iter()
            .filter(|r| r.last_rescan.is_none_or(|t| now - t >= RESCAN_EVERY_SECS))
            .map(|r| r.name)
            .collect())
    }
}

/// Reads backup metadata objects, opening each key set once.
struct MetaReader<'a> {
    repo: &'a Repository,
    storage: &'a ExternalStorage,
    password: Option<&'a str>,
    keysets: HashMap<String, std::result::Result<KeySet, (ErrorKind, String)>>,
    /// Metadata objects read.
    read: u32,
}

impl MetaReader<'_> {
    fn read(
        &mut self,
        external_id: i64,
        obj: &cairn_core::storage::ObjectInfo,
        id: &str,
        was_encrypted: bool,
    ) -> Result<ExternalBackupRecord> {
        let max = cairn_core::format::blob::ObjectKind::Backup.max_stored();
        let raw = self.storage.get_at_most(&obj.key, max)?;
        let ks_id = object_keyset(&raw, &obj.key)?;
        let (repo, password) = (self.repo, self.password);
        let ks = self
            .keysets
            .entry(ks_id.clone())
            .or_insert_with(|| {
                repo.keyset(&ks_id, password)
                    .map_err(|e| (e.kind(), e.message().into_owned()))
            })
            .clone()
            .map_err(|(kind, m)| Error::new(kind, m))?;
        if was_encrypted && !ks.encrypted() {
            return Err(Error::corrupt(format!(
                "{} was encrypted and is now written with the plain key set {ks_id}: someone who can write the storage replaced it; the backup is kept as it was",
                obj.key
            )));
        }
        let meta = cairn_core::repo::backup_meta_from(&ks, &raw, id)?;
        self.read += 1;
        Ok(ExternalBackupRecord {
            external_id,
            backup_id: id.to_string(),
            etag: obj.etag.clone(),
            keyset: ks_id,
            encrypted: ks.encrypted(),
            meta,
        })
    }
}

/// (backup, point) pairs of these backups.
fn point_pairs<'b>(
    backups: impl Iterator<Item = &'b ExternalBackupRecord>,
) -> HashSet<(String, String)> {
    backups
        .flat_map(|b| {
            b.meta
                .points
                .iter()
                .map(|p| (b.backup_id.clone(), p.id.clone()))
        })
        .collect()
}

/// The rescan's counts: backups and points now, points added and removed.
fn count_changes(
    cached: &HashMap<String, ExternalBackupRecord>,
    found: &[ExternalBackupRecord],
    report: &mut RescanReport,
) {
    let old_points = point_pairs(cached.values());
    let new_points = point_pairs(found.iter());
    report.backups = found.len() as u32;
    report.restore_points = new_points.len() as u32;
    report.added = new_points.difference(&old_points).count() as u32;
    report.removed = old_points.difference(&new_points).count() as u32;
}

/// The session's lines for backups that appeared or went away.
fn log_changes(
    rec: &ExternalRecord,
    cached: &HashMap<String, ExternalBackupRecord>,
    found: &[ExternalBackupRecord],
    sink: &dyn ProgressSink,
) {
    for b in found.iter().filter(|b| !cached.contains_key(&b.backup_id)) {
        let m = &b.meta;
        let msg = format!(
            "{}: new backup {} of machine {} ({}), {} restore point(s)",
            rec.name,
            m.job,
            m.machine,
            m.platform,
            m.points.len()
        );
        sink.log(LogLevel::Info, &msg);
    }
    for gone in cached
        .keys()
        .filter(|k| !found.iter().any(|b| &&b.backup_id == k))
    {
        sink.log(
            LogLevel::Info,
            &format!("{}: backup {gone} is gone", rec.name),
        );
    }
}
