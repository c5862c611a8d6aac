//! The core's storage conformance suite (`cairn_core::storage::testing`)
//! against the cloud backends on the local services: S3 on the local S3
//! server (a plain bucket and an Object Lock bucket), Azure Blob on
//! Azurite, and every wrapper over the Object Lock bucket, which must pass
//! its lock, usage, pack size and retrieval answers on.

use cairn_cloud::{
    AzureAuth, AzureSettings, AzureStorage, S3Settings, S3Storage, StorageClass, Tier,
};
use cairn_core::storage::faulty::FaultyStorage;
use cairn_core::storage::testing::{assert_conforms, assert_wrapper_over, Expect, Subject};
use cairn_core::storage::{ExternalStorage, RetryPolicy, RetryStorage, Storage, DEFAULT_PACK_SIZE};
use cairn_core::Sensitive;
use cairn_tests::services::*;
use std::sync::Arc;

fn s3(bucket: &str, immutable_days: Option<u32>) -> S3Storage {
    let settings = S3Settings {
        bucket: bucket.into(),
        folder: unique("contract"),
        region: "us-east-1".into(),
        endpoint: Some(s3_endpoint()),
        credential: String::new(),
        storage_class: StorageClass::Standard,
        immutable_days,
    };
    S3Storage::connect(settings, "test", &Sensitive::new("test".into())).expect("connect")
}

fn object_storage(locks: bool) -> Expect {
    Expect {
        locks,
        pack_size: DEFAULT_PACK_SIZE,
        concurrency: Some(4),
        list_settle: Some(std::time::Duration::from_secs(1)),
        ..Expect::default()
    }
}

#[test]
fn s3_conforms() {
    let store = s3(&make_bucket(false), None);
    let expect = object_storage(false);
    assert_conforms(
        "S3",
        &Subject {
            store: &store,
            seed: &store,
            expect,
        },
    );
}

#[test]
fn s3_with_object_lock_conforms() {
    let store = s3(&make_bucket(true), Some(2));
    let expect = object_storage(true);
    assert_conforms(
        "S3 Object Lock",
        &Subject {
            store: &store,
            seed: &store,
            expect,
        },
    );
}

#[test]
fn azure_conforms() {
    let settings = AzureSettings {
        account: AZURE_ACCOUNT.into(),
        container: make_container(),
        folder: unique("contract"),
        endpoint: Some(azure_endpoint()),
        credential: String::new(),
        auth: AzureAuth::SharedKey,
        tier: Tier::Hot,
        immutable_days: None,
    };
    let store =
        AzureStorage::connect(settings, &Sensitive::new(AZURE_KEY.into())).expect("connect");
    let expect = object_storage(false);
    assert_conforms(
        "Azure Blob",
        &Subject {
            store: &store,
            seed: &store,
            expect,
        },
    );
}

/// Builds a wrapper around a storage.
type Wrap = fn(Arc<dyn Storage>) -> Arc<dyn Storage>;

/// Each wrapper over an Object Lock bucket reports the bucket's locks.
#[test]
fn wrappers_over_an_object_lock_bucket_conform() {
    let bucket = make_bucket(true);
    let wrappers: [(&str, bool, Wrap); 3] = [
        ("read-only external over S3 Object Lock", true, |s| {
            Arc::new(ExternalStorage::new(s))
        }),
        ("retry over S3 Object Lock", false, |s| {
            Arc::new(RetryStorage::new(s, RetryPolicy::default()))
        }),
        ("faulty over S3 Object Lock", false, |s| {
            Arc::new(FaultyStorage::new(s, usize::MAX))
        }),
    ];
    for (name, read_only, wrap) in wrappers {
        let inner: Arc<dyn Storage> = Arc::new(s3(&bucket, Some(2)));
        let expect = Expect {
            read_only,
            ..object_storage(true)
        };
        assert_wrapper_over(name, inner, expect, wrap);
    }
}

/// A repository set to immutable on a bucket that cannot lock objects is
/// never called immutable: its first write fails, saying what to do, and
/// leaves no object behind.
#[test]
fn an_immutable_repository_on_a_bucket_without_object_lock_fails_its_writes() {
    let store = s3(&make_bucket(false), Some(2));
    let err = store
        .put("data/ab/abcdef", b"would be deletable")
        .expect_err("a write that cannot be locked");
    assert!(err.message().contains("Object Lock"), "{}", err.message());
}
