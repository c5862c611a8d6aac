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
            max: 4 * 1024 * 1024,
        }
    }
}

impl ChunkerParams {
    /// Says why these bounds cannot cut chunks: the repository config is
    /// storage data, and the chunker asserts on sizes outside its range.
    pub fn problem(&self) -> Option<String> {
        use fastcdc::v2020::{AVERAGE_MAX, AVERAGE_MIN, MAXIMUM_MAX, MAXIMUM_MIN};
        use fastcdc::v2020::{MINIMUM_MAX, MINIMUM_MIN};
        let Self { min, avg, max } = *self;
        let in_range = (MINIMUM_MIN..=MINIMUM_MAX).contains(&min)
            && (AVERAGE_MIN..=AVERAGE_MAX).contains(&avg)
            && (MAXIMUM_MIN..=MAXIMUM_MAX).contains(&max);
        (!in_range || min > avg || avg > max).then(|| {
            format!(
                "chunk sizes min {min}, average {avg}, max {max} are outside \
                 {MINIMUM_MIN}..={MINIMUM_MAX}, {AVERAGE_MIN}..={AVERAGE_MAX}, \
                 {MAXIMUM_MIN}..={MAXIMUM_MAX} or out of order"
            )
        })
    }
}

/// Cuts a reader into chunks, calling `f` with each; the window buffer is
/// the caller's, so a worker reuses one allocation for every file.
/// Returns the bytes read.
pub fn for_each_chunk<R: std::io::Read>(
    mut reader: R,
    p: ChunkerParams,
    window: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]) -> crate::Result<()>,
) -> crate::Result<std::result::Result<u64, std::io::Error>> {
    let size = 2 * p.max as usize;
    window.clear();
    window.resize(size, 0);
    let mut filled = 0usize;
    let mut total = 0u64;
    let mut eof = false;
    loop {
        while !eof && filled < size {
            match reader.read(&mut window[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => {
                    filled += n;
                    total += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Ok(Err(e)),
            }
        }
        if filled == 0 {
            return Ok(Ok(total));
        }
        let mut consumed = 0usize;
        for c in fastcdc::v2020::FastCDC::new(&window[..filled], p.min, p.avg, p.max) {
            let end = c.offset + c.length;
            // A cut forced by the end of the window is not a real boundary.
            if end == filled && !eof {
                break;
            }
            f(&window[c.offset..end])?;
            consumed = end;
        }
        if eof && consumed == filled {
            return Ok(Ok(total));
        }
        window.copy_within(consumed..filled, 0);
        filled -= consumed;
    }
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
        let mut out = Vec::new();
        let mut window = Vec::new();
        let n = for_each_chunk(d, p, &mut window, &mut |c| {
            out.push(c.to_vec());
            Ok(())
        })
        .expect("chunk")
        .expect("read");
        assert_eq!(n, d.len() as u64);
        out
    }

    #[test]
    fn streaming_cuts_the_same_boundaries_as_whole_buffer_chunking() {
        let p = ChunkerParams {
            min: 4096,
            avg: 16384,
            max: 65536,
        };
        let d = data(3 << 20, 11);
        let whole: Vec<Vec<u8>> = fastcdc::v2020::FastCDC::new(&d, p.min, p.avg, p.max)
            .map(|c| d[c.offset..c.offset + c.length].to_vec())
            .collect();
        assert_eq!(chunks(&d, p), whole);
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
