//! No key or password is left in freed memory: an encrypted backup and its
//! restore run under an allocator that holds every freed heap block, and
//! afterwards none of them may hold the password, the id key or the data
//! key. (Its own binary: the allocator sees the whole process.)

mod common;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use cairn_core::jobs::backup;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::residue::{self, Residue};
use cairn_core::storage::LocalStorage;
use cairn_core::{Repository, Sensitive, Storage};
use cairn_model::Cipher;
use chacha20poly1305::XChaCha20Poly1305;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

#[global_allocator]
static ALLOCATOR: Residue = Residue;

/// Never wiped: proves the search finds what is left behind.
const CONTROL: &[u8] = b"a control secret nobody wipes";

fn repository(dir: &Path) -> Repository {
    let storage: Arc<dyn Storage> =
        Arc::new(LocalStorage::open(&dir.join("repo"), true).expect("storage"));
    Repository::init(storage, "residue", "test").expect("init")
}

/// The id key ‖ data key a key file wraps, unwrapped here from the format
/// alone (FORMAT.md: Argon2id, then the cipher with the key set id as AAD).
fn unwrapped_keys(repo: &Repository, id: &str, password: &str) -> Zeroizing<Vec<u8>> {
    let file = repo.key_file(id).expect("key file");
    let kdf = file.kdf.expect("kdf");
    let params = argon2::Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .expect("params");
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut kek = Zeroizing::new([0u8; 32]);
    let salt = hex::decode(&kdf.salt).expect("salt");
    a.hash_password_into(password.as_bytes(), &salt, kek.as_mut())
        .expect("derive");
    let wrapped = hex::decode(file.wrapped.expect("wrapped")).expect("hex");
    let plain = match file.cipher.expect("cipher") {
        Cipher::Aes256Gcm => {
            let payload = Payload {
                msg: &wrapped[12..],
                aad: id.as_bytes(),
            };
            Aes256Gcm::new((&*kek).into()).decrypt(wrapped[..12].into(), payload)
        }
        Cipher::Xchacha20Poly1305 => {
            let payload = Payload {
                msg: &wrapped[24..],
                aad: id.as_bytes(),
            };
            XChaCha20Poly1305::new((&*kek).into()).decrypt(wrapped[..24].into(), payload)
        }
    };
    let keys = Zeroizing::new(plain.expect("unwrap"));
    assert_eq!(keys.len(), 64);
    keys
}

#[test]
fn an_encrypted_backup_and_restore_leave_no_key_or_password_in_freed_memory() {
    for cipher in [Cipher::Aes256Gcm, Cipher::Xchacha20Poly1305] {
        backup_and_restore_leave_nothing(cipher);
    }
}

fn backup_and_restore_leave_nothing(cipher: Cipher) {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), b"alpha".repeat(10_000)).expect("write");
    std::fs::write(src.join("b.txt"), b"beta").expect("write");
    let password = Sensitive::new(String::from("a password nobody else has 4f1c"));
    residue::hold();
    let repo = repository(tmp.path());
    let ks = repo
        .create_keyset(cipher, password.expose(), "")
        .expect("keyset");
    let id = ks.id().to_string();
    let spec = common::spec("enc", &src);
    let run = backup::run(&repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new());
    let point = run.expect("backup").manifest.id;
    drop(ks);
    let ks = repo
        .encrypted_keyset(&id, Some(password.expose()))
        .expect("unwrap with the password");
    let m = repo.read_manifest(&ks, "enc", &point).expect("manifest");
    let report = common::restore_all(&repo, &ks, &m, &tmp.path().join("out")).expect("restore");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    drop((ks, m, report));
    drop(CONTROL.to_vec());
    let keys = unwrapped_keys(&repo, &id, password.expose());
    let held = residue::search_held(&[
        password.expose().as_bytes(),
        &keys[..32],
        &keys[32..],
        CONTROL,
    ]);
    assert_eq!(held.unsearched, 0, "every freed block was searched");
    assert_eq!(
        held.finds[3], 1,
        "{cipher:?}: the control secret is found: {held:?}"
    );
    let [pw, id_key, data_key] = [held.finds[0], held.finds[1], held.finds[2]];
    assert_eq!(
        (pw, id_key, data_key),
        (0, 0, 0),
        "{cipher:?}: freed blocks holding the password, the id key, the data key"
    );
}
