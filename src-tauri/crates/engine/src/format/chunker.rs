//! Content-defined chunking with FastCDC (2020 variant), and fixed-size
//! chunking for disk images.

use serde::{Deserialize, Serialize};

/// Chunk size bounds, stored in the repository config so every writer cuts
/// the same boundaries (dedup depends on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkerParams {
    /// Smallest chunk (except a file's last).
    pub min: u32,
    /// Target average.
    pub avg: u32,
    /// Largest chunk.
    pub max: u32,
}

impl Default for ChunkerParams {
    fn default() -> Self {
        Self {
            min: 512 * 1024,
            avg: 1024 * 1024,
            max: 8 * 1024 * 1024,
        }
    }
}

/// Streams chunks of a reader; each item is one chunk's bytes.
pub fn stream<R: std::io::Read>(
    reader: R,
    p: ChunkerParams,
) -> impl Iterator<Item = std::io::Result<Vec<u8>>> {
    fastcdc::v2020::StreamCDC::new(reader, p.min, p.avg, p.max).map(|r| match r {
        Ok(c) => Ok(c.data),
        Err(fastcdc::v2020::Error::IoError(e)) => Err(e),
        Err(e) => Err(std::io::Error::other(e.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn chunks(d: &[u8], p: ChunkerParams) -> Vec<Vec<u8>> {
        stream(d, p).collect::<std::io::Result<_>>().expect("chunk")
    }

    #[test]
    fn chunks_respect_bounds_and_reassemble() {
        let p = ChunkerParams {
            min: 4096,
            avg: 16384,
            max: 65536,
        };
        let d = data(1 << 20, 7);
        let cs = chunks(&d, p);
        assert!(cs.len() > 8);
        for c in &cs[..cs.len() - 1] {
            assert!(c.len() >= 4096 && c.len() <= 65536, "{}", c.len());
        }
        assert_eq!(cs.concat(), d);
    }

    #[test]
    fn an_insertion_only_changes_nearby_chunks() {
        let p = ChunkerParams {
            min: 4096,
            avg: 16384,
            max: 65536,
        };
        let d = data(1 << 20, 9);
        let mut e = d.clone();
        e.splice(300_000..300_000, b"inserted bytes".iter().copied());
        let a = chunks(&d, p);
        let b = chunks(&e, p);
        let same = b.iter().filter(|c| a.contains(c)).count();
        assert!(
            same + 3 >= a.len(),
            "only a few chunks may change: {same} of {}",
            a.len()
        );
    }
}
