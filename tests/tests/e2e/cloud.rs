//! Object storage against real local services: one conformance suite for
//! every backend (local folder, S3 on moto, Azure on Azurite), interrupted
//! backups, CLI round trips, refusals, Object Lock, and secrets that live
//! only in the Secret Service keyring.

use cairn_cloud::{AzureAuth, AzureSettings, AzureStorage, S3Settings, S3Storage, Tier};
use cairn_core::check;
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;
use cairn_core::storage::faulty::FaultyStorage;
use cairn_core::storage::{LocalStorage, Storage};
use cairn_core::Sensitive;
use cairn_model::{Compression, ErrorKind};
use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use cairn_tests::tree::{assert_same, bytes};
use std::path::Path;
use std::sync::Arc;

fn s3_storage(bucket: &str, folder: &str) -> S3Storage {
    S3Storage::connect(
        s3_settings(bucket, folder),
        "test",
        &Sensitive::new("test".into()),
    )
    .expect("connect")
}

fn azure_storage(container: &str, folder: &str) -> AzureStorage {
    let settings = AzureSettings {
        account: AZURE_ACCOUNT.into(),
        container: container.into(),
        folder: folder.into(),
        endpoint: Some(azure_endpoint()),
        credential: String::new(),
        auth: AzureAuth::SharedKey,
        tier: Tier::Cool,
        immutable_days: None,
    };
    AzureStorage::connect(settings, &Sensitive::new(AZURE_KEY.into())).expect("connect")
}

/// What every backend must do the same way.
fn conformance(s: Arc<dyn Storage>) {
    // Missing objects.
    assert_eq!(
        s.get("missing/x").expect_err("missing").kind(),
        ErrorKind::NotFound
    );
    assert!(!s.exists("missing/x").expect("exists"));
    s.delete("missing/x")
        .expect("deleting a missing object succeeds");
    // Put, get, overwrite.
    s.put("a/one", b"hello").expect("put");
    assert_eq!(s.get("a/one").expect("get"), b"hello");
    assert!(s.exists("a/one").expect("exists"));
    s.put("a/one", b"bye").expect("overwrite");
    assert_eq!(s.get("a/one").expect("get"), b"bye");
    // Range reads.
    let data = bytes(3, 100_000);
    s.put("a/range", &data).expect("put");
    assert_eq!(
        s.get_range("a/range", 12_345, 1000).expect("range"),
        &data[12_345..13_345]
    );
    assert_eq!(
        s.get_range("a/range", 99_990, 10).expect("tail"),
        &data[99_990..]
    );
    // A large object (multipart / block upload).
    let large = bytes(4, 21 << 20);
    s.put("a/large", &large).expect("large put");
    assert_eq!(s.get("a/large").expect("large get"), large);
    assert_eq!(
        s.get_range("a/large", 17 << 20, 4096).expect("range"),
        &large[17 << 20..(17 << 20) + 4096]
    );
    // Thousands of keys, written concurrently, listed completely and in order.
    let n = 1100;
    std::thread::scope(|scope| {
        for t in 0..8 {
            let s = s.clone();
            scope.spawn(move || {
                for i in (t..n).step_by(8) {
                    s.put(&format!("many/k{i:05}"), format!("{i}").as_bytes())
                        .expect("put many");
                }
            });
        }
    });
    let listed = s.list("many/").expect("list");
    assert_eq!(listed.len(), n, "every key listed across pages");
    assert!(listed.windows(2).all(|w| w[0].key < w[1].key), "sorted");
    assert_eq!(listed[7].key, "many/k00007");
    assert_eq!(listed[7].size, 1);
    let a: Vec<String> = s
        .list("a/")
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(a, vec!["a/large", "a/one", "a/range"]);
    // Concurrent readers and writers on distinct keys.
    std::thread::scope(|scope| {
        for t in 0..8 {
            let s = s.clone();
            scope.spawn(move || {
                let k = format!("conc/{t}");
                let v = bytes(t as u64 + 50, 50_000);
                s.put(&k, &v).expect("put");
                assert_eq!(s.get(&k).expect("get"), v);
                s.delete(&k).expect("delete");
                assert!(!s.exists(&k).expect("exists"));
            });
        }
    });
    // Deletes.
    s.delete("a/one").expect("delete");
    assert_eq!(
        s.get("a/one").expect_err("deleted").kind(),
        ErrorKind::NotFound
    );
    // Unsafe keys never reach the backend.
    assert!(s.put("../escape", b"x").is_err());
}

#[test]
fn conformance_local_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    conformance(Arc::new(
        LocalStorage::open(tmp.path(), true).expect("open"),
    ));
}

#[test]
fn conformance_s3() {
    conformance(Arc::new(s3_storage(&make_bucket(false), "folder/sub")));
}

#[test]
fn conformance_azure() {
    conformance(Arc::new(azure_storage(&make_container(), "folder")));
}

fn spec(src: &Path) -> BackupSpec {
    BackupSpec {
        backup_id: "0123456789abcdef0123456789abcdef".into(),
        job: "interrupted".into(),
        machine: "test".into(),
        platform: "Linux".into(),
        includes: vec![src.to_path_buf()],
        exclude_masks: vec![],
        include_masks: vec![],
        compression: Compression::Optimal,
        full: false,
        images: false,
        region: String::new(),
        writer: String::new(),
        source_root: None,
    }
}

/// A backup whose storage fails partway leaves a repository that checks
/// clean, shows no restore point, and the next run completes.
fn interrupted_backup(storage: Arc<dyn Storage>) {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..6u64 {
        std::fs::write(src.join(format!("f{i}.bin")), bytes(i + 7, 6 << 20)).expect("write");
    }
    let repo = Repository::init(storage.clone(), "r", "test").expect("init");
    let ks = repo.default_keyset().expect("keys");
    let faulty: Arc<dyn Storage> = Arc::new(FaultyStorage::new(storage.clone(), 4));
    let broken = Repository::open(faulty, "r").expect("open");
    let err = backup::run(
        &broken,
        &ks,
        &spec(&src),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect_err("fails");
    assert!(
        err.message().contains("injected failure"),
        "{}",
        err.message()
    );
    assert!(repo
        .list_points("0123456789abcdef0123456789abcdef")
        .expect("points")
        .is_empty());
    let report = check::run(&repo, None, true, &NoProgress, &CancelToken::new()).expect("check");
    assert!(report.healthy(), "{:?}", report.errors);
    let out = backup::run(
        &repo,
        &ks,
        &spec(&src),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect("next run");
    assert!(
        out.manifest.stats.bytes_written < 36 << 20,
        "packs stored before the failure are reused"
    );
    let report = check::run(&repo, None, true, &NoProgress, &CancelToken::new()).expect("check");
    assert!(report.healthy() && report.restore_points == 1, "{report:?}");
}

#[test]
fn an_interrupted_backup_is_harmless_on_a_local_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    interrupted_backup(Arc::new(
        LocalStorage::open(tmp.path(), true).expect("open"),
    ));
}

#[test]
fn an_interrupted_backup_is_harmless_on_s3() {
    interrupted_backup(Arc::new(s3_storage(&make_bucket(false), "")));
}

fn source(tmp: &Path) -> std::path::PathBuf {
    let src = tmp.join("src");
    std::fs::create_dir_all(src.join("sub")).expect("mkdir");
    std::fs::write(src.join("big.bin"), bytes(11, 7 << 20)).expect("write");
    std::fs::write(src.join("sub/notes.txt"), "cloud notes\n".repeat(100)).expect("write");
    src
}

fn round_trip(cairn: &Cairn, repo: &str, src: &Path, tmp: &Path) {
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "cloud",
        "--repo",
        repo,
        "--include",
        src.to_str().expect("utf8"),
    ]);
    cairn.ok(&["job", "run", "cloud"]);
    cairn.ok(&["check", repo, "--full"]);
    cairn.assert_restores("cloud", src, &tmp.join("out"));
}

/// Every file Cairn wrote (and the database) is free of the secret, and
/// the secret is in the Secret Service under the reference the catalog holds.
fn secret_only_in_keyring(cairn: &Cairn, secret: &str, credential: &str) {
    for (path, content) in cairn_tests::tree::snapshot(&cairn.data) {
        let hay = String::from_utf8_lossy(&content);
        assert!(
            !hay.contains(secret),
            "the secret leaked into {}",
            path.display()
        );
    }
    let db = rusqlite::Connection::open(cairn.data.join("cairn.sqlite")).expect("db");
    let secret_ref: String = db
        .query_row(
            "SELECT secret_ref FROM credentials WHERE name = ?1",
            [credential],
            |r| r.get(0),
        )
        .expect("the credential is recorded by reference");
    let stored = cairn_console::secrets::load(&secret_ref, credential)
        .expect("the secret is in the keyring");
    assert_eq!(stored.expose(), secret);
}

#[test]
fn s3_backup_and_restore_through_the_cli_with_the_secret_in_the_keyring() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(false);
    let secret = unique("s3-secret-key");
    let args = s3_repo_add("cloud-s3", &bucket, Some("backups"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cairn.ok_stdin(&args, &format!("{secret}\n"));
    let src = source(tmp.path());
    round_trip(&cairn, "cloud-s3", &src, tmp.path());
    secret_only_in_keyring(&cairn, &secret, "S3 AKIATESTCAIRN");
    // Credentials in use cannot be deleted.
    let r = cairn.run(&["credentials", "delete", "S3 AKIATESTCAIRN"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("used by repository cloud-s3"),
        "{}",
        r.stderr
    );
    // The data really is in the bucket, under the folder.
    let keys = block_on(async {
        s3_client()
            .list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .expect("list")
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect::<Vec<_>>()
    });
    assert!(
        keys.iter().any(|k| k.starts_with("backups/data/")),
        "{keys:?}"
    );
    assert!(keys.iter().all(|k| k.starts_with("backups/")), "{keys:?}");
}

#[test]
fn a_cloud_job_run_without_a_keyring_says_what_to_do_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let (bucket, ep) = (make_bucket(false), s3_endpoint());
    cairn.ok_stdin(
        &s3_repo_args("nokeyring", &bucket, &ep, "AKIANOKEYRING"),
        "test\n",
    );
    let src = source(tmp.path());
    let create = [
        "job",
        "create",
        "backup",
        "j",
        "--repo",
        "nokeyring",
        "--include",
    ];
    cairn.ok(&[&create[..], &[src.to_str().expect("utf8")]].concat());
    let before = list_objects(&bucket).len();
    // A headless daemon's session with no Secret Service on its bus.
    let gone = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/cairn-bus",
    )];
    let (r, _) = cairn.run_env(&["job", "run", "j"], None, &gone);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("system keyring is not available")
            && r.stderr.contains("start or unlock it"),
        "{}",
        r.stderr
    );
    assert_eq!(list_objects(&bucket).len(), before, "nothing was written");
    let jobs = cairn.ok(&["--json", "job", "list"]).json();
    let job = jobs
        .as_array()
        .and_then(|j| j.first())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        job["last_result"], "failed",
        "the session ended as failed: {jobs}"
    );
}

#[test]
fn azure_backup_and_restore_through_the_cli_with_the_key_in_the_keyring() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let container = make_container();
    let ep = azure_endpoint();
    let args = [
        "repo",
        "add",
        "azure",
        "cloud-az",
        "--account",
        AZURE_ACCOUNT,
        "--container",
        &container,
        "--endpoint",
        &ep,
        "--shared-key-stdin",
        "--tier",
        "cool",
    ];
    cairn.ok_stdin(&args, &format!("{AZURE_KEY}\n"));
    let src = source(tmp.path());
    round_trip(&cairn, "cloud-az", &src, tmp.path());
    secret_only_in_keyring(&cairn, AZURE_KEY, "Azure devstoreaccount1 shared key");
}

#[test]
fn refused_choices_exit_with_the_reason_and_create_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let base = [
        "repo",
        "add",
        "s3",
        "refused",
        "--bucket",
        &bucket,
        "--region",
        "us-east-1",
        "--endpoint",
        &ep,
        "--access-key-id",
        "AKIAREFUSED",
        "--secret-access-key-stdin",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        cairn.run(&a, Some("secret\n"))
    };
    let r = with(&["--storage-class", "standard-ia"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("standard-ia is not supported") && r.stderr.contains("retrieval fee"),
        "{}",
        r.stderr
    );
    let r = with(&["--storage-class", "intelligent-tiering"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = with(&["--immutable-days", "7"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no Object Lock"), "{}", r.stderr);
    let container = make_container();
    let aep = azure_endpoint();
    let r = cairn.run(
        &[
            "repo",
            "add",
            "azure",
            "refused-az",
            "--account",
            AZURE_ACCOUNT,
            "--container",
            &container,
            "--endpoint",
            &aep,
            "--shared-key-stdin",
            "--tier",
            "archive",
        ],
        Some(&format!("{AZURE_KEY}\n")),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("archive is not supported"),
        "{}",
        r.stderr
    );
    // Nothing was created: no repository, no credentials, no objects.
    let repos = cairn.ok(&["--json", "repo", "list"]).json();
    assert_eq!(
        repos.as_array().expect("list").len(),
        1,
        "only the default repository: {repos}"
    );
    assert_eq!(
        cairn.ok(&["--json", "credentials", "list"]).json(),
        serde_json::json!([])
    );
    let count = block_on(async {
        s3_client()
            .list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .expect("list")
            .key_count()
            .unwrap_or(0)
    });
    assert_eq!(count, 0, "the bucket is untouched");
}

#[test]
fn immutable_backups_on_an_object_lock_bucket_cannot_be_deleted_directly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(true);
    let ep = s3_endpoint();
    cairn.ok_stdin(
        &[
            "repo",
            "add",
            "s3",
            "locked",
            "--bucket",
            &bucket,
            "--region",
            "us-east-1",
            "--endpoint",
            &ep,
            "--access-key-id",
            "AKIALOCK",
            "--secret-access-key-stdin",
            "--immutable-days",
            "2",
        ],
        "secret\n",
    );
    let src = source(tmp.path());
    round_trip(&cairn, "locked", &src, tmp.path());
    let c = s3_client();
    block_on(async {
        let versions = c
            .list_object_versions()
            .bucket(&bucket)
            .prefix("data/")
            .send()
            .await
            .expect("versions");
        let v = versions.versions().first().expect("a pack version");
        let key = v.key().expect("key").to_string();
        let head = c
            .head_object()
            .bucket(&bucket)
            .key(&key)
            .send()
            .await
            .expect("head");
        let until = head
            .object_lock_retain_until_date()
            .expect("retain-until date")
            .secs();
        assert!(
            until > cairn_core::time::now() + 86_400,
            "locked for about two days"
        );
        let del = c
            .delete_object()
            .bucket(&bucket)
            .key(&key)
            .set_version_id(v.version_id().map(str::to_string))
            .send()
            .await;
        assert!(del.is_err(), "a locked pack version cannot be deleted");
    });
}

pub(crate) fn s3_repo_args<'a>(
    name: &'a str,
    bucket: &'a str,
    ep: &'a str,
    key_id: &'a str,
) -> Vec<&'a str> {
    vec![
        "repo",
        "add",
        "s3",
        name,
        "--bucket",
        bucket,
        "--folder",
        "backups",
        "--region",
        "us-east-1",
        "--endpoint",
        ep,
        "--access-key-id",
        key_id,
        "--secret-access-key-stdin",
    ]
}

fn repo_row(cairn: &Cairn, name: &str) -> serde_json::Value {
    let rows = cairn.ok(&["--json", "repo", "list"]).json();
    rows.as_array()
        .expect("list")
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("repository {name} in {rows}"))
}

/// Keys, sizes and storage classes of a bucket's objects.
fn bucket_objects(bucket: &str) -> Vec<(String, u64, String)> {
    list_objects(bucket)
        .into_iter()
        .map(|o| {
            (
                o.key().unwrap_or_default().to_string(),
                o.size().unwrap_or(0) as u64,
                o.storage_class()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|| "STANDARD".into()),
            )
        })
        .collect()
}

#[test]
fn editing_an_s3_repository_checks_again_keeps_its_location_and_rotates_the_secret() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    cairn.ok_stdin(
        &s3_repo_args("edit-s3", &bucket, &ep, "AKIATESTEDIT"),
        "first-secret\n",
    );
    let src = source(tmp.path());
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "edit-job",
        "--repo",
        "edit-s3",
        "--include",
        src.to_str().expect("utf8"),
    ]);
    cairn.ok(&["job", "run", "edit-job"]);
    // Used space is what the bucket holds under the repository's folder.
    let held: u64 = bucket_objects(&bucket)
        .iter()
        .filter(|(k, _, _)| k.starts_with("backups/") && !k.starts_with("backups/locks/"))
        .map(|(_, s, _)| s)
        .sum();
    let before = repo_row(&cairn, "edit-s3");
    assert_eq!(before["used_bytes"], serde_json::json!(held), "{before}");
    // Refused edits say why and change nothing.
    let r = cairn.run(
        &["repo", "edit", "edit-s3", "--storage-class", "onezone-ia"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("onezone-ia is not supported"),
        "{}",
        r.stderr
    );
    let r = cairn.run(&["repo", "edit", "edit-s3", "--immutable-days", "5"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has no Object Lock"), "{}", r.stderr);
    assert_eq!(repo_row(&cairn, "edit-s3"), before);
    // Rename, describe, and re-enter the secret: it replaces the stored one.
    cairn.ok_stdin(
        &[
            "repo",
            "edit",
            "edit-s3",
            "--new-name",
            "offsite",
            "--description",
            "rotated key",
            "--secret-stdin",
        ],
        "second-secret\n",
    );
    let after = repo_row(&cairn, "offsite");
    assert_eq!(after["description"], "rotated key");
    assert_eq!(after["location"], before["location"]);
    assert_eq!(after["id"], before["id"]);
    secret_only_in_keyring(&cairn, "second-secret", "S3 AKIATESTEDIT");
    // The job follows the repository under its new name.
    std::fs::write(src.join("sub/new.txt"), "after the edit\n").expect("write");
    cairn.ok(&["job", "run", "edit-job"]);
    cairn.assert_restores("edit-job", &src, &tmp.path().join("out"));
}

#[test]
fn glacier_data_is_retrieved_before_a_restore_while_trees_stay_standard() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let mut args = s3_repo_args("archive", &bucket, &ep, "AKIATESTGLACIER");
    args.extend(["--storage-class", "glacier-flexible-retrieval"]);
    cairn.ok_stdin(&args, "secret\n");
    let src = source(tmp.path());
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "archive-job",
        "--repo",
        "archive",
        "--include",
        src.to_str().expect("utf8"),
    ]);
    cairn.ok(&["job", "run", "archive-job"]);
    // An incremental run and browsing read only trees: no retrieval needed.
    std::fs::write(src.join("sub/notes.txt"), "changed\n").expect("write");
    cairn.ok(&["job", "run", "archive-job"]);
    let listing = cairn.ok(&["browse", "archive-job", src.to_str().expect("utf8")]);
    assert!(listing.stdout.contains("big.bin"), "{}", listing.stdout);
    let objects = bucket_objects(&bucket);
    let glacier: Vec<_> = objects.iter().filter(|(_, _, c)| c == "GLACIER").collect();
    assert!(
        !glacier.is_empty(),
        "data packs are in Glacier: {objects:?}"
    );
    assert!(
        glacier
            .iter()
            .all(|(k, _, _)| k.starts_with("backups/data/")),
        "only data packs are archived: {glacier:?}"
    );
    assert!(
        objects
            .iter()
            .any(|(k, _, c)| k.starts_with("backups/data/") && c == "STANDARD"),
        "tree packs stay Standard: {objects:?}"
    );
    // The first restore requests retrieval of every pack it needs at once
    // and writes nothing; once retrieved, the restore completes.
    let out = tmp.path().join("out");
    let r = cairn.run(
        &[
            "restore",
            "archive-job",
            "--to",
            out.to_str().expect("utf8"),
        ],
        None,
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("waiting for retrieval"), "{}", r.stderr);
    assert_eq!(
        cairn_tests::tree::count_files(&out),
        0,
        "nothing restored yet"
    );
    cairn.ok(&[
        "restore",
        "archive-job",
        "--to",
        out.to_str().expect("utf8"),
    ]);
    assert_same(&src, &out.join(src.strip_prefix("/").expect("abs")));
}

#[test]
fn azure_immutability_needs_container_support_and_the_probes_leave_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let container = make_container();
    let ep = azure_endpoint();
    let base = [
        "repo",
        "add",
        "azure",
        "az-edit",
        "--account",
        AZURE_ACCOUNT,
        "--container",
        &container,
        "--endpoint",
        &ep,
        "--shared-key-stdin",
    ];
    let mut with_days = base.to_vec();
    with_days.extend(["--immutable-days", "7"]);
    let r = cairn.run(&with_days, Some(&format!("{AZURE_KEY}\n")));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no version-level immutability support"),
        "{}",
        r.stderr
    );
    cairn.ok_stdin(&base, &format!("{AZURE_KEY}\n"));
    let r = cairn.run(&["repo", "edit", "az-edit", "--tier", "archive"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("archive is not supported"),
        "{}",
        r.stderr
    );
    let r = cairn.ok(&["repo", "edit", "az-edit", "--tier", "cool"]);
    assert!(
        r.stderr.contains("Container soft delete off"),
        "{}",
        r.stderr
    );
    // The soft-delete probe containers are gone.
    let left: Vec<String> = azure_storage(&container, "")
        .list_containers()
        .expect("containers")
        .into_iter()
        .filter(|c| c.starts_with("cairn-probe-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn every_object_a_point_needs_on_an_object_lock_bucket_refuses_deletion_multipart_packs_included() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let bucket = make_bucket(true);
    let ep = s3_endpoint();
    cairn.ok_stdin(
        &[
            "repo",
            "add",
            "s3",
            "locked-all",
            "--bucket",
            &bucket,
            "--region",
            "us-east-1",
            "--endpoint",
            &ep,
            "--access-key-id",
            "AKIALOCK",
            "--secret-access-key-stdin",
            "--immutable-days",
            "2",
        ],
        "secret\n",
    );
    let src = tmp.path().join("big");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("random.bin"), bytes(77, 20 << 20)).expect("write");
    round_trip(&cairn, "locked-all", &src, tmp.path());
    // An object above the multipart threshold, written by the backend
    // itself (the test S3 server drops Object Lock headers on multipart
    // uploads): it must come back locked all the same.
    let settings = S3Settings {
        immutable_days: Some(2),
        ..s3_settings(&bucket, "")
    };
    let locked = S3Storage::connect(settings, "AKIALOCK", &Sensitive::new("secret".into()))
        .expect("connect");
    let big = format!("data/ab/ab{}", "0".repeat(30));
    locked
        .put(&big, &bytes(78, 20 << 20))
        .expect("a multipart write");
    assert!(
        locked.locked_until(&big).expect("head").is_some(),
        "the multipart object is locked"
    );
    let c = s3_client();
    block_on(async {
        let versions = c
            .list_object_versions()
            .bucket(&bucket)
            .send()
            .await
            .expect("versions");
        let immutable: Vec<_> = versions
            .versions()
            .iter()
            .filter(|v| {
                let k = v.key().unwrap_or_default();
                !(k.starts_with("locks/") || k.starts_with("prune/") || k == "owner")
            })
            .collect();
        assert!(immutable
            .iter()
            .any(|v| v.key().unwrap_or_default().starts_with("data/")));
        for v in immutable {
            let key = v.key().expect("key");
            let del = c
                .delete_object()
                .bucket(&bucket)
                .key(key)
                .set_version_id(v.version_id().map(str::to_string))
                .send()
                .await;
            assert!(del.is_err(), "{key} could be deleted");
        }
    });
}
