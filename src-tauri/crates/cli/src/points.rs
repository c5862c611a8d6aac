//! `browse`, `find`, `versions` and `diff`: reading what a restore point
//! holds, one function per subcommand (the tables are in `output.rs`).

use crate::output;
use crate::secret_input::{exposed, password};
use cairn_console::{Console, Result};
use serde_json::json;

/// `cairn browse BACKUP [PATH]`: one folder of a restore point.
pub fn browse(
    console: &Console,
    backup: &str,
    point: &str,
    path: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let (m, entries) = console.browse(backup, point, path, exposed(&pw))?;
    if json {
        let list: Vec<_> = entries.iter().map(output::entry_json).collect();
        output::json(&json!({"point": m.id, "path": path, "entries": list}));
    } else {
        output::entries(&entries);
    }
    Ok(0)
}

/// `cairn find BACKUP PATTERN`: search a restore point by name or mask.
pub fn find(
    console: &Console,
    backup: &str,
    point: &str,
    pattern: &str,
    limit: usize,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let (m, found, more) = console.find(backup, point, pattern, limit, exposed(&pw))?;
    if json {
        output::json(&json!({"point": m.id, "results": found, "truncated": more}));
    } else {
        output::found(&found);
        if more {
            println!("First {limit} results shown; narrow the pattern or raise --limit");
        }
    }
    Ok(0)
}

/// `cairn versions BACKUP PATH`: an item in every restore point.
pub fn versions(
    console: &Console,
    backup: &str,
    path: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let versions = console.versions(backup, path, exposed(&pw))?;
    if json {
        output::json(&versions);
    } else {
        output::versions(&versions);
    }
    Ok(0)
}

/// `cairn diff BACKUP A B`: what changed between two restore points.
pub fn diff(
    console: &Console,
    backup: &str,
    point_a: &str,
    point_b: &str,
    password_stdin: bool,
    json: bool,
) -> Result<i32> {
    let pw = password(password_stdin)?;
    let diffs = console.diff(backup, point_a, point_b, exposed(&pw))?;
    if json {
        output::json(&diffs);
    } else {
        output::differences(&diffs);
    }
    Ok(0)
}
