//! A fixed-seed pass of every fuzz entry point over mutations of real
//! objects: not a fuzzer, but it keeps the entry points honest in CI and
//! catches the shallow panics a fuzzer finds first.

use super::*;
use crate::jobs::backup::{self, BackupSpec};
use crate::progress::{CancelToken, NoProgress};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit: flip a bit, set a byte to an edge value, cut the
/// tail, duplicate a slice, or insert a run of bytes.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(d.len());
        match rng.below(5) {
            0 if !d.is_empty() => d[at] ^= 1 << rng.below(8),
            1 if !d.is_empty() => d[at] = [0, 0xff, 0x7f, 0x80][rng.below(4)],
            2 => d.truncate(at),
            3 if !d.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(d.len());
                let piece = d[at..end].to_vec();
                d.splice(at..at, piece);
            }
            _ => {
                let run = vec![rng.next() as u8; 1 + rng.below(16)];
                d.splice(at.min(d.len())..at.min(d.len()), run);
            }
        }
    }
    d
}

/// Real objects of a backup of a small folder, by what reads them.
struct Seeds {
    keys: Vec<Vec<u8>>,
    configs: Vec<Vec<u8>>,
    objects: Vec<Vec<u8>>,
    packs: Vec<Vec<u8>>,
    blobs: Vec<Vec<u8>>,
    trees: Vec<Vec<u8>>,
}

fn seeds() -> Seeds {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("src/sub")).expect("mkdir");
    std::fs::write(dir.path().join("src/a.txt"), b"hello fuzz").expect("write");
    std::fs::write(dir.path().join("src/sub/b.bin"), vec![7u8; 70_000]).expect("write");
    let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
    let repo = Repository::init(storage.clone(), "seed", "seed").expect("init");
    let ks = repo.default_keyset().expect("ks");
    let spec = BackupSpec {
        backup_id: "b".into(),
        job: "b".into(),
        machine: "host".into(),
        platform: "Linux".into(),
        includes: vec![dir.path().join("src")],
        exclude_masks: Vec::new(),
        include_masks: Vec::new(),
        compression: cairn_model::Compression::Optimal,
        full: false,
        images: false,
        region: String::new(),
        writer: String::new(),
        source_root: None,
    };
    let out =
        backup::run(&repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new()).expect("backup");
    let index = repo.load_index(&ks, false).expect("index");
    let root = ChunkId::from_hex(&out.manifest.root).expect("root id");
    let tree = repo.read_tree(&ks, &index, &root).expect("tree");
    let get = |prefix: &str| -> Vec<Vec<u8>> {
        let objects = storage.list(prefix).expect("list");
        objects
            .iter()
            .map(|o| storage.get(&o.key).expect("get"))
            .collect()
    };
    let tag = |which: u8, raw: Vec<u8>| [vec![which], raw[HEADER_LEN..].to_vec()].concat();
    let mut objects: Vec<Vec<u8>> = get("index/").into_iter().map(|r| tag(0, r)).collect();
    objects.extend(get("snapshots/").into_iter().map(|r| tag(1, r)));
    objects.extend(get("backups/").into_iter().map(|r| tag(2, r)));
    let marks = blob::seal_object(&ks, ObjectKind::PruneMarks, br#"{"ab":1}"#).expect("seal");
    objects.push(tag(3, marks));
    let payload = b"some chunk content some chunk content".repeat(40);
    let id = ChunkId(*blake3::hash(&payload).as_bytes());
    let stored = blob::encode(&ks, &id, &payload, Some(3)).expect("encode");
    let blob_seed = [(payload.len() as u32).to_le_bytes().to_vec(), stored].concat();
    Seeds {
        keys: get("keys/"),
        configs: get("config"),
        objects,
        packs: get("data/"),
        blobs: vec![blob_seed],
        trees: vec![tree.encode()],
    }
}

/// A fuzz entry point, its name and its seeds.
type Target<'a> = (&'static str, fn(&[u8]), &'a Vec<Vec<u8>>);

#[test]
fn every_decoder_survives_mutations_of_real_objects() {
    let s = seeds();
    let targets: [Target; 6] = [
        ("key_file", key_file, &s.keys),
        ("config", config, &s.configs),
        ("object", object, &s.objects),
        ("pack", pack, &s.packs),
        ("blob", blob, &s.blobs),
        ("tree", tree, &s.trees),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, target, seeds) in targets {
        assert!(!seeds.is_empty(), "{name} has no seed");
        for seed in seeds {
            target(seed);
            for _ in 0..2000 {
                target(&mutate(&mut rng, seed));
            }
        }
        for _ in 0..100 {
            let noise: Vec<u8> = (0..rng.below(512)).map(|_| rng.next() as u8).collect();
            target(&noise);
        }
    }
}
