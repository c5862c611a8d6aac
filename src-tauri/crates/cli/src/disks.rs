//! `export-disk` and `publish-disk`: a volume of a restore point as a
//! disk image file, or served read-only over NBD until interrupted.

use crate::output::{self, CliProgress};
use crate::secret_input::{exposed, password};
use cairn_console::{CancelToken, Console, Error, Listen, Result};
use cairn_model::DiskFormat;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The formats `--format` takes.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Raw,
    Vmdk,
    Vhd,
    VhdFixed,
    Vhdx,
}

impl From<FormatArg> for DiskFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Raw => DiskFormat::Raw,
            FormatArg::Vmdk => DiskFormat::Vmdk,
            FormatArg::Vhd => DiskFormat::Vhd,
            FormatArg::VhdFixed => DiskFormat::VhdFixed,
            FormatArg::Vhdx => DiskFormat::Vhdx,
        }
    }
}

/// Which volume of which restore point.
pub struct Pick<'a> {
    pub backup: &'a str,
    pub point: &'a str,
    pub volume: &'a str,
    pub password_stdin: bool,
}

/// `cairn export-disk BACKUP --volume V --format F --out FILE`.
pub fn export_disk(
    console: &Console,
    p: Pick,
    format: FormatArg,
    out: &std::path::Path,
    json: bool,
) -> Result<i32> {
    let pw = password(p.password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = console.export_disk(
        p.backup,
        p.point,
        p.volume,
        format.into(),
        out,
        exposed(&pw),
        sink,
        &stop_on_signals()?,
    )?;
    if json {
        output::json(&r);
    } else {
        println!(
            "exported {} as {} to {} ({} on disk)",
            output::bytes(r.size),
            DiskFormat::from(format).label(),
            out.display(),
            output::bytes(r.allocated)
        );
    }
    Ok(0)
}

/// `cairn publish-disk BACKUP --volume V (--socket PATH | --port N)`:
/// in the foreground until Ctrl+C or SIGTERM.
pub fn publish_disk(
    console: &Console,
    p: Pick,
    socket: Option<PathBuf>,
    port: Option<u16>,
) -> Result<i32> {
    let listen = match (socket, port) {
        (Some(s), None) => Listen::Socket(crate::volumes::absolute(&s)?),
        (None, Some(n)) => Listen::Port(n),
        _ => return Err(Error::invalid("give --socket PATH or --port N")),
    };
    let pw = password(p.password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let stop = stop_on_signals()?;
    let ready = |uri: &str| {
        println!("published read-only at {uri}; Ctrl+C unpublishes");
        let _ = std::io::stdout().flush();
    };
    let served = console.publish_disk(
        p.backup,
        p.point,
        p.volume,
        &listen,
        exposed(&pw),
        sink,
        &ready,
        &stop,
    )?;
    println!("unpublished after serving {}", output::bytes(served));
    Ok(0)
}

/// A token cancelled by SIGINT or SIGTERM, so long work stops cleanly.
pub(crate) fn stop_on_signals() -> Result<CancelToken> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, flag.clone())
            .map_err(|e| Error::internal("cannot watch for Ctrl+C").caused_by(e))?;
    }
    let token = CancelToken::new();
    let t = token.clone();
    std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        t.cancel();
    });
    Ok(token)
}
