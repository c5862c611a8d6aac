//! `cairn mount`: a restore point as a read-only file system, in the
//! foreground until Ctrl+C, SIGTERM or an unmount from outside.

use crate::output::{self, CliProgress};
use crate::secret_input::{exposed, password};
use cairn_console::{Console, Result};
use std::path::Path;
use std::sync::Arc;

/// `cairn mount BACKUP DIR [--point P]`.
pub fn mount(
    console: &Console,
    backup: &str,
    point: &str,
    dir: &Path,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let dir = crate::volumes::absolute(dir)?;
    let pw = password(password_stdin)?;
    let stop = crate::disks::stop_on_signals()?;
    let ready = |at: &str| {
        if !json {
            println!("mounted read-only at {at}; Ctrl+C unmounts");
        }
    };
    let sink = Arc::new(CliProgress::new(false));
    let r = console.mount_point(backup, point, &dir, exposed(&pw), sink, &ready, &stop)?;
    if json {
        output::json(&r);
    } else {
        println!(
            "unmounted after serving {} ({} chunk(s) fetched, {} storage request(s))",
            output::bytes(r.bytes_served),
            r.chunks_fetched,
            r.requests
        );
    }
    Ok(0)
}
