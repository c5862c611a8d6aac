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
use crate::secret_input::{exposed, password};
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
        state_dir,
        systemd_unit,
    } = &cli.command
    {
        return agent(config, root.clone(), state_dir.clone(), *systemd_unit);
    }
    if let Some(code) = crate::exports::without_console(&cli.command, cli.json) {
        return code;
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
            file: _,
        } => {
            let backup = backup.unwrap_or_default();
            crate::points::browse(&console, &backup, &point, &path, password_stdin, json)
        }
        Command::Export {
            backup,
            point,
            out,
            password_stdin,
        } => crate::exports::export(&console, &backup, &point, &out, password_stdin, json),
        Command::Import {
            file,
            repo,
            password_stdin,
        } => crate::exports::import(&console, &file, &repo, password_stdin, json),
        Command::Restore(a) => restore(&console, a, json),
        Command::Volumes {
            backup,
            point,
            password_stdin,
        } => crate::volumes::volumes(&console, &backup, &point, password_stdin, json),
        Command::RestoreVolume {
            backup,
            point,
            volume,
            to,
            yes,
            password_stdin,
        } => {
            let a = crate::volumes::VolumeRestore {
                backup: &backup,
                point: &point,
                volume: &volume,
                to: &to,
                yes,
                password_stdin,
            };
            crate::volumes::restore_volume(&console, a, json)
        }
        Command::ExportDisk {
            backup,
            point,
            volume,
            format,
            out,
            password_stdin,
        } => {
            let p = crate::disks::Pick {
                backup: &backup,
                point: &point,
                volume: &volume,
                password_stdin,
            };
            crate::disks::export_disk(&console, p, format, &out, json)
        }
        Command::PublishDisk {
            backup,
            point,
            volume,
            socket,
            port,
            password_stdin,
        } => {
            let p = crate::disks::Pick {
                backup: &backup,
                point: &point,
                volume: &volume,
                password_stdin,
            };
            crate::disks::publish_disk(&console, p, socket, port)
        }
        Command::Mount {
            backup,
            dir,
            point,
            password_stdin,
        } => crate::mounts::mount(&console, &backup, &point, &dir, password_stdin, json),
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
/// `cairn agent --config FILE...`: one agent loop per configuration (each
/// machine's files under ROOT/<machine id> when there are several).
fn agent(
    configs: &[std::path::PathBuf],
    root: Option<std::path::PathBuf>,
    state_dir: Option<std::path::PathBuf>,
    unit: bool,
) -> Result<i32> {
    if unit {
        for c in configs {
            print!("{}", cairn_agent::systemd_unit(c));
        }
        return Ok(0);
    }
    let mut cfgs = configs
        .iter()
        .map(|c| cairn_agent::AgentConfig::load(c))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if let Some(dir) = &state_dir {
        let several = cfgs.len() > 1;
        for cfg in &mut cfgs {
            cfg.state_dir = Some(if several {
                dir.join(&cfg.machine_id)
            } else {
                dir.clone()
            });
        }
    }
    let stop = CancelToken::new();
    if let [cfg] = cfgs.as_slice() {
        cairn_agent::serve(cfg.clone(), root, &stop)?;
        return Ok(0);
    }
    let loops: Vec<_> = cfgs
        .into_iter()
        .map(|cfg| {
            let root = root.as_ref().map(|r| r.join(&cfg.machine_id));
            let stop = stop.clone();
            std::thread::spawn(move || {
                let id = cfg.machine_id.clone();
                let served = cairn_agent::serve(cfg, root, &stop);
                if let Err(e) = &served {
                    eprintln!("cairn-agent {id}: {}", e.message());
                }
                served.is_ok()
            })
        })
        .collect();
    let mut failed = 0;
    for l in loops {
        if !matches!(l.join(), Ok(true)) {
            failed += 1;
        }
    }
    Ok(i32::from(failed > 0))
}

fn backups(console: &Console, json: bool) -> Result<i32> {
    let all = console.backup_listing()?;
    if json {
        output::json(&all);
    } else {
        output::listed_backups(&all);
    }
    Ok(0)
}

/// What `restore`'s flags ask for.
pub(crate) fn restore_spec(a: &RestoreArgs) -> Result<RestoreSpec> {
    let dest = match (&a.to, a.original) {
        (Some(d), _) => Destination::To(crate::volumes::absolute(d)?),
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
    Ok(RestoreSpec {
        paths: a.paths.clone(),
        dest,
        preserve_owner: a.preserve_owner,
        changed_only: a.changed_only,
    })
}

fn restore(console: &Console, a: RestoreArgs, json: bool) -> Result<i32> {
    let spec = restore_spec(&a)?;
    let pw = password(a.password_stdin)?;
    let sink = Arc::new(CliProgress::new(false));
    let r = console.restore(
        a.backup.as_deref().unwrap_or_default(),
        &a.point,
        &spec,
        exposed(&pw),
        sink,
        &CancelToken::new(),
    )?;
    Ok(restored(&r, json))
}

/// Prints what a restore did; the exit code.
pub(crate) fn restored(r: &cairn_console::RestoreReport, json: bool) -> i32 {
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
    if r.failed.is_empty() {
        0
    } else {
        1
    }
}
