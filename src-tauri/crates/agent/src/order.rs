//! Runs a backup order: straight into the repository with the scoped
//! credentials the order carries, under the repository's writer lock.

use crate::messages::{BackupOrder, OrderResult, RepositoryAccess};
use cairn_cloud::{AzureAuth, AzureSettings, AzureStorage, S3Settings, S3Storage};
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::lock::WriterLock;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::repo::Repository;
use cairn_core::storage::Storage;
use cairn_core::{Result, Sensitive};
use cairn_model::LogLevel;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Opens the order's repository with its scoped credentials.
fn storage(access: &RepositoryAccess) -> Result<Arc<dyn Storage>> {
    match access {
        RepositoryAccess::S3 {
            bucket,
            folder,
            region,
            endpoint,
            access_key_id,
            secret_access_key,
            session_token,
            storage_class,
            immutable_days,
            ..
        } => {
            let settings = S3Settings {
                bucket: bucket.clone(),
                folder: folder.clone(),
                region: region.clone(),
                endpoint: endpoint.clone(),
                credential: String::new(),
                storage_class: *storage_class,
                immutable_days: *immutable_days,
            };
            let secret = Sensitive::new(secret_access_key.clone());
            let token = session_token.clone().map(Sensitive::new);
            Ok(Arc::new(S3Storage::connect_session(
                settings,
                access_key_id,
                &secret,
                token.as_ref(),
            )?))
        }
        RepositoryAccess::Azure {
            account,
            container,
            folder,
            endpoint,
            sas,
            tier,
            immutable_days,
            ..
        } => {
            let settings = AzureSettings {
                account: account.clone(),
                container: container.clone(),
                folder: folder.clone(),
                endpoint: endpoint.clone(),
                credential: String::new(),
                auth: AzureAuth::Sas,
                tier: *tier,
                immutable_days: *immutable_days,
            };
            Ok(Arc::new(AzureStorage::connect(
                settings,
                &Sensitive::new(sas.clone()),
            )?))
        }
    }
}

/// Runs `order`, reading the machine's files under `root` (None = `/`).
pub fn run(
    order: &BackupOrder,
    root: Option<&Path>,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> OrderResult {
    match run_inner(order, root, sink.clone(), cancel) {
        Ok(r) => r,
        Err(e) => {
            sink.log(LogLevel::Error, &e.message());
            OrderResult::Failed {
                reason: e.message().into_owned(),
            }
        }
    }
}

fn run_inner(
    order: &BackupOrder,
    root: Option<&Path>,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<OrderResult> {
    let storage = storage(&order.access)?;
    let repo = Repository::open(storage.clone(), &order.repository)?;
    let ks = match &order.keyset {
        Some(k) => repo.encrypted_keyset(k, order.password.as_deref())?,
        None => repo.default_keyset()?,
    };
    let purpose = format!("backup job {} on {}", order.job, order.machine);
    let mut waiting = |busy: &str| sink.log(LogLevel::Info, &format!("Waiting: {busy}"));
    let lock =
        WriterLock::acquire_waiting(storage, &order.repository, &purpose, cancel, &mut waiting)?;
    let repo = lock.guard(&repo);
    let spec = BackupSpec {
        backup_id: order.backup_id.clone(),
        job: order.job.clone(),
        machine: order.machine.clone(),
        platform: order.platform.clone(),
        includes: order.includes.iter().map(PathBuf::from).collect(),
        exclude_masks: order.exclude_masks.clone(),
        include_masks: order.include_masks.clone(),
        compression: order.compression,
        full: order.full,
        images: false,
        region: order.region.clone(),
        writer: "agent".into(),
        source_root: root.map(Path::to_path_buf),
    };
    let out = backup::run(&repo, &ks, &spec, sink, cancel)?;
    Ok(OrderResult::Succeeded {
        point: out.manifest.id.clone(),
        files: out.manifest.stats.files,
        bytes: out.manifest.stats.bytes,
        warnings: out.warnings,
    })
}
