//! The Add Backup Repository wizard's checks, step by step, and its Apply
//! step with a log of what was checked. The CLI's `repo add` calls the same
//! engine functions.

use super::repositories::validate_name;
use super::Console;
use crate::catalog::RepositoryRecord;
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use crate::storage::azure::{AzureAuth, AzureSettings, AzureStorage, Tier};
use crate::storage::s3::{S3Settings, S3Storage, StorageClass};
use crate::storage::Storage;
use cairn_model::{RepositoryStep, RepositoryTarget};
use std::path::Path;

/// A bucket or container name that passes validation, for account checks
/// that list what the account holds and never touch a bucket.
const ACCOUNT_CHECK: &str = "cairn-account-check";

fn s3_settings(
    t: &RepositoryTarget,
    bucket_required: bool,
) -> Result<(S3Settings, String, Sensitive<String>)> {
    let RepositoryTarget::S3 {
        region,
        endpoint,
        access_key_id,
        secret_access_key,
        bucket,
        folder,
        storage_class,
        immutable_days,
    } = t
    else {
        return Err(Error::internal("not an S3 target"));
    };
    let secret_access_key = &secret_access_key.0;
    if access_key_id.trim().is_empty() || secret_access_key.is_empty() {
        return Err(Error::invalid(
            "enter the access key id and the secret access key",
        ));
    }
    if region.trim().is_empty() {
        return Err(Error::invalid("enter the region, e.g. us-east-1"));
    }
    let bucket = if bucket_required || !bucket.is_empty() {
        bucket.clone()
    } else {
        ACCOUNT_CHECK.to_string()
    };
    let settings = S3Settings {
        bucket,
        folder: folder.clone(),
        region: region.trim().to_string(),
        endpoint: endpoint.clone().filter(|e| !e.trim().is_empty()),
        credential: String::new(),
        storage_class: StorageClass::parse(storage_class)?,
        immutable_days: *immutable_days,
    };
    Ok((
        settings,
        access_key_id.trim().to_string(),
        Sensitive::new(secret_access_key.clone()),
    ))
}

fn azure_settings(
    t: &RepositoryTarget,
    container_required: bool,
) -> Result<(AzureSettings, Sensitive<String>)> {
    let RepositoryTarget::Azure {
        account,
        endpoint,
        sas,
        secret,
        container,
        folder,
        tier,
    } = t
    else {
        return Err(Error::internal("not an Azure target"));
    };
    let secret = &secret.0;
    if secret.is_empty() {
        return Err(Error::invalid(if *sas {
            "enter the SAS token"
        } else {
            "enter the account's shared key"
        }));
    }
    let container = if container_required || !container.is_empty() {
        container.clone()
    } else {
        ACCOUNT_CHECK.to_string()
    };
    let settings = AzureSettings {
        account: account.trim().to_string(),
        container,
        folder: folder.clone(),
        endpoint: endpoint.clone().filter(|e| !e.trim().is_empty()),
        credential: String::new(),
        auth: if *sas {
            AzureAuth::Sas
        } else {
            AzureAuth::SharedKey
        },
        tier: Tier::parse(tier)?,
    };
    Ok((settings, Sensitive::new(secret.clone())))
}

/// Writes, reads back and deletes a probe object.
fn probe_write(storage: &dyn Storage, log: &mut Vec<String>) -> Result<()> {
    let key = format!("locks/probe-{}", crate::format::random_id());
    let body = b"cairn write probe";
    storage.put(&key, body)?;
    log.push("Test object written".into());
    if storage.get(&key)? != body {
        return Err(Error::storage(
            "the test object read back differs from what was written; the storage is not reliable",
        ));
    }
    log.push("Test object read back".into());
    storage.delete(&key)?;
    log.push("Test object deleted".into());
    Ok(())
}

impl Console {
    /// Checks one wizard step; returns what the step shows (bucket or
    /// container names for Account, facts for Location).
    pub fn check_repository_step(
        &self,
        step: RepositoryStep,
        name: &str,
        target: &RepositoryTarget,
    ) -> Result<Vec<String>> {
        match step {
            RepositoryStep::Name => {
                validate_name(name, "repository")?;
                if self.catalog()?.repository_by_name(name)?.is_some() {
                    return Err(Error::conflict(format!(
                        "a repository named \"{name}\" already exists; choose another name"
                    )));
                }
                Ok(Vec::new())
            }
            RepositoryStep::Account => match target {
                RepositoryTarget::Local { .. } => Ok(Vec::new()),
                RepositoryTarget::S3 { .. } => {
                    let (s, id, secret) = s3_settings(target, false)?;
                    S3Storage::connect(s, &id, &secret)?.list_buckets()
                }
                RepositoryTarget::Azure { .. } => {
                    let (s, secret) = azure_settings(target, false)?;
                    AzureStorage::connect(s, &secret)?.list_containers()
                }
            },
            RepositoryStep::Location => match target {
                RepositoryTarget::Local { path } => {
                    let p = Path::new(path);
                    if !p.is_absolute() {
                        return Err(Error::invalid(format!(
                            "{path} is not a full path; choose a folder such as /srv/backups"
                        )));
                    }
                    if p.exists() && !p.is_dir() {
                        return Err(Error::invalid(format!("{path} is a file, not a folder")));
                    }
                    Ok(vec![format!("Folder {path}")])
                }
                RepositoryTarget::S3 { .. } => {
                    let (s, id, secret) = s3_settings(target, true)?;
                    let storage = S3Storage::connect(s.clone(), &id, &secret)?;
                    storage.probe()?;
                    let lock = storage.object_lock_enabled()?;
                    if s.immutable_days.is_some() && !lock {
                        return Err(Error::invalid(format!(
                            "bucket {} has no Object Lock: immutability needs a bucket created with Object Lock enabled (it cannot be added to an existing bucket); choose such a bucket, or turn immutability off",
                            s.bucket
                        )));
                    }
                    Ok(vec![format!(
                        "Bucket {} found; Object Lock {}",
                        s.bucket,
                        if lock { "enabled" } else { "not enabled" }
                    )])
                }
                RepositoryTarget::Azure { .. } => {
                    let (s, secret) = azure_settings(target, true)?;
                    AzureStorage::connect(s.clone(), &secret)?.probe()?;
                    Ok(vec![format!(
                        "Container {} found; soft delete off",
                        s.container
                    )])
                }
            },
        }
    }

    /// The Apply step: checks everything again, writes a probe object,
    /// creates or adopts the repository, and records it.
    pub fn add_repository(
        &self,
        name: &str,
        description: &str,
        target: &RepositoryTarget,
    ) -> Result<(RepositoryRecord, Vec<String>)> {
        let mut log = Vec::new();
        self.check_repository_step(RepositoryStep::Name, name, target)?;
        let rec = match target {
            RepositoryTarget::Local { path } => {
                let rec = self.add_local_repository(name, Path::new(path), description)?;
                log.push(format!("Folder {path} ready"));
                rec
            }
            RepositoryTarget::S3 { .. } => {
                let (s, id, secret) = s3_settings(target, true)?;
                let storage = S3Storage::connect(s.clone(), &id, &secret)?;
                log.extend(self.check_repository_step(RepositoryStep::Location, name, target)?);
                log.push("Credentials accepted".into());
                probe_write(&storage, &mut log)?;
                self.add_s3_repository(name, s, &id, &secret)?
            }
            RepositoryTarget::Azure { .. } => {
                let (s, secret) = azure_settings(target, true)?;
                let storage = AzureStorage::connect(s.clone(), &secret)?;
                log.extend(self.check_repository_step(RepositoryStep::Location, name, target)?);
                log.push("Credentials accepted".into());
                probe_write(&storage, &mut log)?;
                self.add_azure_repository(name, s, &secret)?
            }
        };
        if !matches!(target, RepositoryTarget::Local { .. }) {
            log.push("Secrets stored in the system keyring".into());
        }
        log.push(format!("Repository {} ready at {}", rec.name, rec.location));
        Ok((rec, log))
    }

    /// Removes a repository from the configuration (its data stays).
    pub fn remove_repository(&self, name: &str) -> Result<()> {
        let rec = self.repository_named(name)?;
        if rec.is_default {
            return Err(Error::invalid("the default repository cannot be removed"));
        }
        // The cached backups go with it (ON DELETE CASCADE).
        self.catalog()?.remove_repository(&rec.name)
    }
}
