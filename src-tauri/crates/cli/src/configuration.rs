//! `config backup` and `config restore`: the console's own configuration
//! as a restore point, and a console rebuilt from one.

use crate::args::ConfigCmd;
use crate::output;
use crate::secret_input::{exposed, password};
use cairn_console::{Console, Result};

/// `cairn config backup|restore`.
pub fn config(console: &Console, c: ConfigCmd, json: bool) -> Result<i32> {
    match c {
        ConfigCmd::Backup {
            repo,
            password_stdin,
        } => {
            let pw = password(password_stdin)?;
            let r = console.backup_configuration(repo.as_deref(), exposed(&pw))?;
            if json {
                output::json(&r);
                return Ok(0);
            }
            println!(
                "Configuration backed up to {} (backup {}, restore point {})",
                r.repository, r.backup, r.point
            );
            if r.sealed {
                println!("{} secret(s) included, sealed with the password", r.secrets);
            } else if !r.to_reenter.is_empty() {
                println!(
                    "Secrets not included (no password set); after a restore, enter again: {}",
                    r.to_reenter.join(", ")
                );
            }
        }
        ConfigCmd::Restore {
            repo,
            point,
            password_stdin,
            overwrite,
        } => {
            let pw = password(password_stdin)?;
            let r =
                console.restore_configuration(&repo, point.as_deref(), exposed(&pw), overwrite)?;
            if json {
                output::json(&r);
                return Ok(0);
            }
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", r.summary());
        }
        ConfigCmd::Schedule {
            daily,
            off,
            repo,
            password_name,
        } => schedule(console, daily, off, repo, password_name, json)?,
    }
    Ok(0)
}

/// `cairn config schedule`: changes what is given, then shows the settings.
fn schedule(
    console: &Console,
    daily: Option<String>,
    off: bool,
    repo: Option<String>,
    password_name: Option<String>,
    json: bool,
) -> Result<()> {
    let mut s = console.config_backup_settings()?;
    let changed = daily.is_some() || off || repo.is_some() || password_name.is_some();
    if let Some(t) = daily {
        s.time = t;
        s.enabled = true;
    }
    if off {
        s.enabled = false;
    }
    if repo.is_some() {
        s.repository = repo;
    }
    if password_name.is_some() {
        s.password_name = password_name;
    }
    if changed {
        console.set_config_backup_settings(&s)?;
    }
    if json {
        output::json(&s);
        return Ok(());
    }
    if !s.enabled {
        println!("Daily configuration backup: off");
        return Ok(());
    }
    let repo = s
        .repository
        .as_deref()
        .unwrap_or(cairn_console::DEFAULT_REPOSITORY);
    let secrets = match &s.password_name {
        Some(p) => format!("secrets sealed with password {p}"),
        None => "secrets left out (set --password-name to include them)".into(),
    };
    println!(
        "Daily configuration backup at {} into {repo}; {secrets}",
        s.time
    );
    Ok(())
}
