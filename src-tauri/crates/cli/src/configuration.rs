//! `config backup` and `config restore`: the console's own configuration
//! as a restore point, and a console rebuilt from one.

use crate::args::ConfigCmd;
use crate::output;
use crate::secret_input::password;
use cairn_console::{Console, Result};

/// `cairn config backup|restore`.
pub fn config(console: &Console, c: ConfigCmd, json: bool) -> Result<i32> {
    match c {
        ConfigCmd::Backup {
            repo,
            password_stdin,
        } => {
            let pw = password(password_stdin)?;
            let r = console.backup_configuration(repo.as_deref(), pw.as_deref())?;
            if json {
                output::json(&r);
                return Ok(0);
            }
            println!(
                "Configuration backed up to {} (backup {}, restore point {})",
                r.repository, r.backup, r.point
            );
            if r.to_reenter.is_empty() {
                println!("{} secret(s) included, sealed with the password", r.secrets);
            } else {
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
                console.restore_configuration(&repo, point.as_deref(), pw.as_deref(), overwrite)?;
            if json {
                output::json(&r);
                return Ok(0);
            }
            for w in &r.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "Configuration restored from restore point {}: {} job(s), {} repositories, {} secret(s) back in the keyring",
                r.point, r.jobs, r.repositories, r.secrets
            );
            if !r.to_reenter.is_empty() {
                println!(
                    "Enter again (`cairn credentials …`): {}",
                    r.to_reenter.join(", ")
                );
            }
        }
    }
    Ok(0)
}
