//! A repository someone else can write: stray files, forged index objects,
//! symlinked folders and forged prune marks. Prune never deletes outside
//! the repository or data a restore point needs, and stray files never
//! stop a backup.

use cairn_core::format::blob::{seal_object, ObjectKind};
use cairn_core::format::index::PackIndex;
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::jobs::prune;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;
use cairn_core::restore::{self, Destination, RestoreSpec};
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

fn backup(repo: &Repository, id: &str, src: &Path) -> String {
    let ks = repo.default_keyset().expect("keyset");
    let spec = BackupSpec {
        backup_id: id.into(),
        job: id.into(),
        machine: "host".into(),
        platform: "Linux".into(),
        includes: vec![src.to_path_buf()],
        exclude_masks: Vec::new(),
        include_masks: Vec::new(),
        compression: cairn_model::Compression::Optimal,
        full: false,
        images: false,
        region: String::new(),
        writer: String::new(),
    };
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
    let spec = RestoreSpec {
        paths: Vec::new(),
        dest: Destination::To(to.to_path_buf()),
        preserve_owner: false,
        changed_only: false,
    };
    let r = restore::run(
        repo,
        &ks,
        &m,
        &spec,
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect("restore");
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
fn stray_files_in_index_and_snapshots_do_not_stop_a_backup() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = open(tmp.path());
    let a = source(tmp.path(), "a", 3);
    backup(&repo, "backup-a", &a);
    let root = tmp.path().join("repo");
    std::fs::write(root.join("index/._resource-fork"), b"\0\x05\x16\x07").expect("stray");
    std::fs::write(root.join("index/.DS_Store"), b"Bud1").expect("stray");
    std::fs::write(root.join("snapshots/backup-a/._x"), b"junk").expect("stray");
    std::fs::write(root.join("a"), b"junk").expect("stray");
    backup(&repo, "backup-a", &a);
    let ks = repo.default_keyset().expect("keyset");
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
    let pack = format!("ee{}", "0".repeat(30));
    std::os::unix::fs::symlink(&outside, root.join("data/ee")).expect("symlink");
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
