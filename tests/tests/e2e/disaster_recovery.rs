//! A lost console loses no backup: a repository added to a fresh console
//! (a new machine, or `cairn.sqlite` lost) lists every backup in it at once
//! — encrypted ones by their restore points until the password is given —
//! and they restore; `repo rescan` drops what is gone.

use cairn_tests::cli::Cairn;
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

#[test]
fn a_repository_added_to_a_fresh_console_lists_its_backups_and_they_restore() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("docs")).expect("mkdir");
    std::fs::write(src.join("docs/plan.txt"), "the plan\n".repeat(500)).expect("write");
    std::fs::write(src.join("notes.md"), "# notes\n").expect("write");
    let repo = tmp.path().join("repo");
    let first = Cairn::new(&tmp.path().join("first"));
    first.ok(&["repo", "add", "local", "R", "--path", s(&repo)]);
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
    let fresh = Cairn::new(&tmp.path().join("fresh"));
    let added = fresh.ok(&["repo", "add", "local", "Found", "--path", s(&repo)]);
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
    fresh.assert_restores("plain", &src, &tmp.path().join("out-plain"));
    let id = sealed["id"].as_str().expect("id").to_string();
    let out = tmp.path().join("out-sealed");
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
