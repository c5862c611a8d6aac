//! Carrying out each command over the engine: `run` dispatches to one
//! function per subcommand, grouped by noun in the modules below.

mod credentials;
mod group;
mod job;
mod repository;

use credentials::credentials;
use group::group;
use job::job;
use repository::repo;

use crate::args::*;
use crate::output::{self, CliProgress};
use crate::secret_input::password;
use cairn_console::CancelToken;
use cairn_console::{Console, Error, Result};
use cairn_console::{Destination, RestoreSpec};
use std::sync::Arc;

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    if let Command::Bench(a) = &cli.command {
        return crate::bench::run(a, cli.json);
    }
    if let Command::Appliance(ApplianceCmd::Backup(a)) = &cli.command {
        return crate::external::appliance(a, cli.json);
    }
    if let Command::Agent {
        config,
        root,
        systemd_unit,
    } = &cli.command
    {
        return agent(config, root.clone(), *systemd_unit);
    }
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(cairn_console::paths::default_data_dir);
    let console = Console::open(&data_dir)?;
    let json = cli.json;
    match cli.command {
        Command::Repo(c) => repo(&console, c, json),
        Command::Credentials(c) => credentials(&console, c, json),
        Command::Job(c) => job(&console, c, json),
        Command::Backups(BackupsCmd::List) => backups(&console, json),
        Command::External(c) => crate::external::external(&console, c, json),
        Command::Group(c) => group(&console, c, json),
        Command::Appliance(_) | Command::Agent { .. } => {
            unreachable!("handled before the console opens")
        }
        Command::Find {
            backup,
            pattern,
            point,
            limit,
            password_stdin,
        } => crate::points::find(
            &console,
            &backup,
            &point,
            &pattern,
            limit,
            password_stdin,
            json,
        ),
        Command::Versions {
            backup,
            path,
            password_stdin,
        } => crate::points::versions(&console, &backup, &path, password_stdin, json),
        Command::Diff {
            backup,
            point_a,
            point_b,
            password_stdin,
        } => crate::points::diff(&console, &backup, &point_a, &point_b, password_stdin, json),
        Command::Browse {
            backup,
            point,
            path,
            password_stdin,
        } => crate::points::browse(&console, &backup, &point, &path, password_stdin, json),
        Command::Restore(a) => restore(&console, a, json),
        Command::Check {
            repo,
            full,
            password_stdin,
        } => crate::maintenance::check(&console, &repo, full, password_stdin, json),
        Command::Prune {
            repo,
            grace_hours,
            password_stdin,
        } => crate::maintenance::prune(&console, &repo, grace_hours, password_stdin, json),
        Command::Bench(_) => Ok(0),
        Command::Daemon => daemon(console),
        Command::Config(c) => crate::configuration::config(&console, c, json),
    }
}

/// `cairn daemon`: the scheduler without a window.
pub fn daemon(console: Console) -> Result<i32> {
    let console = std::sync::Arc::new(console);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    eprintln!(
        "cairn daemon: data folder {}; Ctrl+C stops it (running jobs then stop; no half restore point is kept)",
        console.data_dir().display()
    );
    cairn_console::scheduler::run(console, stop, &|m| eprintln!("cairn daemon: {m}"));
    Ok(0)
}

/// `cairn agent`: serves the machine's queue until a stop command.
fn agent(config: &std::path::Path, root: Option<std::path::PathBuf>, unit: bool) -> Result<i32> {
    if unit {
        print!("{}", cairn_agent::systemd_unit(config));
        return Ok(0);
    }
    let cfg = cairn_agent::AgentConfig::load(config)?;
    cairn_agent::serve(cfg, root, &CancelToken::new())?;
    Ok(0)
}

fn backups(console: &Console, json: bool) -> Result<i32> {
    let all = listed_backups(console)?;
    if json {
        output::json(&all.iter().map(output::listed_json).collect::<Vec<_>>());
    } else {
        output::listed_backups(&all);
    }
    Ok(0)
}

/// The catalog's backups and those of external repositories.
fn listed_backups(console: &Console) -> Result<Vec<output::Listed>> {
    let imported: std::collections::HashSet<(String, String)> = console
        .backup_rows()?
        .into_iter()
        .filter(|r| r.imported)
        .map(|r| (r.repository, r.id))
        .collect();
    let cat = console.catalog()?;
    let repos = cat.repositories()?;
    let repo_name = |id: i64| {
        repos
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let mut all: Vec<output::Listed> = cat
        .backups()?
        .into_iter()
        .map(|b| output::Listed {
            imported: imported.contains(&(repo_name(b.repository_id), b.backup_id.clone())),
            sealed: b.sealed,
            repository: repo_name(b.repository_id),
            id: b.backup_id,
            job: b.job_name,
            machine: b.machine,
            platform: b.platform,
            encrypted: b.encrypted,
            location: b.location,
            points: b
                .points
                .into_iter()
                .map(|p| (p.point_id, p.time, p.kind, p.size, p.gfs))
                .collect(),
        })
        .collect();
    for ext in cat.externals()? {
        for b in cat.external_backups(ext.id)? {
            let points = b.meta.points.into_iter();
            all.push(output::Listed {
                id: b.backup_id,
                job: b.meta.job,
                machine: b.meta.machine,
                platform: b.meta.platform,
                repository: ext.name.clone(),
                encrypted: b.encrypted,
                location: "external".into(),
                imported: false,
                sealed: false,
                points: points
                    .map(|p| (p.id, p.time, p.kind, p.size, p.gfs.join(",")))
                    .collect(),
            });
        }
    }
    Ok(all)
}

fn restore(console: &Console, a: RestoreArgs, json: bool) -> Result<i32> {
    let pw = password(a.password_stdin)?;
    let dest = match (&a.to, a.original) {
        (Some(d), _) => {
            let abs = if d.is_absolute() {
                d.clone()
            } else {
                std::env::current_dir()
                    .map_err(|e| Error::internal("cannot read the current folder").caused_by(e))?
                    .join(d)
            };
            Destination::To(abs)
        }
        (None, true) => {
            if !a.overwrite && !a.keep {
                return Err(Error::invalid(
                    "with --original, choose --overwrite or --keep",
                ));
            }
            Destination::Original {
                overwrite: a.overwrite,
            }
        }
        (None, false) => return Err(Error::invalid("choose --to DIR or --original")),
    };
    let spec = RestoreSpec {
        paths: a.paths.clone(),
        dest,
        preserve_owner: a.preserve_owner,
        changed_only: a.changed_only,
    };
    let sink = Arc::new(CliProgress::new(false));
    let r = console.restore(
        &a.backup,
        &a.point,
        &spec,
        pw.as_deref(),
        sink,
        &CancelToken::new(),
    )?;
    if json {
        output::json(&r);
    } else {
        println!(
            "{} file(s) restored ({}), {} skipped, {} failed",
            r.files_restored,
            output::bytes(r.bytes_written),
            r.files_skipped,
            r.failed.len()
        );
        for f in &r.failed {
            println!("failed: {f}");
        }
    }
    Ok(if r.failed.is_empty() { 0 } else { 1 })
}
