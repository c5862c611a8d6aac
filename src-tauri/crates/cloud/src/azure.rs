//! Azure Blob Storage containers (an optional folder prefix inside), with a
//! shared key or a SAS token, on public Azure or a custom endpoint
//! (sovereign clouds, the Azurite emulator).

use crate::keys;
use crate::runtime::block_on;
use azure_storage::{CloudLocation, StorageCredentials};
use azure_storage_blobs::prelude::{
    AccessTier, BlobBlockType, BlockId, BlockList, ClientBuilder, ContainerClient,
};
use cairn_core::storage::{ObjectInfo, ReadStorage, Storage};
use cairn_core::{Error, Result, Sensitive};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

/// Access tiers a repository may use (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Hot.
    #[default]
    Hot,
    /// Cool.
    Cool,
}

impl Tier {
    /// Parses a user's choice, refusing Cold and Archive with the reason.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "hot" => Ok(Self::Hot),
            "cool" => Ok(Self::Cool),
            "cold" => Err(Error::invalid(
                "the access tier cold is not supported: it bills a 90-day minimum and high read costs for data that backups read back; use hot or cool",
            )),
            "archive" => Err(Error::invalid(
                "the access tier archive is not supported: archived blobs cannot be read without hours of rehydration, so backups could not be merged, checked or restored; use hot or cool",
            )),
            other => Err(Error::invalid(format!("unknown access tier {other}; choose hot or cool"))),
        }
    }

    /// The name the CLI and the wizard use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hot => "hot",
            Self::Cool => "cool",
        }
    }

    fn sdk(self) -> AccessTier {
        match self {
            Self::Hot => AccessTier::Hot,
            Self::Cool => AccessTier::Cool,
        }
    }
}

/// How the account is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AzureAuth {
    /// Storage account shared key.
    SharedKey,
    /// Shared access signature.
    Sas,
}

/// What the catalog stores for an Azure repository (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzureSettings {
    /// Storage account.
    pub account: String,
    /// Container.
    pub container: String,
    /// Folder inside the container ("" = root).
    #[serde(default)]
    pub folder: String,
    /// Blob endpoint, e.g. `http://127.0.0.1:10000/devstoreaccount1`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Name of the cloud credentials holding the key or SAS.
    pub credential: String,
    /// Shared key or SAS.
    pub auth: AzureAuth,
    /// Access tier of packs.
    #[serde(default)]
    pub tier: Tier,
    /// Days new blobs stay immutable (version-level immutability policy).
    #[serde(default)]
    pub immutable_days: Option<u32>,
}

/// An open container folder.
pub struct AzureStorage {
    location: CloudLocation,
    /// For the signed requests the SDK has no typed call for; built once
    /// so they share one HTTP client and its connections.
    raw: azure_core::Pipeline,
    container: ContainerClient,
    service: azure_storage_blobs::prelude::BlobServiceClient,
    settings: AzureSettings,
    prefix: String,
}

const BLOCKS_ABOVE: usize = 16 * 1024 * 1024;
const BLOCK: usize = 8 * 1024 * 1024;

fn status(e: &azure_core::Error) -> Option<u16> {
    e.as_http_error().map(|h| u16::from(h.status()))
}

fn az_error(e: azure_core::Error, container: &str, action: &str) -> Error {
    let code = e
        .as_http_error()
        .and_then(|h| h.error_code().map(str::to_string))
        .unwrap_or_default();
    match (status(&e), code.as_str()) {
        (_, "ContainerNotFound") => Error::not_found(format!("container {container} does not exist; check its name")),
        (Some(404), _) => Error::not_found(format!("Azure container {container}: {action}: not found")),
        (Some(403), _) => Error::storage(format!(
            "access to container {container} was denied ({action}); check the shared key or SAS token and its permissions"
        )),
        (st, c) => {
            let err = Error::storage(format!(
                "Azure container {container}: cannot {action}: {}{}",
                st.map(|s| format!("HTTP {s} ")).unwrap_or_default(),
                if c.is_empty() { e.to_string() } else { c.to_string() }
            ));
            // No answer at all, throttling and server errors may pass.
            match st {
                None | Some(429) | Some(500..=599) => err.transient(),
                Some(_) => err,
            }
        }
    }
}

impl AzureStorage {
    /// Connects; nothing is sent until the first request.
    pub fn connect(settings: AzureSettings, secret: &Sensitive<String>) -> Result<Self> {
        if settings.account.is_empty() {
            return Err(Error::invalid(
                "the storage account is empty; enter the account name",
            ));
        }
        let c = &settings.container;
        let valid = (3..=63).contains(&c.len())
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && !c.ends_with('-')
            && !c.contains("--");
        if !valid {
            return Err(Error::invalid(format!(
                "\"{c}\" is not a valid container name: use 3 to 63 lower-case letters, digits and single hyphens, starting with a letter or digit"
            )));
        }
        let creds = match settings.auth {
            AzureAuth::SharedKey => StorageCredentials::access_key(settings.account.clone(), secret.expose().clone()),
            AzureAuth::Sas => StorageCredentials::sas_token(secret.expose().as_str())
                .map_err(|_| Error::invalid("the SAS token is not valid; paste the token that starts with sv= (or ?sv=)"))?,
        };
        let location = match &settings.endpoint {
            Some(uri) => CloudLocation::Custom {
                account: settings.account.clone(),
                uri: uri.trim_end_matches('/').to_string(),
            },
            None => CloudLocation::Public {
                account: settings.account.clone(),
            },
        };
        let service =
            ClientBuilder::with_location(location.clone(), creds.clone()).blob_service_client();
        let container = service.container_client(settings.container.clone());
        let prefix = keys::folder_prefix(&settings.folder);
        Ok(Self {
            location,
            raw: azure_storage::clients::new_pipeline_from_options(
                azure_core::ClientOptions::default(),
                creds,
            ),
            container,
            service,
            settings,
            prefix,
        })
    }

    fn name(&self) -> &str {
        &self.settings.container
    }

    fn key(&self, key: &str) -> Result<String> {
        keys::full_key(&self.prefix, key)
    }

    /// An address that downloads `key` without credentials for `secs`
    /// seconds: a read-only signature for that one blob, made with the
    /// account's shared key (never logged in full).
    pub fn signed_get(
        &self,
        key: &str,
        secs: u64,
        shared_key: &Sensitive<String>,
    ) -> Result<String> {
        let blob = self.key(key)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let expires = i64::try_from(now.saturating_add(secs)).unwrap_or(i64::MAX);
        let sas = crate::azure_sas::blob_read_sas(
            &self.settings.account,
            shared_key,
            &self.settings.container,
            &blob,
            expires,
        )?;
        let base = match &self.location {
            CloudLocation::Custom { uri, .. } => uri.clone(),
            _ => format!("https://{}.blob.core.windows.net", self.settings.account),
        };
        let mut url = azure_core::Url::parse(&base).map_err(|e| {
            Error::invalid(format!("\"{base}\" is not a blob service address: {e}"))
        })?;
        url.path_segments_mut()
            .map_err(|_| Error::invalid(format!("\"{base}\" cannot hold a blob path")))?
            .pop_if_empty()
            .push(&self.settings.container)
            .extend(blob.split('/'));
        url.set_query(Some(sas.expose()));
        Ok(url.to_string())
    }

    /// Container names of the account.
    pub fn list_containers(&self) -> Result<Vec<String>> {
        block_on(async {
            let mut out = Vec::new();
            let mut s = self.service.list_containers().into_stream();
            while let Some(page) = s.next().await {
                let page = page.map_err(|e| az_error(e, "(all)", "list containers"))?;
                out.extend(page.containers.into_iter().map(|c| c.name));
            }
            Ok(out)
        })
    }

    /// Folders directly inside this storage's folder (the first 5,000),
    /// for the wizard's folder browser.
    pub fn list_folders(&self) -> Result<Vec<String>> {
        use azure_core::request_options::{Delimiter, MaxResults, Prefix};
        use std::num::NonZeroU32;
        block_on(async {
            let mut out = Vec::new();
            let mut s = self
                .container
                .list_blobs()
                .prefix(Prefix::new(self.prefix.clone()))
                .delimiter(Delimiter::new("/"))
                .max_results(MaxResults::new(NonZeroU32::new(5000).expect("non-zero")))
                .into_stream();
            if let Some(page) = s.next().await {
                let page = page.map_err(|e| az_error(e, self.name(), "list folders"))?;
                for p in page.blobs.prefixes() {
                    if let Some(rest) = p.name.strip_prefix(&self.prefix) {
                        out.push(rest.trim_end_matches('/').to_string());
                    }
                }
            }
            Ok(out)
        })
    }

    /// Checks the container exists and can be read, and nothing else (for
    /// external repositories, which the console never writes to).
    pub fn probe_read(&self) -> Result<()> {
        block_on(self.ensure_container())
    }

    /// The container exists (else: NotFound saying which).
    async fn ensure_container(&self) -> Result<()> {
        let exists = self
            .container
            .exists()
            .await
            .map_err(|e| az_error(e, self.name(), "open the container"))?;
        if !exists {
            return Err(Error::not_found(format!(
                "container {} does not exist in account {}; create it first or check the name",
                self.name(),
                self.settings.account
            )));
        }
        Ok(())
    }

    /// Checks the container exists and refuses what would break backups,
    /// with the reason: a hierarchical namespace, blob soft delete and
    /// container soft delete (deleted packs would be kept and billed, and
    /// prune could not free space), and immutability asked for on a
    /// container without version-level immutability support. Returns what
    /// was checked, for the wizard.
    pub fn probe(&self) -> Result<Vec<String>> {
        block_on(async {
            let mut facts = Vec::new();
            self.ensure_container().await?;
            if self.hierarchical_namespace().await? {
                return Err(Error::invalid(format!(
                    "storage account {} has a hierarchical namespace (Data Lake Storage): its folder semantics break the object store guarantees backups rely on; use an account without hierarchical namespace",
                    self.settings.account
                )));
            }
            if let Ok(p) = self.service.get_properties().await {
                if p.properties
                    .delete_retention_policy
                    .as_ref()
                    .is_some_and(|r| r.enabled)
                {
                    return Err(Error::invalid(format!(
                        "storage account {} has blob soft delete enabled: deleted backup data would be kept and billed and retention could not free space; disable blob soft delete for the account, or use another account",
                        self.settings.account
                    )));
                }
                facts.push("Blob soft delete off".to_string());
            }
            facts.push(self.container_soft_delete().await?);
            if self.settings.immutable_days.is_some() {
                if !self.versioned_immutability().await? {
                    return Err(Error::invalid(format!(
                        "container {} has no version-level immutability support: immutability needs it enabled on the container (Azure portal: container → Access policy → enable version-level immutability, which needs blob versioning); enable it, or turn immutability off",
                        self.name()
                    )));
                }
                facts.push("Version-level immutability supported".to_string());
            }
            Ok(facts)
        })
    }

    /// Container soft delete is an account setting the data plane does not
    /// show, so it is read by its effect: a probe container is created and
    /// deleted, and then looked for among deleted containers. An account
    /// without it never lists deleted containers.
    async fn container_soft_delete(&self) -> Result<String> {
        let name = format!("cairn-probe-{}", &cairn_core::format::random_id()[..16]);
        let probe = self.service.container_client(name.clone());
        if let Err(e) = probe.create().await {
            if status(&e) == Some(403) {
                return Ok("Container soft delete not verified: these credentials cannot create containers".into());
            }
            return Err(az_error(e, &name, "create a probe container"));
        }
        probe
            .delete()
            .await
            .map_err(|e| az_error(e, &name, "delete the probe container"))?;
        let listed = |deleted: bool| {
            let name = name.clone();
            async move {
                let mut s = self
                    .service
                    .list_containers()
                    .prefix(name.clone())
                    .include_deleted(deleted)
                    .into_stream();
                let mut found = false;
                while let Some(page) = s.next().await {
                    let page = page.map_err(|e| az_error(e, "(all)", "list containers"))?;
                    found |= page.containers.iter().any(|c| c.name == name);
                }
                Ok::<bool, Error>(found)
            }
        };
        if listed(true).await? && !listed(false).await? {
            return Err(Error::invalid(format!(
                "storage account {} has container soft delete enabled: deleted backup data would be kept and billed; disable container soft delete for the account, or use another account",
                self.settings.account
            )));
        }
        Ok("Container soft delete off".into())
    }

    /// Sends a signed request the 0.21 SDK has no typed call for.
    async fn send_raw(
        &self,
        method: azure_core::Method,
        mut url: azure_core::Url,
        query: &[(&str, &str)],
        headers: azure_core::headers::Headers,
        what: &str,
    ) -> Result<azure_core::Response> {
        use azure_storage::clients::{finalize_request, ServiceType};
        let fail = |e: azure_core::Error| az_error(e, self.name(), what);
        for (k, v) in query {
            url.query_pairs_mut().append_pair(k, v);
        }
        let mut req = finalize_request(url, method, headers, None).map_err(fail)?;
        let mut ctx = azure_core::Context::new();
        ctx.insert(ServiceType::Blob);
        self.raw.send(&ctx, &mut req).await.map_err(fail)
    }

    /// True when the container supports version-level immutability
    /// (`x-ms-immutable-storage-with-versioning-enabled`).
    async fn versioned_immutability(&self) -> Result<bool> {
        use azure_core::headers::{HeaderName, Headers};
        let url = self
            .container
            .url()
            .map_err(|e| az_error(e, self.name(), "read the container properties"))?;
        let resp = self
            .send_raw(
                azure_core::Method::Get,
                url,
                &[("restype", "container")],
                Headers::new(),
                "read the container properties",
            )
            .await?;
        Ok(resp.headers().get_optional_str(&HeaderName::from_static(
            "x-ms-immutable-storage-with-versioning-enabled",
        )) == Some("true"))
    }

    /// Days new blobs are locked for, unless the key is one that changes.
    fn lock_until(&self, key: &str) -> Option<i64> {
        keys::lock_until(self.settings.immutable_days, key)
    }

    /// Sets an unlocked time-based immutability policy on one blob.
    async fn set_immutability(&self, full: &str, until: i64) -> Result<()> {
        use azure_core::headers::{HeaderName, Headers};
        let date = time::OffsetDateTime::from_unix_timestamp(until)
            .map_err(|e| Error::internal(e.to_string()))?;
        let mut h = Headers::new();
        h.insert(
            HeaderName::from_static("x-ms-immutability-policy-until-date"),
            azure_core::date::to_rfc1123(&date),
        );
        h.insert(
            HeaderName::from_static("x-ms-immutability-policy-mode"),
            "unlocked",
        );
        let url = self
            .container
            .blob_client(full)
            .url()
            .map_err(|e| az_error(e, self.name(), "set an immutability policy"))?;
        self.send_raw(
            azure_core::Method::Put,
            url,
            &[("comp", "immutabilityPolicies")],
            h,
            "set an immutability policy",
        )
        .await
        .map(|_| ())
    }

    /// True when the account has a hierarchical namespace (Data Lake Gen2),
    /// read from the account properties (`x-ms-is-hns-enabled`); 0.21 has
    /// no typed call, so this sends the signed request itself.
    async fn hierarchical_namespace(&self) -> Result<bool> {
        use azure_core::headers::{HeaderName, Headers};
        use azure_storage::clients::ServiceType;
        let url = self
            .location
            .url(ServiceType::Blob)
            .map_err(|e| az_error(e, self.name(), "read the account properties"))?;
        let resp = self
            .send_raw(
                azure_core::Method::Get,
                url,
                &[("restype", "account"), ("comp", "properties")],
                Headers::new(),
                "read the account properties",
            )
            .await?;
        Ok(resp
            .headers()
            .get_optional_str(&HeaderName::from_static("x-ms-is-hns-enabled"))
            == Some("true"))
    }

    async fn put_blocks(&self, full: &str, data: &[u8]) -> Result<()> {
        let blob = self.container.blob_client(full);
        let mut list = BlockList::default();
        for (i, chunk) in data.chunks(BLOCK).enumerate() {
            let id = BlockId::new(format!("{i:08}"));
            blob.put_block(id.clone(), chunk.to_vec())
                .await
                .map_err(|e| az_error(e, self.name(), "upload a block"))?;
            list.blocks.push(BlobBlockType::new_latest(id));
        }
        blob.put_block_list(list)
            .access_tier(self.settings.tier.sdk())
            .await
            .map(|_| ())
            .map_err(|e| az_error(e, self.name(), "finish an upload"))
    }
}

impl ReadStorage for AzureStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.get_at_most(key, cairn_core::storage::MAX_OBJECT_LEN)
    }

    /// Downloads in chunks and stops at the first chunk past `max`.
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        let full = self.key(key)?;
        block_on(async {
            let mut out = Vec::new();
            let mut s = self.container.blob_client(&full).get().into_stream();
            while let Some(r) = s.next().await {
                let r = match r {
                    Ok(r) => r,
                    Err(e) if status(&e) == Some(416) => return Ok(Vec::new()),
                    Err(e) => return Err(az_error(e, self.name(), &format!("read {key}"))),
                };
                // What the store says is left decides before downloading it.
                let announced = match &r.remaining_range {
                    Some(azure_core::request_options::Range::Range(rest)) => rest.end,
                    _ => 0,
                };
                let total = announced.max(out.len() as u64 + r.blob.properties.content_length);
                if total > max {
                    return Err(cairn_core::storage::too_large(key, total, max));
                }
                let bytes = r
                    .data
                    .collect()
                    .await
                    .map_err(|e| az_error(e, self.name(), &format!("read {key}")))?;
                let size = (out.len() + bytes.len()) as u64;
                if size > max {
                    return Err(cairn_core::storage::too_large(key, size, max));
                }
                out.extend_from_slice(&bytes);
            }
            Ok(out)
        })
    }

    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let full = self.key(key)?;
        block_on(async {
            let mut out = Vec::with_capacity(len as usize);
            let mut s = self
                .container
                .blob_client(&full)
                .get()
                .range(offset..offset + len)
                .into_stream();
            while let Some(r) = s.next().await {
                let r = r.map_err(|e| az_error(e, self.name(), &format!("read {key}")))?;
                let bytes = r
                    .data
                    .collect()
                    .await
                    .map_err(|e| az_error(e, self.name(), &format!("read {key}")))?;
                out.extend_from_slice(&bytes);
            }
            Ok(out)
        })
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let full = format!("{}{prefix}", self.prefix);
        block_on(async {
            let mut out = Vec::new();
            let mut s = self.container.list_blobs().prefix(full).into_stream();
            while let Some(page) = s.next().await {
                let page = page.map_err(|e| az_error(e, self.name(), "list blobs"))?;
                for b in page.blobs.blobs() {
                    if let Some(k) = b.name.strip_prefix(&self.prefix) {
                        out.push(ObjectInfo {
                            key: k.to_string(),
                            size: b.properties.content_length,
                            etag: b.properties.etag.to_string(),
                        });
                    }
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }

    fn exists(&self, key: &str) -> Result<bool> {
        let full = self.key(key)?;
        block_on(async {
            self.container
                .blob_client(&full)
                .exists()
                .await
                .map_err(|e| az_error(e, self.name(), &format!("look up {key}")))
        })
    }

    fn describe(&self) -> String {
        if self.prefix.is_empty() {
            format!("container {}", self.name())
        } else {
            format!(
                "container {} folder {}",
                self.name(),
                self.prefix.trim_end_matches('/')
            )
        }
    }
}

impl Storage for AzureStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        let full = self.key(key)?;
        block_on(async {
            if data.len() > BLOCKS_ABOVE {
                self.put_blocks(&full, data).await?;
            } else {
                self.container
                    .blob_client(&full)
                    .put_block_blob(data.to_vec())
                    .content_type("application/octet-stream")
                    .access_tier(self.settings.tier.sdk())
                    .await
                    .map_err(|e| az_error(e, self.name(), &format!("write {key}")))?;
            }
            if let Some(until) = self.lock_until(key) {
                self.set_immutability(&full, until).await?;
            }
            Ok(())
        })
    }

    fn delete(&self, key: &str) -> Result<()> {
        let full = self.key(key)?;
        block_on(async {
            match self.container.blob_client(&full).delete().await {
                Ok(_) => Ok(()),
                Err(e) if status(&e) == Some(404) => Ok(()),
                Err(e) => Err(az_error(e, self.name(), &format!("delete {key}"))),
            }
        })
    }

    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        if self.settings.immutable_days.is_none() {
            return Ok(None);
        }
        use azure_core::headers::HeaderName;
        let full = self.key(key)?;
        let url = self
            .container
            .blob_client(&full)
            .url()
            .map_err(|e| az_error(e, self.name(), &format!("look up {key}")))?;
        let resp = match block_on(self.send_raw(
            azure_core::Method::Head,
            url,
            &[],
            azure_core::headers::Headers::new(),
            &format!("look up {key}"),
        )) {
            Ok(r) => r,
            Err(e) if e.kind() == cairn_model::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let until = resp
            .headers()
            .get_optional_str(&HeaderName::from_static(
                "x-ms-immutability-policy-until-date",
            ))
            .and_then(|d| azure_core::date::parse_rfc1123(d).ok())
            .map(|d| d.unix_timestamp());
        Ok(until.filter(|u| *u > cairn_core::time::now()))
    }

    fn concurrency(&self) -> usize {
        4
    }
}
