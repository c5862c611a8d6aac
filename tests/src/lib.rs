//! Shared helpers for Cairn's end-to-end tests: locating the built
//! binaries, running the `cairn` CLI, a small W3C WebDriver client for the
//! real console window (through tauri-driver), and test artifacts.

pub mod arm;
pub mod cli;
pub mod keyring;
pub mod machine;
pub mod native_dialog;
pub mod scheduler;
pub mod services;
pub mod tree;
pub mod webdriver;
pub mod wizard;

use std::path::PathBuf;

/// A binary named by an environment variable (set by `.ci/test.sh`), or
/// found in the cargo target folder. Panics with guidance when missing.
pub fn binary(env: &str, name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let p = target.join("release").join(name);
    assert!(
        p.exists(),
        "{name} is not built ({}); run `bash .ci/test.sh`, or build it and set {env}",
        p.display()
    );
    p
}

/// Folder for screenshots and other artifacts of a test run.
pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("CAIRN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts"));
    std::fs::create_dir_all(&dir).expect("create the artifacts folder");
    dir
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
