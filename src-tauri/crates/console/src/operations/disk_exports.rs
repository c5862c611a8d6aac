//! Disk exports and published disks. A volume of a restore point is served
//! read-only over NBD (see `cairn_core::nbd`) straight from the repository:
//! `qemu-img` converts it into raw, VMDK, VHD or VHDX without the disk
//! being restored first (holes stay holes: qemu-img skips zero blocks), or
//! a hypervisor, `qemu-img` or `nbd-client` uses it while it is published.

use super::volume_restores::{pick_volume, Volume, VolumePick};
use super::Console;
use crate::error::{Error, Result};
use cairn_core::nbd::{self, Listener};
use cairn_core::progress::{CancelToken, Counters, ProgressSink, Ticker};
use cairn_core::restore::volume_reader::VolumeReader;
use cairn_model::{DiskFormat, LogLevel};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The export name a published volume has.
pub const EXPORT_NAME: &str = "volume";

/// Where a published disk listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A Unix socket at this path (only its owner may connect).
    Socket(PathBuf),
    /// This TCP port on 127.0.0.1.
    Port(u16),
}

/// What a disk export did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReport {
    /// The volume's size.
    pub size: u64,
    /// Bytes the exported file takes on disk.
    pub allocated: u64,
    /// Blocks fetched from the repository.
    pub blocks_fetched: u64,
}

/// `qemu-img convert`'s output options for a format (VHD keeps the exact
/// size instead of rounding it to a disk geometry).
fn qemu_output(format: DiskFormat) -> &'static [&'static str] {
    match format {
        DiskFormat::Raw => &["-O", "raw"],
        DiskFormat::Vmdk => &["-O", "vmdk"],
        DiskFormat::Vhd => &["-O", "vpc", "-o", "subformat=dynamic,force_size=on"],
        DiskFormat::VhdFixed => &["-O", "vpc", "-o", "subformat=fixed,force_size=on"],
        DiskFormat::Vhdx => &["-O", "vhdx"],
    }
}

fn socket_uri(sock: &Path) -> String {
    format!("nbd+unix:///{EXPORT_NAME}?socket={}", sock.display())
}

/// A Unix socket at `path`; a stale one (nobody listening) is replaced.
fn bind_socket(path: &Path) -> Result<std::os::unix::net::UnixListener> {
    if path.exists() {
        let stale = std::fs::symlink_metadata(path)
            .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()))
            && std::os::unix::net::UnixStream::connect(path).is_err();
        if !stale {
            return Err(Error::conflict(format!(
                "{} already exists; give another socket path",
                path.display()
            )));
        }
        let _ = std::fs::remove_file(path);
    }
    let l = std::os::unix::net::UnixListener::bind(path)
        .map_err(|e| Error::internal(format!("cannot listen on {}: {e}", path.display())))?;
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    Ok(l)
}

/// Serves `reader` on `listener` on a thread until `stop` is cancelled.
fn spawn_server(
    listener: Listener,
    reader: Arc<VolumeReader>,
    stop: CancelToken,
) -> std::thread::JoinHandle<std::io::Result<()>> {
    std::thread::spawn(move || nbd::serve(listener, reader, EXPORT_NAME, &stop))
}

/// Runs `qemu-img convert` from the socket into `part`, reporting the
/// bytes it has read; killed when `cancel` is.
fn convert(
    sock: &Path,
    format: DiskFormat,
    part: &Path,
    reader: &VolumeReader,
    counters: &Counters,
    cancel: &CancelToken,
) -> Result<()> {
    let mut child = Command::new("qemu-img")
        .args(["convert", "-f", "raw"])
        .args(qemu_output(format))
        .arg(socket_uri(sock))
        .arg(part)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::not_found(format!(
                "cannot run qemu-img ({e}); install qemu-utils (the set-up command does)"
            ))
        })?;
    let status = loop {
        counters
            .bytes_processed
            .store(reader.served.load(Ordering::Relaxed), Ordering::Relaxed);
        counters.bytes_read.store(
            reader.fetched_bytes.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        let written = std::fs::metadata(part).map(|m| m.blocks() * 512);
        counters
            .bytes_written
            .store(written.unwrap_or(0), Ordering::Relaxed);
        if cancel.is_cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(cairn_core::Error::cancelled().into());
        }
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(e) => return Err(Error::internal(format!("waiting for qemu-img: {e}"))),
        }
    };
    if status.success() {
        return Ok(());
    }
    let mut why = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut why);
    }
    Err(Error::storage(format!(
        "qemu-img could not write the {format:?} image: {}",
        why.trim()
    )))
}

impl Console {
    /// Opens a volume of a restore point for random reads.
    fn volume_reader(&self, pick: VolumePick) -> Result<(Volume, Arc<VolumeReader>)> {
        let p = self.open_point(pick.reference, pick.point, pick.password)?;
        let index = p.repo.load_index(&p.keyset, false)?;
        let (v, e) = pick_volume(&p, &index, pick.volume)?;
        let reader = VolumeReader::new(p.repo, p.keyset, index, &e)?;
        Ok((v, Arc::new(reader)))
    }

    /// Exports a volume of a restore point as a disk image file, as a
    /// session; `out` must not exist (a half export never takes its name).
    #[allow(clippy::too_many_arguments)]
    pub fn export_disk(
        &self,
        reference: &str,
        point: &str,
        volume: &str,
        format: DiskFormat,
        out: &Path,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ExportReport> {
        let (session, sink) = self.start_restore_session(&export_title(reference), sink)?;
        let pick = VolumePick {
            reference,
            point,
            volume,
            password,
        };
        self.export_disk_session(session, sink, pick, format, out, cancel)
    }

    /// The disk export of session `session`, which it ends.
    pub(super) fn export_disk_session(
        &self,
        session: i64,
        sink: Arc<dyn ProgressSink>,
        pick: VolumePick,
        format: DiskFormat,
        out: &Path,
        cancel: &CancelToken,
    ) -> Result<ExportReport> {
        let outcome = crate::error::catch_panic("the disk export", || {
            self.export_disk_in(pick, format, out, &sink, cancel)
        });
        let ended = match &outcome {
            Ok(r) => Ok((
                &[][..],
                format!(
                    "Exported {} bytes as {} to {} ({} bytes on disk)",
                    r.size,
                    format.label(),
                    out.display(),
                    r.allocated
                ),
            )),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }

    fn export_disk_in(
        &self,
        pick: VolumePick,
        format: DiskFormat,
        out: &Path,
        sink: &Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ExportReport> {
        if out.exists() {
            return Err(Error::conflict(format!(
                "{} already exists; give a new file name",
                out.display()
            )));
        }
        let (v, reader) = self.volume_reader(pick)?;
        sink.log(
            LogLevel::Info,
            &format!(
                "Exporting volume {} ({} bytes) as {}",
                v.path,
                v.size,
                format.label()
            ),
        );
        let dir = tempfile::Builder::new()
            .prefix("cairn-export-")
            .tempdir()
            .map_err(|e| Error::internal(format!("cannot create a private folder: {e}")))?;
        let sock = dir.path().join("volume.sock");
        let stop = CancelToken::new();
        let server = spawn_server(
            Listener::Unix(bind_socket(&sock)?),
            reader.clone(),
            stop.clone(),
        );
        let counters = Arc::new(Counters::default());
        counters.bytes_total.store(v.size, Ordering::Relaxed);
        counters.set_current(&out.to_string_lossy());
        let ticker = Ticker::start(counters.clone(), sink.clone());
        let mut part = out.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let converted = convert(&sock, format, &part, &reader, &counters, cancel);
        counters
            .files
            .store(u64::from(converted.is_ok()), Ordering::Relaxed);
        stop.cancel();
        let _ = server.join();
        drop(ticker);
        if let Err(e) = converted {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        std::fs::rename(&part, out).map_err(|e| {
            Error::internal(format!("cannot name the export {}: {e}", out.display()))
        })?;
        let allocated = std::fs::metadata(out)
            .map(|m| m.blocks() * 512)
            .unwrap_or(0);
        Ok(ExportReport {
            size: v.size,
            allocated,
            blocks_fetched: reader.fetched.load(Ordering::Relaxed),
        })
    }

    /// Publishes a volume of a restore point as a read-only NBD export
    /// until `stop` is cancelled, as a session; `ready` gets the address
    /// once clients may connect. Returns the bytes served.
    #[allow(clippy::too_many_arguments)]
    pub fn publish_disk(
        &self,
        reference: &str,
        point: &str,
        volume: &str,
        listen: &Listen,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        ready: &dyn Fn(&str),
        stop: &CancelToken,
    ) -> Result<u64> {
        let title = format!("Published disk from {reference}");
        let (session, sink) = self.start_restore_session(&title, sink)?;
        let outcome: Result<u64> = crate::error::catch_panic("the published disk", || {
            let (v, reader) = self.volume_reader(VolumePick {
                reference,
                point,
                volume,
                password,
            })?;
            let (listener, uri) = match listen {
                Listen::Socket(p) => (Listener::Unix(bind_socket(p)?), socket_uri(p)),
                Listen::Port(port) => {
                    let l = std::net::TcpListener::bind(("127.0.0.1", *port)).map_err(|e| {
                        Error::conflict(format!("cannot listen on 127.0.0.1:{port}: {e}"))
                    })?;
                    (
                        Listener::Tcp(l),
                        format!("nbd://127.0.0.1:{port}/{EXPORT_NAME}"),
                    )
                }
            };
            sink.log(
                LogLevel::Info,
                &format!(
                    "Published volume {} ({} bytes) read-only at {uri}",
                    v.path, v.size
                ),
            );
            ready(&uri);
            let served = nbd::serve(listener, reader.clone(), EXPORT_NAME, stop);
            if let Listen::Socket(p) = listen {
                let _ = std::fs::remove_file(p);
            }
            served.map_err(|e| Error::internal(format!("the published disk stopped: {e}")))?;
            Ok(reader.served.load(Ordering::Relaxed))
        });
        let ended = match &outcome {
            Ok(n) => Ok((&[][..], format!("Unpublished after serving {n} bytes"))),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }
}

/// The title of a disk export's session.
pub(super) fn export_title(reference: &str) -> String {
    format!("Disk export from {reference}")
}
