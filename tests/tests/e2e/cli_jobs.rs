//! Jobs beyond one run: `cairn daemon` starting due jobs (a missed run once,
//! periodic runs, retries of a failed scheduled run, a job chained after
//! another), one scheduler per data folder, scheduled encrypted runs with
//! a locked keyring, and volume-level backups of a sparse disk image with
//! Active Full and Delete with backups.

use cairn_tests::cli::Cairn;
use cairn_tests::keyring::PrivateKeyring;
use cairn_tests::scheduler::{eventually, log_of, make_due, results_of, Daemon};
use cairn_tests::tree::bytes;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

fn cairn(data: &Path) -> Cairn {
    Cairn {
        bin: cairn_tests::binary("CAIRN_BIN", "cairn"),
        data: data.to_path_buf(),
    }
}

fn daemon(c: &Cairn, log: &Path) -> Daemon {
    Daemon::start(c, log, &[])
}

#[test]
fn the_daemon_runs_missed_periodic_retried_and_chained_jobs_once_per_data_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "alpha\n".repeat(100)).expect("write");
    let c = cairn(&data);
    let repo = "Default Backup Repository";
    let create = |name: &str, extra: &[&str]| {
        let mut a = vec![
            "job",
            "create",
            "backup",
            name,
            "--repo",
            repo,
            "--include",
            s(&src),
        ];
        a.extend_from_slice(extra);
        c.ok(&a);
    };
    // Daily jobs whose stored next start is moved an hour into the past
    // below, as if Cairn had been closed then. All jobs share one
    // repository: background runs queue for it.
    create("missed", &["--daily", "00:00"]);
    create("tick", &["--every", "1m"]);
    create("after-tick", &["--after", "tick"]);
    // Fails the first time (its pre-job script), succeeds on the retry.
    let marker = tmp.path().join("second-try");
    let script = tmp.path().join("flaky.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ -e '{m}' ]; then exit 0; fi\ntouch '{m}'\necho 'database busy' >&2\nexit 3\n",
            m = s(&marker)
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    create(
        "flaky",
        &[
            "--daily",
            "00:00",
            "--retry",
            "2",
            "--retry-wait",
            "1",
            "--pre-script",
            s(&script),
        ],
    );
    make_due(&data, "missed");
    make_due(&data, "flaky");

    let first = daemon(&c, &tmp.path().join("daemon1.log"));
    eventually("the missed run", || {
        results_of(&data, "missed") == vec!["success".to_string()]
    });
    assert!(
        log_of(&data, "missed")
            .iter()
            .any(|l| l.contains("was missed while Cairn was not running")),
        "{:?}",
        log_of(&data, "missed")
    );
    // A second daemon on the same data folder stays passive.
    let second_log = tmp.path().join("daemon2.log");
    let second = daemon(&c, &second_log);
    eventually("the second daemon to stand by", || {
        std::fs::read_to_string(&second_log)
            .unwrap_or_default()
            .contains("another Cairn process schedules")
    });
    drop(second);

    eventually("a periodic run and its chained job", || {
        results_of(&data, "tick").contains(&"success".to_string())
            && results_of(&data, "after-tick").contains(&"success".to_string())
    });
    assert!(log_of(&data, "tick")
        .iter()
        .any(|l| l.starts_with("Scheduled run (Every 1 minute")));
    assert!(log_of(&data, "after-tick")
        .iter()
        .any(|l| l == "Started after job tick finished"));

    eventually("the flaky job retried", || {
        let r = results_of(&data, "flaky");
        r.first().map(String::as_str) == Some("failed")
            && r.get(1).map(String::as_str) == Some("success")
    });
    let flaky = log_of(&data, "flaky");
    assert!(
        flaky.iter().any(|l| l.contains("database busy")),
        "{flaky:?}"
    );
    assert!(
        flaky
            .iter()
            .any(|l| l == "Automatic retry 1 of 2 after a failed run"),
        "{flaky:?}"
    );
    // The missed daily job ran once, not once per missed day or tick.
    assert_eq!(results_of(&data, "missed").len(), 1);
    drop(first);

    // Disabled jobs are not scheduled.
    c.ok(&["job", "disable", "tick"]);
    let list = c.ok(&["--json", "job", "list"]).json();
    let tick = list
        .as_array()
        .expect("jobs")
        .iter()
        .find(|j| j["name"] == "tick")
        .expect("tick")
        .clone();
    assert_eq!(tick["status"], "Disabled", "{tick}");
    assert!(tick["next_run"].is_null(), "{tick}");
}

/// Moves a job's stored next start an hour into the past, as if Cairn had
/// been closed when it was due.
/// Every file of a repository folder but its writer locks, with its bytes.
fn repository_files(repo: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = cairn_tests::tree::snapshot(repo);
    files.retain(|p, _| !p.starts_with(repo.join("locks")));
    files
}

/// Runs `cairn` like [`Cairn::run_env`], killed after four minutes: an
/// unlock prompt nobody answers must fail the test, not hang the suite.
fn run_bounded(c: &Cairn, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new("timeout")
        .arg("240")
        .arg(&c.bin)
        .args(["--data-dir", s(&c.data)])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run cairn");
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(code, 124, "cairn {args:?} hung (an unlock prompt?)");
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_locked_keyring_fails_encrypted_runs_at_once_saying_unlock_it_and_writes_nothing() {
    let keyring = PrivateKeyring::start();
    let env = keyring.env();
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "secret plans\n".repeat(100)).expect("write");
    let c = cairn(&data);
    let (r, _) = c.run_env(
        &["credentials", "add-password", "vault", "--password-stdin"],
        Some("correct horse battery\n"),
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (r, _) = c.run_env(
        &[
            "job",
            "create",
            "backup",
            "sealed",
            "--repo",
            "Default Backup Repository",
            "--include",
            s(&src),
            "--password-name",
            "vault",
            "--daily",
            "00:00",
        ],
        None,
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, err) = run_bounded(&c, &["job", "run", "sealed"], &env);
    assert_eq!(code, 0, "an unlocked keyring runs the job: {err}");
    let before = repository_files(&c.default_repo());

    // A screen lock locks the keyring; the window would show an unlock
    // prompt (this test's display is Xvfb), which nobody answers.
    keyring.lock();
    let (code, err) = run_bounded(&c, &["job", "run", "sealed"], &env);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("system keyring is locked") && err.contains("unlock it"),
        "{err}"
    );

    // No keyring at all (a headless daemon's bus without one) is as clear.
    let gone = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/cairn-bus",
    )];
    let (code, err) = run_bounded(&c, &["job", "run", "sealed"], &gone);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("system keyring is not available") && err.contains("start or unlock it"),
        "{err}"
    );

    // The daemon's scheduled run fails like the first, and ends its session.
    make_due(&data, "sealed");
    let _daemon = Daemon::start(&c, &tmp.path().join("daemon.log"), &env);
    eventually("the scheduled run to fail", || {
        results_of(&data, "sealed").len() >= 4
    });
    assert_eq!(
        results_of(&data, "sealed")[..4],
        ["success", "failed", "failed", "failed"],
        "{:?}",
        log_of(&data, "sealed")
    );
    assert!(
        log_of(&data, "sealed")
            .iter()
            .any(|l| l.contains("system keyring is locked")),
        "{:?}",
        log_of(&data, "sealed")
    );
    assert_eq!(
        repository_files(&c.default_repo()),
        before,
        "nothing was written to the repository"
    );
}

#[test]
fn volume_level_backup_of_a_sparse_image_skips_holes_and_restores_the_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let img = tmp.path().join("disk.img");
    let size: u64 = 256 << 20;
    {
        let mut f = std::fs::File::create(&img).expect("image");
        f.set_len(size).expect("size");
        f.write_all(&bytes(1, 1 << 20)).expect("write");
        f.seek(SeekFrom::Start(100 << 20)).expect("seek");
        f.write_all(&bytes(2, 3 << 20)).expect("write");
        f.seek(SeekFrom::Start(size - 4096)).expect("seek");
        f.write_all(&bytes(3, 4096)).expect("write");
    }
    let c = cairn(&data);
    // A folder is not a volume: refused with the reason, nothing stored.
    let bad = c.run(
        &[
            "job",
            "create",
            "backup",
            "bad",
            "--repo",
            "Default Backup Repository",
            "--volume",
            s(tmp.path()),
        ],
        None,
    );
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr
            .contains("neither a block device nor a disk image file"),
        "{}",
        bad.stderr
    );
    c.ok(&[
        "job",
        "create",
        "backup",
        "disk",
        "--repo",
        "Default Backup Repository",
        "--volume",
        s(&img),
    ]);
    let r = c.ok(&["--json", "job", "run", "disk"]);
    let last: serde_json::Value =
        serde_json::from_str(r.stdout.lines().last().expect("summary")).expect("json");
    let stats = &last["report"]["stats"];
    assert_eq!(stats["bytes"], size, "{stats}");
    let read = stats["bytes_read"].as_u64().expect("read");
    assert!(
        read < 16 << 20,
        "holes are not read: {read} bytes read of {size}"
    );

    // Active Full reads it again into a full restore point.
    c.ok(&["job", "run", "disk", "--active-full"]);
    let list = c.ok(&["--json", "backups", "list"]).json();
    let points = list[0]["restore_points"]
        .as_array()
        .expect("points")
        .clone();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1]["kind"], "full");

    let out = tmp.path().join("out");
    c.ok(&["restore", "disk", "--to", s(&out)]);
    let back = out.join(img.strip_prefix("/").expect("absolute"));
    assert_eq!(
        std::fs::read(&back).expect("restored image"),
        std::fs::read(&img).expect("image")
    );
    assert!(
        std::fs::metadata(&back).expect("meta").blocks() * 512 < size / 2,
        "the restored image is sparse again"
    );

    // A job for another computer is stored; running it explains why not.
    c.ok(&[
        "job",
        "create",
        "backup",
        "db-server",
        "--repo",
        "Default Backup Repository",
        "--include",
        "/srv/db",
        "--computer",
        "db01.example.com",
        "--os",
        "windows",
        "--type",
        "failover-cluster",
    ]);
    let r = c.run(&["job", "run", "db-server"], None);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("computer db01.example.com has no agent yet"),
        "{}",
        r.stderr
    );
    // Linux has no failover clusters.
    let r = c.run(
        &[
            "job",
            "create",
            "backup",
            "cluster",
            "--repo",
            "Default Backup Repository",
            "--include",
            "/srv",
            "--type",
            "failover-cluster",
        ],
        None,
    );
    assert!(r.stderr.contains("not available for Linux"), "{}", r.stderr);

    // Delete with backups removes the restore points too.
    c.ok(&["job", "delete", "disk", "--delete-backups"]);
    let list = c.ok(&["--json", "backups", "list"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
}
