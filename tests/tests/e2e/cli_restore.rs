//! Restores through the CLI that the Backup Browser also offers: only what
//! changed since the restore point, and copies with or without the owner.

use cairn_tests::cli::Cairn;
use cairn_tests::tree::{bytes, inode};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

#[test]
fn changed_only_restores_what_was_modified_or_deleted_and_leaves_the_rest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("docs")).expect("mkdir");
    std::fs::write(src.join("docs/report.txt"), "quarterly report\n").expect("write");
    std::fs::write(src.join("docs/letter.txt"), "dear reader\n").expect("write");
    std::fs::write(src.join("big.bin"), bytes(3, 2 << 20)).expect("write");
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "docs",
        "--repo",
        "Default Backup Repository",
        "--include",
        s(&src),
    ]);
    cairn.ok(&["job", "run", "docs"]);
    let untouched = inode(&src.join("big.bin"));
    std::fs::write(src.join("docs/report.txt"), "overwritten by mistake\n").expect("write");
    std::fs::remove_file(src.join("docs/letter.txt")).expect("rm");
    std::fs::write(src.join("docs/new.txt"), "made later\n").expect("write");
    let r = cairn
        .ok(&[
            "--json",
            "restore",
            "docs",
            "--path",
            s(&src),
            "--original",
            "--overwrite",
            "--changed-only",
        ])
        .json();
    assert_eq!(r["files_restored"], 2, "{r}");
    assert_eq!(
        std::fs::read_to_string(src.join("docs/report.txt")).expect("read"),
        "quarterly report\n"
    );
    assert_eq!(
        std::fs::read_to_string(src.join("docs/letter.txt")).expect("read"),
        "dear reader\n"
    );
    assert_eq!(
        inode(&src.join("big.bin")),
        untouched,
        "an unchanged file is not rewritten"
    );
    assert!(src.join("docs/new.txt").exists(), "a file made later stays");
}

#[test]
fn a_copy_keeps_the_owner_only_when_asked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = Cairn::new(tmp.path());
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let f = src.join("owned.txt");
    std::fs::write(&f, "owned by someone else\n").expect("write");
    std::os::unix::fs::chown(&f, Some(4321), Some(4321)).expect("chown (tests run as root)");
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "owned",
        "--repo",
        "Default Backup Repository",
        "--include",
        s(&src),
    ]);
    cairn.ok(&["job", "run", "owned"]);
    let plain = tmp.path().join("plain");
    let kept = tmp.path().join("kept");
    cairn.ok(&["restore", "owned", "--path", s(&f), "--to", s(&plain)]);
    cairn.ok(&[
        "restore",
        "owned",
        "--path",
        s(&f),
        "--to",
        s(&kept),
        "--preserve-owner",
    ]);
    let me = std::fs::metadata(tmp.path()).expect("meta").uid();
    assert_eq!(
        std::fs::metadata(plain.join("owned.txt"))
            .expect("meta")
            .uid(),
        me
    );
    let m = std::fs::metadata(kept.join("owned.txt")).expect("meta");
    assert_eq!((m.uid(), m.gid()), (4321, 4321));
}
