//! `cairn bench hostile`: how long Cairn takes to deal with restore points
//! an attacker wrote: a folder bomb (64 levels, each folder holding the one
//! below twice: 2^64 paths in 65 trees) is checked once per distinct tree,
//! and a chain of 50,000 nested trees is refused at the depth limit.

use cairn_console::{crafted, LocalStorage};
use cairn_console::{CancelToken, Error, NoProgress, Repository, Result, Storage};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Serialize)]
struct Case {
    name: &'static str,
    trees_written: usize,
    check_secs: f64,
    outcome: String,
}

fn repository(dir: &std::path::Path, name: &str) -> Result<Repository> {
    let storage: Arc<dyn Storage> = Arc::new(LocalStorage::open(&dir.join(name), true)?);
    Ok(Repository::init(storage, name, "bench")?)
}

/// Writes the point `build` makes into a new repository, then times a
/// check of it.
fn case(
    dir: &std::path::Path,
    name: &'static str,
    trees_written: usize,
    build: &dyn Fn(crafted::PutTree) -> crafted::ChunkId,
) -> Result<Case> {
    let repo = repository(dir, name)?;
    crafted::point(&repo, name, build)?;
    let start = Instant::now();
    let checked =
        cairn_console::check_repository(&repo, None, false, &NoProgress, &CancelToken::new());
    let check_secs = start.elapsed().as_secs_f64();
    let outcome = match checked {
        Ok(r) if r.healthy() => format!("healthy, {} restore point(s)", r.restore_points),
        Ok(r) => format!(
            "{} error(s): {}",
            r.errors.len(),
            r.errors.first().cloned().unwrap_or_default()
        ),
        Err(e) => format!("refused: {}", e.message()),
    };
    Ok(Case {
        name,
        trees_written,
        check_secs,
        outcome,
    })
}

/// Runs both cases in a temporary folder and prints the table.
pub fn run(json: bool) -> Result<i32> {
    let tmp = std::env::temp_dir().join(format!("cairn-bench-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    let cases = [
        case(&tmp, "folder-bomb", 65, &|put| crafted::bomb(put, 64)),
        case(&tmp, "chain-50000", 50_001, &|put| {
            crafted::chain(put, 50_000)
        }),
    ];
    let _ = std::fs::remove_dir_all(&tmp);
    let cases: Vec<Case> = cases.into_iter().collect::<Result<_>>()?;
    if json {
        crate::output::json(&cases);
    } else {
        println!(
            "{:<14} {:>14} {:>10}  outcome",
            "case", "trees written", "check s"
        );
        for c in &cases {
            let outcome: String = c.outcome.chars().take(100).collect();
            println!(
                "{:<14} {:>14} {:>10.3}  {outcome}",
                c.name, c.trees_written, c.check_secs
            );
        }
    }
    Ok(0)
}
