//! Cloud credentials (secrets in the OS keyring) and object-storage
//! repositories (Amazon S3, S3 compatible, Azure Blob).

use super::repositories::validate_name;
use super::Console;
use crate::catalog::{CredentialRecord, RepositoryRecord};
use crate::error::{Error, Result};
use crate::secrets::{self, Sensitive};
use cairn_cloud::{AzureAuth, AzureSettings, AzureStorage};
use cairn_cloud::{S3Settings, S3Storage};
use cairn_core::repo::Repository;
use cairn_core::storage::{RetryPolicy, RetryStorage, Storage};
use cairn_model::{CredentialKind, ErrorKind, RepositoryKind};
use std::sync::Arc;

impl Console {
    /// Stores a secret in the keyring and its reference in the catalog.
    /// Re-entering the secret of an existing credential replaces it.
    pub fn put_credential(
        &self,
        name: &str,
        kind: CredentialKind,
        identity: &str,
        secret: &Sensitive<String>,
        description: &str,
        hint: &str,
    ) -> Result<CredentialRecord> {
        validate_name(name, "credentials")?;
        if secret.expose().is_empty() {
            return Err(Error::invalid("the secret is empty; enter it"));
        }
        if kind == CredentialKind::Account && identity.trim().is_empty() {
            return Err(Error::invalid("the username is empty; enter it"));
        }
        let existing = self.catalog()?.credential(name).ok();
        let secret_ref = match &existing {
            Some(c) => c.secret_ref.clone(),
            None => format!("{}/{}", self.console_id()?, cairn_core::format::random_id()),
        };
        // Keyring first: when it refuses, nothing is recorded anywhere.
        secrets::store(&secret_ref, secret, name)?;
        let rec = CredentialRecord {
            name: name.to_string(),
            kind,
            identity: identity.to_string(),
            secret_ref,
            description: description.to_string(),
            hint: hint.to_string(),
            edited: cairn_core::time::now(),
        };
        self.catalog()?.put_credential(&rec)?;
        Ok(rec)
    }

    /// Manage Cloud Credentials / Manage Passwords rows.
    pub fn credential_rows(&self) -> Result<Vec<cairn_model::CredentialRow>> {
        Ok(self
            .credentials()?
            .into_iter()
            .map(|(r, used_by)| cairn_model::CredentialRow {
                name: r.name,
                kind: r.kind,
                identity: r.identity,
                description: r.description,
                hint: r.hint,
                edited: r.edited,
                used_by,
            })
            .collect())
    }

    /// Credentials with the names of the repositories that use them.
    pub fn credentials(&self) -> Result<Vec<(CredentialRecord, Vec<String>)>> {
        let creds = self.catalog()?.credentials()?;
        let mut out = Vec::new();
        for c in creds {
            let users = self.credential_users(&c.name)?;
            out.push((c, users));
        }
        Ok(out)
    }

    fn credential_users(&self, name: &str) -> Result<Vec<String>> {
        let uses = |settings: &str| {
            serde_json::from_str::<serde_json::Value>(settings)
                .ok()
                .and_then(|v| {
                    v.get("credential")
                        .and_then(|c| c.as_str())
                        .map(|c| c.eq_ignore_ascii_case(name))
                })
                .unwrap_or(false)
        };
        let cat = self.catalog()?;
        let mut users: Vec<String> = cat
            .repositories()?
            .into_iter()
            .filter(|r| uses(&r.settings))
            .map(|r| r.name)
            .collect();
        users.extend(
            cat.externals()?
                .into_iter()
                .filter(|r| {
                    uses(&r.settings)
                        || r.password_name
                            .as_deref()
                            .is_some_and(|p| p.eq_ignore_ascii_case(name))
                })
                .map(|r| format!("{} (external)", r.name)),
        );
        Ok(users)
    }

    /// Deletes credentials, refused while a repository uses them.
    pub fn delete_credential(&self, name: &str) -> Result<()> {
        let c = self.catalog()?.credential(name)?;
        let users = self.credential_users(&c.name)?;
        if !users.is_empty() {
            return Err(Error::conflict(format!(
                "credentials \"{}\" are used by repository {}; remove or edit those first",
                c.name,
                users.join(", ")
            )));
        }
        secrets::delete(&c.secret_ref, &c.name)?;
        self.catalog()?.remove_credential(&c.name)
    }

    /// A credential and its secret, read from the keyring.
    pub fn credential_secret(&self, name: &str) -> Result<(CredentialRecord, Sensitive<String>)> {
        let c = self.catalog()?.credential(name)?;
        let s = secrets::load(&c.secret_ref, &c.name)?;
        Ok((c, s))
    }

    fn check_new_repository(&self, name: &str) -> Result<()> {
        validate_name(name, "repository")?;
        if self.catalog()?.repository_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a repository named \"{name}\" already exists; choose another name"
            )));
        }
        Ok(())
    }

    /// Opens or creates the repository on checked storage and records it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn adopt(
        &self,
        name: &str,
        kind: RepositoryKind,
        location: &str,
        settings: String,
        immutable: Option<u32>,
        description: &str,
        storage: Arc<dyn Storage>,
    ) -> Result<RepositoryRecord> {
        match Repository::open(storage.clone(), name) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if !storage.list("")?.is_empty() {
                    return Err(Error::invalid(format!(
                        "{} is not empty and holds no Cairn repository; choose an empty folder",
                        storage.describe()
                    )));
                }
                Repository::init(storage.clone(), name, &self.console_id()?)?;
            }
            Err(e) => return Err(e.into()),
        }
        let rec = self
            .catalog()?
            .add_repository(name, kind, location, description, false)?;
        self.catalog()?
            .set_repository_settings(rec.id, &settings, immutable)?;
        let rec = self.catalog()?.repository(rec.id)?;
        self.record_usage(&rec, storage.as_ref())?;
        Ok(rec)
    }

    /// Adds an Amazon S3 or S3-compatible repository. Checks the bucket and
    /// credentials, and Object Lock when immutability is asked for, before
    /// anything is stored.
    pub fn add_s3_repository(
        &self,
        name: &str,
        description: &str,
        mut settings: S3Settings,
        access_key_id: &str,
        secret: &Sensitive<String>,
    ) -> Result<RepositoryRecord> {
        self.check_new_repository(name)?;
        if let Some(d) = settings.immutable_days {
            if !(1..=999).contains(&d) {
                return Err(Error::invalid(
                    "immutability must be between 1 and 999 days",
                ));
            }
        }
        let storage = S3Storage::connect(settings.clone(), access_key_id, secret)?;
        storage.probe()?;
        if settings.immutable_days.is_some() && !storage.object_lock_enabled()? {
            return Err(Error::invalid(format!(
                "bucket {} has no Object Lock: immutability needs a bucket created with Object Lock enabled (it cannot be added to an existing bucket); create a new bucket with Object Lock, or turn immutability off",
                settings.bucket
            )));
        }
        settings.credential = self.store_s3_credential(name, access_key_id, secret)?;
        let kind = if settings.endpoint.is_some() {
            RepositoryKind::S3Compatible
        } else {
            RepositoryKind::AmazonS3
        };
        let location = if settings.folder.is_empty() {
            settings.bucket.clone()
        } else {
            format!("{}/{}", settings.bucket, settings.folder.trim_matches('/'))
        };
        let json = serde_json::to_string(&settings).map_err(|e| Error::internal(e.to_string()))?;
        self.adopt(
            name,
            kind,
            &location,
            json,
            settings.immutable_days,
            description,
            Arc::new(storage),
        )
    }

    /// Adds an Azure Blob repository; refuses accounts with soft delete.
    pub fn add_azure_repository(
        &self,
        name: &str,
        description: &str,
        mut settings: AzureSettings,
        secret: &Sensitive<String>,
    ) -> Result<RepositoryRecord> {
        self.check_new_repository(name)?;
        let storage = AzureStorage::connect(settings.clone(), secret)?;
        storage.probe()?;
        settings.credential = self.store_azure_credential(name, &settings, secret)?;
        let location = if settings.folder.is_empty() {
            settings.container.clone()
        } else {
            format!(
                "{}/{}",
                settings.container,
                settings.folder.trim_matches('/')
            )
        };
        let json = serde_json::to_string(&settings).map_err(|e| Error::internal(e.to_string()))?;
        self.adopt(
            name,
            RepositoryKind::AzureBlob,
            &location,
            json,
            settings.immutable_days,
            description,
            Arc::new(storage),
        )
    }

    /// Stores an S3 access key's secret; returns the credentials' name.
    pub(super) fn store_s3_credential(
        &self,
        repository: &str,
        access_key_id: &str,
        secret: &Sensitive<String>,
    ) -> Result<String> {
        let cred = format!("S3 {access_key_id}");
        self.put_credential(
            &cred,
            CredentialKind::Aws,
            access_key_id,
            secret,
            &format!("Access key for {repository}"),
            "",
        )?;
        Ok(cred)
    }

    /// Stores an Azure shared key or SAS; returns the credentials' name.
    pub(super) fn store_azure_credential(
        &self,
        repository: &str,
        settings: &AzureSettings,
        secret: &Sensitive<String>,
    ) -> Result<String> {
        let (kind, label) = match settings.auth {
            AzureAuth::SharedKey => (CredentialKind::AzureKey, "shared key"),
            AzureAuth::Sas => (CredentialKind::AzureSas, "SAS"),
        };
        let cred = format!("Azure {} {label}", settings.account);
        self.put_credential(
            &cred,
            kind,
            &settings.account,
            secret,
            &format!("Access to {repository}"),
            "",
        )?;
        Ok(cred)
    }

    /// A cloud repository's saved settings.
    pub(super) fn cloud_settings<T: serde::de::DeserializeOwned>(
        &self,
        rec: &RepositoryRecord,
    ) -> Result<T> {
        serde_json::from_str(&rec.settings).map_err(|e| {
            Error::corrupt(format!(
                "the settings of repository {} are damaged: {e}",
                rec.name
            ))
        })
    }

    /// Measures and records what a cloud repository holds (one listing).
    pub(super) fn record_usage(&self, rec: &RepositoryRecord, storage: &dyn Storage) -> Result<()> {
        if rec.kind == RepositoryKind::Local {
            return Ok(());
        }
        // Lock objects come and go; the job measuring holds one.
        let used: u64 = storage
            .list("")?
            .iter()
            .filter(|o| !o.key.starts_with("locks/"))
            .map(|o| o.size)
            .sum();
        self.catalog()?.set_repository_used(rec.id, used)
    }

    /// Opens the storage of a cloud repository with its stored secret.
    pub(super) fn open_cloud_storage(&self, rec: &RepositoryRecord) -> Result<Arc<dyn Storage>> {
        self.storage_from_settings(rec.kind, &rec.settings, &rec.name)
    }

    /// Opens cloud storage from saved settings (S3Settings or
    /// AzureSettings as JSON) and the secret its credentials name.
    pub(super) fn storage_from_settings(
        &self,
        kind: RepositoryKind,
        settings: &str,
        name: &str,
    ) -> Result<Arc<dyn Storage>> {
        let damaged = |e: serde_json::Error| {
            Error::corrupt(format!(
                "the settings of repository {name} are damaged: {e}"
            ))
        };
        match kind {
            RepositoryKind::AmazonS3 | RepositoryKind::S3Compatible => {
                let s: S3Settings = serde_json::from_str(settings).map_err(damaged)?;
                let (c, secret) = self.credential_secret(&s.credential)?;
                Ok(with_retries(Arc::new(S3Storage::connect(
                    s,
                    &c.identity,
                    &secret,
                )?)))
            }
            RepositoryKind::AzureBlob => {
                let s: AzureSettings = serde_json::from_str(settings).map_err(damaged)?;
                let (_, secret) = self.credential_secret(&s.credential)?;
                Ok(with_retries(Arc::new(AzureStorage::connect(s, &secret)?)))
            }
            RepositoryKind::Local => {
                Err(Error::internal("a local repository has no cloud storage"))
            }
        }
    }
}

/// Object storage as jobs and restores use it: requests that fail for a
/// passing reason (a dropped connection, throttling, a server error) are
/// repeated a few times, on top of the SDK's own retries.
fn with_retries(storage: Arc<dyn Storage>) -> Arc<dyn Storage> {
    let policy = RetryPolicy {
        attempts: 3,
        first_wait: std::time::Duration::from_millis(500),
        max_wait: std::time::Duration::from_secs(4),
    };
    Arc::new(RetryStorage::new(storage, policy))
}
