//! The benchmark's data set: seeded, so every run and every machine gets
//! the same bytes. 40% many small text-like files, 50% large binaries that
//! are half random and half repetitive, 10% duplicates of other files.

use cairn_console::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for c in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }
}

const WORDS: &[&str] = &[
    "backup",
    "restore",
    "point",
    "repository",
    "chunk",
    "server",
    "volume",
    "the",
    "and",
    "of",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "job",
    "schedule",
    "retention",
    "copy",
    "cloud",
    "bucket",
    "object",
    "agent",
    "machine",
    "policy",
    "session",
    "error",
    "warning",
    "success",
    "file",
    "folder",
    "data",
    "index",
    "pack",
    "compression",
    "encryption",
    "key",
    "password",
    "network",
    "disk",
    "storage",
    "tenant",
    "provider",
];

fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        if rng.below(12) == 0 {
            out.extend_from_slice(format!("{:08}", rng.below(100_000_000)).as_bytes());
        } else {
            out.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
        }
        out.push(if rng.below(14) == 0 { b'\n' } else { b' ' });
    }
    out.truncate(len);
    out
}

fn write(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::io("create", d, e))?;
    }
    std::fs::write(path, data).map_err(|e| Error::io("write", path, e))
}

/// What the generator has written so far.
#[derive(Default)]
struct Written {
    files: u64,
    bytes: u64,
    paths: Vec<PathBuf>,
}

/// Creates the data set under `dir` (replacing it); returns (files, bytes).
pub fn generate(dir: &Path, total: u64) -> Result<(u64, u64)> {
    let _ = std::fs::remove_dir_all(dir);
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut w = Written::default();
    small_files(dir, total * 40 / 100, &mut rng, &mut w)?;
    large_files(dir, total * 50 / 100, &mut rng, &mut w)?;
    duplicates(dir, total / 10, &mut rng, &mut w)?;
    Ok((w.files, w.bytes))
}

/// Small text-like files, 1–64 KiB, in nested folders.
fn small_files(dir: &Path, budget: u64, rng: &mut Rng, w: &mut Written) -> Result<()> {
    let mut used = 0u64;
    while used < budget {
        let len = 1024 + rng.below(63 * 1024) as usize;
        let p = dir.join(format!(
            "docs/d{:03}/s{:02}/f{:07}.txt",
            w.files / 2000,
            (w.files / 100) % 20,
            w.files
        ));
        write(&p, &text(rng, len))?;
        used += len as u64;
        w.files += 1;
        w.paths.push(p);
    }
    w.bytes += used;
    Ok(())
}

/// Large binaries of 32–128 MiB.
fn large_files(dir: &Path, budget: u64, rng: &mut Rng, w: &mut Written) -> Result<()> {
    let mut used = 0u64;
    let mut n = 0;
    while used < budget {
        let len = (32u64 << 20) + rng.below(96 << 20);
        let len = len.min(budget - used).max(1 << 20);
        let p = dir.join(format!("images/disk{n:03}.img"));
        large_file(&p, len, rng)?;
        used += len;
        n += 1;
        w.files += 1;
        w.paths.push(p);
    }
    w.bytes += used;
    Ok(())
}

/// One binary file of alternating random and repetitive 1 MiB blocks.
fn large_file(p: &Path, len: u64, rng: &mut Rng) -> Result<()> {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(|e| Error::io("create", d, e))?;
    }
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(p).map_err(|e| Error::io("create", p, e))?);
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let take = left.min(block.len() as u64) as usize;
        if rng.below(2) == 0 {
            rng.fill(&mut block[..take]);
        } else {
            let pattern = text(rng, 4096);
            for (i, b) in block[..take].iter_mut().enumerate() {
                *b = pattern[i % pattern.len()];
            }
        }
        f.write_all(&block[..take])
            .map_err(|e| Error::io("write", p, e))?;
        left -= take as u64;
    }
    f.flush().map_err(|e| Error::io("write", p, e))
}

/// Copies of earlier files, so deduplication has something to find.
fn duplicates(dir: &Path, budget: u64, rng: &mut Rng, w: &mut Written) -> Result<()> {
    let mut used = 0u64;
    let mut i = 0;
    while used < budget && !w.paths.is_empty() {
        let from = &w.paths[rng.below(w.paths.len() as u64) as usize];
        let len = std::fs::metadata(from).map(|m| m.len()).unwrap_or(0);
        if len > budget - used && used > 0 {
            break;
        }
        let to = dir.join(format!(
            "copies/c{i:05}-{}",
            from.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(to.parent().unwrap_or(dir))
            .map_err(|e| Error::io("create", dir, e))?;
        std::fs::copy(from, &to).map_err(|e| Error::io("copy", &to, e))?;
        used += len;
        w.files += 1;
        i += 1;
    }
    w.bytes += used;
    Ok(())
}

/// Changes every 100th file (sorted by path): its first 64 KiB are replaced
/// and 100 bytes appended.
pub fn change_one_percent(dir: &Path) -> Result<()> {
    let mut all = Vec::new();
    collect(dir, &mut all)?;
    all.sort();
    let mut rng = Rng(0xc4a9_9e00_0000_0001);
    for p in all.iter().step_by(100) {
        let mut data = std::fs::read(p).map_err(|e| Error::io("read", p, e))?;
        let n = data.len().min(64 * 1024);
        rng.fill(&mut data[..n]);
        let mut tail = vec![0u8; 100];
        rng.fill(&mut tail);
        data.extend_from_slice(&tail);
        std::fs::write(p, data).map_err(|e| Error::io("write", p, e))?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let p = e.map_err(|e| Error::io("list", dir, e))?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}
