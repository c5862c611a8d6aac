//! `check` and `prune`: a repository's health and its unused packs.

use crate::output::{self, CliProgress};
use crate::secret_input::{exposed, password};
use cairn_console::{CancelToken, Console, Result};

/// `cairn check REPO [--full]`: exit code 1 when the repository is not
/// healthy.
pub fn check(
    console: &Console,
    repo: &str,
    full: bool,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let rec = console.repository_named(repo)?;
    let r = console.open_repository(&rec)?;
    let sink = CliProgress::new(false);
    let report =
        cairn_console::check_repository(&r, exposed(&pw), full, &sink, &CancelToken::new())?;
    if json {
        output::json(&report);
    } else {
        output::check_report(repo, &report);
    }
    Ok(if report.healthy() { 0 } else { 1 })
}

/// `cairn prune REPO`: mark unused packs, delete those marked long enough.
pub fn prune(
    console: &Console,
    repo: &str,
    grace_hours: u32,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let sink = CliProgress::new(json);
    let r = console.prune_repository(repo, exposed(&pw), grace_hours as i64 * 3600, &sink)?;
    if json {
        output::json_line("summary", &r);
    } else {
        println!(
            "{} pack(s) marked unused, {} deleted ({}), {} waiting for the grace period",
            r.marked,
            r.deleted,
            output::bytes(r.bytes_freed),
            r.waiting
        );
    }
    Ok(0)
}
