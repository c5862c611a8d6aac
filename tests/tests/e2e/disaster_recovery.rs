//! A lost console loses no backup: a repository added to a fresh console
//! (a new machine, or `cairn.sqlite` lost) lists every backup in it at once
//! — encrypted ones by their restore points until the password is given —
//! and they restore; a new job mapped to one continues its chain; `repo
//! rescan` drops what is gone. For a local folder and an S3 bucket. A
//! configuration backup rebuilds a lost console whose scheduled runs then
//! succeed without re-entering a secret.

use cairn_tests::cli::Cairn;
use cairn_tests::keyring::PrivateKeyring;
use cairn_tests::scheduler::{eventually, log_of, make_due, results_of, Daemon};
use cairn_tests::services;
use cairn_tests::tree::assert_same;
use serde_json::Value;
use std::path::Path;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

fn backups(c: &Cairn) -> Vec<Value> {
    c.ok(&["--json", "backups", "list"])
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn backup(all: &[Value], pick: impl Fn(&Value) -> bool) -> &Value {
    all.iter().find(|b| pick(b)).expect("the backup is listed")
}

/// Where the repository lives.
enum Place {
    Folder(std::path::PathBuf),
    Bucket(String),
}

impl Place {
    /// `repo add` of this place under `name`.
    fn add(&self, c: &Cairn, name: &str) -> cairn_tests::cli::Run {
        match self {
            Self::Folder(path) => c.ok(&["repo", "add", "local", name, "--path", s(path)]),
            Self::Bucket(bucket) => {
                let args = services::s3_repo_add(name, bucket, Some("cairn"));
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                c.ok_stdin(&args, "secret\n")
            }
        }
    }
}

#[test]
fn a_local_repository_added_to_a_fresh_console_lists_its_backups_and_they_restore() {
    let tmp = tempfile::tempdir().expect("tmp");
    lost_console_round_trip(tmp.path(), &Place::Folder(tmp.path().join("repo")));
}

#[test]
fn an_s3_repository_added_to_a_fresh_console_lists_its_backups_and_they_restore() {
    let tmp = tempfile::tempdir().expect("tmp");
    lost_console_round_trip(tmp.path(), &Place::Bucket(services::make_bucket(false)));
}

fn lost_console_round_trip(tmp: &Path, place: &Place) {
    let src = tmp.join("src");
    std::fs::create_dir_all(src.join("docs")).expect("mkdir");
    std::fs::write(src.join("docs/plan.txt"), "the plan\n".repeat(500)).expect("write");
    std::fs::write(src.join("notes.md"), "# notes\n").expect("write");
    let first = Cairn::new(&tmp.join("first"));
    place.add(&first, "R");
    for (job, extra) in [
        ("plain", &[][..]),
        ("sealed", &["--encrypt", "--password-stdin"][..]),
    ] {
        let mut args = vec![
            "job",
            "create",
            "backup",
            job,
            "--repo",
            "R",
            "--include",
            s(&src),
        ];
        args.extend_from_slice(extra);
        first.ok_stdin(&args, "correct horse battery\n");
    }
    first.ok(&["job", "run", "plain"]);
    first.ok(&["job", "run", "plain"]);
    first.ok_stdin(
        &["job", "run", "sealed", "--password-stdin"],
        "correct horse battery\n",
    );
    let before = backups(&first);

    // A fresh console: adding the same folder finds both backups.
    let fresh = Cairn::new(&tmp.join("fresh"));
    let added = place.add(&fresh, "Found");
    assert!(
        added
            .stdout
            .contains("Rescan of Found: 2 backup(s), 3 restore point(s); 3 added, 0 removed"),
        "{}",
        added.stdout
    );
    let all = backups(&fresh);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|b| b["imported"] == true), "{all:?}");
    let plain = backup(&all, |b| b["job"] == "plain");
    let old_plain = backup(&before, |b| b["job"] == "plain");
    assert_eq!(plain["id"], old_plain["id"]);
    assert_eq!(plain["restore_points"], old_plain["restore_points"]);
    let sealed = backup(&all, |b| b["sealed"] == true);
    let old_sealed = backup(&before, |b| b["job"] == "sealed");
    assert_eq!(sealed["id"], old_sealed["id"]);
    assert_eq!(sealed["encrypted"], true);
    assert_eq!(
        sealed["restore_points"][0]["id"], old_sealed["restore_points"][0]["id"],
        "its point is listed before the password is known"
    );

    // The plain one restores at once; the encrypted one after its password.
    fresh.assert_restores("plain", &src, &tmp.join("out-plain"));
    let id = sealed["id"].as_str().expect("id").to_string();
    let out = tmp.join("out-sealed");
    let refused = fresh.run(&["restore", &id, "--to", s(&out)], None);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("encrypted; give its password"),
        "{}",
        refused.stderr
    );
    fresh.ok_stdin(
        &["restore", &id, "--to", s(&out), "--password-stdin"],
        "correct horse battery\n",
    );
    assert_same(&src, &out.join(src.strip_prefix("/").expect("absolute")));
    let opened = backups(&fresh);
    let opened = backup(&opened, |b| b["id"] == id.as_str());
    assert_eq!(
        opened["sealed"], false,
        "the password filled it in: {opened}"
    );
    assert_eq!(opened["job"], "sealed");
    assert_eq!(opened["restore_points"], old_sealed["restore_points"]);

    map_a_new_job_to_the_plain_backup(&fresh, &src, plain);

    // What is gone from the repository leaves the catalog at a rescan.
    first.ok(&["job", "delete", "plain", "--delete-backups"]);
    let rescan = fresh.ok(&["repo", "rescan", "Found"]);
    assert!(
        rescan
            .stdout
            .contains("1 backup(s), 1 restore point(s); 0 added, 2 removed"),
        "{}",
        rescan.stdout
    );
    let left = backups(&fresh);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["id"], id.as_str());
}

/// A new job mapped to the imported plain backup (two points) continues
/// its chain: an increment in the same backup, retention (two points)
/// applied across the old points and the new one.
fn map_a_new_job_to_the_plain_backup(fresh: &Cairn, src: &Path, plain: &Value) {
    let id = plain["id"].as_str().expect("id");
    let old: Vec<&Value> = plain["restore_points"]
        .as_array()
        .expect("points")
        .iter()
        .collect();
    assert_eq!(old.len(), 2, "{plain}");
    std::fs::write(src.join("notes.md"), "# notes\nchanged after the loss\n").expect("write");
    let include = s(src);
    let args = [
        "job",
        "create",
        "backup",
        "continued",
        "--repo",
        "Found",
        "--include",
        include,
        "--map-backup",
        id,
        "--retain-points",
        "2",
    ];
    fresh.ok(&args);
    let shown = fresh.ok(&["job", "show", "continued"]);
    assert!(
        shown.stdout.contains(&format!("Continues:   backup {id}")),
        "{}",
        shown.stdout
    );
    let taken = fresh.run(
        &[
            "job",
            "create",
            "backup",
            "second",
            "--repo",
            "Found",
            "--include",
            include,
            "--map-backup",
            id,
        ],
        None,
    );
    assert_ne!(taken.code, 0, "a backup continues one job only");
    assert!(
        taken.stderr.contains("already written by job continued"),
        "{}",
        taken.stderr
    );

    fresh.ok(&["job", "run", "continued"]);
    let all = backups(fresh);
    let now = backup(&all, |b| b["id"] == id);
    assert_eq!(now["imported"], false, "the job writes it now: {now}");
    assert_eq!(now["job"], "continued");
    let points = now["restore_points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "retention kept two of three: {now}");
    assert_eq!(
        points[0]["id"], old[1]["id"],
        "the oldest point went: {now}"
    );
    assert_eq!(
        points[1]["kind"], "increment",
        "the next run is an increment: {now}"
    );
    assert_eq!(
        all.iter().filter(|b| b["job"] == "continued").count(),
        1,
        "{all:?}"
    );
}

#[test]
fn a_copy_job_mapped_to_an_imported_copy_continues_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let src = t.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "first\n".repeat(300)).expect("write");
    let (primary, offsite) = (t.join("primary"), t.join("offsite"));
    let first = Cairn::new(&t.join("first"));
    first.ok(&["repo", "add", "local", "P", "--path", s(&primary)]);
    first.ok(&["repo", "add", "local", "O", "--path", s(&offsite)]);
    let include = s(&src);
    first.ok(&[
        "job",
        "create",
        "backup",
        "plain",
        "--repo",
        "P",
        "--include",
        include,
    ]);
    first.ok(&[
        "job",
        "create",
        "copy",
        "copy",
        "--from-job",
        "plain",
        "--target",
        "O",
    ]);
    first.ok(&["job", "run", "plain"]);
    first.ok(&["job", "run", "copy"]);

    let fresh = Cairn::new(&t.join("fresh"));
    fresh.ok(&["repo", "add", "local", "P2", "--path", s(&primary)]);
    fresh.ok(&["repo", "add", "local", "O2", "--path", s(&offsite)]);
    let all = backups(&fresh);
    let plain = backup(&all, |b| b["repository"] == "P2")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let copied = backup(&all, |b| b["repository"] == "O2")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let wrong = fresh.run(
        &[
            "job",
            "create",
            "backup",
            "b",
            "--repo",
            "O2",
            "--include",
            include,
            "--map-backup",
            &copied,
        ],
        None,
    );
    assert!(
        wrong
            .stderr
            .contains("is a backup copy: map it to a backup copy job"),
        "{}",
        wrong.stderr
    );

    std::fs::write(src.join("b.txt"), "after the loss\n").expect("write");
    fresh.ok(&[
        "job",
        "create",
        "backup",
        "plain2",
        "--repo",
        "P2",
        "--include",
        include,
        "--map-backup",
        &plain,
    ]);
    fresh.ok(&["job", "run", "plain2"]);
    let from = format!("P2/{plain}");
    fresh.ok(&[
        "job",
        "create",
        "copy",
        "copy2",
        "--from-backup",
        &from,
        "--target",
        "O2",
        "--map-backup",
        &copied,
    ]);
    fresh.ok(&["job", "run", "copy2"]);
    let all = backups(&fresh);
    let in_offsite: Vec<&Value> = all.iter().filter(|b| b["repository"] == "O2").collect();
    assert_eq!(
        in_offsite.len(),
        1,
        "the copy went on in the mapped backup: {all:?}"
    );
    let copy = in_offsite[0];
    assert_eq!(copy["id"], copied.as_str());
    assert_eq!(copy["imported"], false, "{copy}");
    assert_eq!(
        copy["restore_points"].as_array().expect("points").len(),
        2,
        "{copy}"
    );
    fresh.assert_restores(&copied, &src, &t.join("out"));
}

/// A console's CLI on a keyring of its own.
struct Keyed<'a> {
    c: Cairn,
    env: [(&'a str, &'a str); 1],
}

impl Keyed<'_> {
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> cairn_tests::cli::Run {
        let (r, _) = self.c.run_env(args, stdin, &self.env);
        assert_eq!(r.code, 0, "cairn {args:?}: {}", r.stderr);
        r
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.ok(&all, None).json()
    }
}

#[test]
fn a_configuration_backup_rebuilds_the_console_on_a_new_machine_with_its_secrets() {
    let (old_keyring, new_keyring) = (PrivateKeyring::start(), PrivateKeyring::start());
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let src = t.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "ledger\n".repeat(200)).expect("write");
    let (config_repo, include) = (t.join("config-repo"), s(&src));
    let bucket = services::make_bucket(false);
    let old = Keyed {
        c: Cairn::new(&t.join("old")),
        env: old_keyring.env(),
    };
    old.ok(
        &["repo", "add", "local", "Vault", "--path", s(&config_repo)],
        None,
    );
    old.ok(
        &["credentials", "add-password", "vault", "--password-stdin"],
        Some("correct horse battery\n"),
    );
    let args = services::s3_repo_add("Cloud", &bucket, None);
    old.ok(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        Some("s3-secret\n"),
    );
    old.ok(
        &[
            "job",
            "create",
            "backup",
            "sealed",
            "--repo",
            "Cloud",
            "--include",
            include,
            "--password-name",
            "vault",
            "--daily",
            "21:30",
        ],
        None,
    );
    old.ok(
        &[
            "job",
            "create",
            "backup",
            "plain",
            "--repo",
            "Vault",
            "--include",
            include,
            "--every",
            "4h",
        ],
        None,
    );
    old.ok(&["job", "run", "sealed"], None);
    let without = old.ok(&["config", "backup", "--repo", "Vault"], None);
    assert!(
        without
            .stdout
            .contains("enter again: S3 AKIATESTCAIRN, vault")
            || without
                .stdout
                .contains("enter again: vault, S3 AKIATESTCAIRN"),
        "{}",
        without.stdout
    );
    old.ok(
        &["config", "backup", "--repo", "Vault", "--password-stdin"],
        Some("config password\n"),
    );
    let jobs = old.json(&["job", "list"]);
    let repos = old.json(&["repo", "list"]);
    let specs: Vec<Value> = ["sealed", "plain"]
        .iter()
        .map(|j| old.json(&["job", "show", j]))
        .collect();
    std::fs::remove_dir_all(t.join("old")).expect("the old console is lost");

    let new = Keyed {
        c: Cairn::new(&t.join("new")),
        env: new_keyring.env(),
    };
    new.ok(
        &["repo", "add", "local", "Found", "--path", s(&config_repo)],
        None,
    );
    let (wrong, _) = new.c.run_env(
        &["config", "restore", "--repo", "Found", "--password-stdin"],
        Some("not it\n"),
        &new.env,
    );
    assert_ne!(wrong.code, 0, "a wrong password restores nothing");
    let restored = new.ok(
        &["config", "restore", "--repo", "Found", "--password-stdin"],
        Some("config password\n"),
    );
    assert!(
        restored
            .stdout
            .contains("2 job(s), 3 repositories, 2 secret(s) back in the keyring"),
        "{}",
        restored.stdout
    );
    let names = |v: &Value, key: &str| -> Vec<Value> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|r| r[key].clone())
            .collect()
    };
    let new_jobs = new.json(&["job", "list"]);
    for key in ["name", "kind", "objects", "target", "description"] {
        assert_eq!(names(&new_jobs, key), names(&jobs, key), "{key}");
    }
    let new_repos = new.json(&["repo", "list"]);
    for key in ["name", "kind", "location"] {
        let (mut a, mut b) = (names(&new_repos, key), names(&repos, key));
        if key == "location" {
            // The old default folder went with the old console.
            a.remove(0);
            b.remove(0);
        }
        assert_eq!(a, b, "{key}: {new_repos} vs {repos}");
    }
    for (j, spec) in ["sealed", "plain"].iter().zip(&specs) {
        assert_eq!(&new.json(&["job", "show", j]), spec);
    }
    let (again, _) = new.c.run_env(
        &["config", "restore", "--repo", "Vault", "--password-stdin"],
        Some("config password\n"),
        &new.env,
    );
    assert!(
        again.stderr.contains("already has jobs or credentials"),
        "{}",
        again.stderr
    );
    // Nothing to re-enter: the S3 secret and the job's password are back,
    // and the next scheduled runs succeed under the scheduler.
    std::fs::write(src.join("b.txt"), "after the move\n").expect("write");
    for job in ["sealed", "plain"] {
        make_due(&new.c.data, job);
    }
    let daemon = Daemon::start(&new.c, &t.join("daemon.log"), &new.env);
    eventually("both scheduled runs", || {
        ["sealed", "plain"].iter().all(|j| {
            !results_of(&new.c.data, j).is_empty() && results_of(&new.c.data, j) != ["running"]
        })
    });
    drop(daemon);
    for job in ["sealed", "plain"] {
        assert_eq!(
            results_of(&new.c.data, job),
            ["success"],
            "{job}: {:?}",
            log_of(&new.c.data, job)
        );
    }
    let all = new.json(&["backups", "list"]);
    let sealed = backup(all.as_array().expect("list"), |b| b["job"] == "sealed");
    assert_eq!(
        sealed["restore_points"].as_array().expect("points").len(),
        2,
        "{sealed}"
    );
}
