//! The Add Backup Repository wizard's checks, step by step, and its Apply
//! step with a log of what was checked. The CLI's `repo add` calls the same
//! engine functions.

use super::repositories::validate_name;
use super::Console;
use crate::catalog::RepositoryRecord;
use crate::error::{Error, Result};
use cairn_cloud::{AzureAuth, AzureSettings, AzureStorage, Tier};
use cairn_cloud::{S3Settings, S3Storage, StorageClass};
use cairn_core::storage::Storage;
use cairn_core::Sensitive;
use cairn_model::{RepositoryDetails, RepositoryKind, RepositoryStep, RepositoryTarget, Secret};
use std::path::Path;

/// A bucket or container name that passes validation, for account checks
/// that list what the account holds and never touch a bucket.
const ACCOUNT_CHECK: &str = "cairn-account-check";

pub(super) fn s3_settings(
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
    check_days(*immutable_days)?;
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

pub(super) fn azure_settings(
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
        immutable_days,
    } = t
    else {
        return Err(Error::internal("not an Azure target"));
    };
    check_days(*immutable_days)?;
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
        immutable_days: *immutable_days,
    };
    Ok((settings, Sensitive::new(secret.clone())))
}

fn check_days(days: Option<u32>) -> Result<()> {
    match days {
        Some(d) if !(1..=999).contains(&d) => Err(Error::invalid(
            "immutability must be between 1 and 999 days",
        )),
        _ => Ok(()),
    }
}

/// The part of a target that says where the data is, for comparing an
/// edited repository with its saved location.
fn location_of(t: &RepositoryTarget) -> String {
    let join = |b: &str, f: &str| {
        let f = f.trim_matches('/');
        if f.is_empty() {
            b.to_string()
        } else {
            format!("{b}/{f}")
        }
    };
    match t {
        RepositoryTarget::Local { path } => path.trim_end_matches('/').to_string(),
        RepositoryTarget::S3 { bucket, folder, .. } => join(bucket, folder),
        RepositoryTarget::Azure {
            container, folder, ..
        } => join(container, folder),
    }
}

/// Writes, reads back and deletes a probe object.
fn probe_write(storage: &dyn Storage, log: &mut Vec<String>) -> Result<()> {
    let key = format!("locks/probe-{}", cairn_core::format::random_id());
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
        editing: Option<&str>,
    ) -> Result<Vec<String>> {
        // Only the steps that reach the storage need the stored secret.
        match editing {
            Some(orig) if step != RepositoryStep::Name => {
                let details = self.repository_details(orig)?;
                let filled = self.with_stored_secret(&details, target)?;
                self.check_step(step, name, &filled, editing)
            }
            _ => self.check_step(step, name, target, editing),
        }
    }

    /// One step's check on a target whose secret is filled in; `editing`
    /// names the repository being edited (its own name is no conflict).
    pub(super) fn check_step(
        &self,
        step: RepositoryStep,
        name: &str,
        target: &RepositoryTarget,
        editing: Option<&str>,
    ) -> Result<Vec<String>> {
        match step {
            RepositoryStep::Folders => match target {
                RepositoryTarget::Local { .. } => Ok(Vec::new()),
                RepositoryTarget::S3 { .. } => {
                    let (s, id, secret) = s3_settings(target, true)?;
                    Ok(S3Storage::connect(s, &id, &secret)?.list_folders()?)
                }
                RepositoryTarget::Azure { .. } => {
                    let (s, secret) = azure_settings(target, true)?;
                    Ok(AzureStorage::connect(s, &secret)?.list_folders()?)
                }
            },
            RepositoryStep::Name => {
                validate_name(name, "repository")?;
                let own = editing.is_some_and(|o| o == name);
                if !own && self.catalog()?.repository_by_name(name)?.is_some() {
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
                    Ok(S3Storage::connect(s, &id, &secret)?.list_buckets()?)
                }
                RepositoryTarget::Azure { .. } => {
                    let (s, secret) = azure_settings(target, false)?;
                    Ok(AzureStorage::connect(s, &secret)?.list_containers()?)
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
                    let mut facts = vec![format!("Container {} found", s.container)];
                    facts.extend(AzureStorage::connect(s, &secret)?.probe()?);
                    Ok(facts)
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
        self.check_repository_step(RepositoryStep::Name, name, target, None)?;
        let rec = match target {
            RepositoryTarget::Local { path } => {
                let rec = self.add_local_repository(name, Path::new(path), description)?;
                log.push(format!("Folder {path} ready"));
                rec
            }
            RepositoryTarget::S3 { .. } => {
                let (s, id, secret) = s3_settings(target, true)?;
                let storage = S3Storage::connect(s.clone(), &id, &secret)?;
                log.extend(self.check_repository_step(
                    RepositoryStep::Location,
                    name,
                    target,
                    None,
                )?);
                log.push("Credentials accepted".into());
                probe_write(&storage, &mut log)?;
                self.add_s3_repository(name, description, s, &id, &secret)?
            }
            RepositoryTarget::Azure { .. } => {
                let (s, secret) = azure_settings(target, true)?;
                let storage = AzureStorage::connect(s.clone(), &secret)?;
                log.extend(self.check_repository_step(
                    RepositoryStep::Location,
                    name,
                    target,
                    None,
                )?);
                log.push("Credentials accepted".into());
                probe_write(&storage, &mut log)?;
                self.add_azure_repository(name, description, s, &secret)?
            }
        };
        if !matches!(target, RepositoryTarget::Local { .. }) {
            log.push("Secrets stored in the system keyring".into());
        }
        log.push(format!("Repository {} ready at {}", rec.name, rec.location));
        match self.rescan_repository(&rec.name) {
            Ok(r) => log.push(r.summary()),
            Err(e) => log.push(format!(
                "The rescan of its backups failed ({}); History → System has its session",
                e.message()
            )),
        }
        Ok((rec, log))
    }

    /// A repository's saved settings for the Edit wizard, secrets left out.
    pub fn repository_details(&self, name: &str) -> Result<RepositoryDetails> {
        let rec = self.repository_named(name)?;
        let (target, credential) = match rec.kind {
            RepositoryKind::Local => (
                RepositoryTarget::Local {
                    path: rec.location.clone(),
                },
                String::new(),
            ),
            RepositoryKind::AmazonS3 | RepositoryKind::S3Compatible => {
                let s: S3Settings = self.cloud_settings(&rec)?;
                let c = self.catalog()?.credential(&s.credential)?;
                (
                    RepositoryTarget::S3 {
                        region: s.region,
                        endpoint: s.endpoint,
                        access_key_id: c.identity,
                        secret_access_key: Secret::default(),
                        bucket: s.bucket,
                        folder: s.folder,
                        storage_class: s.storage_class.as_str().to_string(),
                        immutable_days: s.immutable_days,
                    },
                    s.credential,
                )
            }
            RepositoryKind::AzureBlob => {
                let s: AzureSettings = self.cloud_settings(&rec)?;
                (
                    RepositoryTarget::Azure {
                        account: s.account,
                        endpoint: s.endpoint,
                        sas: s.auth == AzureAuth::Sas,
                        secret: Secret::default(),
                        container: s.container,
                        folder: s.folder,
                        tier: s.tier.as_str().to_string(),
                        immutable_days: s.immutable_days,
                    },
                    s.credential,
                )
            }
        };
        Ok(RepositoryDetails {
            name: rec.name,
            description: rec.description,
            target,
            credential,
        })
    }

    /// The target with the stored secret of repository `orig` where the
    /// user left the secret empty (Edit keeps it unless a new one is typed).
    fn with_stored_secret(
        &self,
        details: &RepositoryDetails,
        target: &RepositoryTarget,
    ) -> Result<RepositoryTarget> {
        let mut t = target.clone();
        match (&mut t, &details.target) {
            (
                RepositoryTarget::S3 {
                    access_key_id,
                    secret_access_key,
                    ..
                },
                RepositoryTarget::S3 {
                    access_key_id: stored_id,
                    ..
                },
            ) if secret_access_key.0.is_empty() => {
                if access_key_id.trim() != stored_id {
                    return Err(Error::invalid(
                        "the access key id changed: enter its secret access key too",
                    ));
                }
                secret_access_key.0 = self
                    .credential_secret(&details.credential)?
                    .1
                    .expose()
                    .clone();
            }
            (
                RepositoryTarget::Azure {
                    secret,
                    sas,
                    account,
                    ..
                },
                RepositoryTarget::Azure {
                    sas: stored_sas,
                    account: stored_account,
                    ..
                },
            ) if secret.0.is_empty() => {
                if sas != stored_sas || account.trim() != stored_account {
                    return Err(Error::invalid(
                        "the account or the kind of secret changed: enter the key or SAS token too",
                    ));
                }
                secret.0 = self
                    .credential_secret(&details.credential)?
                    .1
                    .expose()
                    .clone();
            }
            _ => {}
        }
        Ok(t)
    }

    /// The Edit wizard's Apply step: checks the settings again, re-stores a
    /// re-entered secret in the keyring, and saves name, description,
    /// storage class or tier and immutability. The location cannot change.
    pub fn edit_repository(
        &self,
        name: &str,
        new_name: &str,
        description: &str,
        target: &RepositoryTarget,
    ) -> Result<(RepositoryRecord, Vec<String>)> {
        let rec = self.repository_named(name)?;
        let stored = self.repository_details(name)?;
        let same_kind = matches!(
            (&stored.target, target),
            (
                RepositoryTarget::Local { .. },
                RepositoryTarget::Local { .. }
            ) | (RepositoryTarget::S3 { .. }, RepositoryTarget::S3 { .. })
                | (
                    RepositoryTarget::Azure { .. },
                    RepositoryTarget::Azure { .. }
                )
        );
        if !same_kind {
            return Err(Error::invalid(format!(
                "repository {} is a {} repository; its kind cannot change",
                rec.name,
                rec.kind.label()
            )));
        }
        if location_of(target) != location_of(&stored.target) {
            return Err(Error::invalid(format!(
                "the location of repository {} ({}) cannot change: add the other location as a new repository",
                rec.name,
                location_of(&stored.target)
            )));
        }
        self.check_step(RepositoryStep::Name, new_name, target, Some(name))?;
        let full = self.with_stored_secret(&stored, target)?;
        let mut log = Vec::new();
        if !matches!(target, RepositoryTarget::Local { .. }) {
            log.extend(self.check_step(RepositoryStep::Location, new_name, &full, Some(name))?);
        }
        let (settings, immutable) = match target {
            RepositoryTarget::Local { .. } => (rec.settings.clone(), None),
            RepositoryTarget::S3 {
                secret_access_key, ..
            } => {
                let (mut s, id, secret) = s3_settings(&full, true)?;
                s.credential = if secret_access_key.0.is_empty() {
                    stored.credential.clone()
                } else {
                    log.push("New secret stored in the system keyring".into());
                    self.store_s3_credential(new_name, &id, &secret)?
                };
                let days = s.immutable_days;
                (json(&s)?, days)
            }
            RepositoryTarget::Azure { secret, .. } => {
                let (mut s, key) = azure_settings(&full, true)?;
                s.credential = if secret.0.is_empty() {
                    stored.credential.clone()
                } else {
                    log.push("New secret stored in the system keyring".into());
                    self.store_azure_credential(new_name, &s, &key)?
                };
                let days = s.immutable_days;
                (json(&s)?, days)
            }
        };
        self.catalog()?
            .update_repository(rec.id, new_name, description, &settings, immutable)?;
        log.push(format!("Repository {new_name} saved"));
        Ok((self.catalog()?.repository(rec.id)?, log))
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

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(e.to_string()))
}
