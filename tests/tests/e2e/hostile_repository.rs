//! Repositories that lie: whoever can write the storage swaps key files,
//! plants decompression bombs or forged ids. Each test names the
//! behaviour that keeps the user's data safe against one such attack.

use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use cairn_tests::tree::{bytes, snapshot};
use std::io::Write;
use std::path::Path;

const REPO: &str = "Default Backup Repository";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    snapshot(dir).into_keys().collect()
}

/// Folder `src` of `dir`, holding `secret.txt` with `secret`.
fn secret_source(dir: &Path, secret: &str) -> std::path::PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("secret.txt"), secret).expect("write");
    src
}

/// No file below `dir` holds `marker`: nothing was stored in plain text.
fn assert_no_plaintext(dir: &Path, marker: &str) {
    for (p, content) in snapshot(dir) {
        let text = String::from_utf8_lossy(&content);
        assert!(!text.contains(marker), "plaintext in {}", p.display());
    }
}

/// A console in `dir` with encrypted job "vault" (password "correct
/// horse") over a folder holding `secret.txt` with `secret`, run once.
fn encrypted_vault(dir: &Path, secret: &str) -> Cairn {
    let src = secret_source(dir, secret);
    let cairn = Cairn::new(dir);
    let create = [
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
    ];
    cairn.ok_stdin(&create, "correct horse\n");
    cairn.ok_stdin(
        &["job", "run", "vault", "--password-stdin"],
        "correct horse\n",
    );
    cairn
}

#[test]
fn an_encrypted_job_refuses_a_key_file_swapped_for_a_plain_one_and_writes_no_plaintext() {
    let tmp = tempfile::tempdir().expect("tmp");
    let marker = "CAIRN-DOWNGRADE-MARKER-91c2";
    let cairn = encrypted_vault(tmp.path(), &marker.repeat(2000));
    let run = ["job", "run", "vault", "--password-stdin"];

    // The attacker rewrites the job's key file as a plain one and removes
    // the index and the restore points, so nothing is left to dedup with.
    let repo = cairn.default_repo();
    swap_password_key_for_a_plain_one(&repo);
    for d in ["index", "snapshots"] {
        std::fs::remove_dir_all(repo.join(d)).expect("remove");
        std::fs::create_dir_all(repo.join(d)).expect("mkdir");
    }

    let r = cairn.run(&run, Some("correct horse\n"));
    assert_ne!(r.code, 0, "the run must fail: {}", r.stdout);
    assert!(
        r.stderr.contains("is not encrypted") && r.stderr.contains("replaced"),
        "{}",
        r.stderr
    );
    assert_no_plaintext(&repo.join("data"), marker);
}

/// Rewrites the repository's one password key file as a plain key file
/// with the same id, as someone who can write the storage would.
fn swap_password_key_for_a_plain_one(repo: &Path) {
    let mut swapped = 0;
    for p in files(&repo.join("keys")) {
        let mut k: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("key json");
        if k["kind"] == "password" {
            k = serde_json::json!({
                "version": 1,
                "id": k["id"],
                "kind": "plain",
                "id_key": hex::encode(bytes(7, 32)),
                "hint": "",
            });
            std::fs::write(&p, serde_json::to_vec(&k).expect("json")).expect("write");
            swapped += 1;
        }
    }
    assert_eq!(swapped, 1, "the job's key file");
}

#[test]
fn a_backup_copy_of_an_encrypted_backup_refuses_a_source_key_file_swapped_for_a_plain_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let marker = "CAIRN-COPY-DOWNGRADE-MARKER-5e0a";
    let src = secret_source(tmp.path(), &marker.repeat(2000));
    let cairn = Cairn::new(tmp.path());
    let add = [
        "credentials",
        "add-password",
        "copy-downgrade-vault",
        "--password-stdin",
    ];
    cairn.ok_stdin(&add, "correct horse\n");
    let offsite = tmp.path().join("offsite");
    cairn.ok(&["repo", "add", "local", "Offsite", "--path", s(&offsite)]);
    let include = s(&src);
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "vault",
        "--repo",
        REPO,
        "--include",
        include,
        "--password-name",
        "copy-downgrade-vault",
    ]);
    cairn.ok(&[
        "job",
        "create",
        "copy",
        "off",
        "--from-job",
        "vault",
        "--target",
        "Offsite",
    ]);
    cairn.ok(&["job", "run", "vault"]);
    // Someone who can write the source repository swaps its key file.
    swap_password_key_for_a_plain_one(&cairn.default_repo());

    let r = cairn.run(&["job", "run", "off"], None);
    assert_ne!(r.code, 0, "the copy must fail: {}", r.stdout);
    assert!(
        r.stderr.contains("is not encrypted") && r.stderr.contains("replaced"),
        "{}",
        r.stderr
    );
    assert_no_plaintext(&offsite, marker);
}

#[test]
fn a_restore_of_an_encrypted_backup_refuses_a_key_file_swapped_for_a_plain_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cairn = encrypted_vault(tmp.path(), "kept secret");
    swap_password_key_for_a_plain_one(&cairn.default_repo());

    // With the password or without it: a plain key set in an encrypted
    // backup's place is never trusted, so nothing planted can be restored.
    for stdin in [Some("correct horse\n"), None] {
        let out = tmp.path().join(format!("out-{}", stdin.is_some()));
        let mut args = vec!["restore", "vault", "--to", s(&out)];
        if stdin.is_some() {
            args.push("--password-stdin");
        }
        let r = cairn.run(&args, stdin);
        assert_ne!(r.code, 0, "the restore must fail: {}", r.stdout);
        assert!(
            r.stderr.contains("is not encrypted") && r.stderr.contains("replaced"),
            "{}",
            r.stderr
        );
        assert!(
            files(&out).is_empty(),
            "nothing restored into {}",
            out.display()
        );
    }
}

/// `backups/<id>` of an appliance's backup replaced by its own header and
/// the zstd frame of 1 GiB of zeros (a few dozen KB on the wire).
fn plant_bomb(bucket: &str, key: &str) {
    let c = s3_client();
    let original = block_on(async {
        let o = c
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .expect("get");
        o.body.collect().await.expect("body").into_bytes()
    });
    let mut bomb = original[..21].to_vec();
    let mut enc = zstd::stream::Encoder::new(Vec::new(), 3).expect("zstd");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        enc.write_all(&zeros).expect("compress");
    }
    bomb.extend_from_slice(&enc.finish().expect("finish"));
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    block_on(async {
        c.put_object()
            .bucket(bucket)
            .key(key)
            .body(bomb.into())
            .send()
            .await
            .expect("put");
    });
}

#[test]
fn a_decompression_bomb_in_backup_metadata_is_refused_by_rescan_in_bounded_memory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let console = Cairn::new(&tmp.path().join("console"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let src = tmp.path().join("machine");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("hosts"), "127.0.0.1 localhost\n").expect("write");
    appliance.appliance_s3(&bucket, "web", "i-0bomb1", &src, &[], "test\n");
    let add = [
        "external",
        "add",
        "s3",
        "apps",
        "--bucket",
        &bucket,
        "--folder",
        "appliance",
        "--region",
        "us-east-1",
        "--endpoint",
        &ep,
        "--access-key-id",
        "test",
        "--secret-access-key-stdin",
    ];
    console.ok_stdin(&add, "test\n");
    let meta: Vec<String> = list_objects(&bucket)
        .into_iter()
        .filter_map(|o| o.key().map(str::to_string))
        .filter(|k| k.starts_with("appliance/backups/"))
        .collect();
    assert_eq!(meta.len(), 1, "{meta:?}");
    plant_bomb(&bucket, &meta[0]);

    let (r, peak) = console.run_peak(&["external", "rescan", "apps"], None);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(said.contains("too large"), "{said}");
    assert!(peak < 200 << 20, "the rescan peaked at {} MiB", peak >> 20);
}
