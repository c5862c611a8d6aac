//! The `.cairn` export file as storage: a repository's objects back to
//! back in one file, with a table of contents at the end (FORMAT.md,
//! "Export files"). [`ArchiveWriter`] appends objects as a repository
//! writes them and seals the table when finished; [`ArchiveReader`] serves
//! them read-only, refusing a table that points outside the file.

use crate::error::{Error, Result};
use crate::storage::{check_key, ObjectInfo, ReadStorage, Storage, MAX_OBJECT_LEN};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The first eight bytes of an export file.
pub const MAGIC: &[u8; 8] = b"CAIRNEXP";
/// The last eight bytes of an export file.
pub const END_MAGIC: &[u8; 8] = b"CAIRNEND";
/// The version this Cairn writes and the highest it reads.
pub const VERSION: u32 = 1;
const HEADER_LEN: u64 = 16;
const TRAILER_LEN: u64 = 24;
/// The largest table of contents a reader accepts.
const MAX_TABLE: u64 = 64 << 20;
/// The longest object key a table may hold.
const MAX_KEY: usize = 1024;

/// Where one object lies in the file.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: u64,
    len: u64,
}

fn io<'a>(action: &'a str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |e| Error::io(action, path, e)
}

/// Reads an export file's objects; every write is refused.
pub struct ArchiveReader {
    file: File,
    path: PathBuf,
    table: BTreeMap<String, Span>,
}

impl ArchiveReader {
    /// Opens an export file and reads its table of contents.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(io("open", path))?;
        let size = file.metadata().map_err(io("read", path))?.len();
        let table = read_table(&file, size).map_err(|why| {
            Error::corrupt(format!(
                "{} is not a Cairn export file, or it is damaged: {why}",
                path.display()
            ))
        })?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
            table,
        })
    }

    fn span(&self, key: &str) -> Result<Span> {
        self.table.get(key).copied().ok_or_else(|| {
            Error::not_found(format!(
                "{key} is not in export file {}",
                self.path.display()
            ))
        })
    }

    fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len as usize];
        self.file
            .read_exact_at(&mut buf, offset)
            .map_err(io("read", &self.path))?;
        Ok(buf)
    }
}

fn exact_at(file: &File, len: usize, offset: u64) -> std::result::Result<Vec<u8>, String> {
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, offset)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Reads and checks the header, trailer and table of a file of `size`
/// bytes; the reason when any of them is wrong.
fn read_table(file: &File, size: u64) -> std::result::Result<BTreeMap<String, Span>, String> {
    if size < HEADER_LEN + TRAILER_LEN {
        return Err(format!("it holds only {size} bytes"));
    }
    let header = exact_at(file, HEADER_LEN as usize, 0)?;
    if &header[..8] != MAGIC {
        return Err("it does not start with CAIRNEXP".into());
    }
    let version = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
    if version > VERSION {
        return Err(format!(
            "it is of version {version}, this Cairn reads up to {VERSION}; upgrade Cairn"
        ));
    }
    let trailer = exact_at(file, TRAILER_LEN as usize, size - TRAILER_LEN)?;
    if &trailer[16..] != END_MAGIC {
        return Err("it does not end with CAIRNEND (cut short?)".into());
    }
    let (at, len) = (u64_at(&trailer, 0), u64_at(&trailer, 8));
    let data_end = size - TRAILER_LEN;
    if at < HEADER_LEN || len > MAX_TABLE || at.checked_add(len) != Some(data_end) {
        return Err("its table of contents lies outside the file".into());
    }
    let raw = exact_at(file, len as usize, at)?;
    parse_table(&raw, at)
}

/// Parses a table whose objects must all end before `data_end`.
fn parse_table(raw: &[u8], data_end: u64) -> std::result::Result<BTreeMap<String, Span>, String> {
    let mut table = BTreeMap::new();
    let mut rest = raw;
    while !rest.is_empty() {
        if rest.len() < 2 {
            return Err("its table of contents is cut short".into());
        }
        let klen = u16::from_le_bytes([rest[0], rest[1]]) as usize;
        if klen == 0 || klen > MAX_KEY || rest.len() < 2 + klen + 16 {
            return Err("its table of contents is cut short or names a key too long".into());
        }
        let key = std::str::from_utf8(&rest[2..2 + klen])
            .map_err(|_| "its table names a key that is not UTF-8".to_string())?;
        check_key(key).map_err(|_| format!("its table names an unsafe key \"{key}\""))?;
        let (offset, len) = (u64_at(rest, 2 + klen), u64_at(rest, 10 + klen));
        let inside = offset >= HEADER_LEN
            && len <= MAX_OBJECT_LEN
            && offset.checked_add(len).is_some_and(|end| end <= data_end);
        if !inside {
            return Err(format!("object {key} lies outside the file"));
        }
        if table
            .insert(key.to_string(), Span { offset, len })
            .is_some()
        {
            return Err(format!("its table names {key} twice"));
        }
        rest = &rest[2 + klen + 16..];
    }
    Ok(table)
}

/// The objects of `table` whose keys start with `prefix`, in key order.
fn listing(table: &BTreeMap<String, Span>, prefix: &str) -> Vec<ObjectInfo> {
    table
        .range(prefix.to_string()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, s)| ObjectInfo {
            key: k.clone(),
            size: s.len,
            etag: format!("{}-{}", s.offset, s.len),
        })
        .collect()
}

impl ReadStorage for ArchiveReader {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        let s = self.span(key)?;
        self.read(s.offset, s.len)
    }
    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        let s = self.span(key)?;
        if s.len > max {
            return Err(crate::storage::too_large(key, s.len, max));
        }
        self.read(s.offset, s.len)
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        let s = self.span(key)?;
        if offset.checked_add(len).is_none_or(|end| end > s.len) {
            return Err(Error::corrupt(format!(
                "a read of {len} bytes at {offset} of {key} runs past its {} bytes in export file {}",
                s.len,
                self.path.display()
            )));
        }
        self.read(s.offset + offset, len)
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        Ok(listing(&self.table, prefix))
    }
    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.table.contains_key(key))
    }
    fn describe(&self) -> String {
        format!("export file {}", self.path.display())
    }
}

impl Storage for ArchiveReader {
    fn put(&self, key: &str, _data: &[u8]) -> Result<()> {
        Err(Error::invalid(format!(
            "refused to write {key} into {}: export files are read-only; import it into a repository with `cairn import`",
            self.describe()
        )))
    }
    fn delete(&self, key: &str) -> Result<()> {
        Err(Error::invalid(format!(
            "refused to delete {key} from {}: export files are read-only",
            self.describe()
        )))
    }
}

/// Writes an export file: objects are appended as they are put, and the
/// table of contents seals the file in [`ArchiveWriter::finish`]. Until
/// then the file is `<out>.part`; a writer dropped unfinished removes it.
pub struct ArchiveWriter {
    out: PathBuf,
    part: PathBuf,
    state: Mutex<WriterState>,
}

struct WriterState {
    file: Option<File>,
    end: u64,
    table: BTreeMap<String, Span>,
}

impl ArchiveWriter {
    /// Starts `out`, which must not exist.
    pub fn create(out: &Path) -> Result<Self> {
        if out.symlink_metadata().is_ok() {
            return Err(Error::conflict(format!(
                "{} already exists; choose another file or remove it",
                out.display()
            )));
        }
        let mut part = out.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&part)
            .map_err(io("create", &part))?;
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&[0u8; 4]);
        file.write_all(&header).map_err(io("write", &part))?;
        Ok(Self {
            out: out.to_path_buf(),
            part,
            state: Mutex::new(WriterState {
                file: Some(file),
                end: HEADER_LEN,
                table: BTreeMap::new(),
            }),
        })
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, WriterState>> {
        self.state
            .lock()
            .map_err(|_| Error::internal("an export writer failed earlier"))
    }

    /// Writes the table of contents and the trailer, makes the file
    /// durable and gives it its name; returns its size.
    pub fn finish(&self) -> Result<u64> {
        let mut st = self.state()?;
        let mut table = Vec::new();
        for (k, s) in &st.table {
            table.extend_from_slice(&(k.len() as u16).to_le_bytes());
            table.extend_from_slice(k.as_bytes());
            table.extend_from_slice(&s.offset.to_le_bytes());
            table.extend_from_slice(&s.len.to_le_bytes());
        }
        let at = st.end;
        let mut trailer = at.to_le_bytes().to_vec();
        trailer.extend_from_slice(&(table.len() as u64).to_le_bytes());
        trailer.extend_from_slice(END_MAGIC);
        let file = st
            .file
            .as_mut()
            .ok_or_else(|| Error::internal("the export file was finished already"))?;
        file.write_all_at(&table, at)
            .map_err(io("write", &self.part))?;
        file.write_all_at(&trailer, at + table.len() as u64)
            .map_err(io("write", &self.part))?;
        file.sync_all().map_err(io("write", &self.part))?;
        st.file = None;
        std::fs::rename(&self.part, &self.out).map_err(io("name", &self.out))?;
        if let Some(dir) = self.out.parent().and_then(|d| File::open(d).ok()) {
            let _ = dir.sync_all();
        }
        Ok(at + table.len() as u64 + TRAILER_LEN)
    }
}

impl Drop for ArchiveWriter {
    fn drop(&mut self) {
        let unfinished = self.state.lock().map(|s| s.file.is_some()).unwrap_or(true);
        if unfinished {
            let _ = std::fs::remove_file(&self.part);
        }
    }
}

impl ReadStorage for ArchiveWriter {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        let len = self
            .state()?
            .table
            .get(key)
            .map(|s| s.len)
            .ok_or_else(|| Error::not_found(format!("{key} is not in the export yet")))?;
        self.get_range(key, 0, len)
    }
    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        let st = self.state()?;
        let s = *st
            .table
            .get(key)
            .ok_or_else(|| Error::not_found(format!("{key} is not in the export yet")))?;
        if offset.checked_add(len).is_none_or(|end| end > s.len) {
            return Err(Error::internal(format!("a read past the end of {key}")));
        }
        let file = st
            .file
            .as_ref()
            .ok_or_else(|| Error::internal("the export file was finished already"))?;
        let mut buf = vec![0u8; len as usize];
        file.read_exact_at(&mut buf, s.offset + offset)
            .map_err(io("read", &self.part))?;
        Ok(buf)
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        Ok(listing(&self.state()?.table, prefix))
    }
    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.state()?.table.contains_key(key))
    }
    fn describe(&self) -> String {
        format!("export file {}", self.out.display())
    }
}

impl Storage for ArchiveWriter {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        check_key(key)?;
        if key.len() > MAX_KEY {
            return Err(Error::internal(format!(
                "key {key} is too long for an export"
            )));
        }
        let mut st = self.state()?;
        let at = st.end;
        let file = st
            .file
            .as_ref()
            .ok_or_else(|| Error::internal("the export file was finished already"))?;
        file.write_all_at(data, at)
            .map_err(io("write", &self.part))?;
        st.end = at + data.len() as u64;
        let span = Span {
            offset: at,
            len: data.len() as u64,
        };
        // A rewritten object leaves its old bytes behind, unlisted.
        st.table.insert(key.to_string(), span);
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.state()?.table.remove(key);
        Ok(())
    }
    fn concurrency(&self) -> usize {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dir: &Path) -> PathBuf {
        let out = dir.join("x.cairn");
        let w = ArchiveWriter::create(&out).expect("test step");
        w.put("config", b"{}").expect("test step");
        w.put("data/ab/abcd", &[7u8; 100]).expect("test step");
        w.finish().expect("test step");
        out
    }

    #[test]
    fn objects_put_are_read_back_after_finish() {
        let dir = tempfile::tempdir().expect("test step");
        let out = written(dir.path());
        assert!(!dir.path().join("x.cairn.part").exists());
        let r = ArchiveReader::open(&out).expect("test step");
        assert_eq!(r.get("config").expect("test step"), b"{}");
        assert_eq!(
            r.get_range("data/ab/abcd", 90, 10).expect("test step"),
            vec![7u8; 10]
        );
        assert!(r.get_range("data/ab/abcd", 95, 10).is_err());
        assert_eq!(r.list("data/").expect("test step").len(), 1);
        assert!(r.put("config", b"x").is_err());
    }

    #[test]
    fn an_unfinished_export_leaves_no_file() {
        let dir = tempfile::tempdir().expect("test step");
        let out = dir.path().join("y.cairn");
        {
            let w = ArchiveWriter::create(&out).expect("test step");
            w.put("config", b"{}").expect("test step");
        }
        assert!(!out.exists());
        assert!(!dir.path().join("y.cairn.part").exists());
    }

    #[test]
    fn a_table_pointing_outside_the_file_is_refused() {
        let dir = tempfile::tempdir().expect("test step");
        let out = written(dir.path());
        let mut bytes = std::fs::read(&out).expect("test step");
        let n = bytes.len();
        // The last table entry's length: make it run past the table.
        let at = n - TRAILER_LEN as usize - 8;
        bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&out, &bytes).expect("test step");
        let e = ArchiveReader::open(&out).err().expect("refused");
        assert!(e.message().contains("outside the file"), "{}", e.message());
        std::fs::write(&out, &bytes[..n - 3]).expect("test step");
        assert!(ArchiveReader::open(&out).is_err());
        std::fs::write(&out, b"CAIRNEXP").expect("test step");
        assert!(ArchiveReader::open(&out).is_err());
    }
}
