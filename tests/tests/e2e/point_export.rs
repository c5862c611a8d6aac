//! Restore points exported as self-contained `.cairn` files: restored
//! with the repository gone and no console catalog, refused when damaged
//! or opened without the password, and imported into a repository that
//! holds half the data, which then gains only the other half.

use cairn_tests::cli::Cairn;
use cairn_tests::tree::{assert_same, bytes};
use std::path::Path;

const PASSWORD: &str = "export file secret 9";
const HALF: usize = 3 << 20;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Bytes of every file under `dir`.
fn folder_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).expect("read dir") {
        let e = e.expect("entry");
        let m = e.metadata().expect("metadata");
        total += if m.is_dir() {
            folder_bytes(&e.path())
        } else {
            m.len()
        };
    }
    total
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A source of two halves of incompressible data, a text file, a
/// symlink and a file with its own mode.
fn source(root: &Path) -> std::path::PathBuf {
    let src = root.join("src");
    std::fs::create_dir_all(src.join("first")).expect("mkdir");
    std::fs::create_dir_all(src.join("second")).expect("mkdir");
    std::fs::write(src.join("first/a.bin"), bytes(11, HALF)).expect("write");
    std::fs::write(src.join("second/b.bin"), bytes(12, HALF)).expect("write");
    std::fs::write(src.join("first/notes.txt"), "export me\n").expect("write");
    std::os::unix::fs::symlink("first/notes.txt", src.join("notes")).expect("symlink");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        src.join("first/notes.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    src
}

fn job(c: &Cairn, name: &str, repo: &str, include: &Path, encrypt: bool) {
    let mut args = vec!["job", "create", "backup", name, "--repo", repo];
    args.extend(["--include", s(include)]);
    if encrypt {
        args.extend(["--encrypt", "--password-stdin"]);
        c.ok_stdin(&args, &format!("{PASSWORD}\n"));
        c.ok_stdin(
            &["job", "run", name, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        );
    } else {
        c.ok(&args);
        c.ok(&["job", "run", name]);
    }
}

#[test]
fn an_exported_point_restores_alone_and_imports_only_what_a_repository_lacks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = Cairn::new(tmp.path());
    let src = source(tmp.path());
    let scratch = tmp.path().join("scratch");
    c.ok(&["repo", "add", "local", "Scratch", "--path", s(&scratch)]);
    job(&c, "docs", "Scratch", &src, false);
    job(&c, "secret", "Scratch", &src, true);
    let (plain, sealed) = (
        tmp.path().join("docs.cairn"),
        tmp.path().join("secret.cairn"),
    );
    c.ok(&["export", "docs", "--out", s(&plain)]);
    let r = c.run(&["export", "secret", "--out", s(&sealed)], None);
    assert_ne!(r.code, 0, "an encrypted backup needs its password");
    c.ok_stdin(
        &["export", "secret", "--out", s(&sealed), "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    let again = c.run(&["export", "docs", "--out", s(&plain)], None);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // Incompressible bytes are stored as they are: the plain file shows
    // them, the encrypted one must not.
    let marker = &bytes(11, HALF)[4096..4160];
    assert!(contains(&std::fs::read(&plain).expect("read"), marker));
    assert!(!contains(&std::fs::read(&sealed).expect("read"), marker));

    std::fs::remove_dir_all(&scratch).expect("delete the repository");
    restores_from_the_file_alone(tmp.path(), &src, &sealed);
    damaged_files_are_refused(tmp.path(), &sealed);
    c.ok(&["job", "delete", "docs"]);
    c.ok(&["job", "delete", "secret"]);
    c.ok(&["repo", "remove", "Scratch"]);
    imports_only_the_missing_half(&c, tmp.path(), &src, &plain, &sealed);
}

/// A console that never saw the backup restores the file: no
/// repository, no catalog (its data folder is never made).
fn restores_from_the_file_alone(root: &Path, src: &Path, sealed: &Path) {
    let fresh = Cairn::new(&root.join("elsewhere"));
    let listed = fresh
        .ok_stdin(
            &[
                "--json",
                "browse",
                "--file",
                s(sealed),
                s(&src.join("first")),
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        )
        .json();
    let names: Vec<_> = listed["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(names, ["a.bin", "notes.txt"], "{listed}");
    let asked = fresh.run(&["browse", "--file", s(sealed)], None);
    assert!(asked.stderr.contains("password"), "{}", asked.stderr);
    let wrong = fresh.run(
        &["browse", "--file", s(sealed), "--password-stdin"],
        Some("not the password\n"),
    );
    assert_ne!(wrong.code, 0, "a wrong password opens nothing");
    let out = root.join("from-file");
    fresh.ok_stdin(
        &[
            "restore",
            "--file",
            s(sealed),
            "--to",
            s(&out),
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_same(src, &out.join(src.strip_prefix("/").expect("absolute")));
    assert!(!fresh.data.exists(), "a file is restored with no catalog");
}

/// A cut-short file and a changed byte are refused with a reason, never
/// restored.
fn damaged_files_are_refused(root: &Path, sealed: &Path) {
    let c = Cairn::new(&root.join("damaged"));
    let good = std::fs::read(sealed).expect("read");
    let cut = root.join("cut.cairn");
    std::fs::write(&cut, &good[..good.len() - 5]).expect("write");
    let r = c.run(
        &["browse", "--file", s(&cut), "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(r.stderr.contains("not a Cairn export file"), "{}", r.stderr);
    let mut flipped = good.clone();
    flipped[HALF / 2] ^= 0x40;
    let bad = root.join("flipped.cairn");
    std::fs::write(&bad, &flipped).expect("write");
    let out = root.join("from-damaged");
    let r = c.run(
        &[
            "restore",
            "--file",
            s(&bad),
            "--to",
            s(&out),
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_ne!(r.code, 0, "a changed byte must not restore: {}", r.stdout);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// A repository holding the first half gains only the second from the
/// plain file; the encrypted file imports under its own keys.
fn imports_only_the_missing_half(c: &Cairn, root: &Path, src: &Path, plain: &Path, sealed: &Path) {
    let half = root.join("half");
    c.ok(&["repo", "add", "local", "Half", "--path", s(&half)]);
    job(c, "first", "Half", &src.join("first"), false);
    let before = folder_bytes(&half.join("data"));
    let r = c
        .ok(&["--json", "import", s(plain), "--repo", "Half"])
        .json();
    let added = folder_bytes(&half.join("data")) - before;
    assert_eq!(r["bytes_written"].as_u64(), Some(added), "{r}");
    assert!(
        added >= HALF as u64 && added < HALF as u64 + (256 << 10),
        "only the second half is added: {added} bytes ({r})"
    );
    assert!(r["chunks_present"].as_u64().expect("present") > 0, "{r}");
    let again = c.run(&["import", s(plain), "--repo", "Half"], None);
    assert!(again.stderr.contains("already holds"), "{}", again.stderr);
    let out = root.join("imported");
    c.ok(&["restore", "docs", "--to", s(&out)]);
    assert_same(src, &out.join(src.strip_prefix("/").expect("absolute")));

    c.ok_stdin(
        &["import", s(sealed), "--repo", "Half", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    let out = root.join("imported-secret");
    c.ok_stdin(
        &["restore", "secret", "--to", s(&out), "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_same(src, &out.join(src.strip_prefix("/").expect("absolute")));
}
