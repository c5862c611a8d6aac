//! Power cuts: `cairn job run` (backup and backup copy) and `cairn prune`
//! killed with SIGKILL at ten points each, picked from the run's own JSON
//! progress stream, on a local folder and on S3. After every kill the
//! repository checks clean with `check --full` and the next run completes;
//! at the end the latest point restores byte for byte.

use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use cairn_tests::tree::bytes;
use serde_json::Value;
use std::path::Path;

const POINTS: u64 = 10;
const FILES: u64 = 6;
const FILE_LEN: usize = 4 << 20;
/// Bytes a run reads anew: the two files `change` rewrites.
const CHANGED: u64 = 2 * FILE_LEN as u64;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Where the runs write: a second local folder, or a fresh S3 bucket.
enum Target {
    Local,
    S3,
}

/// A console with repository "target" and a backup job "crash" of `src`
/// into it (`copy`: into the default repository, copied into "target" by
/// job "crash-copy").
fn setup(tmp: &Path, target: Target, copy: bool) -> (Cairn, std::path::PathBuf) {
    let cairn = Cairn::new(tmp);
    match target {
        Target::Local => {
            let dir = tmp.join("target-repo");
            cairn.ok(&["repo", "add", "local", "target", "--path", s(&dir)]);
        }
        Target::S3 => {
            let (bucket, ep) = (make_bucket(false), s3_endpoint());
            let args = super::cloud::s3_repo_args("target", &bucket, &ep, "AKIACRASH");
            cairn.ok_stdin(&args, "test\n");
        }
    }
    let src = tmp.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let repo = if copy {
        "Default Backup Repository"
    } else {
        "target"
    };
    let create = [
        "job",
        "create",
        "backup",
        "crash",
        "--repo",
        repo,
        "--include",
        s(&src),
    ];
    cairn.ok(&create);
    if copy {
        let create = [
            "job",
            "create",
            "copy",
            "crash-copy",
            "--from-job",
            "crash",
            "--target",
            "target",
        ];
        cairn.ok(&create);
    }
    (cairn, src)
}

/// Rewrites two of the source's files with new content for `point`.
fn change(src: &Path, point: u64) {
    for i in 0..FILES {
        let path = src.join(format!("f{i}.bin"));
        if !path.exists() || i % 3 == point % 3 {
            std::fs::write(&path, bytes(point * FILES + i + 1, FILE_LEN)).expect("write");
        }
    }
}

/// Point `p` of a run: the first progress line past p/(POINTS-1) of the
/// bytes the run reads anew for the first nine (p = 0: its first progress
/// line), and the log line that says the restore point was made (or
/// copied) for the last.
fn point_of_run(p: u64) -> impl FnMut(&Value) -> bool {
    move |v: &Value| {
        if p == POINTS - 1 {
            let msg = v["message"].as_str().unwrap_or("");
            return v["event"] == "log" && msg.starts_with("Restore point");
        }
        let read = v["bytes_read"].as_u64().unwrap_or(0);
        v["event"] == "progress" && read * (POINTS - 1) >= p * CHANGED
    }
}

fn run_to_end(cairn: &Cairn, job: &str) {
    let report = cairn.ok(&["--json", "job", "run", job]).summary();
    assert_eq!(report["result"], "success", "{report}");
}

fn assert_checks(cairn: &Cairn, what: &str) {
    let r = cairn.run(&["check", "target", "--full"], None);
    assert_eq!(
        r.code, 0,
        "{what}: check --full failed: {}{}",
        r.stdout, r.stderr
    );
}

/// Kills job `job` at every point, each time after a change of the source;
/// `before` runs ahead of each killed run (the copy's source backup).
fn matrix(cairn: &Cairn, src: &Path, job: &str, before: Option<&str>) {
    for p in 0..POINTS {
        change(src, p + 1);
        if let Some(b) = before {
            run_to_end(cairn, b);
        }
        let killed = cairn.kill_at(&["job", "run", job], None, &mut point_of_run(p));
        assert!(killed, "{job}: point {p} was never reached");
        assert_checks(cairn, &format!("{job} killed at point {p}"));
        run_to_end(cairn, job);
        assert_checks(cairn, &format!("{job} after point {p}"));
    }
}

/// The backup matrix (`copy`: the backup copy matrix, with the backup
/// into the default repository run ahead of each killed copy) into
/// `target`; then the latest point restores.
fn backup_or_copy_matrix(target: Target, copy: bool) {
    let tmp = tempfile::tempdir().expect("tmp");
    let (cairn, src) = setup(tmp.path(), target, copy);
    let (job, before) = if copy {
        ("crash-copy", Some("crash"))
    } else {
        ("crash", None)
    };
    matrix(&cairn, &src, job, before);
    cairn.assert_restores(job, &src, &tmp.path().join("restored"));
}

#[test]
fn a_backup_killed_at_ten_points_on_a_local_folder_leaves_a_clean_repository() {
    backup_or_copy_matrix(Target::Local, false);
}

#[test]
fn a_backup_killed_at_ten_points_on_s3_leaves_a_clean_repository() {
    backup_or_copy_matrix(Target::S3, false);
}

#[test]
fn a_backup_copy_killed_at_ten_points_into_a_local_folder_leaves_a_clean_repository() {
    backup_or_copy_matrix(Target::Local, true);
}

#[test]
fn a_backup_copy_killed_at_ten_points_into_s3_leaves_a_clean_repository() {
    backup_or_copy_matrix(Target::S3, true);
}

/// Runs of job "junk" (one point kept) that leave at least `packs`
/// unused packs behind, all marked by the runs' own prune.
fn make_garbage(cairn: &Cairn, junk: &Path, round: u64, runs: u64) {
    for r in 0..runs {
        let seed = 1_000 + round * 100 + r;
        std::fs::write(junk.join("j.bin"), bytes(seed, 64 << 10)).expect("write");
        run_to_end(cairn, "junk");
    }
}

/// Kills `cairn prune` at ten points of its deleting phase: the first
/// progress line with at least 1 + p·(due−1)/10 packs deleted.
fn prune_matrix(cairn: &Cairn, tmp: &Path) {
    let junk = tmp.join("junk");
    std::fs::create_dir_all(&junk).expect("mkdir");
    let create = [
        "job",
        "create",
        "backup",
        "junk",
        "--repo",
        "target",
        "--include",
        s(&junk),
    ];
    cairn.ok(&[&create[..], &["--retain-points", "1"]].concat());
    for p in 0..POINTS {
        make_garbage(cairn, &junk, p, 6);
        let prune = ["prune", "target", "--grace-hours", "0"];
        let mut at = |v: &Value| {
            let due = v["files_total"].as_u64().unwrap_or(u64::MAX);
            let done = v["files"].as_u64().unwrap_or(0);
            v["event"] == "progress" && done * POINTS >= POINTS + p * due.saturating_sub(1)
        };
        assert!(
            cairn.kill_at(&prune, None, &mut at),
            "prune: point {p} was never reached"
        );
        assert_checks(cairn, &format!("prune killed at point {p}"));
        // The next prune finishes the work: nothing is left waiting.
        let report = cairn
            .ok(&["--json", "prune", "target", "--grace-hours", "0"])
            .summary();
        assert_eq!(
            (report["marked"].as_u64(), report["waiting"].as_u64()),
            (Some(0), Some(0)),
            "{report}"
        );
        assert_checks(cairn, &format!("prune after point {p}"));
    }
    cairn.assert_restores("junk", &junk, &tmp.join("restored-junk"));
}

#[test]
fn prune_killed_at_ten_points_on_a_local_folder_leaves_a_clean_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (cairn, _) = setup(tmp.path(), Target::Local, false);
    prune_matrix(&cairn, tmp.path());
}

#[test]
fn prune_killed_at_ten_points_on_s3_leaves_a_clean_repository() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (cairn, _) = setup(tmp.path(), Target::S3, false);
    prune_matrix(&cairn, tmp.path());
}
