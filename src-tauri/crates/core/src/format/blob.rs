//! Blob encoding (chunks and trees inside packs) and sealed objects
//! (index, manifests, backup metadata stored as their own objects).

use super::crypto::KeySet;
use super::ChunkId;
use crate::error::{Error, Result};

/// Body flag: payload stored as is.
const RAW: u8 = 0;
/// Body flag: payload is a zstd frame.
const ZSTD: u8 = 1;

/// The largest blob (a chunk or a tree) a reader accepts, decoded: the
/// chunker's maximum is 16 MiB at most and a tree of 256 MiB holds about
/// two million entries. Anything larger is damage or an attack.
pub const MAX_BLOB_LEN: usize = 256 << 20;

/// Blobs up to this size are decoded in one call into a buffer of their
/// stated size; larger ones are streamed, so a forged length cannot
/// reserve memory the data does not fill.
const BULK_DECODE_LEN: usize = 16 << 20;

/// Compresses (when it shrinks) and seals one chunk; the id is the AAD.
pub fn encode(ks: &KeySet, id: &ChunkId, data: &[u8], level: Option<i32>) -> Result<Vec<u8>> {
    let mut body = Vec::with_capacity(data.len() / 2 + 16);
    let compressed = level.and_then(|l| zstd::bulk::compress(data, l).ok());
    match compressed {
        Some(c) if c.len() + 1 < data.len() => {
            body.push(ZSTD);
            body.extend_from_slice(&c);
        }
        _ => {
            body.push(RAW);
            body.extend_from_slice(data);
        }
    }
    ks.seal(&id.0, body)
}

/// Reverses [`encode`]. `raw_len` bounds the decompressed size.
pub fn decode(ks: &KeySet, id: &ChunkId, stored: &[u8], raw_len: usize) -> Result<Vec<u8>> {
    let what = format!("chunk {}", id.to_hex());
    let body = ks.open(&id.0, stored, &what)?;
    let (flag, payload) = body
        .split_first()
        .ok_or_else(|| Error::corrupt(format!("{what} is empty")))?;
    if raw_len > MAX_BLOB_LEN {
        return Err(too_large(&what, MAX_BLOB_LEN));
    }
    match *flag {
        RAW => Ok(payload.to_vec()),
        ZSTD if raw_len <= BULK_DECODE_LEN => zstd::bulk::decompress(payload, raw_len.max(1))
            .map_err(|e| Error::corrupt(format!("{what} does not decompress")).caused_by(e)),
        ZSTD => decompress_capped(payload, raw_len, &what),
        f => Err(Error::corrupt(format!(
            "{what} has an unknown encoding {f}"
        ))),
    }
}

/// Decodes and checks that the content hashes to its id.
pub fn decode_verified(
    ks: &KeySet,
    id: &ChunkId,
    stored: &[u8],
    raw_len: usize,
) -> Result<Vec<u8>> {
    let data = decode(ks, id, stored, raw_len)?;
    if ks.chunk_id(&data) != *id {
        return Err(Error::corrupt(format!(
            "chunk {} does not match its id (damaged data)",
            id.to_hex()
        )));
    }
    Ok(data)
}

/// Magic at the start of every sealed object.
pub const MAGIC: &[u8; 4] = b"CRN1";

/// What a sealed object holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ObjectKind {
    /// `index/<pack>`: the entries of one pack.
    Index = b'I',
    /// Pack trailer header.
    PackHeader = b'P',
    /// `snapshots/<backup>/<point>`: a restore point manifest.
    Manifest = b'M',
    /// `backups/<backup>`: a backup's metadata.
    Backup = b'B',
    /// `prune/<keyset>`: packs marked unused, and since when.
    PruneMarks = b'R',
}

impl ObjectKind {
    /// The largest content a reader accepts for this kind, decoded (the
    /// limits FORMAT.md states).
    pub fn max_len(self) -> usize {
        match self {
            Self::Index | Self::PackHeader => 64 << 20,
            Self::Manifest => 16 << 20,
            Self::Backup => 64 << 20,
            Self::PruneMarks => 16 << 20,
        }
    }
}

impl ObjectKind {
    /// The largest stored (sealed, compressed) object of this kind a
    /// reader downloads: the decoded limit plus zstd's worst-case growth
    /// and the seal.
    pub fn max_stored(self) -> u64 {
        let decoded = self.max_len() as u64;
        decoded + decoded / 64 + (64 << 10)
    }
}

/// Header length: magic, kind, key set id (16 raw bytes).
pub const HEADER_LEN: usize = 4 + 1 + 16;

/// Seals `plain` as an object: header ‖ sealed(zstd(plain)). The header is
/// the AAD, so a key set or kind swap is detected.
pub fn seal_object(ks: &KeySet, kind: ObjectKind, plain: &[u8]) -> Result<Vec<u8>> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.push(kind as u8);
    header.extend_from_slice(&keyset_bytes(ks.id())?);
    let compressed = zstd::bulk::compress(plain, 3)
        .map_err(|e| Error::internal("compression failed").caused_by(e))?;
    let sealed = ks.seal(&header, compressed)?;
    header.extend_from_slice(&sealed);
    Ok(header)
}

/// The key set id an object was sealed with, read from its header.
pub fn object_keyset(data: &[u8], what: &str) -> Result<String> {
    if data.len() < HEADER_LEN || &data[..4] != MAGIC {
        return Err(Error::corrupt(format!(
            "{what} is not a Cairn object (bad header)"
        )));
    }
    Ok(hex::encode(&data[5..HEADER_LEN]))
}

/// Opens a sealed object of the expected kind.
pub fn open_object(ks: &KeySet, kind: ObjectKind, data: &[u8], what: &str) -> Result<Vec<u8>> {
    let id = object_keyset(data, what)?;
    if data[4] != kind as u8 {
        return Err(Error::corrupt(format!(
            "{what} holds the wrong kind of object"
        )));
    }
    if id != ks.id() {
        return Err(Error::internal(format!(
            "{what} belongs to another key set"
        )));
    }
    let compressed = ks.open(&data[..HEADER_LEN], &data[HEADER_LEN..], what)?;
    decompress_capped(&compressed, kind.max_len(), what)
}

/// Decodes zstd frames, refusing to produce more than `cap` bytes.
fn decompress_capped(data: &[u8], cap: usize, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let broken =
        |e: std::io::Error| Error::corrupt(format!("{what} does not decompress")).caused_by(e);
    let decoder = zstd::stream::read::Decoder::with_buffer(data).map_err(broken)?;
    let mut out = Vec::with_capacity(cap.min(data.len().saturating_mul(4)));
    decoder
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(broken)?;
    if out.len() > cap {
        return Err(too_large(what, cap));
    }
    Ok(out)
}

fn too_large(what: &str, cap: usize) -> Error {
    Error::corrupt(format!(
        "{what} is too large: it decodes to more than {} MiB, the format's limit for it; the object is damaged or was planted",
        cap >> 20
    ))
}

fn keyset_bytes(id: &str) -> Result<[u8; 16]> {
    let v = hex::decode(id).map_err(|_| Error::internal("bad key set id"))?;
    v.try_into().map_err(|_| Error::internal("bad key set id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incompressible_chunks_are_stored_raw_and_round_trip() {
        let (ks, _) = KeySet::new_plain();
        let random: Vec<u8> = (0..4096).map(|_| rand::random::<u8>()).collect();
        let id = ks.chunk_id(&random);
        let enc = encode(&ks, &id, &random, Some(3)).expect("encode");
        assert_eq!(enc[0], RAW);
        assert_eq!(
            decode_verified(&ks, &id, &enc, random.len()).expect("decode"),
            random
        );
        let text = b"abcabcabc".repeat(1000);
        let id = ks.chunk_id(&text);
        let enc = encode(&ks, &id, &text, Some(3)).expect("encode");
        assert_eq!(enc[0], ZSTD);
        assert!(enc.len() < text.len() / 10);
        assert_eq!(
            decode_verified(&ks, &id, &enc, text.len()).expect("decode"),
            text
        );
    }

    #[test]
    fn a_flipped_byte_in_a_plain_chunk_fails_the_id_check() {
        let (ks, _) = KeySet::new_plain();
        let data = b"hello world".repeat(10);
        let id = ks.chunk_id(&data);
        let mut enc = encode(&ks, &id, &data, None).expect("encode");
        enc[5] ^= 0x40;
        assert!(decode_verified(&ks, &id, &enc, data.len()).is_err());
    }

    #[test]
    fn sealed_objects_round_trip_and_name_their_key_set() {
        let (ks, _) =
            KeySet::new_encrypted(cairn_model::Cipher::Xchacha20Poly1305, "pw", "").expect("ks");
        let obj = seal_object(&ks, ObjectKind::Manifest, b"{\"a\":1}").expect("seal");
        assert_eq!(object_keyset(&obj, "m").expect("ks"), ks.id());
        assert_eq!(
            open_object(&ks, ObjectKind::Manifest, &obj, "m").expect("open"),
            b"{\"a\":1}"
        );
        assert!(open_object(&ks, ObjectKind::Backup, &obj, "m").is_err());
    }

    #[test]
    fn a_decompression_bomb_is_refused_as_too_large() {
        use std::io::Write;
        let (ks, _) = KeySet::new_plain();
        let mut obj = seal_object(&ks, ObjectKind::Backup, b"{}").expect("seal");
        obj.truncate(HEADER_LEN);
        let mut enc = zstd::stream::Encoder::new(Vec::new(), 1).expect("zstd");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(ObjectKind::Backup.max_len() >> 20) + 1 {
            enc.write_all(&zeros).expect("compress");
        }
        obj.extend_from_slice(&enc.finish().expect("finish"));
        let err = open_object(&ks, ObjectKind::Backup, &obj, "backups/b").expect_err("bomb");
        assert!(err.message().contains("too large"), "{}", err.message());
        let ok = seal_object(&ks, ObjectKind::Backup, &vec![0u8; 1 << 20]).expect("seal");
        assert_eq!(
            open_object(&ks, ObjectKind::Backup, &ok, "b")
                .expect("open")
                .len(),
            1 << 20
        );

        let id = ChunkId([1; 32]);
        let big = encode(&ks, &id, b"x", Some(3)).expect("encode");
        let err = decode(&ks, &id, &big, MAX_BLOB_LEN + 1).expect_err("forged length");
        assert!(err.message().contains("too large"), "{}", err.message());
    }
}
