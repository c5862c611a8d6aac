//! A read-only NBD server (the fixed newstyle protocol of
//! <https://github.com/NetworkBlockDevice/nbd/blob/master/doc/proto.md>)
//! for one volume of a restore point, on a Unix socket or a loopback TCP
//! port: `qemu-img`, `nbd-client` or a hypervisor reads the disk without it
//! being restored. Everything a client sends is bounded: an oversized
//! option or request closes its connection, and writes are refused.

use crate::progress::CancelToken;
use crate::restore::volume_reader::VolumeReader;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::sync::Arc;

const NBDMAGIC: u64 = 0x4e42_444d_4147_4943;
const IHAVEOPT: u64 = 0x4948_4156_454f_5054;
const OPT_REPLY_MAGIC: u64 = 0x0003_e889_0455_65a9;
const REQUEST_MAGIC: u32 = 0x2560_9513;
const SIMPLE_REPLY_MAGIC: u32 = 0x6744_6698;

const FLAG_FIXED_NEWSTYLE: u16 = 1;
const FLAG_NO_ZEROES: u16 = 2;

const OPT_EXPORT_NAME: u32 = 1;
const OPT_ABORT: u32 = 2;
const OPT_INFO: u32 = 6;
const OPT_GO: u32 = 7;

const REP_ACK: u32 = 1;
const REP_INFO: u32 = 3;
const REP_ERR_UNSUP: u32 = (1 << 31) | 1;
const REP_ERR_INVALID: u32 = (1 << 31) | 3;
const REP_ERR_UNKNOWN: u32 = (1 << 31) | 6;

const INFO_EXPORT: u16 = 0;

/// HAS_FLAGS | READ_ONLY | CAN_MULTI_CONN.
const TRANSMISSION_FLAGS: u16 = 1 | (1 << 1) | (1 << 8);

const CMD_READ: u16 = 0;
const CMD_WRITE: u16 = 1;
const CMD_DISC: u16 = 2;
const CMD_FLUSH: u16 = 3;

const EPERM: u32 = 1;
const EIO: u32 = 5;
const EINVAL: u32 = 22;

/// The most one option or request may carry.
const MAX_OPTION: u32 = 4096;
const MAX_REQUEST: u32 = 32 << 20;

/// Where the server listens.
pub enum Listener {
    /// A Unix socket.
    Unix(UnixListener),
    /// A TCP port (bind it to 127.0.0.1 only).
    Tcp(TcpListener),
}

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

impl Listener {
    fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            Self::Unix(l) => l.set_nonblocking(true),
            Self::Tcp(l) => l.set_nonblocking(true),
        }
    }

    fn accept(&self) -> io::Result<Box<dyn Stream>> {
        match self {
            Self::Unix(l) => {
                let (s, _) = l.accept()?;
                s.set_nonblocking(false)?;
                Ok(Box::new(s))
            }
            Self::Tcp(l) => {
                let (s, _) = l.accept()?;
                s.set_nonblocking(false)?;
                s.set_nodelay(true)?;
                Ok(Box::new(s))
            }
        }
    }
}

/// Serves `reader` as the export `name` (and as the default export "")
/// until `stop` is cancelled; each client on its own thread.
pub fn serve(
    listener: Listener,
    reader: Arc<VolumeReader>,
    name: &str,
    stop: &CancelToken,
) -> io::Result<()> {
    listener.set_nonblocking()?;
    while !stop.is_cancelled() {
        match listener.accept() {
            Ok(s) => {
                let reader = reader.clone();
                let name = name.to_string();
                std::thread::spawn(move || {
                    // A client that breaks the protocol only loses its connection.
                    let _ = Connection { s, reader }.run(&name);
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

struct Connection {
    s: Box<dyn Stream>,
    reader: Arc<VolumeReader>,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

impl Connection {
    fn run(mut self, name: &str) -> io::Result<()> {
        self.s.write_all(&NBDMAGIC.to_be_bytes())?;
        self.s.write_all(&IHAVEOPT.to_be_bytes())?;
        self.s
            .write_all(&(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES).to_be_bytes())?;
        let client = self.u32()?;
        if client & u32::from(FLAG_FIXED_NEWSTYLE) == 0 {
            return Err(invalid("the client does not speak fixed newstyle"));
        }
        let no_zeroes = client & u32::from(FLAG_NO_ZEROES) != 0;
        if self.haggle(name, no_zeroes)? {
            self.transmit()?;
        }
        Ok(())
    }

    /// The option phase; true when the client moves on to transmission.
    fn haggle(&mut self, name: &str, no_zeroes: bool) -> io::Result<bool> {
        loop {
            if self.u64()? != IHAVEOPT {
                return Err(invalid("bad option magic"));
            }
            let opt = self.u32()?;
            let len = self.u32()?;
            if len > MAX_OPTION {
                return Err(invalid("option too long"));
            }
            let mut data = vec![0u8; len as usize];
            self.s.read_exact(&mut data)?;
            match opt {
                OPT_EXPORT_NAME => {
                    if !known(&data, name) {
                        return Err(invalid("unknown export"));
                    }
                    self.s.write_all(&self.reader.size().to_be_bytes())?;
                    self.s.write_all(&TRANSMISSION_FLAGS.to_be_bytes())?;
                    if !no_zeroes {
                        self.s.write_all(&[0u8; 124])?;
                    }
                    return Ok(true);
                }
                OPT_ABORT => {
                    self.reply(opt, REP_ACK, &[])?;
                    return Ok(false);
                }
                OPT_INFO | OPT_GO => match go_export_name(&data) {
                    None => self.reply(opt, REP_ERR_INVALID, &[])?,
                    Some(n) if !known(n, name) => self.reply(opt, REP_ERR_UNKNOWN, &[])?,
                    Some(_) => {
                        let mut info = INFO_EXPORT.to_be_bytes().to_vec();
                        info.extend_from_slice(&self.reader.size().to_be_bytes());
                        info.extend_from_slice(&TRANSMISSION_FLAGS.to_be_bytes());
                        self.reply(opt, REP_INFO, &info)?;
                        self.reply(opt, REP_ACK, &[])?;
                        if opt == OPT_GO {
                            return Ok(true);
                        }
                    }
                },
                _ => self.reply(opt, REP_ERR_UNSUP, &[])?,
            }
        }
    }

    fn reply(&mut self, opt: u32, kind: u32, data: &[u8]) -> io::Result<()> {
        let mut m = Vec::with_capacity(20 + data.len());
        m.extend_from_slice(&OPT_REPLY_MAGIC.to_be_bytes());
        m.extend_from_slice(&opt.to_be_bytes());
        m.extend_from_slice(&kind.to_be_bytes());
        m.extend_from_slice(&(data.len() as u32).to_be_bytes());
        m.extend_from_slice(data);
        self.s.write_all(&m)
    }

    /// Requests until the client disconnects.
    fn transmit(&mut self) -> io::Result<()> {
        let mut buf = Vec::new();
        loop {
            let mut h = [0u8; 28];
            self.s.read_exact(&mut h)?;
            let magic = u32::from_be_bytes(h[0..4].try_into().unwrap_or_default());
            if magic != REQUEST_MAGIC {
                return Err(invalid("bad request magic"));
            }
            let kind = u16::from_be_bytes([h[6], h[7]]);
            let cookie = &h[8..16];
            let offset = u64::from_be_bytes(h[16..24].try_into().unwrap_or_default());
            let len = u32::from_be_bytes(h[24..28].try_into().unwrap_or_default());
            if len > MAX_REQUEST {
                return Err(invalid("request too long"));
            }
            match kind {
                CMD_READ => {
                    buf.clear();
                    buf.resize(len as usize, 0);
                    match self.reader.read_at(offset, &mut buf) {
                        Ok(()) => {
                            self.simple(cookie, 0)?;
                            self.s.write_all(&buf)?;
                        }
                        Err(e) if e.kind() == cairn_model::ErrorKind::InvalidInput => {
                            self.simple(cookie, EINVAL)?
                        }
                        Err(_) => self.simple(cookie, EIO)?,
                    }
                }
                CMD_WRITE => {
                    io::copy(&mut (&mut self.s).take(u64::from(len)), &mut io::sink())?;
                    self.simple(cookie, EPERM)?;
                }
                CMD_DISC => return Ok(()),
                CMD_FLUSH => self.simple(cookie, 0)?,
                _ => self.simple(cookie, EINVAL)?,
            }
        }
    }

    fn simple(&mut self, cookie: &[u8], error: u32) -> io::Result<()> {
        let mut m = [0u8; 16];
        m[0..4].copy_from_slice(&SIMPLE_REPLY_MAGIC.to_be_bytes());
        m[4..8].copy_from_slice(&error.to_be_bytes());
        m[8..16].copy_from_slice(cookie);
        self.s.write_all(&m)
    }

    fn u32(&mut self) -> io::Result<u32> {
        let mut b = [0u8; 4];
        self.s.read_exact(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    fn u64(&mut self) -> io::Result<u64> {
        let mut b = [0u8; 8];
        self.s.read_exact(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }
}

/// The default export "" and `name` are served.
fn known(asked: &[u8], name: &str) -> bool {
    asked.is_empty() || asked == name.as_bytes()
}

/// The export name of an NBD_OPT_GO or NBD_OPT_INFO request (a 32-bit
/// length, the name, then a 16-bit count of 16-bit info requests).
fn go_export_name(data: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?) as usize;
    let name = data.get(4..4usize.checked_add(len)?)?;
    let rest = data.get(4 + len..)?;
    let count = u16::from_be_bytes(rest.get(0..2)?.try_into().ok()?) as usize;
    (rest.len() == 2 + 2 * count).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_names_are_parsed_with_their_bounds_checked() {
        let mut d = 3u32.to_be_bytes().to_vec();
        d.extend_from_slice(b"vol");
        d.extend_from_slice(&1u16.to_be_bytes());
        d.extend_from_slice(&0u16.to_be_bytes());
        assert_eq!(go_export_name(&d), Some(&b"vol"[..]));
        assert_eq!(go_export_name(&d[..d.len() - 1]), None);
        let mut huge = u32::MAX.to_be_bytes().to_vec();
        huge.extend_from_slice(b"x");
        assert_eq!(go_export_name(&huge), None);
        assert!(known(b"", "vol") && known(b"vol", "vol") && !known(b"other", "vol"));
    }
}
