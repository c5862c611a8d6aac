//! `volumes` and `restore-volume`: the volumes of a restore point and
//! restoring one onto a block device or disk image file.

use crate::output::{self, CliProgress};
use crate::secret_input::{exposed, password};
use cairn_console::{CancelToken, Console, Error, Result};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `cairn volumes BACKUP`: the volumes a restore point holds, with sizes.
pub fn volumes(
    console: &Console,
    backup: &str,
    point: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let (m, vols) = console.volumes(backup, point, exposed(&pw))?;
    if json {
        output::json(&json!({"point": m.id, "volumes": vols}));
    } else if vols.is_empty() {
        println!(
            "restore point {} holds no volumes (a file-level backup)",
            m.id
        );
    } else {
        for v in &vols {
            println!("{:>10}  {}", output::bytes(v.size), v.path);
        }
    }
    Ok(0)
}

/// What `restore-volume` was asked.
pub struct VolumeRestore<'a> {
    pub backup: &'a str,
    pub point: &'a str,
    pub volume: &'a str,
    pub to: &'a Path,
    pub yes: bool,
    pub password_stdin: bool,
}

/// `cairn restore-volume BACKUP --volume V --to DEVICE_OR_FILE`.
pub fn restore_volume(console: &Console, a: VolumeRestore, json: bool) -> Result<i32> {
    let to = absolute(a.to)?;
    if to.exists() && !a.yes {
        confirm_overwrite(&to, a.password_stdin)?;
    }
    let pw = password(a.password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = console.restore_volume(
        a.backup,
        a.point,
        a.volume,
        &to,
        exposed(&pw),
        sink,
        &CancelToken::new(),
    )?;
    if json {
        output::json(&r);
    } else {
        println!(
            "{} of {} block(s) written and verified ({}), {} already equal{}",
            r.written,
            r.blocks,
            output::bytes(r.bytes_written),
            r.unchanged,
            if r.created { "; new image file" } else { "" }
        );
    }
    Ok(0)
}

/// `p` made absolute against the current folder.
pub fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    Ok(std::env::current_dir()
        .map_err(|e| Error::internal("cannot read the current folder").caused_by(e))?
        .join(p))
}

/// Overwriting a device or image asks for its name to be typed, as a
/// careful administrator would want; scripts pass --yes.
fn confirm_overwrite(to: &Path, password_stdin: bool) -> Result<()> {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| to.display().to_string());
    if password_stdin || !std::io::stdin().is_terminal() {
        return Err(Error::invalid(format!(
            "{} exists and would be overwritten; add --yes to confirm without being asked",
            to.display()
        )));
    }
    eprint!(
        "This overwrites {} with the volume (only blocks that differ are written). Type \"{name}\" to go on: ",
        to.display()
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::internal("cannot read the confirmation").caused_by(e))?;
    if line.trim() != name {
        return Err(Error::invalid(format!(
            "not confirmed; nothing was written to {}",
            to.display()
        )));
    }
    Ok(())
}
