//! A job's password is wiped wherever the console held it: an encrypted
//! job is created, run and restored from with its password, the console is
//! closed, and no heap block freed on the way may still hold the password.
//! (Its own binary: the allocator sees the whole process.)

use cairn_console::{
    CancelToken, Console, Destination, NewEncryption, NoProgress, RestoreSpec, RunOptions,
    Sensitive, DEFAULT_REPOSITORY,
};
use cairn_core::residue::{self, Residue};
use cairn_model::{BackupJobSettings, Cipher};
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: Residue = Residue;

/// Never wiped: proves the search finds what is left behind.
const CONTROL: &[u8] = b"a control secret nobody wipes";

#[test]
fn a_password_given_to_an_encrypted_job_its_run_and_its_restore_is_not_left_in_freed_memory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), b"alpha".repeat(10_000)).expect("write");
    let password = Sensitive::new(String::from("the job's own password 93be"));
    residue::hold();
    let console = Console::open(&tmp.path().join("data")).expect("open the data folder");
    let settings = BackupJobSettings {
        includes: vec![src.to_string_lossy().into_owned()],
        ..Default::default()
    };
    let encryption = NewEncryption {
        cipher: Cipher::Aes256Gcm,
        password: password.clone(),
        hint: String::new(),
    };
    console
        .create_backup_job("Sealed", DEFAULT_REPOSITORY, "", settings, Some(encryption))
        .expect("create the job");
    let opts = RunOptions {
        password: Some(password.clone()),
        ..Default::default()
    };
    let (progress, cancel) = (Arc::new(NoProgress), CancelToken::new());
    let run = console.run_job("Sealed", &opts, progress.clone(), &cancel);
    drop(opts);
    run.expect("run the job");
    let spec = RestoreSpec {
        paths: Vec::new(),
        dest: Destination::To(tmp.path().join("out")),
        preserve_owner: false,
        changed_only: false,
    };
    let pw = Some(password.expose().as_str());
    let restored = console.restore("Sealed", "latest", &spec, pw, progress, &cancel);
    restored.expect("restore with the password");
    drop(console);
    drop(CONTROL.to_vec());
    let held = residue::search_held(&[password.expose().as_bytes(), CONTROL]);
    assert_eq!(held.unsearched, 0, "every freed block was searched");
    assert_eq!(held.finds[1], 1, "the control secret is found: {held:?}");
    assert_eq!(held.finds[0], 0, "freed blocks still holding the password");
}
