//! The backup engine through the `cairn` CLI on temporary folders: round
//! trips, incremental forever, dedup, encryption, crashes, corruption,
//! retention and restores to the original location.

use cairn_tests::cli::Cairn;
use cairn_tests::tree::{assert_same, bytes, count_files, inode, snapshot};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const REPO: &str = "Default Backup Repository";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// A source tree with the kinds of things backups must preserve.
fn make_source(root: &Path) {
    let d = |p: &str| {
        std::fs::create_dir_all(root.join(p)).expect("mkdir");
    };
    d("docs/reports");
    d("empty");
    d("bin");
    std::fs::write(root.join("docs/readme.md"), b"# Read me\n").expect("write");
    std::fs::write(
        root.join("docs/reports/q3.csv"),
        "a,b,c\n1,2,3\n".repeat(5000),
    )
    .expect("write");
    std::fs::write(root.join("bin/tool"), bytes(1, 3 << 20)).expect("write");
    std::fs::set_permissions(
        root.join("bin/tool"),
        std::fs::Permissions::from_mode(0o750),
    )
    .expect("chmod");
    std::fs::write(root.join("docs/private.txt"), b"keep out").expect("write");
    std::fs::set_permissions(
        root.join("docs/private.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("docs/readme.md", root.join("link-to-readme")).expect("symlink");
    std::os::unix::fs::symlink("/nonexistent/target", root.join("dangling")).expect("symlink");
    std::fs::hard_link(root.join("docs/readme.md"), root.join("readme-hardlink"))
        .expect("hard link");
    xattr::set(root.join("docs/readme.md"), "user.cairn.test", b"tagged")
        .expect("user xattrs on the test file system");
    let t = filetime::FileTime::from_unix_time(1_600_000_000, 123_456_789);
    filetime::set_file_mtime(root.join("docs/reports/q3.csv"), t).expect("mtime");
}

fn job(cairn: &Cairn, name: &str, src: &Path, extra: &[&str]) {
    let mut args = vec![
        "job",
        "create",
        "backup",
        name,
        "--repo",
        REPO,
        "--include",
        s(src),
    ];
    args.extend_from_slice(extra);
    cairn.ok(&args);
}

fn run_json(cairn: &Cairn, name: &str) -> serde_json::Value {
    let r = cairn.ok(&["--json", "job", "run", name]);
    let last = r.stdout.lines().last().expect("summary line");
    let v: serde_json::Value = serde_json::from_str(last).expect("json line");
    assert_eq!(v["event"], "summary", "{last}");
    v["report"].clone()
}

fn restored(out: &Path, src: &Path) -> PathBuf {
    out.join(src.strip_prefix("/").expect("absolute"))
}

#[test]
fn backup_then_restore_gives_back_the_same_bytes_and_metadata() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    make_source(&src);
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "files", &src, &[]);
    let report = run_json(&cairn, "files");
    assert_eq!(report["result"], "success");
    let out = tmp.path().join("out");
    cairn.ok(&["restore", "files", "--to", s(&out)]);
    let back = restored(&out, &src);
    assert_same(&src, &back);
    assert_eq!(
        inode(&back.join("docs/readme.md")),
        inode(&back.join("readme-hardlink")),
        "hard link kept"
    );
    // A single file, by path, into another folder.
    let one = tmp.path().join("one");
    let path = format!("{}/docs/private.txt", s(&src));
    cairn.ok(&["restore", "files", "--path", &path, "--to", s(&one)]);
    assert_eq!(
        std::fs::read(one.join("private.txt")).expect("restored"),
        b"keep out"
    );
    // Browsing lists the folder without reading data.
    let b = cairn
        .ok(&["--json", "browse", "files", &format!("{}/docs", s(&src))])
        .json();
    let names: Vec<&str> = b["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["private.txt", "readme.md", "reports"]);
}

#[test]
fn an_unchanged_second_backup_adds_only_a_manifest_and_metadata() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    make_source(&src);
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "files", &src, &[]);
    run_json(&cairn, "files");
    let repo = cairn.default_repo();
    let data_before = snapshot(&repo.join("data"));
    let index_before = snapshot(&repo.join("index"));
    let points_before = count_files(&repo.join("snapshots"));
    let report = run_json(&cairn, "files");
    assert_eq!(
        report["stats"]["bytes_read"], 0,
        "no file was read again: {report}"
    );
    assert_eq!(
        report["stats"]["bytes_written"], 0,
        "no pack was written: {report}"
    );
    assert_eq!(snapshot(&repo.join("data")), data_before);
    assert_eq!(snapshot(&repo.join("index")), index_before);
    assert_eq!(count_files(&repo.join("snapshots")), points_before + 1);
}

#[test]
fn changing_one_percent_of_files_adds_about_one_percent_of_data() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..100u64 {
        std::fs::write(src.join(format!("f{i:03}.bin")), bytes(i + 10, 400_000)).expect("write");
    }
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "set", &src, &["--compression", "none"]);
    let first = run_json(&cairn, "set");
    let total = first["stats"]["bytes_written"].as_u64().expect("bytes");
    assert!(total >= 40_000_000, "first run stores the data: {total}");
    std::fs::write(src.join("f050.bin"), bytes(9999, 400_000)).expect("rewrite one file");
    let second = run_json(&cairn, "set");
    let added = second["stats"]["bytes_written"].as_u64().expect("bytes");
    assert_eq!(
        second["stats"]["bytes_read"], 400_000,
        "only the changed file is read: {second}"
    );
    assert!(
        added >= 400_000 && added <= total * 3 / 100,
        "about 1% added: {added} of {total}"
    );
}

#[test]
fn an_encrypted_job_hides_the_data_and_a_wrong_password_fails_cleanly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let marker = "CAIRN-PLAINTEXT-MARKER-7f3a";
    std::fs::write(src.join("secret.txt"), marker.repeat(1000)).expect("write");
    let cairn = Cairn::new(tmp.path());
    let r = cairn.run(
        &[
            "job",
            "create",
            "backup",
            "vault",
            "--repo",
            REPO,
            "--include",
            s(&src),
            "--encrypt",
            "--password-stdin",
        ],
        Some("correct horse\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    cairn.ok_stdin(
        &["job", "run", "vault", "--password-stdin"],
        "correct horse\n",
    );
    let repo = cairn.default_repo();
    let before = snapshot(&repo);
    for (p, content) in &before {
        let text = String::from_utf8_lossy(content);
        assert!(!text.contains(marker), "plaintext found in {}", p.display());
        assert!(
            !text.contains("secret.txt"),
            "a file name found in {}",
            p.display()
        );
    }
    let bad = cairn.run(
        &["job", "run", "vault", "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr
            .contains("wrong password for repository Default Backup Repository"),
        "{}",
        bad.stderr
    );
    assert_eq!(snapshot(&repo), before, "a failed run changes nothing");
    let out = tmp.path().join("out");
    let bad = cairn.run(
        &["restore", "vault", "--to", s(&out), "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("wrong password"), "{}", bad.stderr);
    cairn.ok_stdin(
        &["restore", "vault", "--to", s(&out), "--password-stdin"],
        "correct horse\n",
    );
    assert_same(&src, &restored(&out, &src));
}

#[test]
fn a_backup_killed_halfway_leaves_a_valid_repository_and_the_next_run_completes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    for i in 0..60u64 {
        std::fs::write(src.join(format!("big{i:02}.bin")), bytes(i + 100, 8 << 20)).expect("write");
    }
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "big", &src, &["--compression", "none"]);
    let repo = cairn.default_repo();
    let mut child = std::process::Command::new(&cairn.bin)
        .args(["--data-dir", s(&cairn.data), "job", "run", "big"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    // Kill it once a few packs are on disk, well before the end.
    let start = std::time::Instant::now();
    while count_files(&repo.join("data")) < 3
        && start.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let finished_early = child.try_wait().expect("poll").is_some();
    unsafe_free_kill(child.id());
    let _ = child.wait();
    assert!(
        !finished_early,
        "the backup finished before it could be killed; make the data set larger"
    );
    assert_eq!(
        count_files(&repo.join("snapshots")),
        0,
        "no half restore point is visible"
    );
    let check = cairn.run(&["check", REPO, "--full"], None);
    assert_eq!(
        check.code, 0,
        "check after the kill: {}{}",
        check.stdout, check.stderr
    );
    // The killed run's session is closed as interrupted, not left running.
    let jobs = cairn.ok(&["--json", "job", "list"]).json();
    assert_eq!(jobs[0]["status"], "Idle", "{jobs}");
    assert_eq!(jobs[0]["last_result"], "failed", "{jobs}");
    let db = rusqlite::Connection::open(cairn.data.join("cairn.sqlite")).expect("catalog");
    let details: String = db
        .query_row("SELECT details FROM sessions WHERE name = 'big'", [], |r| {
            r.get(0)
        })
        .expect("session");
    assert!(details.starts_with("Interrupted"), "{details}");
    let report = run_json(&cairn, "big");
    let written = report["stats"]["bytes_written"].as_u64().expect("bytes");
    assert!(
        written < 60 * (8 << 20),
        "packs uploaded before the kill are reused: {written}"
    );
    let out = tmp.path().join("out");
    cairn.ok(&["restore", "big", "--to", s(&out)]);
    assert_same(&src, &restored(&out, &src));
    cairn.ok(&["check", REPO, "--full"]);
}

/// SIGKILL through the `kill` command (the crate forbids unsafe code).
fn unsafe_free_kill(pid: u32) {
    let st = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
}

#[test]
fn a_corrupted_pack_byte_is_found_by_a_full_check_and_names_the_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("precious.bin"), bytes(5, 2 << 20)).expect("write");
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "p", &src, &["--compression", "none"]);
    run_json(&cairn, "p");
    cairn.ok(&["check", REPO]);
    cairn.ok(&["check", REPO, "--full"]);
    let packs = snapshot(&cairn.default_repo().join("data"));
    let (pack, content) = packs.iter().max_by_key(|(_, c)| c.len()).expect("a pack");
    let mut damaged = content.clone();
    damaged[1000] ^= 0xff;
    std::fs::write(pack, damaged).expect("damage");
    let quick = cairn.run(&["check", REPO], None);
    assert_eq!(
        quick.code, 0,
        "a quick check reads no data: {}",
        quick.stdout
    );
    let full = cairn.run(&["check", REPO, "--full"], None);
    assert_eq!(full.code, 1, "{}", full.stdout);
    assert!(
        full.stdout.contains(&format!("{}/precious.bin", s(&src))),
        "names the file: {}",
        full.stdout
    );
}

#[test]
fn retention_keeps_the_newest_points_only() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "r", &src, &["--retain-points", "2"]);
    let mut points = Vec::new();
    for i in 0..4 {
        std::fs::write(src.join("counter.txt"), format!("{i}")).expect("write");
        points.push(
            run_json(&cairn, "r")["point"]
                .as_str()
                .expect("point")
                .to_string(),
        );
    }
    let list = cairn.ok(&["--json", "backups", "list"]).json();
    let kept: Vec<&str> = list[0]["restore_points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["id"].as_str().expect("id"))
        .collect();
    assert_eq!(kept, vec![points[2].as_str(), points[3].as_str()]);
    let out = tmp.path().join("out");
    cairn.ok(&["restore", "r", "--point", &points[2], "--to", s(&out)]);
    assert_eq!(
        std::fs::read_to_string(restored(&out, &src).join("counter.txt")).expect("read"),
        "2"
    );
    let gone = cairn.run(
        &["restore", "r", "--point", &points[0], "--to", s(&out)],
        None,
    );
    assert_eq!(gone.code, 1);
    assert!(
        gone.stderr.contains("has no restore point"),
        "{}",
        gone.stderr
    );
}

#[test]
fn restore_to_the_original_location_overwrites_or_keeps() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("notes.txt"), b"original").expect("write");
    let cairn = Cairn::new(tmp.path());
    job(&cairn, "o", &src, &[]);
    run_json(&cairn, "o");
    std::fs::write(src.join("notes.txt"), b"changed later").expect("change");
    let path = format!("{}/notes.txt", s(&src));
    cairn.ok(&["restore", "o", "--path", &path, "--original", "--keep"]);
    assert_eq!(
        std::fs::read(src.join("notes.txt")).expect("read"),
        b"changed later",
        "keep leaves the file alone"
    );
    let kept: Vec<String> = std::fs::read_dir(&src)
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "notes.txt")
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let name = &kept[0];
    assert!(
        name.starts_with("notes.txt_RESTORED_")
            && name.len() == "notes.txt_RESTORED_20261121_235852".len(),
        "{name}"
    );
    assert_eq!(std::fs::read(src.join(name)).expect("read"), b"original");
    cairn.ok(&["restore", "o", "--path", &path, "--original", "--overwrite"]);
    assert_eq!(
        std::fs::read(src.join("notes.txt")).expect("read"),
        b"original"
    );
}

#[test]
fn masks_select_what_is_backed_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("cache")).expect("mkdir");
    std::fs::create_dir_all(src.join("work")).expect("mkdir");
    for f in [
        "a.txt",
        "b.tmp",
        "c.md",
        "cache/x.txt",
        "work/y.txt",
        "work/z.log",
    ] {
        std::fs::write(src.join(f), f).expect("write");
    }
    let cairn = Cairn::new(tmp.path());
    job(
        &cairn,
        "m",
        &src,
        &[
            "--exclude",
            "*.tmp",
            "cache/",
            "--include-mask",
            "*.txt",
            "*.tmp",
        ],
    );
    run_json(&cairn, "m");
    let out = tmp.path().join("out");
    cairn.ok(&["restore", "m", "--to", s(&out)]);
    let back = restored(&out, &src);
    let mut got: Vec<String> = cairn_tests::tree::facts(&back).into_keys().collect();
    got.sort();
    assert_eq!(got, vec!["a.txt", "work", "work/y.txt"]);
}

#[test]
fn bad_input_gets_a_clear_error_and_the_right_exit_code() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let r = cairn.run(&["job", "create", "backup", "x", "--repo", REPO], None);
    assert_eq!(r.code, 2, "missing --include is bad usage");
    let r = cairn.run(
        &[
            "job",
            "create",
            "backup",
            "x",
            "--repo",
            "nope",
            "--include",
            "/tmp",
        ],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no repository named \"nope\""),
        "{}",
        r.stderr
    );
    let r = cairn.run(
        &[
            "job",
            "create",
            "backup",
            "x",
            "--repo",
            REPO,
            "--include",
            "relative/path",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not absolute"), "{}", r.stderr);
    let r = cairn.run(
        &[
            "job",
            "create",
            "backup",
            "x",
            "--repo",
            REPO,
            "--include",
            "/tmp",
            "--retain-points",
            "0",
        ],
        None,
    );
    assert_eq!(r.code, 2);
    let jobs = cairn.ok(&["--json", "job", "list"]).json();
    assert_eq!(
        jobs.as_array().expect("list").len(),
        0,
        "nothing was created"
    );
    let r = cairn.run(&["job", "run", "ghost"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("cairn: no job named \"ghost\""),
        "{}",
        r.stderr
    );
}

#[test]
fn prune_deletes_packs_only_removed_points_used_after_the_grace_period() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("old.bin"), bytes(1, 6 << 20)).expect("write");
    let cairn = Cairn::new(tmp.path());
    job(
        &cairn,
        "p",
        &src,
        &["--compression", "none", "--retain-points", "1"],
    );
    run_json(&cairn, "p");
    std::fs::remove_file(src.join("old.bin")).expect("rm");
    std::fs::write(src.join("new.bin"), bytes(2, 3 << 20)).expect("write");
    let second = run_json(&cairn, "p");
    assert_eq!(
        second["removed_points"].as_array().expect("removed").len(),
        1
    );
    let data = cairn.default_repo().join("data");
    let packs = || count_files(&data);
    let before = packs();
    let size_before: usize = snapshot(&data).values().map(Vec::len).sum();
    // The job run marked the unused pack (phase one); within the grace
    // period nothing is deleted.
    let first = cairn.ok(&["--json", "prune", REPO]).summary();
    assert_eq!(first["deleted"], 0, "{first}");
    assert!(first["waiting"].as_u64().expect("waiting") >= 1, "{first}");
    assert_eq!(packs(), before);
    // Phase two deletes what is still unused.
    let second = cairn
        .ok(&["--json", "prune", REPO, "--grace-hours", "0"])
        .summary();
    assert!(
        second["deleted"].as_u64().expect("deleted") >= 1,
        "{second}"
    );
    let size_after: usize = snapshot(&data).values().map(Vec::len).sum();
    assert!(
        size_after + (5 << 20) < size_before,
        "the old file's data is gone: {size_before} -> {size_after}"
    );
    cairn.ok(&["check", REPO, "--full"]);
    let out = tmp.path().join("out");
    cairn.ok(&["restore", "p", "--to", s(&out)]);
    assert_same(&src, &restored(&out, &src));
}

#[test]
fn find_versions_and_diff_read_only_trees_across_three_restore_points() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let src = tmp.path().join("src");
    make_source(&src);
    job(&cairn, "explore", &src, &[]);
    let p1 = run_json(&cairn, "explore")["point"]
        .as_str()
        .expect("point")
        .to_string();
    std::fs::write(src.join("docs/readme.md"), b"# Read me, second edition\n").expect("write");
    std::fs::remove_file(src.join("docs/private.txt")).expect("rm");
    std::fs::write(src.join("docs/New-Report.pdf"), b"%PDF-1.7 new").expect("write");
    let p2 = run_json(&cairn, "explore")["point"]
        .as_str()
        .expect("point")
        .to_string();
    std::fs::write(src.join("bin/tool"), bytes(2, 3 << 20)).expect("write");
    let p3 = run_json(&cairn, "explore")["point"]
        .as_str()
        .expect("point")
        .to_string();
    let root = s(&src).to_string();

    // find: masks match whole names, plain text any part, both ignoring case.
    let r = cairn.ok(&["--json", "find", "explore", "*.CSV"]).json();
    assert_eq!(r["point"], p3.as_str());
    let paths: Vec<&str> = r["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, vec![format!("{root}/docs/reports/q3.csv")]);
    let r = cairn.ok(&["--json", "find", "explore", "report"]).json();
    let mut paths: Vec<String> = r["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            format!("{root}/docs/New-Report.pdf"),
            format!("{root}/docs/reports")
        ]
    );
    let r = cairn
        .ok(&[
            "--json", "find", "explore", "*", "--point", &p1, "--limit", "3",
        ])
        .json();
    assert_eq!(r["results"].as_array().expect("results").len(), 3);
    assert_eq!(r["truncated"], true);
    let r = cairn.ok(&["find", "explore", "*", "--limit", "2"]);
    assert!(r.stdout.contains("First 2 results shown"), "{}", r.stdout);

    // versions: each restore point in which the item differs.
    let versions = |path: &str| -> Vec<String> {
        cairn
            .ok(&["--json", "versions", "explore", &format!("{root}/{path}")])
            .json()
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| v["point"].as_str().expect("point").to_string())
            .collect()
    };
    assert_eq!(versions("docs/readme.md"), vec![p1.clone(), p2.clone()]);
    assert_eq!(versions("bin/tool"), vec![p1.clone(), p3.clone()]);
    assert_eq!(versions("docs/private.txt"), vec![p1.clone()]);
    assert_eq!(versions("docs/New-Report.pdf"), vec![p2.clone()]);
    let r = cairn.run(&["versions", "explore", &format!("{root}/nowhere")], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("in none of the restore points"),
        "{}",
        r.stderr
    );

    // diff: added, deleted and changed items; unchanged subtrees skipped.
    let diff = |a: &str, b: &str| -> Vec<(String, String)> {
        cairn
            .ok(&["--json", "diff", "explore", a, b])
            .json()
            .as_array()
            .expect("diff")
            .iter()
            .map(|d| {
                (
                    d["change"].as_str().expect("change").to_string(),
                    d["path"].as_str().expect("path").to_string(),
                )
            })
            .collect()
    };
    let d12 = diff(&p1, &p2);
    for expected in [
        ("added", format!("{root}/docs/New-Report.pdf")),
        ("deleted", format!("{root}/docs/private.txt")),
        ("changed", format!("{root}/docs/readme.md")),
        ("changed", format!("{root}/readme-hardlink")),
    ] {
        assert!(
            d12.contains(&(expected.0.to_string(), expected.1.clone())),
            "{expected:?} in {d12:?}"
        );
    }
    assert_eq!(d12.len(), 4, "{d12:?}");
    assert_eq!(
        diff(&p2, "latest"),
        vec![("changed".to_string(), format!("{root}/bin/tool"))]
    );
    assert!(diff(&p3, &p3).is_empty());
}
