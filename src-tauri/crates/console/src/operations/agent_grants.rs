//! The repository agents write into, and the access one order carries:
//! short-lived STS credentials limited to the S3 bucket's folder, or a
//! shared access signature limited to the Azure container and the run's
//! length. The console's own long-lived secret never leaves it.

use super::Console;
use crate::catalog::RepositoryRecord;
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_agent::messages::RepositoryAccess;
use cairn_cloud::{AwsAccess, AzureAuth, AzureSettings, ContainerRights, S3Settings};
use cairn_model::RepositoryKind;

/// Seconds an order's access lasts (STS allows 15 min to 12 h).
const ORDER_ACCESS_SECS: u32 = 12 * 3600;

/// A repository agents can write into, with what grants are made from.
pub(super) enum AgentRepository {
    /// An S3 folder and the console's key, for STS.
    S3 {
        settings: S3Settings,
        access: AwsAccess,
    },
    /// An Azure container folder and the account's shared key, for SAS.
    Azure {
        settings: AzureSettings,
        key: Sensitive<String>,
    },
}

impl Console {
    /// The repository of `rec` as agents write into it.
    pub(super) fn agent_repository(&self, rec: &RepositoryRecord) -> Result<AgentRepository> {
        match rec.kind {
            RepositoryKind::AmazonS3 | RepositoryKind::S3Compatible => {
                let s: S3Settings = self.cloud_settings(rec)?;
                let (c, secret) = self.credential_secret(&s.credential)?;
                let access = AwsAccess {
                    access_key_id: c.identity,
                    secret,
                    session_token: None,
                    region: s.region.clone(),
                    endpoint: s.endpoint.clone(),
                };
                Ok(AgentRepository::S3 {
                    settings: s,
                    access,
                })
            }
            RepositoryKind::AzureBlob => {
                let s: AzureSettings = self.cloud_settings(rec)?;
                if s.auth != AzureAuth::SharedKey {
                    return Err(Error::invalid(format!(
                        "repository {} reaches Azure with a SAS token; agents get a short-lived signature made with the storage account's shared key, so connect the repository with its shared key",
                        rec.name
                    )));
                }
                let (_, key) = self.credential_secret(&s.credential)?;
                Ok(AgentRepository::Azure { settings: s, key })
            }
            other => Err(Error::invalid(format!(
                "repository {} is {}: agents of cloud machines write straight into object storage, so a job for cloud machines needs an Amazon S3 or Azure Blob repository",
                rec.name,
                other.label()
            ))),
        }
    }
}

impl AgentRepository {
    /// The access one machine's order carries.
    pub fn grant(&self, machine_id: &str) -> Result<RepositoryAccess> {
        match self {
            Self::S3 { settings, access } => {
                let policy = cairn_cloud::folder_policy(&settings.bucket, &settings.folder);
                let session = format!("cairn-{machine_id}");
                let c = cairn_cloud::scoped_credentials(
                    access,
                    None,
                    &session,
                    &policy,
                    ORDER_ACCESS_SECS,
                )?;
                Ok(RepositoryAccess::S3 {
                    bucket: settings.bucket.clone(),
                    folder: settings.folder.clone(),
                    region: settings.region.clone(),
                    endpoint: settings.endpoint.clone(),
                    access_key_id: c.access_key_id.clone(),
                    secret_access_key: c.secret.expose().clone(),
                    session_token: Some(c.session_token.expose().clone()),
                    expires: c.expires,
                    storage_class: settings.storage_class,
                    immutable_days: settings.immutable_days,
                })
            }
            Self::Azure { settings, key } => {
                let expires = cairn_core::time::now() + i64::from(ORDER_ACCESS_SECS);
                let rights = ContainerRights {
                    write: true,
                    immutability: settings.immutable_days.is_some(),
                };
                let sas = cairn_cloud::container_sas(
                    &settings.account,
                    key,
                    &settings.container,
                    rights,
                    expires,
                )?;
                Ok(RepositoryAccess::Azure {
                    account: settings.account.clone(),
                    container: settings.container.clone(),
                    folder: settings.folder.clone(),
                    endpoint: settings.endpoint.clone(),
                    sas: sas.expose().clone(),
                    expires,
                    tier: settings.tier,
                    immutable_days: settings.immutable_days,
                })
            }
        }
    }
}
