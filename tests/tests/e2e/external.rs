//! External repositories through the command line against real services:
//! a cloud backup appliance (`cairn appliance backup`) writes machines'
//! backups into an S3 bucket (moto) or Azure container (Azurite); a console
//! connects it as an external repository (writing nothing there but its
//! ownership marker), rescans it (+1/−1 after the appliance's next run,
//! one unreachable repository not failing the others), and a backup copy
//! job copies one root backup into a local repository, restorable with the
//! bucket gone; a second copy run transfers nothing.

use cairn_tests::cli::{Cairn, Run};
use cairn_tests::services::*;
use cairn_tests::tree::bytes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Key → (size, ETag) of every object in a bucket.
fn bucket_listing(bucket: &str) -> BTreeMap<String, (u64, String)> {
    list_objects(bucket)
        .into_iter()
        .map(|o| {
            (
                o.key().unwrap_or_default().to_string(),
                (
                    o.size().unwrap_or(0) as u64,
                    o.e_tag().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect()
}

/// Deletes every object of a bucket, then the bucket.
fn delete_bucket(bucket: &str) {
    let keys: Vec<String> = bucket_listing(bucket).into_keys().collect();
    block_on(async {
        let c = s3_client();
        for k in keys {
            c.delete_object()
                .bucket(bucket)
                .key(k)
                .send()
                .await
                .expect("delete object");
        }
        c.delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("delete bucket");
    });
}

/// A machine's data: some shared with the others, some its own.
fn machine_data(root: &Path, n: u64) -> PathBuf {
    let d = root.join(format!("machine{n}"));
    std::fs::create_dir_all(d.join("etc")).expect("mkdir");
    std::fs::create_dir_all(d.join("var/lib")).expect("mkdir");
    std::fs::write(d.join("etc/os-release"), "NAME=Debian\n").expect("write");
    std::fs::write(d.join("var/lib/shared.bin"), bytes(500, 3 << 20)).expect("write");
    std::fs::write(d.join("var/lib/own.bin"), bytes(600 + n, 2 << 20)).expect("write");
    std::fs::write(d.join("etc/hostname"), format!("machine-{n}\n")).expect("write");
    d
}

fn appliance_s3(
    cairn: &Cairn,
    bucket: &str,
    policy: &str,
    machine: &str,
    src: &Path,
    extra: &[&str],
    stdin: &str,
) -> Run {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    cairn.appliance_s3(bucket, policy, machine, src, &args, stdin)
}

fn external_add_s3<'a>(name: &'a str, bucket: &'a str, ep: &'a str) -> Vec<&'a str> {
    vec![
        "external",
        "add",
        "s3",
        name,
        "--bucket",
        bucket,
        "--folder",
        "appliance",
        "--region",
        "us-east-1",
        "--endpoint",
        ep,
        "--access-key-id",
        "test",
        "--secret-access-key-stdin",
    ]
}

/// The backup `backups list --json` shows for job `job`.
fn listed(cairn: &Cairn, job: &str) -> serde_json::Value {
    let rows = cairn.ok(&["backups", "list", "--json"]).json();
    rows.as_array()
        .expect("rows")
        .iter()
        .find(|b| b["job"] == job)
        .cloned()
        .unwrap_or_else(|| panic!("no backup of {job} in {rows}"))
}

/// The last JSON line `job run --json` prints: its summary.
fn summary(r: &Run) -> serde_json::Value {
    r.summary()
}

#[test]
fn appliance_backups_are_rescanned_and_copied_from_s3_and_restorable_with_the_bucket_gone() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let m: Vec<PathBuf> = (1..=3).map(|n| machine_data(tmp.path(), n)).collect();

    // The appliance writes three machines' backups; policy db is encrypted.
    appliance_s3(&appliance, &bucket, "web", "i-0aaa1", &m[0], &[], "test\n");
    appliance_s3(&appliance, &bucket, "web", "i-0aaa2", &m[1], &[], "test\n");
    appliance_s3(
        &appliance,
        &bucket,
        "db",
        "i-0bbb3",
        &m[2],
        &["--password-stdin"],
        "test\ndb-secret-pw\n",
    );

    // Connecting needs the password of the encrypted backups: a wrong one
    // is refused at that step, and nothing is recorded.
    let bad = console.run(
        &[
            external_add_s3("apps", &bucket, &ep),
            vec!["--password-stdin"],
        ]
        .concat(),
        Some("test\nnot-the-password\n"),
    );
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("does not open"), "{}", bad.stderr);
    let none = console.ok(&["external", "list", "--json"]).json();
    assert_eq!(none.as_array().expect("rows").len(), 0);

    // Connect: only the ownership marker changes in the bucket.
    let before = bucket_listing(&bucket);
    let added = console
        .ok_stdin(
            &[
                external_add_s3("apps", &bucket, &ep),
                vec!["--password-stdin", "--json"],
            ]
            .concat(),
            "test\ndb-secret-pw\n",
        )
        .json();
    let after = bucket_listing(&bucket);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "connecting added or removed objects"
    );
    for (k, v) in &before {
        if k != "appliance/owner" {
            assert_eq!(v, &after[k], "{k} changed");
        }
    }
    assert_ne!(before["appliance/owner"], after["appliance/owner"]);
    let first = &added["rescan"][0];
    assert_eq!(first["backups"], 3, "{added}");
    assert_eq!(first["restore_points"], 3);
    assert_eq!(first["added"], 3);
    let list = console.ok(&["external", "list", "--json"]).json();
    assert_eq!(list[0]["owner"], "This console");
    assert_eq!(list[0]["backups"], 3);

    // The backups are listed with policy, machine and platform.
    let backups = console.ok(&["backups", "list", "--json"]).json();
    let ext: Vec<&serde_json::Value> = backups
        .as_array()
        .expect("rows")
        .iter()
        .filter(|b| b["location"] == "external")
        .collect();
    assert_eq!(ext.len(), 3);
    let mut machines: Vec<&str> = ext
        .iter()
        .map(|b| b["machine"].as_str().expect("m"))
        .collect();
    machines.sort();
    assert_eq!(machines, ["i-0aaa1", "i-0aaa2", "i-0bbb3"]);
    assert!(ext.iter().all(|b| b["platform"] == "EC2"));

    // Nothing changed: nothing is read again.
    let same = console.ok(&["external", "rescan", "apps", "--json"]).json();
    assert_eq!(same[0]["added"], 0);
    assert_eq!(same[0]["removed"], 0);
    assert_eq!(same[0]["metadata_read"], 0, "{same}");

    // The appliance adds a restore point and retention deletes the older one.
    std::fs::write(m[0].join("etc/hostname"), "machine-1 renamed\n").expect("write");
    let second = appliance_s3(
        &appliance,
        &bucket,
        "web",
        "i-0aaa1",
        &m[0],
        &["--retain-points", "1"],
        "test\n",
    )
    .json();
    assert_eq!(
        second["removed_points"].as_array().expect("removed").len(),
        1
    );
    let r = console.ok(&["external", "rescan", "apps", "--json"]).json();
    assert_eq!(r[0]["added"], 1, "{r}");
    assert_eq!(r[0]["removed"], 1);
    assert_eq!(r[0]["metadata_read"], 1);
    assert_eq!(r[0]["restore_points"], 3);

    // A second external repository that becomes unreachable does not fail
    // the rescan of the first.
    let gone = make_bucket(false);
    appliance_s3(&appliance, &gone, "web", "i-0ccc4", &m[2], &[], "test\n");
    console.ok_stdin(&external_add_s3("doomed", &gone, &ep), "test\n");
    delete_bucket(&gone);
    let all = console.run(&["external", "rescan", "--all", "--json"], None);
    assert_eq!(all.code, 1);
    let all: serde_json::Value = serde_json::from_str(&all.stdout).expect("json");
    let by_name = |n: &str| {
        all.as_array()
            .expect("rows")
            .iter()
            .find(|r| r["repository"] == n)
            .cloned()
            .expect("report")
    };
    assert!(by_name("apps")["error"].is_null(), "{all}");
    assert!(!by_name("doomed")["error"].is_null(), "{all}");
    console.ok(&["external", "remove", "doomed"]);

    // A backup copy job copies machine i-0aaa1's root backup.
    console.ok(&[
        "job",
        "create",
        "copy",
        "copy-web1",
        "--from-backup",
        "apps/i-0aaa1",
        "--target",
        "Default Backup Repository",
        "--retain-points",
        "7",
    ]);
    let run = summary(&console.ok(&["job", "run", "copy-web1", "--json"]));
    assert_eq!(run["result"], "success", "{run}");
    assert!(run["stats"]["bytes_written"].as_u64().expect("n") > 0);
    let copied = listed(&console, "copy-web1");
    assert_eq!(copied["machine"], "i-0aaa1");
    assert_eq!(copied["platform"], "EC2");
    assert_eq!(copied["location"], "disk_copy");
    // The encrypted machine copies too (decrypted, then stored in the
    // target's key set).
    console.ok(&[
        "job",
        "create",
        "copy",
        "copy-db",
        "--from-backup",
        "apps/i-0bbb3",
        "--target",
        "Default Backup Repository",
    ]);
    assert_eq!(
        summary(&console.ok(&["job", "run", "copy-db", "--json"]))["result"],
        "success"
    );

    // A second run finds no new restore point and transfers nothing.
    let again = summary(&console.ok(&["job", "run", "copy-web1", "--json"]));
    assert_eq!(again["stats"]["bytes_written"], 0, "{again}");
    assert!(again["message"]
        .as_str()
        .expect("msg")
        .contains("no new restore points"));

    // The bucket goes away; the copies restore on their own.
    let in_use = console.run(&["external", "remove", "apps"], None);
    assert!(in_use.stderr.contains("copy-web1"), "{}", in_use.stderr);
    delete_bucket(&bucket);
    console.assert_restores("copy-web1", &m[0], &tmp.path().join("restored"));
    console.assert_restores("copy-db", &m[2], &tmp.path().join("restored-db"));
    console.ok(&["check", "Default Backup Repository", "--full"]);
}

#[test]
fn another_consoles_repository_is_taken_over_only_when_confirmed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let a = Cairn::new(&tmp.path().join("console-a"));
    let b = Cairn::new(&tmp.path().join("console-b"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let src = machine_data(tmp.path(), 7);
    appliance_s3(&appliance, &bucket, "web", "i-0own", &src, &[], "test\n");
    a.ok_stdin(&external_add_s3("shared", &bucket, &ep), "test\n");
    let refused = b.run(&external_add_s3("shared", &bucket, &ep), Some("test\n"));
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("owned by console") && refused.stderr.contains("confirm"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        b.ok(&["external", "list", "--json"])
            .json()
            .as_array()
            .expect("rows")
            .len(),
        0
    );
    b.ok_stdin(
        &[
            external_add_s3("shared", &bucket, &ep),
            vec!["--take-ownership"],
        ]
        .concat(),
        "test\n",
    );
    assert_eq!(
        b.ok(&["external", "list", "--json"]).json()[0]["owner"],
        "This console"
    );
    a.ok(&["external", "rescan", "shared"]);
    let seen_by_a = a.ok(&["external", "list", "--json"]).json();
    assert!(
        seen_by_a[0]["owner"]
            .as_str()
            .expect("owner")
            .starts_with("Console "),
        "{seen_by_a}"
    );
}

#[test]
fn azure_appliance_backups_copy_into_a_local_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let container = make_container();
    let ep = azure_endpoint();
    let src = machine_data(tmp.path(), 9);
    let az = |cairn: &Cairn, args: &[&str]| cairn.ok_stdin(args, &format!("{AZURE_KEY}\n"));
    for machine in ["vm-web", "vm-db"] {
        az(
            &appliance,
            &[
                "appliance",
                "backup",
                "--to",
                "azure",
                "--account",
                AZURE_ACCOUNT,
                "--container",
                &container,
                "--endpoint",
                &ep,
                "--shared-key-stdin",
                "--subscription",
                "sub-1/westeurope",
                "--policy",
                "daily",
                "--machine",
                machine,
                "--platform",
                "azure-vm",
                "--source",
                src.to_str().expect("utf8"),
            ],
        );
    }
    let added = az(
        &console,
        &[
            "external",
            "add",
            "azure",
            "vms",
            "--account",
            AZURE_ACCOUNT,
            "--container",
            &container,
            "--endpoint",
            &ep,
            "--shared-key-stdin",
            "--json",
        ],
    )
    .json();
    assert_eq!(added["rescan"][0]["backups"], 2, "{added}");
    let local = tmp.path().join("copies");
    console.ok(&[
        "repo",
        "add",
        "local",
        "Copies",
        "--path",
        local.to_str().expect("utf8"),
    ]);
    console.ok(&[
        "job",
        "create",
        "copy",
        "vm-copy",
        "--from-backup",
        "vms/vm-db",
        "--target",
        "Copies",
    ]);
    let run = summary(&console.ok(&["job", "run", "vm-copy", "--json"]));
    assert_eq!(run["result"], "success", "{run}");
    let copy = listed(&console, "vm-copy");
    assert_eq!(copy["platform"], "Azure VM");
    assert_eq!(copy["machine"], "vm-db");
    console.assert_restores("vm-copy", &src, &tmp.path().join("out"));
}

/// Pack files a local repository holds.
fn packs(repo: &Path) -> usize {
    cairn_tests::tree::count_files(&repo.join("data"))
}

/// Bytes of the pack files a local repository holds.
fn pack_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.map(|e| e.expect("entry").path())
        .map(|p| {
            if p.is_dir() {
                pack_bytes(&p)
            } else {
                std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

#[test]
fn an_interrupted_copy_leaves_no_half_point_and_resumes_without_sending_packs_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let src = tmp.path().join("big");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..6 {
        std::fs::write(src.join(format!("part{i}.bin")), bytes(900 + i, 20 << 20)).expect("write");
    }
    appliance_s3(&appliance, &bucket, "big", "i-0big", &src, &[], "test\n");
    console.ok_stdin(&external_add_s3("apps", &bucket, &ep), "test\n");
    console.ok(&[
        "job",
        "create",
        "copy",
        "big-copy",
        "--from-backup",
        "apps/i-0big",
        "--target",
        "Default Backup Repository",
    ]);
    let repo = console.default_repo();
    let before = packs(&repo);
    let mut child = std::process::Command::new(&console.bin)
        .arg("--data-dir")
        .arg(&console.data)
        .args(["job", "run", "big-copy"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the copy");
    // Killed as soon as its first pack is durable in the target.
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the copy ended ({status}) before it could be interrupted; use more data");
        }
        if packs(&repo) > before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
    assert!(packs(&repo) > before);
    let kept = pack_bytes(&repo.join("data"));
    // No restore point of the copy exists.
    let rows = console.ok(&["backups", "list", "--json"]).json();
    assert!(
        !rows
            .as_array()
            .expect("rows")
            .iter()
            .any(|b| b["job"] == "big-copy"),
        "a half copy is visible: {rows}"
    );
    // The next run finishes it, sending less than everything again.
    let done = summary(&console.ok(&["job", "run", "big-copy", "--json"]));
    assert_eq!(done["result"], "success", "{done}");
    // The data is random (incompressible): a full copy sends at least its
    // 120 MiB. What the killed run kept is not sent again.
    let sent = done["stats"]["bytes_written"].as_u64().expect("n");
    assert!(
        sent > 0 && sent + kept / 2 < 120 << 20,
        "sent {sent} bytes after {kept} bytes were kept"
    );
    console.assert_restores("big-copy", &src, &tmp.path().join("out"));
}

#[test]
fn an_immediate_copy_starts_when_a_rescan_finds_new_restore_points() {
    use cairn_console::Console;
    use cairn_model::{BackupJobSettings, CopyMode, CopySettings, RepositoryTarget, Secret};
    use std::sync::Arc;
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let bucket = make_bucket(false);
    let src = machine_data(tmp.path(), 4);
    appliance_s3(&appliance, &bucket, "web", "i-0imm", &src, &[], "test\n");
    let console = Arc::new(Console::open(&tmp.path().join("console")).expect("console"));
    let target = RepositoryTarget::S3 {
        region: "us-east-1".into(),
        endpoint: Some(s3_endpoint()),
        access_key_id: "test".into(),
        secret_access_key: Secret("test".into()),
        bucket: bucket.clone(),
        folder: "appliance".into(),
        storage_class: "standard".into(),
        immutable_days: None,
    };
    console
        .connect_external("apps", "", &target, None, false)
        .expect("connect");
    let (session, recs) = console.begin_rescan(Some("apps")).expect("rescan");
    console
        .run_rescan(session, &recs, Arc::new(cairn_console::NoProgress))
        .expect("first rescan");
    let settings = BackupJobSettings {
        copy: Some(CopySettings {
            mode: CopyMode::Immediate,
            sources: console.copy_sources("apps/i-0imm").expect("source"),
            ..Default::default()
        }),
        ..Default::default()
    };
    console
        .create_backup_job("mirror", "Default Backup Repository", "", settings, None)
        .expect("job");
    // The appliance writes a new restore point; the rescan that finds it
    // starts the immediate copy, which copies both points.
    std::fs::write(src.join("etc/hostname"), "changed\n").expect("write");
    appliance_s3(&appliance, &bucket, "web", "i-0imm", &src, &[], "test\n");
    console.start_rescan(Some("apps")).expect("rescan");
    let start = std::time::Instant::now();
    loop {
        let rows = console.backup_rows().expect("rows");
        if let Some(b) = rows.iter().find(|b| b.job_name == "mirror") {
            if b.restore_points == 2 {
                assert_eq!(b.machine, "i-0imm");
                assert_eq!(b.platform, "EC2");
                break;
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(120),
            "the immediate copy did not run: {rows:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // The copies keep the source points' times.
    let ext = rows_of(&console, "web");
    let copy = rows_of(&console, "mirror");
    assert_eq!(ext, copy);
}

/// Times of the restore points of the backup whose job is `job`.
fn rows_of(console: &cairn_console::Console, job: &str) -> Vec<i64> {
    let id = console
        .backup_rows()
        .expect("rows")
        .into_iter()
        .find(|b| b.job_name == job)
        .expect("backup")
        .id;
    let mut t: Vec<i64> = console
        .restore_point_rows(&id)
        .expect("points")
        .into_iter()
        .map(|p| p.time)
        .collect();
    t.sort();
    t
}

/// Copies every object below `folder/` of bucket `from` into bucket `to`,
/// as someone who can write the storage would plant them.
fn plant_objects(from: &str, to: &str, folder: &str) -> usize {
    let keys: Vec<String> = bucket_listing(from)
        .into_keys()
        .filter(|k| k.starts_with(folder) && !k.ends_with("/owner") && !k.ends_with("/config"))
        .collect();
    block_on(async {
        let c = s3_client();
        for k in &keys {
            let body = c
                .get_object()
                .bucket(from)
                .key(k)
                .send()
                .await
                .expect("get");
            let bytes = body.body.collect().await.expect("body").into_bytes();
            c.put_object()
                .bucket(to)
                .key(k)
                .body(bytes.into())
                .send()
                .await
                .expect("put");
        }
    });
    keys.len()
}

#[test]
fn plain_backups_planted_over_an_encrypted_appliance_backup_are_refused_by_the_rescan_and_the_appliance(
) {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let (bucket, ep) = (make_bucket(false), s3_endpoint());
    let machine = machine_data(tmp.path(), 1);
    let sealed = ["--password-stdin"];
    appliance_s3(
        &appliance,
        &bucket,
        "db",
        "i-0bbb3",
        &machine,
        &sealed,
        "test\ndb-pw\n",
    );
    let add = [
        external_add_s3("apps", &bucket, &ep),
        vec!["--password-stdin"],
    ]
    .concat();
    console.ok_stdin(&add, "test\ndb-pw\n");

    // The attacker's own plain backup of the same policy and machine, its
    // key file, metadata, points and packs copied over the real ones.
    let forged = tmp.path().join("forged");
    std::fs::create_dir_all(&forged).expect("mkdir");
    std::fs::write(forged.join("planted.txt"), "open without a password").expect("write");
    let attacker = Cairn::new(&tmp.path().join("attacker"));
    let theirs = make_bucket(false);
    appliance_s3(&attacker, &theirs, "db", "i-0bbb3", &forged, &[], "test\n");
    assert!(plant_objects(&theirs, &bucket, "appliance/") > 3);

    let r = console.run(&["external", "rescan", "apps"], None);
    assert_ne!(r.code, 0, "the rescan reports the forgery: {}", r.stdout);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(
        said.contains("was encrypted and is now written with the plain key set"),
        "{said}"
    );
    let listed = console.ok(&["backups", "list", "--json"]).json();
    let db = listed
        .as_array()
        .expect("rows")
        .iter()
        .find(|b| b["machine"] == "i-0bbb3");
    assert_eq!(
        db.expect("the backup is kept")["encrypted"],
        true,
        "{listed}"
    );

    // The appliance, given the password, refuses to go on in plain text.
    let again = appliance.try_appliance_s3(
        &bucket,
        "db",
        "i-0bbb3",
        &machine,
        &["--password-stdin"],
        "test\ndb-pw\n",
    );
    assert_ne!(again.code, 0, "the appliance must fail: {}", again.stdout);
    assert!(
        again.stderr.contains("is not encrypted") && again.stderr.contains("replaced"),
        "{}",
        again.stderr
    );
}

#[test]
fn an_encrypted_appliance_backup_is_browsed_searched_and_restored_straight_from_the_bucket() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let src = machine_data(tmp.path(), 7);
    appliance_s3(
        &appliance,
        &bucket,
        "db",
        "i-0ccc7",
        &src,
        &["--password-stdin"],
        "test\ndb-secret-pw\n",
    );
    console.ok_stdin(
        &[
            external_add_s3("apps", &bucket, &ep),
            vec!["--password-stdin"],
        ]
        .concat(),
        "test\ndb-secret-pw\n",
    );
    let before = bucket_listing(&bucket);
    let id = listed(&console, "db")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let root = src.to_str().expect("utf-8");

    // Browse and find open it with the password stored when it was connected.
    let b = console
        .ok(&["--json", "browse", &id, &format!("{root}/etc")])
        .json();
    let names: Vec<&str> = b["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["hostname", "os-release"]);
    let found = console.ok(&["--json", "find", &id, "*.bin"]).json();
    let mut paths: Vec<&str> = found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            format!("{root}/var/lib/own.bin"),
            format!("{root}/var/lib/shared.bin")
        ]
    );

    // A file and a folder restore equal to the source.
    let out = tmp.path().join("out");
    let file = format!("{root}/etc/hostname");
    console.ok(&[
        "restore",
        &id,
        "--path",
        &file,
        "--to",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        std::fs::read(out.join("hostname")).expect("restored file"),
        std::fs::read(&file).expect("source file")
    );
    let folder = tmp.path().join("folder");
    console.ok(&[
        "restore",
        &id,
        "--path",
        &format!("{root}/var"),
        "--to",
        folder.to_str().expect("utf-8"),
    ]);
    cairn_tests::tree::assert_same(&src.join("var"), &folder.join("var"));

    // A wrong password given explicitly does not open it.
    let wrong = console.run(&["browse", &id, "--password-stdin"], Some("wrong\n"));
    assert_ne!(wrong.code, 0, "{}", wrong.stdout);
    assert_eq!(
        bucket_listing(&bucket),
        before,
        "nothing was written to the external bucket"
    );
}
