//! `export`, `import`, and `browse --file` / `restore --file`: restore
//! points as self-contained `.cairn` files. A file is browsed and
//! restored before the console opens, so it needs no catalog.

use crate::args::{Command, RestoreArgs};
use crate::output::{self, CliProgress};
use crate::secret_input::{exposed, password};
use cairn_console::{Console, Error, Result};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

/// Runs a command on a `.cairn` file that needs no console (`browse
/// --file`, `restore --file`); `None` for every other command.
pub fn without_console(command: &Command, json: bool) -> Option<Result<i32>> {
    match command {
        Command::Browse {
            file: Some(file),
            backup,
            path,
            password_stdin,
            ..
        } => Some(browse_file(
            file,
            backup.as_deref(),
            path,
            *password_stdin,
            json,
        )),
        Command::Restore(a) if a.file.is_some() => Some(restore_file(a, json)),
        _ => None,
    }
}

/// `cairn browse --file X.cairn [PATH]`: with --file the one positional
/// argument is the folder.
fn browse_file(
    file: &Path,
    first: Option<&str>,
    path: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let folder = match (first, path) {
        (Some(f), "/") => f,
        (None, p) => p,
        (Some(_), _) => {
            return Err(Error::invalid(
                "with --file, give only the folder: cairn browse --file X.cairn [PATH]",
            ))
        }
    };
    let pw = password(password_stdin)?;
    let (m, entries) = cairn_console::browse_export_file(file, folder, exposed(&pw))?;
    if json {
        let list: Vec<_> = entries.iter().map(output::entry_json).collect();
        output::json(
            &json!({"point": m.id, "job": m.job, "machine": m.machine, "path": folder, "entries": list}),
        );
    } else {
        println!(
            "{} of {} ({}), restore point {}",
            folder, m.job, m.machine, m.id
        );
        output::entries(&entries);
    }
    Ok(0)
}

/// `cairn restore --file X.cairn --to DIR [--path …]`.
fn restore_file(a: &RestoreArgs, json: bool) -> Result<i32> {
    let file = a.file.as_deref().unwrap_or(Path::new(""));
    let spec = crate::commands::restore_spec(a)?;
    let pw = password(a.password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = cairn_console::restore_export_file(
        file,
        &spec,
        exposed(&pw),
        sink,
        &crate::disks::stop_on_signals()?,
    )?;
    Ok(crate::commands::restored(&r, json))
}

/// `cairn export BACKUP [--point P] --out X.cairn`.
pub fn export(
    console: &Console,
    backup: &str,
    point: &str,
    out: &Path,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let out = crate::volumes::absolute(out)?;
    let pw = password(password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = console.export_point(
        backup,
        point,
        &out,
        exposed(&pw),
        sink,
        &crate::disks::stop_on_signals()?,
    )?;
    if json {
        output::json(&r);
    } else {
        println!(
            "Exported {} folder(s) and {} chunk(s) of {} to {} ({})",
            r.trees,
            r.chunks,
            output::bytes(r.source_bytes),
            out.display(),
            output::bytes(r.file_bytes)
        );
    }
    Ok(0)
}

/// `cairn import X.cairn --repo R`.
pub fn import(
    console: &Console,
    file: &Path,
    repo: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = console.import_point(
        file,
        repo,
        exposed(&pw),
        sink,
        &crate::disks::stop_on_signals()?,
    )?;
    if json {
        output::json(&r);
    } else {
        println!(
            "Imported restore point {} of backup {} into {repo}: {} chunk(s) read, {} already there, {} written",
            r.point,
            r.backup,
            r.chunks_read,
            r.chunks_present,
            output::bytes(r.bytes_written)
        );
    }
    Ok(0)
}
