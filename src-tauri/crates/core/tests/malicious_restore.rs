//! A hand-crafted malicious restore point (names with `..`, slashes, empty
//! names, a symlink planted to redirect a later entry) cannot make a restore
//! write outside its target.

mod common;

use common::entry;

use cairn_core::format::blob;
use cairn_core::format::index::{KIND_DATA, KIND_TREE};
use cairn_core::format::manifest::{Manifest, PointStats};
use cairn_core::format::pack::PackWriter;
use cairn_core::format::tree::{EntryKind, Tree};
use cairn_core::format::ChunkId;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;
use cairn_core::restore::{self, Destination, RestoreSpec};
use cairn_core::storage::{LocalStorage, Storage};
use std::path::Path;
use std::sync::Arc;

fn all_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.to_string_lossy().into_owned());
            if std::fs::symlink_metadata(&p)
                .map(|m| m.is_dir())
                .unwrap_or(false)
            {
                out.extend(all_files(&p));
            }
        }
    }
    out
}

#[test]
fn a_malicious_restore_point_cannot_write_outside_the_target() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let storage: Arc<dyn Storage> =
        Arc::new(LocalStorage::open(&tmp.path().join("repo"), true).expect("storage"));
    let repo = Repository::init(storage.clone(), "evil", "test-console").expect("init");
    let ks = repo.default_keyset().expect("keys");
    let writer = PackWriter::new(storage, ks.clone(), 1 << 20);
    let put = |kind: u8, data: &[u8]| -> ChunkId {
        let id = ks.chunk_id(data);
        if writer.claim(&id) {
            writer
                .add(
                    id,
                    kind,
                    blob::encode(&ks, &id, data, None).expect("encode"),
                    data.len(),
                )
                .expect("add");
        }
        id
    };
    let file = |name: &[u8], body: &[u8]| {
        let mut e = entry(name, EntryKind::File);
        e.size = body.len() as u64;
        e.content = vec![put(KIND_DATA, body)];
        e
    };
    let dir = |name: &[u8], tree: &Tree| {
        let mut e = entry(name, EntryKind::Dir);
        e.subtree = Some(put(KIND_TREE, &tree.encode()));
        e
    };
    let escape_tree = Tree {
        entries: vec![file(b"escaped.txt", b"escaped")],
    };
    let pwned_tree = Tree {
        entries: vec![file(b"pwned.txt", b"pwned")],
    };
    let mut link = entry(b"link", EntryKind::Symlink);
    link.target = outside.to_string_lossy().as_bytes().to_vec();
    let mut root = Tree {
        entries: vec![
            file(b"", b"empty name"),
            dir(b"..", &escape_tree),
            file(b"../../up.txt", b"up"),
            file(
                &format!("{}/abs.txt", outside.display()).into_bytes(),
                b"abs",
            ),
            link,
            dir(b"link", &pwned_tree),
            file(b"ok.txt", b"fine"),
        ],
    };
    root.entries.sort_by(|a, b| a.name.cmp(&b.name));
    let root_id = put(KIND_TREE, &root.encode());
    writer.finish().expect("packs");
    let m = Manifest {
        id: "20260101T000000.000000Z".into(),
        backup: "b".into(),
        job: "evil".into(),
        machine: "m".into(),
        platform: "Linux".into(),
        time: 0,
        kind: "full".into(),
        sources: vec![],
        root: root_id.to_hex(),
        stats: PointStats::default(),
        region: String::new(),
        origin: String::new(),
    };
    let target = tmp.path().join("target");
    let report = common::restore_all(&repo, &ks, &m, &target).expect("restore runs");
    assert_eq!(
        std::fs::read(target.join("ok.txt")).expect("the harmless file"),
        b"fine"
    );
    assert!(
        all_files(&outside).is_empty(),
        "nothing written through the planted link: {:?}",
        all_files(&outside)
    );
    let everything = all_files(tmp.path());
    for bad in ["escaped.txt", "up.txt", "abs.txt", "pwned.txt"] {
        assert!(
            !everything.iter().any(|p| p.ends_with(bad)),
            "{bad} was written: {everything:?}"
        );
    }
    assert!(
        report.failed.len() >= 4,
        "each unsafe entry is reported: {:?}",
        report.failed
    );
    // Asking for an unsafe path by name is refused too.
    let spec = RestoreSpec {
        paths: vec!["/../escaped.txt".into()],
        dest: Destination::Original { overwrite: true },
        preserve_owner: false,
        changed_only: false,
    };
    let err = restore::run(
        &repo,
        &ks,
        &m,
        &spec,
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect_err("refused");
    assert!(err.message().contains("unsafe name"), "{}", err.message());
}
