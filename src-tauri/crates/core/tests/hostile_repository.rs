//! A repository someone else can write: stray files, forged index objects,
//! symlinked folders and forged prune marks. Prune never deletes outside
//! the repository or data a restore point needs, and stray files never
//! stop a backup.

mod common;

use cairn_core::check;
use cairn_core::format::blob::{seal_object, ObjectKind};
use cairn_core::format::index::PackIndex;
use cairn_core::format::manifest::Manifest;
use cairn_core::format::pack::PackWriter;
use cairn_core::format::tree::MAX_DEPTH;
use cairn_core::format::ChunkId;
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::jobs::copy::{Side, Translator};
use cairn_core::jobs::prune;
use cairn_core::progress::Counters;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;

use cairn_core::storage::{LocalStorage, Storage};
use std::path::Path;
use std::sync::Arc;

fn open(dir: &Path) -> Repository {
    let storage: Arc<dyn Storage> =
        Arc::new(LocalStorage::open(&dir.join("repo"), true).expect("storage"));
    match Repository::open(storage.clone(), "hostile") {
        Ok(r) => r,
        Err(_) => Repository::init(storage, "hostile", "test").expect("init"),
    }
}

fn source(dir: &Path, name: &str, seed: u8) -> std::path::PathBuf {
    let src = dir.join(name);
    std::fs::create_dir_all(&src).expect("mkdir");
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i as u8).wrapping_mul(seed))
        .collect();
    std::fs::write(src.join("data.bin"), data).expect("write");
    std::fs::write(src.join("note.txt"), format!("note {name}")).expect("write");
    src
}

/// The warnings a run logged.
#[derive(Default)]
struct Warnings(std::sync::Mutex<Vec<String>>);

impl cairn_core::progress::ProgressSink for Warnings {
    fn progress(&self, _: &cairn_core::progress::ProgressSnapshot) {}
    fn log(&self, level: cairn_model::LogLevel, message: &str) {
        if level == cairn_model::LogLevel::Warning {
            self.0.lock().expect("warnings").push(message.to_string());
        }
    }
}

fn backup(repo: &Repository, id: &str, src: &Path) -> String {
    let ks = repo.default_keyset().expect("keyset");
    let spec = common::spec(id, src);
    backup::run(repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new())
        .expect("backup")
        .manifest
        .id
}

fn restore_latest(repo: &Repository, backup: &str, to: &Path) {
    let ks = repo.default_keyset().expect("keyset");
    let mut points = repo.list_points(backup).expect("points");
    points.sort();
    let m = repo
        .read_manifest(&ks, backup, points.last().expect("a point"))
        .expect("manifest");
    let r = common::restore_all(repo, &ks, &m, to).expect("restore");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
}

#[test]
fn prune_keeps_the_packs_of_points_whose_backup_metadata_is_missing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let a = source(tmp.path(), "a", 3);
    let b = source(tmp.path(), "b", 5);
    backup(&repo, "backup-a", &a);
    backup(&repo, "backup-b", &b);
    // A writer died after the manifest and before the metadata.
    let meta = tmp.path().join("repo/backups/backup-a");
    let saved = std::fs::read(&meta).expect("metadata");
    std::fs::remove_file(&meta).expect("remove");
    let ks = repo.default_keyset().expect("keyset");
    for _ in 0..2 {
        prune::prune(&repo, &ks, 0, &NoProgress).expect("prune");
    }
    std::fs::write(&meta, saved).expect("put back");
    let out = tmp.path().join("out");
    restore_latest(&repo, "backup-a", &out);
    let back = out.join(a.strip_prefix("/").expect("absolute"));
    assert_eq!(
        std::fs::read(back.join("data.bin")).expect("restored"),
        std::fs::read(a.join("data.bin")).expect("source")
    );
}

#[test]
fn stray_files_in_index_and_snapshots_are_a_warning_and_do_not_stop_a_backup() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let a = source(tmp.path(), "a", 3);
    backup(&repo, "backup-a", &a);
    let root = tmp.path().join("repo");
    std::fs::write(root.join("index/._resource-fork"), b"\0\x05\x16\x07").expect("stray");
    std::fs::write(root.join("index/.DS_Store"), b"Bud1").expect("stray");
    std::fs::write(root.join("snapshots/backup-a/._x"), b"junk").expect("stray");
    std::fs::write(root.join("a"), b"junk").expect("stray");
    let ks = repo.default_keyset().expect("keyset");
    let sink = Arc::new(Warnings::default());
    let spec = common::spec("backup-a", &a);
    backup::run(&repo, &ks, &spec, sink.clone(), &CancelToken::new()).expect("backup");
    let warned = sink.0.lock().expect("warnings").join("\n");
    for stray in [
        "index/._resource-fork",
        "index/.DS_Store",
        "snapshots/backup-a/._x",
    ] {
        assert!(
            warned.contains(&format!(
                "{stray} in the repository is not a Cairn object; ignored"
            )),
            "{stray} is a warning: {warned}"
        );
    }
    prune::prune(&repo, &ks, 0, &NoProgress).expect("prune");
    restore_latest(&repo, "backup-a", &tmp.path().join("out"));
}

#[test]
fn a_forged_index_a_symlinked_folder_and_a_forged_mark_delete_nothing_outside() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let a = source(tmp.path(), "a", 3);
    backup(&repo, "backup-a", &a);
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("victim"), b"precious").expect("victim");
    let root = tmp.path().join("repo");
    std::os::unix::fs::symlink(&outside, root.join("data/vi")).expect("symlink");
    let ks = repo.default_keyset().expect("keyset");
    for pack in ["victim", "v", ""] {
        let p = PackIndex {
            pack: pack.into(),
            entries: Vec::new(),
        };
        let plain = postcard::to_allocvec(&p).expect("encode");
        let obj = seal_object(&ks, ObjectKind::Index, &plain).expect("seal");
        let name = if pack.is_empty() { "empty" } else { pack };
        std::fs::write(root.join("index").join(name), obj).expect("forged index");
    }
    std::fs::create_dir_all(root.join("prune")).expect("mkdir");
    std::fs::write(
        root.join(format!("prune/{}", ks.id())),
        format!("{{\"victim\": 0, \"v\": 0, \"{}\": 0}}", "ab".repeat(16)),
    )
    .expect("forged marks");
    for _ in 0..2 {
        let _ = prune::prune(&repo, &ks, 3600, &NoProgress);
    }
    assert_eq!(
        std::fs::read(outside.join("victim")).expect("the victim is still there"),
        b"precious"
    );

    // A well-formed pack id whose folder is the link, with a mark as old
    // as the repository (a plain key set cannot authenticate marks).
    // (A prefix no real pack of this repository uses: pack ids are random.)
    let prefix = (0..=255u8)
        .map(|b| format!("{b:02x}"))
        .find(|p| !root.join("data").join(p).exists())
        .expect("a free prefix");
    let pack = format!("{prefix}{}", "0".repeat(30));
    std::os::unix::fs::symlink(&outside, root.join("data").join(&prefix)).expect("symlink");
    std::fs::write(outside.join(&pack), b"precious too").expect("victim");
    let p = PackIndex {
        pack: pack.clone(),
        entries: Vec::new(),
    };
    let plain = postcard::to_allocvec(&p).expect("encode");
    let obj = seal_object(&ks, ObjectKind::Index, &plain).expect("seal");
    std::fs::write(root.join("index").join(&pack), obj).expect("forged index");
    let marks = format!("{{\"{pack}\": {}}}", repo.config().created);
    let sealed = seal_object(&ks, ObjectKind::PruneMarks, marks.as_bytes()).expect("seal");
    std::fs::write(root.join(format!("prune/{}", ks.id())), sealed).expect("forged marks");
    let refused = prune::prune(&repo, &ks, 0, &NoProgress).expect_err("a link in the way");
    assert!(
        refused.message().contains("symbolic link"),
        "{}",
        refused.message()
    );
    assert_eq!(
        std::fs::read(outside.join(&pack)).expect("still there"),
        b"precious too"
    );
    backup(&repo, "backup-a", &a);
    restore_latest(&repo, "backup-a", &tmp.path().join("out"));
}

use cairn_core::crafted::chain;

fn crafted_point(
    repo: &Repository,
    backup: &str,
    build: &dyn Fn(cairn_core::crafted::PutTree) -> ChunkId,
) -> Manifest {
    cairn_core::crafted::point(repo, backup, build).expect("crafted point")
}

fn copy_point(src: &Repository, m: &Manifest, to: &Path) -> cairn_core::Result<ChunkId> {
    let dst_storage: Arc<dyn Storage> = Arc::new(LocalStorage::open(to, true).expect("storage"));
    let dst = Repository::init(dst_storage.clone(), "copy", "test").expect("init");
    let (sks, dks) = (
        src.default_keyset().expect("ks"),
        dst.default_keyset().expect("ks"),
    );
    let (sidx, didx) = (
        src.load_index(&sks, false).expect("index"),
        dst.load_index(&dks, false).expect("index"),
    );
    let cancel = CancelToken::new();
    let tr = Translator::new(
        Side {
            repo: src,
            ks: &sks,
            index: &sidx,
        },
        Side {
            repo: &dst,
            ks: &dks,
            index: &didx,
        },
        Some(3),
        false,
        Arc::new(Counters::default()),
        &cancel,
    );
    let writer = PackWriter::new(dst_storage, dks.clone(), 4 << 20);
    let root = tr.tree(&writer, ChunkId::from_hex(&m.root)?);
    writer.finish()?;
    root
}

#[test]
fn a_chain_of_fifty_thousand_nested_trees_is_refused_without_exhausting_the_stack() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let m = crafted_point(&repo, "deep", &|put| chain(put, 50_000));
    let ks = repo.default_keyset().expect("keyset");
    let err = copy_point(&repo, &m, &tmp.path().join("copy")).expect_err("too deep to copy");
    assert!(err.message().contains("levels deep"), "{}", err.message());
    let err = common::restore_all(&repo, &ks, &m, &tmp.path().join("out"))
        .expect_err("too deep to restore");
    assert!(err.message().contains("levels deep"), "{}", err.message());
    let report = check::run(&repo, None, false, &NoProgress, &CancelToken::new()).expect("check");
    assert!(
        report.errors.iter().any(|e| e.contains("levels deep")),
        "{:?}",
        report.errors
    );
    let index = repo.load_index(&ks, false).expect("index");
    let root = ChunkId::from_hex(&m.root).expect("root");
    let pattern = cairn_core::explore::NamePattern::new("nothing-matches").expect("pattern");
    let err =
        cairn_core::explore::find(&repo, &ks, &index, &root, &pattern, 10).expect_err("search");
    assert!(err.message().contains("levels deep"), "{}", err.message());
}

#[test]
fn trees_at_the_depth_limit_copy_restore_and_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let m = crafted_point(&repo, "deep", &|put| chain(put, MAX_DEPTH));
    copy_point(&repo, &m, &tmp.path().join("copy")).expect("copy at the limit");
    let ks = repo.default_keyset().expect("keyset");
    let report = check::run(&repo, None, false, &NoProgress, &CancelToken::new()).expect("check");
    assert!(report.healthy(), "{:?}", report.errors);
    common::restore_all(&repo, &ks, &m, &tmp.path().join("o")).expect("restore at the limit");
}

#[test]
fn a_folder_bomb_of_shared_subtrees_is_checked_once_per_tree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    // 64 levels, each folder holding the one below twice: 2^64 paths.
    crafted_point(&repo, "bomb", &|put| cairn_core::crafted::bomb(put, 64));
    let report = check::run(&repo, None, false, &NoProgress, &CancelToken::new()).expect("check");
    assert!(report.healthy(), "{:?}", report.errors);
    assert_eq!(report.restore_points, 1);
}

#[test]
fn a_source_deeper_than_the_limit_is_backed_up_to_the_limit_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let src = tmp.path().join("deep");
    let mut d = src.clone();
    for _ in 0..MAX_DEPTH + 20 {
        d.push("d");
    }
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(d.join("bottom.txt"), b"too deep").expect("write");
    let ks = repo.default_keyset().expect("keyset");
    let spec = common::spec("deep", &src);
    let out =
        backup::run(&repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new()).expect("backup");
    assert!(out.warnings >= 1, "the skipped levels are a warning");
    let report = check::run(&repo, None, false, &NoProgress, &CancelToken::new()).expect("check");
    assert!(report.healthy(), "{:?}", report.errors);
    restore_latest(&repo, "deep", &tmp.path().join("out"));
}

#[test]
fn a_restore_point_copied_over_another_in_an_encrypted_repository_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let ks = repo
        .create_keyset(cairn_model::Cipher::Aes256Gcm, "pw", "")
        .expect("keyset");
    let src = source(tmp.path(), "a", 3);
    let mut spec = common::spec("enc", &src);
    let run = |spec: &BackupSpec| {
        backup::run(&repo, &ks, spec, Arc::new(NoProgress), &CancelToken::new())
            .expect("backup")
            .manifest
            .id
    };
    let p1 = run(&spec);
    std::fs::write(src.join("note.txt"), "changed").expect("write");
    spec.full = true;
    let p2 = run(&spec);
    assert_ne!(p1, p2);
    let dir = tmp.path().join("repo/snapshots/enc");
    std::fs::copy(dir.join(&p1), dir.join(&p2)).expect("swap");
    let err = repo.read_manifest(&ks, "enc", &p2).expect_err("swapped");
    assert!(err.message().contains("copied over"), "{}", err.message());
    repo.read_manifest(&ks, "enc", &p1)
        .expect("the original still reads");
}

#[test]
fn a_config_with_chunker_sizes_the_chunker_cannot_use_is_refused_on_open() {
    let tmp = tempfile::tempdir().expect("tmp");
    drop(open(tmp.path()));
    let path = tmp.path().join("repo/config");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("config")).expect("json");
    let bad = [
        ("min", serde_json::json!(1)),
        ("avg", serde_json::json!(0)),
        ("max", serde_json::json!(4_000_000_000u32)),
    ];
    for (field, value) in bad {
        let mut c = good.clone();
        c["chunker"][field] = value;
        std::fs::write(&path, serde_json::to_vec(&c).expect("json")).expect("write");
        let storage: Arc<dyn Storage> =
            Arc::new(LocalStorage::open(&tmp.path().join("repo"), false).expect("storage"));
        let err = Repository::open(storage, "hostile").err().expect(field);
        assert!(
            err.message().contains("chunk"),
            "{field}: {}",
            err.message()
        );
    }
    let mut c = good.clone();
    c["pack_size"] = serde_json::json!(u32::MAX);
    std::fs::write(&path, serde_json::to_vec(&c).expect("json")).expect("write");
    let storage: Arc<dyn Storage> =
        Arc::new(LocalStorage::open(&tmp.path().join("repo"), false).expect("storage"));
    let err = Repository::open(storage, "hostile")
        .err()
        .expect("pack size");
    assert!(err.message().contains("pack size"), "{}", err.message());
}

#[test]
fn oversized_objects_are_refused_before_they_are_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let src = source(tmp.path(), "src", 3);
    backup(&repo, "big", &src);
    let root = tmp.path().join("repo");
    // Sparse files: huge on paper, nothing on disk, so a reader that
    // downloads before checking the size would need 5 GiB of memory.
    let grow = |path: std::path::PathBuf| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open");
        f.set_len(5 << 30).expect("grow");
    };
    grow(root.join("backups/big"));
    let err = repo.list_backups().expect_err("metadata over its cap");
    assert!(
        err.message().contains("object too large"),
        "{}",
        err.message()
    );
    let key = std::fs::read_dir(root.join("keys"))
        .expect("keys")
        .next()
        .expect("a key set")
        .expect("entry")
        .path();
    grow(key);
    let reopened = open(tmp.path());
    let err = reopened
        .default_keyset()
        .expect_err("key file over its cap");
    assert!(
        err.message().contains("object too large"),
        "{}",
        err.message()
    );
}

#[test]
fn a_folder_bomb_is_refused_by_restore_before_anything_is_created() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let m = crafted_point(&repo, "bomb", &|put| cairn_core::crafted::bomb(put, 64));
    let ks = repo.default_keyset().expect("keyset");
    let out = tmp.path().join("out");
    let err = common::restore_all(&repo, &ks, &m, &out)
        .expect_err("2^64 folders are too many to restore");
    assert!(
        err.message().contains("more than the 100000000"),
        "{}",
        err.message()
    );
    let created = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    assert_eq!(created, 0, "nothing may be created before the refusal");
}

/// A 64-level folder bomb whose 2^64 deepest folders each hold a file
/// named `planted`.
fn planted_bomb(put: cairn_core::crafted::PutTree) -> ChunkId {
    let file = cairn_core::crafted::entry(b"planted", cairn_core::format::tree::EntryKind::File);
    let leaf = cairn_core::format::tree::Tree {
        entries: vec![file],
    };
    cairn_core::crafted::bomb_over(put, 64, &leaf)
}

#[test]
fn two_folder_bombs_are_compared_into_an_error_not_forever() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let old = std::cell::Cell::new(None);
    let m = crafted_point(&repo, "bomb", &|put| {
        old.set(Some(cairn_core::crafted::bomb(put, 64)));
        planted_bomb(put)
    });
    let ks = repo.default_keyset().expect("keyset");
    let index = repo.load_index(&ks, false).expect("index");
    let new = ChunkId::from_hex(&m.root).expect("root");
    let old = old.get().expect("old root");
    let err = cairn_core::explore::diff(&repo, &ks, &ks, &index, &index, &old, &new)
        .expect_err("2^64 differences are too many to list");
    assert!(
        err.message().contains("differ in more than"),
        "{}",
        err.message()
    );
}

#[test]
fn a_name_search_in_a_folder_bomb_reads_each_tree_once_and_answers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let m = crafted_point(&repo, "bomb", &planted_bomb);
    let ks = repo.default_keyset().expect("keyset");
    let index = repo.load_index(&ks, false).expect("index");
    let root = ChunkId::from_hex(&m.root).expect("root");
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let tree = |id: &ChunkId| {
        reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        repo.read_tree(&ks, &index, id).map(Arc::new)
    };
    let search = |pattern: &str| {
        let p = cairn_core::explore::NamePattern::new(pattern).expect("pattern");
        cairn_core::explore::find_with(&tree, &root, &p, 10)
    };
    let (found, more) = search("nothing-matches").expect("a search with no match answers");
    assert!(found.is_empty() && !more);
    assert!(
        reads.load(std::sync::atomic::Ordering::Relaxed) <= 65,
        "each of the 65 trees is read once, not each of 2^64 paths"
    );
    let (found, more) = search("planted").expect("a search with 2^64 matches answers");
    assert_eq!(found.len(), 10);
    assert!(more, "there are more than ten");
    assert!(found[0].path.starts_with("/a/a/a/") && found[0].path.ends_with("/planted"));
}
