//! `cairn appliance backup`: Cairn as a standalone cloud backup appliance.
//! It owns its backup policies and writes backups of cloud machines (here:
//! a directory backed up as if it were the machine) straight into an S3
//! bucket or Azure container, in the native format, with the policy,
//! machine, platform and region in each backup's metadata. Consoles connect
//! such a bucket as an external repository and copy from it.

use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_core::format::crypto::KeySet;
use cairn_core::format::markers::ApplianceMarker;
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::jobs::{prune, retention};
use cairn_core::lock::WriterLock;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::repo::Repository;
use cairn_core::storage::Storage;
use cairn_model::{Cipher, Compression, ErrorKind, Gfs, Retention};
use std::path::PathBuf;
use std::sync::Arc;

/// The cloud platform of the protected machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// An Amazon EC2 instance.
    Ec2,
    /// A Microsoft Azure VM.
    AzureVm,
}

impl Platform {
    /// Parses `ec2` or `azure-vm`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "ec2" => Ok(Self::Ec2),
            "azure-vm" => Ok(Self::AzureVm),
            _ => Err(Error::invalid(format!(
                "unknown platform {s}; use ec2 or azure-vm"
            ))),
        }
    }

    /// The label backups carry.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ec2 => "EC2",
            Self::AzureVm => "Azure VM",
        }
    }
}

/// One appliance backup.
#[derive(Debug, Clone)]
pub struct ApplianceBackup {
    /// Backup policy.
    pub policy: String,
    /// Machine id (instance id, VM name).
    pub machine: String,
    /// Platform.
    pub platform: Platform,
    /// Region (EC2) or subscription / region (Azure).
    pub region: String,
    /// The machine's data.
    pub source: PathBuf,
    /// Compression.
    pub compression: Compression,
    /// Restore points the policy keeps (None = all).
    pub retain_points: Option<u32>,
    /// Password of encrypted backups.
    pub password: Option<Sensitive<String>>,
}

/// What the appliance did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplianceReport {
    /// Backup id.
    pub backup: String,
    /// New restore point.
    pub point: String,
    /// Counters.
    pub stats: cairn_core::format::manifest::PointStats,
    /// Points retention removed.
    pub removed_points: Vec<String>,
}

/// Opens the appliance's repository, creating it (with the `appliance`
/// marker) on empty storage. A repository a console created is refused.
fn open_or_create(storage: Arc<dyn Storage>) -> Result<Repository> {
    let name = storage.describe();
    match Repository::open(storage.clone(), &name) {
        Ok(r) => {
            if !storage.exists("appliance")? {
                return Err(Error::conflict(format!(
                    "{name} holds a repository a console created; an appliance writes only its own repositories, choose another bucket or folder"
                )));
            }
            Ok(r)
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if !storage.list("")?.is_empty() {
                return Err(Error::invalid(format!(
                    "{name} is not empty and holds no repository; choose an empty bucket or folder"
                )));
            }
            let marker = ApplianceMarker {
                id: cairn_core::format::random_id(),
                host: cairn_core::time::hostname(),
                created: cairn_core::time::now(),
            };
            let raw = serde_json::to_vec(&marker)
                .map_err(|e| Error::internal("cannot encode the appliance marker").caused_by(e))?;
            storage.put("appliance", &raw)?;
            Ok(Repository::init(
                storage,
                &name,
                &format!("appliance-{}", marker.id),
            )?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The key set of a policy's backup: the existing one, or a new one.
fn keyset_for(repo: &Repository, backup: &str, password: Option<&str>) -> Result<KeySet> {
    match (repo.backup_keyset(backup)?, password) {
        (Some(k), Some(pw)) => Ok(repo.encrypted_keyset(&k, Some(pw))?),
        (Some(k), None) => Ok(repo.keyset(&k, None)?),
        (None, Some(pw)) => Ok(repo.create_keyset(Cipher::Aes256Gcm, pw, "")?),
        (None, None) => Ok(repo.default_keyset()?),
    }
}

/// Runs one backup of a cloud machine into the appliance's repository,
/// then the policy's retention.
pub fn backup(
    storage: Arc<dyn Storage>,
    spec: &ApplianceBackup,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<ApplianceReport> {
    if spec.policy.trim().is_empty() || spec.machine.trim().is_empty() {
        return Err(Error::invalid("give the policy name and the machine id"));
    }
    let repo = open_or_create(storage.clone())?;
    let lock = WriterLock::acquire(
        storage,
        repo.name(),
        &format!("appliance policy {}", spec.policy),
    )?;
    let repo = lock.guard(&repo);
    let backup_id = cairn_core::jobs::backup_id(&format!("policy:{}", spec.policy), &spec.machine);
    let ks = keyset_for(
        &repo,
        &backup_id,
        spec.password.as_ref().map(|p| p.expose().as_str()),
    )?;
    let out = backup::run(
        &repo,
        &ks,
        &BackupSpec {
            backup_id: backup_id.clone(),
            job: spec.policy.clone(),
            machine: spec.machine.clone(),
            platform: spec.platform.label().into(),
            includes: vec![spec.source.clone()],
            exclude_masks: Vec::new(),
            include_masks: Vec::new(),
            compression: spec.compression,
            full: false,
            images: false,
            region: spec.region.clone(),
            writer: "appliance".into(),
            source_root: None,
        },
        sink.clone(),
        cancel,
    )?;
    let removed = match spec.retain_points {
        Some(n) => retention::apply(
            &repo,
            &ks,
            &backup_id,
            Retention::Points(n.max(1)),
            Gfs::default(),
            sink.as_ref(),
        )?,
        None => Vec::new(),
    };
    if !removed.is_empty() {
        prune::prune(
            &repo,
            &ks,
            crate::operations::PRUNE_GRACE_SECS,
            sink.as_ref(),
        )?;
    }
    Ok(ApplianceReport {
        backup: backup_id,
        point: out.manifest.id,
        stats: out.manifest.stats,
        removed_points: removed,
    })
}
