//! `cairn repo …`: add, list, edit, remove and rescan repositories.

use crate::args::*;
use crate::output;
use crate::secret_input::{azure_secret_word, read_secret};
use cairn_console::Sensitive;
use cairn_console::{AzureAuth, AzureSettings, Tier};
use cairn_console::{Console, Error, Result};
use cairn_console::{S3Settings, StorageClass};
use cairn_model::RepositoryTarget;
use serde_json::json;

pub(super) fn repo(console: &Console, c: RepoCmd, json: bool) -> Result<i32> {
    match c {
        RepoCmd::Add(a) => repo_add(console, a, json)?,
        RepoCmd::List => repo_list(console, json)?,
        RepoCmd::Edit(e) => repo_edit(console, e, json)?,
        RepoCmd::Remove { name } => repo_remove(console, &name, json)?,
        RepoCmd::Rescan { name } => repo_rescan(console, &name, json)?,
    }
    Ok(0)
}

/// `cairn repo rescan`, and the rescan after every add: the catalog's
/// backups of the repository brought in line with what it holds.
fn repo_rescan(console: &Console, name: &str, json: bool) -> Result<()> {
    let r = console.rescan_repository(name)?;
    print_rescan(&r, json);
    Ok(())
}

fn print_rescan(r: &cairn_console::RepositoryRescan, json: bool) {
    if json {
        output::json(&json!({"repository": r.repository, "backups": r.backups,
            "restore_points": r.restore_points, "added": r.added, "removed": r.removed,
            "sealed": r.sealed, "warnings": r.warnings}));
        return;
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "Rescan of {}: {} backup(s), {} restore point(s); {} added, {} removed",
        r.repository, r.backups, r.restore_points, r.added, r.removed
    );
    if r.sealed > 0 {
        println!(
            "{} encrypted backup(s) are listed by restore point only: add their password (`cairn credentials add-password`, then `cairn repo rescan {}`) or give it at a restore (--password-stdin)",
            r.sealed, r.repository
        );
    }
}

/// `cairn repo add local|s3|azure`, then a rescan of what is in it.
fn repo_add(console: &Console, a: RepoAdd, json: bool) -> Result<()> {
    let name = match &a {
        RepoAdd::Local { name, .. } | RepoAdd::S3 { name, .. } | RepoAdd::Azure { name, .. } => {
            name.clone()
        }
    };
    add_repository(console, a, json)?;
    // The repository is added either way; a failed rescan is a warning.
    match console.rescan_repository(&name) {
        Ok(r) if !json => print_rescan(&r, false),
        Ok(_) => {}
        Err(e) => eprintln!(
            "warning: the rescan of its backups failed: {}; `cairn repo rescan {name}` retries it",
            e.message()
        ),
    }
    Ok(())
}

fn add_repository(console: &Console, a: RepoAdd, json: bool) -> Result<()> {
    match a {
        RepoAdd::Local {
            name,
            path,
            description,
        } => {
            let abs = if path.is_absolute() {
                path
            } else {
                std::env::current_dir()
                    .map_err(|e| Error::internal("cannot read the current folder").caused_by(e))?
                    .join(path)
            };
            let r = console.add_local_repository(&name, &abs, &description)?;
            if json {
                output::json(&json!({"id": r.id, "name": r.name, "path": r.location}));
            } else {
                println!("Repository {} added at {}", r.name, r.location);
            }
        }
        RepoAdd::S3 {
            name,
            account,
            storage_class,
            immutable_days,
            description,
        } => {
            let class = StorageClass::parse(&storage_class)?;
            let settings = S3Settings {
                bucket: account.bucket,
                folder: account.folder,
                region: account.region,
                endpoint: account.endpoint,
                credential: String::new(),
                storage_class: class,
                immutable_days,
            };
            let secret = read_secret("secret access key")?;
            let r = console.add_s3_repository(
                &name,
                &description,
                settings,
                &account.access_key_id,
                &secret,
            )?;
            added(&r, json);
        }
        RepoAdd::Azure {
            name,
            account,
            tier,
            immutable_days,
            description,
        } => {
            let tier = Tier::parse(&tier)?;
            let auth = if account.shared_key_stdin {
                AzureAuth::SharedKey
            } else {
                AzureAuth::Sas
            };
            let secret = read_secret(azure_secret_word(account.shared_key_stdin))?;
            let settings = AzureSettings {
                account: account.account,
                container: account.container,
                folder: account.folder,
                endpoint: account.endpoint,
                credential: String::new(),
                auth,
                tier,
                immutable_days,
            };
            let r = console.add_azure_repository(&name, &description, settings, &secret)?;
            added(&r, json);
        }
    }
    Ok(())
}

/// `cairn repo list`.
fn repo_list(console: &Console, json: bool) -> Result<()> {
    let rows = console.repository_rows()?;
    if json {
        output::json(&rows);
    } else {
        let t: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.kind.label().into(),
                    r.location.clone(),
                    r.used_bytes.map(output::bytes).unwrap_or_default(),
                    r.free_bytes.map(output::bytes).unwrap_or_default(),
                ]
            })
            .collect();
        output::table(&["Name", "Type", "Path", "Used", "Free"], &t);
    }
    Ok(())
}

/// `cairn repo edit NAME …`: the location never changes.
fn repo_edit(console: &Console, e: RepoEdit, json: bool) -> Result<()> {
    let RepoEdit {
        name,
        new_name,
        description,
        storage_class,
        tier,
        immutable_days,
        no_immutability,
        secret_stdin,
    } = e;
    let d = console.repository_details(&name)?;
    let mut target = d.target;
    let days = if no_immutability {
        Some(None)
    } else {
        immutable_days.map(Some)
    };
    let secret = if secret_stdin {
        Some(read_secret("new secret")?)
    } else {
        None
    };
    apply_edit(&mut target, storage_class, tier, days, secret)?;
    let new_name = new_name.unwrap_or_else(|| d.name.clone());
    let description = description.unwrap_or(d.description);
    let (rec, log) = console.edit_repository(&name, &new_name, &description, &target)?;
    if json {
        output::json(&json!({"name": rec.name, "location": rec.location, "log": log}));
    } else {
        for l in log {
            eprintln!("{l}");
        }
        println!("Repository {} saved", rec.name);
    }
    Ok(())
}

/// The settings `repo edit` changes on a repository's location, refused
/// where the kind has no such setting.
fn apply_edit(
    target: &mut RepositoryTarget,
    storage_class: Option<String>,
    tier: Option<String>,
    days: Option<Option<u32>>,
    secret: Option<Sensitive<String>>,
) -> Result<()> {
    match target {
        RepositoryTarget::Local { .. } => {
            if storage_class.is_some() || tier.is_some() || days.is_some() || secret.is_some() {
                return Err(Error::invalid(
                    "a local repository has only a name and a description to edit",
                ));
            }
        }
        RepositoryTarget::S3 {
            storage_class: c,
            immutable_days: i,
            secret_access_key,
            ..
        } => {
            if tier.is_some() {
                return Err(Error::invalid(
                    "--tier is for Azure repositories; S3 has --storage-class",
                ));
            }
            if let Some(v) = storage_class {
                *c = v;
            }
            if let Some(v) = days {
                *i = v;
            }
            if let Some(v) = secret {
                secret_access_key.0 = v.expose().clone();
            }
        }
        RepositoryTarget::Azure {
            tier: t,
            immutable_days: i,
            secret: sec,
            ..
        } => {
            if storage_class.is_some() {
                return Err(Error::invalid(
                    "--storage-class is for S3 repositories; Azure has --tier",
                ));
            }
            if let Some(v) = tier {
                *t = v;
            }
            if let Some(v) = days {
                *i = v;
            }
            if let Some(v) = secret {
                sec.0 = v.expose().clone();
            }
        }
    }
    Ok(())
}

/// `cairn repo remove NAME`: the data stays.
fn repo_remove(console: &Console, name: &str, json: bool) -> Result<()> {
    console.remove_repository(name)?;
    if !json {
        println!("Repository {name} removed from the configuration; its data was not deleted");
    } else {
        output::json(&json!({"removed": name}));
    }
    Ok(())
}

fn added(r: &cairn_console::catalog::RepositoryRecord, json: bool) {
    if json {
        output::json(
            &json!({"id": r.id, "name": r.name, "type": r.kind.label(), "location": r.location}),
        );
    } else {
        println!(
            "Repository {} added ({}, {})",
            r.name,
            r.kind.label(),
            r.location
        );
    }
}
