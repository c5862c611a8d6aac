//! Which build of Cairn this agent is: its version, and the SHA-256 of its
//! own executable, the package the console installed. The console compares
//! the build with the package it would install to tell when a machine
//! needs an update.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::sync::OnceLock;

/// The version this agent reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// SHA-256 (hex) of this program's executable, or "" when it cannot be
/// read; computed once.
pub fn own_build() -> &'static str {
    static BUILD: OnceLock<String> = OnceLock::new();
    BUILD.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| file_sha256(&p).ok())
            .unwrap_or_default()
    })
}

/// SHA-256 (hex) of a file, read in pieces.
pub fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_build_is_its_sha256() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("pkg");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(
            file_sha256(&p).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(own_build().len(), 64, "the test binary hashes itself");
    }
}
