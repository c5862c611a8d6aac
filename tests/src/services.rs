//! The services `.ci/test-services.sh` starts: a local S3 server (moto)
//! and Azurite. Each test makes its own bucket or container.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

/// The well-known Azurite account.
pub const AZURE_ACCOUNT: &str = "devstoreaccount1";
/// The well-known Azurite key (public, documented by Microsoft).
pub const AZURE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the suite with `bash .ci/test.sh`, which starts the services"
        )
    })
}

/// The S3 endpoint.
pub fn s3_endpoint() -> String {
    env("CAIRN_TEST_S3_ENDPOINT")
}

/// The Azure Blob endpoint.
pub fn azure_endpoint() -> String {
    env("CAIRN_TEST_AZURE_BLOB_ENDPOINT")
}

/// Azurite's queue service.
pub fn azure_queue_endpoint() -> String {
    env("CAIRN_TEST_AZURE_QUEUE_ENDPOINT")
}

/// The tests' AWS access to the local S3/SQS/EC2/STS server (us-east-1).
pub fn aws_access() -> cairn_cloud::AwsAccess {
    cairn_cloud::AwsAccess {
        access_key_id: "test".into(),
        secret: cairn_core::Sensitive::new("test".into()),
        session_token: None,
        region: "us-east-1".into(),
        endpoint: Some(s3_endpoint()),
    }
}

/// Settings of `folder` in `bucket` on the test S3 server (us-east-1,
/// Standard, not immutable).
pub fn s3_settings(bucket: &str, folder: &str) -> cairn_cloud::S3Settings {
    cairn_cloud::S3Settings {
        bucket: bucket.into(),
        folder: folder.into(),
        region: "us-east-1".into(),
        endpoint: Some(s3_endpoint()),
        credential: String::new(),
        storage_class: cairn_cloud::StorageClass::Standard,
        immutable_days: None,
    }
}

/// The access key id the tests' S3 repositories are added with.
pub const S3_ACCESS_KEY_ID: &str = "AKIATESTCAIRN";

/// `cairn repo add s3 NAME` on the test server's `bucket` (under `folder`
/// when given), its secret access key read from standard input.
pub fn s3_repo_add(name: &str, bucket: &str, folder: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = ["repo", "add", "s3", name, "--bucket", bucket]
        .map(String::from)
        .into();
    if let Some(f) = folder {
        args.extend(["--folder".to_string(), f.to_string()]);
    }
    args.extend(
        [
            "--region",
            "us-east-1",
            "--endpoint",
            &s3_endpoint(),
            "--access-key-id",
            S3_ACCESS_KEY_ID,
            "--secret-access-key-stdin",
        ]
        .map(String::from),
    );
    args
}

/// A plain S3 client (not Cairn's) for the test server.
pub fn s3_client() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(s3_endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// A unique lower-case name.
pub fn unique(prefix: &str) -> String {
    let n: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!("{prefix}-{:x}{:04x}", n, std::process::id() & 0xffff)
}

/// Runs a future on a small runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Creates a bucket, optionally with Object Lock.
pub fn make_bucket(object_lock: bool) -> String {
    let name = unique(if object_lock { "locked" } else { "bucket" });
    let c = s3_client();
    block_on(async {
        c.create_bucket()
            .bucket(&name)
            .object_lock_enabled_for_bucket(object_lock)
            .send()
            .await
            .expect("create bucket");
    });
    name
}

/// Creates a container in Azurite.
pub fn make_container() -> String {
    use azure_storage::{CloudLocation, StorageCredentials};
    use azure_storage_blobs::prelude::ClientBuilder;
    let name = unique("cont");
    let creds = StorageCredentials::access_key(AZURE_ACCOUNT, AZURE_KEY.to_string());
    let loc = CloudLocation::Custom {
        account: AZURE_ACCOUNT.into(),
        uri: azure_endpoint(),
    };
    let svc = ClientBuilder::with_location(loc, creds).blob_service_client();
    block_on(async {
        svc.container_client(name.clone())
            .create()
            .await
            .expect("create container")
    });
    name
}

/// Every object of a bucket, all pages.
pub fn list_objects(bucket: &str) -> Vec<aws_sdk_s3::types::Object> {
    block_on(async {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = s3_client()
                .list_objects_v2()
                .bucket(bucket)
                .set_continuation_token(token)
                .send()
                .await
                .expect("list");
            out.extend(page.contents().iter().cloned());
            token = page.next_continuation_token().map(str::to_string);
            if token.is_none() {
                return out;
            }
        }
    })
}

/// The keys of every object in `bucket`.
pub fn object_keys(bucket: &str) -> Vec<String> {
    list_objects(bucket)
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// Starts an EC2 instance on the test server with `tags`; its id.
pub fn run_instance(ec2: &aws_sdk_ec2::Client, tags: &[(&str, &str)]) -> String {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
    for (k, v) in tags {
        spec = spec.tags(Tag::builder().key(*k).value(*v).build());
    }
    let out = block_on(async {
        ec2.run_instances()
            .image_id("ami-12c6146b")
            .min_count(1)
            .max_count(1)
            .tag_specifications(spec.build())
            .send()
            .await
            .expect("run instance")
    });
    out.instances()[0].instance_id().expect("id").to_string()
}

/// An EC2 client of the test server.
pub fn ec2_client() -> aws_sdk_ec2::Client {
    use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(s3_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .build();
    aws_sdk_ec2::Client::from_conf(conf)
}
