//! Amazon S3 and S3-compatible buckets (an optional folder prefix inside).

use crate::aws::{AwsAccess, Failure};
use crate::keys;
use crate::runtime::block_on;
use aws_sdk_s3::config::{RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ObjectLockEnabled, ObjectLockMode,
};
use cairn_core::storage::{ObjectInfo, ReadStorage, Storage};
use cairn_core::{Error, Result, Sensitive};
use cairn_model::ErrorKind;
use serde::{Deserialize, Serialize};

/// Storage classes a repository may use (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum StorageClass {
    /// S3 Standard.
    #[default]
    Standard,
    /// S3 Glacier Flexible Retrieval (packs only; metadata stays Standard).
    GlacierFlexibleRetrieval,
    /// S3 Glacier Deep Archive (packs only; metadata stays Standard).
    GlacierDeepArchive,
}

impl StorageClass {
    /// Parses a user's choice, refusing the classes Cairn does not support
    /// with the reason.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "standard" => Ok(Self::Standard),
            "glacier-flexible-retrieval" | "glacier" => Ok(Self::GlacierFlexibleRetrieval),
            "glacier-deep-archive" | "deep-archive" => Ok(Self::GlacierDeepArchive),
            "standard-ia" | "onezone-ia" | "one-zone-ia" => Err(Error::invalid(format!(
                "the storage class {s} is not supported: infrequent-access classes bill a 30-day minimum and a retrieval fee for every read, which backup rescans, merges and restores would pay many times over; use standard"
            ))),
            "glacier-instant-retrieval" | "glacier-ir" => Err(Error::invalid(format!(
                "the storage class {s} is not supported: Glacier Instant Retrieval bills a 90-day minimum and per-read retrieval fees for data that backups read back; use standard, or glacier-flexible-retrieval / glacier-deep-archive for archives"
            ))),
            "intelligent-tiering" => Err(Error::invalid(format!(
                "the storage class {s} is not supported: Intelligent-Tiering may move backup data to archive tiers that cannot be read without a restore request, behind Cairn's back; use standard"
            ))),
            _ => Err(Error::invalid(format!(
                "unknown storage class {s}; choose standard, glacier-flexible-retrieval or glacier-deep-archive"
            ))),
        }
    }

    /// The name the CLI and the wizard use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::GlacierFlexibleRetrieval => "glacier-flexible-retrieval",
            Self::GlacierDeepArchive => "glacier-deep-archive",
        }
    }

    fn sdk(self) -> aws_sdk_s3::types::StorageClass {
        match self {
            Self::Standard => aws_sdk_s3::types::StorageClass::Standard,
            Self::GlacierFlexibleRetrieval => aws_sdk_s3::types::StorageClass::Glacier,
            Self::GlacierDeepArchive => aws_sdk_s3::types::StorageClass::DeepArchive,
        }
    }
}

/// What the catalog stores for an S3 repository (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Settings {
    /// Bucket name.
    pub bucket: String,
    /// Folder inside the bucket ("" = bucket root).
    #[serde(default)]
    pub folder: String,
    /// Region.
    pub region: String,
    /// Service point of an S3-compatible store.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Name of the cloud credentials (access key id + secret in the keyring).
    pub credential: String,
    /// Storage class of packs.
    #[serde(default)]
    pub storage_class: StorageClass,
    /// Days new objects stay immutable (Object Lock), when set.
    #[serde(default)]
    pub immutable_days: Option<u32>,
}

/// An open S3 bucket folder.
pub struct S3Storage {
    client: aws_sdk_s3::Client,
    settings: S3Settings,
    prefix: String,
}

/// Multipart uploads above this size.
const MULTIPART_ABOVE: usize = 16 * 1024 * 1024;
/// Part size (S3 needs at least 5 MiB for all but the last).
const PART: usize = 8 * 1024 * 1024;

/// An SDK failure of `action` on `bucket`, in the words an S3 user needs.
fn sdk_error<E: ProvideErrorMetadata + std::fmt::Debug>(
    e: SdkError<E>,
    bucket: &str,
    action: &str,
) -> Error {
    let f = Failure::of(&e);
    let kind = match (f.code.as_str(), f.status) {
        ("NoSuchKey", _) | ("NotFound", _) | (_, Some(404)) => ErrorKind::NotFound,
        _ => ErrorKind::Storage,
    };
    let text = match f.code.as_str() {
        "NoSuchBucket" => format!("bucket {bucket} does not exist; check the name and the region"),
        "AccessDenied" => format!("access to bucket {bucket} was denied ({action}); check the access key's permissions"),
        "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
            format!("the S3 credentials were refused for bucket {bucket}; check the access key id and secret")
        }
        "InvalidObjectState" => format!(
            "waiting for retrieval: the data is in a Glacier storage class in bucket {bucket}; a restore request was made, retry when the retrieval finishes"
        ),
        "InvalidRequest" if f.message.contains("ObjectLockConfiguration") => format!(
            "bucket {bucket} has no Object Lock, so this immutable repository cannot lock what it writes ({action}); nothing was written. Use a bucket created with Object Lock, or turn immutability off for the repository"
        ),
        _ => f.cannot(&format!("S3 bucket {bucket}"), action),
    };
    f.error(kind, text)
}

impl S3Storage {
    /// Connects with an access key; nothing is sent until the first request.
    pub fn connect(
        settings: S3Settings,
        access_key_id: &str,
        secret: &Sensitive<String>,
    ) -> Result<Self> {
        Self::connect_session(settings, access_key_id, secret, None)
    }

    /// Connects with temporary credentials (an STS session token), as an
    /// agent does with the scoped credentials its command carries.
    pub fn connect_session(
        settings: S3Settings,
        access_key_id: &str,
        secret: &Sensitive<String>,
        session_token: Option<&Sensitive<String>>,
    ) -> Result<Self> {
        let b = &settings.bucket;
        let valid = (3..=63).contains(&b.len())
            && b.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && b.starts_with(|c: char| c.is_ascii_alphanumeric())
            && b.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            return Err(Error::invalid(format!(
                "\"{b}\" is not a valid bucket name: use 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit"
            )));
        }
        let access = AwsAccess {
            access_key_id: access_key_id.to_string(),
            secret: secret.clone(),
            session_token: session_token.cloned(),
            region: settings.region.clone(),
            endpoint: settings.endpoint.clone(),
        };
        let mut b = aws_sdk_s3::config::Builder::from(&access.sdk_config());
        if settings.endpoint.is_some() {
            // S3-compatible stores: path-style addressing, checksums only when required.
            b = b
                .force_path_style(true)
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        }
        let prefix = keys::folder_prefix(&settings.folder);
        Ok(Self {
            client: aws_sdk_s3::Client::from_conf(b.build()),
            settings,
            prefix,
        })
    }

    fn key(&self, key: &str) -> Result<String> {
        keys::full_key(&self.prefix, key)
    }

    fn bucket(&self) -> &str {
        &self.settings.bucket
    }

    /// A signed GET address of `key` (inside the folder) that works for
    /// `secs` seconds, for a machine that has no credentials of its own:
    /// the distribution repository hands packages out this way.
    pub fn signed_get(&self, key: &str, secs: u64) -> Result<String> {
        let full = self.key(key)?;
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(
            std::time::Duration::from_secs(secs.clamp(1, 7 * 86_400)),
        )
        .map_err(|e| Error::internal(format!("cannot sign an address: {e}")))?;
        block_on(async {
            let req = self
                .client
                .get_object()
                .bucket(self.bucket())
                .key(&full)
                .presigned(config)
                .await
                .map_err(|e| sdk_error(e, self.bucket(), "sign an address"))?;
            Ok(req.uri().to_string())
        })
    }

    /// The bucket and the full key of `key`: where a service that writes
    /// for Cairn (Systems Manager's command output) is told to write.
    pub fn location(&self, key: &str) -> Result<(String, String)> {
        Ok((self.bucket().to_string(), self.key(key)?))
    }

    /// Bucket names the credentials can see.
    pub fn list_buckets(&self) -> Result<Vec<String>> {
        block_on(async {
            let out = self
                .client
                .list_buckets()
                .send()
                .await
                .map_err(|e| sdk_error(e, "(all)", "list buckets"))?;
            Ok(out
                .buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string))
                .collect())
        })
    }

    /// Folders directly inside this storage's folder (the first 1,000),
    /// for the wizard's folder browser.
    pub fn list_folders(&self) -> Result<Vec<String>> {
        block_on(async {
            let page = self
                .client
                .list_objects_v2()
                .bucket(self.bucket())
                .prefix(&self.prefix)
                .delimiter("/")
                .send()
                .await
                .map_err(|e| sdk_error(e, self.bucket(), "list folders"))?;
            Ok(page
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix())
                .filter_map(|p| p.strip_prefix(&self.prefix))
                .map(|p| p.trim_end_matches('/').to_string())
                .filter(|p| !p.is_empty())
                .collect())
        })
    }

    /// True when the bucket was created with Object Lock enabled.
    pub fn object_lock_enabled(&self) -> Result<bool> {
        block_on(async {
            match self
                .client
                .get_object_lock_configuration()
                .bucket(self.bucket())
                .send()
                .await
            {
                Ok(out) => Ok(out
                    .object_lock_configuration()
                    .and_then(|c| c.object_lock_enabled())
                    .is_some_and(|e| *e == ObjectLockEnabled::Enabled)),
                Err(e) => {
                    let code = e
                        .as_service_error()
                        .and_then(|s| s.code())
                        .unwrap_or("")
                        .to_string();
                    if code == "ObjectLockConfigurationNotFoundError" {
                        Ok(false)
                    } else {
                        Err(sdk_error(
                            e,
                            self.bucket(),
                            "read the Object Lock configuration",
                        ))
                    }
                }
            }
        })
    }

    /// Checks that the bucket exists and the credentials can read it.
    pub fn probe(&self) -> Result<()> {
        block_on(async {
            self.client
                .head_bucket()
                .bucket(self.bucket())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    let status = e.raw_response().map(|r| r.status().as_u16());
                    match status {
                        Some(404) => Error::not_found(format!(
                            "bucket {} does not exist; check the name and the region",
                            self.bucket()
                        )),
                        Some(403) => Error::storage(format!(
                            "access to bucket {} was denied; check the access key's permissions",
                            self.bucket()
                        )),
                        _ => sdk_error(e, self.bucket(), "open the bucket"),
                    }
                })
        })
    }

    fn lock_params(&self, key: &str) -> Option<(ObjectLockMode, DateTime)> {
        let until = keys::lock_until(self.settings.immutable_days, key)?;
        Some((ObjectLockMode::Compliance, DateTime::from_secs(until)))
    }

    /// Data packs take the chosen class; everything else (tree packs,
    /// indexes, manifests, metadata) stays Standard so browsing, backups and
    /// rescans never wait for a retrieval.
    fn class_for(&self, key: &str, archive_ok: bool) -> aws_sdk_s3::types::StorageClass {
        if archive_ok && key.starts_with("data/") {
            self.settings.storage_class.sdk()
        } else {
            StorageClass::Standard.sdk()
        }
    }

    async fn put_multipart(
        &self,
        full: &str,
        key: &str,
        data: &[u8],
        class: aws_sdk_s3::types::StorageClass,
    ) -> Result<()> {
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(self.bucket())
            .key(full)
            .storage_class(class)
            .checksum_algorithm(ChecksumAlgorithm::Crc32);
        if let Some((mode, until)) = self.lock_params(key) {
            create = create
                .object_lock_mode(mode)
                .object_lock_retain_until_date(until);
        }
        let up = create
            .send()
            .await
            .map_err(|e| sdk_error(e, self.bucket(), "start an upload"))?;
        let id = up.upload_id().unwrap_or_default().to_string();
        let result: Result<()> = async {
            let mut parts = Vec::new();
            for (i, chunk) in data.chunks(PART).enumerate() {
                let n = i as i32 + 1;
                let out = self
                    .client
                    .upload_part()
                    .bucket(self.bucket())
                    .key(full)
                    .upload_id(&id)
                    .part_number(n)
                    .checksum_algorithm(ChecksumAlgorithm::Crc32)
                    .checksum_crc32(crc32_of(chunk))
                    .body(ByteStream::from(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| sdk_error(e, self.bucket(), "upload a part"))?;
                parts.push(
                    CompletedPart::builder()
                        .part_number(n)
                        .set_e_tag(out.e_tag().map(str::to_string))
                        .set_checksum_crc32(out.checksum_crc32().map(str::to_string))
                        .build(),
                );
            }
            self.client
                .complete_multipart_upload()
                .bucket(self.bucket())
                .key(full)
                .upload_id(&id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| sdk_error(e, self.bucket(), "finish an upload"))?;
            Ok(())
        }
        .await;
        if result.is_err() {
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(self.bucket())
                .key(full)
                .upload_id(&id)
                .send()
                .await;
        }
        result
    }

    /// Reads an object or a byte range of it; an object in a Glacier class
    /// gets a restore request and a "waiting for retrieval" error.
    /// Reads an object or a range of it, refusing more than `max` bytes:
    /// before the body is downloaded when the length the store announces
    /// is over, and while downloading when the store sends more than it
    /// announced.
    fn fetch(&self, key: &str, range: Option<String>, max: u64) -> Result<Vec<u8>> {
        let full = self.key(key)?;
        block_on(async {
            let req = self
                .client
                .get_object()
                .bucket(self.bucket())
                .key(&full)
                .set_range(range);
            match req.send().await {
                Ok(out) => self.read_body(key, out, max).await,
                Err(e) => {
                    let err = sdk_error(e, self.bucket(), &format!("read {key}"));
                    if err.message().starts_with("waiting for retrieval") {
                        self.request_restore(&full).await;
                    }
                    Err(err)
                }
            }
        })
    }

    async fn read_body(
        &self,
        key: &str,
        out: aws_sdk_s3::operation::get_object::GetObjectOutput,
        max: u64,
    ) -> Result<Vec<u8>> {
        let announced = out.content_length().unwrap_or(0).max(0) as u64;
        if announced > max {
            return Err(cairn_core::storage::too_large(key, announced, max));
        }
        let failed = |e: &dyn std::fmt::Display| {
            Error::storage(format!(
                "S3 bucket {}: reading {key} failed: {e}",
                self.bucket()
            ))
        };
        let mut body = out.body;
        let mut data = Vec::with_capacity(announced as usize);
        while let Some(bytes) = body.try_next().await.map_err(|e| failed(&e))? {
            let size = (data.len() + bytes.len()) as u64;
            if size > max {
                return Err(cairn_core::storage::too_large(key, size, max));
            }
            data.extend_from_slice(&bytes);
        }
        Ok(data)
    }

    /// An object's metadata, or None when it does not exist.
    fn head(
        &self,
        key: &str,
    ) -> Result<Option<aws_sdk_s3::operation::head_object::HeadObjectOutput>> {
        let full = self.key(key)?;
        block_on(async {
            match self
                .client
                .head_object()
                .bucket(self.bucket())
                .key(&full)
                .send()
                .await
            {
                Ok(h) => Ok(Some(h)),
                Err(e) => {
                    let err = sdk_error(e, self.bucket(), &format!("look up {key}"));
                    if err.kind() == ErrorKind::NotFound {
                        Ok(None)
                    } else {
                        Err(err)
                    }
                }
            }
        })
    }

    async fn request_restore(&self, full: &str) {
        let days = aws_sdk_s3::types::RestoreRequest::builder().days(7).build();
        let _ = self
            .client
            .restore_object()
            .bucket(self.bucket())
            .key(full)
            .restore_request(days)
            .send()
            .await;
    }
}

impl ReadStorage for S3Storage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.fetch(key, None, cairn_core::storage::MAX_OBJECT_LEN)
    }

    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        self.fetch(key, None, max)
    }

    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        self.fetch(
            key,
            Some(format!("bytes={}-{}", offset, offset + len - 1)),
            len,
        )
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let full = format!("{}{prefix}", self.prefix);
        block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .list_objects_v2()
                    .bucket(self.bucket())
                    .prefix(&full)
                    .set_continuation_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| sdk_error(e, self.bucket(), "list objects"))?;
                for o in page.contents() {
                    if let Some(k) = o.key().and_then(|k| k.strip_prefix(&self.prefix)) {
                        out.push(ObjectInfo {
                            key: k.to_string(),
                            size: o.size().unwrap_or(0).max(0) as u64,
                            etag: o.e_tag().unwrap_or_default().to_string(),
                        });
                    }
                }
                token = page.next_continuation_token().map(str::to_string);
                if token.is_none() || !page.is_truncated().unwrap_or(false) {
                    break;
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }

    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.head(key)?.is_some())
    }

    fn prepare_read(&self, keys: &[String]) -> Result<Vec<String>> {
        if self.settings.storage_class == StorageClass::Standard {
            return Ok(Vec::new());
        }
        let mut waiting = Vec::new();
        for key in keys {
            let Some(h) = self.head(key)? else {
                continue;
            };
            let archived = matches!(
                h.storage_class(),
                Some(aws_sdk_s3::types::StorageClass::Glacier)
                    | Some(aws_sdk_s3::types::StorageClass::DeepArchive)
            );
            let restore = h.restore().unwrap_or("");
            if !archived || restore.contains("ongoing-request=\"false\"") {
                continue;
            }
            if !restore.contains("ongoing-request=\"true\"") {
                let full = self.key(key)?;
                block_on(self.request_restore(&full));
            }
            waiting.push(key.clone());
        }
        Ok(waiting)
    }

    fn describe(&self) -> String {
        if self.prefix.is_empty() {
            format!("bucket {}", self.bucket())
        } else {
            format!(
                "bucket {} folder {}",
                self.bucket(),
                self.prefix.trim_end_matches('/')
            )
        }
    }
}

/// The CRC32 S3 checks a body against, computed here and sent as a
/// header: the store refuses a body that arrives different, and no
/// server has to find a checksum trailer inside the data (moto searches
/// the whole body for one and fails on data that holds the text).
fn crc32_of(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(data).to_be_bytes())
}

impl S3Storage {
    fn put_class(&self, key: &str, data: &[u8], archive_ok: bool) -> Result<()> {
        let full = self.key(key)?;
        let class = self.class_for(key, archive_ok);
        block_on(async {
            if data.len() > MULTIPART_ABOVE {
                return self.put_multipart(&full, key, data, class).await;
            }
            let mut req = self
                .client
                .put_object()
                .bucket(self.bucket())
                .key(&full)
                .storage_class(class)
                .body(ByteStream::from(data.to_vec()));
            if let Some((mode, until)) = self.lock_params(key) {
                // Object Lock needs a checksum on the PUT.
                req = req
                    .object_lock_mode(mode)
                    .object_lock_retain_until_date(until)
                    .checksum_algorithm(ChecksumAlgorithm::Crc32)
                    .checksum_crc32(crc32_of(data));
            }
            req.send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(e, self.bucket(), &format!("write {key}")))
        })?;
        match self.lock_params(key) {
            Some((_, until)) => self.confirm_lock(&full, key, until),
            None => Ok(()),
        }
    }

    /// Some S3-compatible stores drop Object Lock headers (on multipart
    /// uploads in particular): the object's retention is read back, set
    /// with PutObjectRetention when missing, and an object still unlocked
    /// fails the write rather than being called immutable.
    fn confirm_lock(&self, full: &str, key: &str, until: DateTime) -> Result<()> {
        let locked = |h: Option<aws_sdk_s3::operation::head_object::HeadObjectOutput>| {
            h.and_then(|h| h.object_lock_retain_until_date().map(|d| d.secs()))
                .is_some_and(|t| t + 60 >= until.secs())
        };
        if locked(self.head(key)?) {
            return Ok(());
        }
        block_on(async {
            let retention = aws_sdk_s3::types::ObjectLockRetention::builder()
                .mode(aws_sdk_s3::types::ObjectLockRetentionMode::Compliance)
                .retain_until_date(until)
                .build();
            self.client
                .put_object_retention()
                .bucket(self.bucket())
                .key(full)
                .retention(retention)
                .checksum_algorithm(ChecksumAlgorithm::Crc32)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(e, self.bucket(), &format!("lock {key}")))
        })?;
        if locked(self.head(key)?) {
            return Ok(());
        }
        Err(Error::storage(format!(
            "the storage ignored Object Lock: {key} in bucket {} was written without retention and could be deleted; this storage cannot hold an immutable repository (turn immutability off for it, or use one that honours Object Lock on every upload)",
            self.bucket()
        )))
    }
}

impl Storage for S3Storage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        self.put_class(key, data, true)
    }

    fn put_hot(&self, key: &str, data: &[u8]) -> Result<()> {
        self.put_class(key, data, false)
    }

    fn delete(&self, key: &str) -> Result<()> {
        let full = self.key(key)?;
        block_on(async {
            self.client
                .delete_object()
                .bucket(self.bucket())
                .key(&full)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(e, self.bucket(), &format!("delete {key}")))
        })
    }

    fn locked_until(&self, key: &str) -> Result<Option<i64>> {
        if self.settings.immutable_days.is_none() {
            return Ok(None);
        }
        let now = cairn_core::time::now();
        Ok(self
            .head(key)?
            .and_then(|h| h.object_lock_retain_until_date().map(|d| d.secs()))
            .filter(|t| *t > now))
    }

    fn concurrency(&self) -> usize {
        4
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_crc32_header_is_the_big_endian_checksum_in_base64() {
        // CRC32("hello") = 0x3610a686.
        assert_eq!(super::crc32_of(b"hello"), "NhCmhg==");
    }
}
