//! A restore point published as a read-only FUSE file system: the mount
//! equals the source, refuses writes, reads one file by that file's chunks
//! alone, and leaves nothing mounted once stopped.

use cairn_tests::cli::Cairn;
use cairn_tests::tree::{assert_same, bytes};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Why FUSE cannot run here, if it cannot.
fn fuse_missing() -> Option<String> {
    if !Path::new("/dev/fuse").exists() {
        return Some("/dev/fuse is missing (no FUSE in this kernel or container)".into());
    }
    let found = Command::new("sh")
        .args(["-c", "command -v fusermount3"])
        .output()
        .is_ok_and(|o| o.status.success());
    (!found).then(|| "fusermount3 is not installed (Debian package fuse3)".into())
}

/// `cairn mount` in the background, once its folder is mounted.
fn mount(c: &Cairn, backup: &str, dir: &Path) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(&c.bin)
        .arg("--data-dir")
        .arg(&c.data)
        .args(["--json", "mount", backup, s(dir)])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("cairn mount");
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    let start = Instant::now();
    while !cairn_console::is_mounted(dir) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the point is mounted within a minute"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "cairn mount ended early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, out)
}

/// Stops a mount with Ctrl+C; its report.
fn unmount(
    mut child: Child,
    out: BufReader<std::process::ChildStdout>,
    dir: &Path,
) -> serde_json::Value {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill")
        .success());
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "cairn mount stops cleanly on Ctrl+C: {status}"
    );
    assert!(!cairn_console::is_mounted(dir), "nothing stays mounted");
    let text: String = out.lines().map(|l| l.expect("line")).collect();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn a_mounted_point_equals_its_source_and_reads_one_file_by_its_own_chunks() {
    if let Some(why) = fuse_missing() {
        eprintln!("skipped: FUSE is unavailable here: {why}");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let c = Cairn::new(tmp.path());
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("deep/er")).expect("mkdir");
    for i in 0..3 {
        std::fs::write(src.join(format!("big{i}.bin")), bytes(40 + i, 5 << 20)).expect("write");
    }
    std::fs::write(src.join("deep/er/small.txt"), "one small file\n").expect("write");
    std::os::unix::fs::symlink("deep/er/small.txt", src.join("link")).expect("symlink");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        src.join("deep/er/small.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    c.ok(&[
        "job",
        "create",
        "backup",
        "docs",
        "--repo",
        "Default Backup Repository",
        "--include",
        s(&src),
    ]);
    c.ok(&["job", "run", "docs"]);
    let dir = tmp.path().join("mnt");
    std::fs::create_dir(&dir).expect("mkdir");
    let inside = dir.join(src.strip_prefix("/").expect("absolute"));

    let (child, out) = mount(&c, "docs", &dir);
    let diff = Command::new("diff")
        .args(["-r", s(&inside), s(&src)])
        .output()
        .expect("diff");
    assert!(
        diff.status.success(),
        "diff -r: {}",
        String::from_utf8_lossy(&diff.stdout)
    );
    assert_same(&src, &inside);
    assert!(
        std::fs::write(inside.join("new.txt"), "x").is_err(),
        "writes are refused"
    );
    let whole = unmount(child, out, &dir);
    let all = whole["chunks_fetched"].as_u64().expect("chunks");
    assert!(all >= 12, "the whole point is many chunks: {whole}");

    let (child, out) = mount(&c, "docs", &dir);
    let small = std::fs::read_to_string(inside.join("deep/er/small.txt")).expect("read");
    assert_eq!(small, "one small file\n");
    let one = unmount(child, out, &dir);
    assert_eq!(one["chunks_fetched"], 1, "one file, its one chunk: {one}");
    let requests = one["requests"].as_u64().expect("requests");
    assert!(
        requests <= 8 && requests < all,
        "the folders on the way and the file's chunk only: {one}"
    );
    let busy = c.run(&["mount", "docs", s(&tmp.path().join("src"))], None);
    assert!(busy.stderr.contains("not empty"), "{}", busy.stderr);
}
