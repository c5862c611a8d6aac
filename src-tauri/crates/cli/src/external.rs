//! `cairn external …` and `cairn appliance backup`.

use crate::args::*;
use crate::output::{self, CliProgress};
use crate::secret_input::{azure_secret_word, read_secret};
use cairn_console::appliance::{self, ApplianceBackup, Platform};
use cairn_console::CancelToken;
use cairn_console::Sensitive;
use cairn_console::Storage;
use cairn_console::{AzureAuth, AzureSettings, AzureStorage, Tier};
use cairn_console::{Console, Error, Result};
use cairn_console::{S3Settings, S3Storage, StorageClass};
use cairn_model::{Compression, RepositoryTarget, Secret};
use serde_json::json;
use std::sync::Arc;

fn s3_target(a: &S3Account, secret: Sensitive<String>) -> RepositoryTarget {
    RepositoryTarget::S3 {
        region: a.region.clone(),
        endpoint: a.endpoint.clone(),
        access_key_id: a.access_key_id.clone(),
        secret_access_key: Secret(secret.expose().clone()),
        bucket: a.bucket.clone(),
        folder: a.folder.clone(),
        storage_class: "standard".into(),
        immutable_days: None,
    }
}

fn azure_target(a: &AzureAccount, secret: Sensitive<String>) -> RepositoryTarget {
    RepositoryTarget::Azure {
        account: a.account.clone(),
        endpoint: a.endpoint.clone(),
        sas: !a.shared_key_stdin,
        secret: Secret(secret.expose().clone()),
        container: a.container.clone(),
        folder: a.folder.clone(),
        tier: "hot".into(),
        immutable_days: None,
    }
}

/// The password option: a new Manage Passwords entry named after the
/// repository (read from standard input), or an existing entry.
fn password_entry(
    console: &Console,
    name: &str,
    o: &ExternalOptions,
) -> Result<(Option<String>, bool)> {
    if o.password_stdin {
        let pw = read_secret("password")?;
        let entry = format!("{name} password");
        let existed = console.catalog()?.credential(&entry).is_ok();
        console.put_credential(
            &entry,
            cairn_model::CredentialKind::Password,
            "",
            &pw,
            &format!("Opens the backups of external repository {name}"),
            "",
        )?;
        return Ok((Some(entry), !existed));
    }
    Ok((o.password_name.clone(), false))
}

fn print_reports(reports: &[cairn_model::RescanReport], json: bool) {
    if json {
        output::json(&reports);
        return;
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                r.repository.clone(),
                r.backups.to_string(),
                r.restore_points.to_string(),
                format!("+{}", r.added),
                format!("-{}", r.removed),
                r.requests.to_string(),
                format!("{:.2} s", r.duration_ms as f64 / 1000.0),
                r.error.clone().unwrap_or_else(|| "OK".into()),
            ]
        })
        .collect();
    output::table(
        &[
            "Repository",
            "Backups",
            "Restore points",
            "Added",
            "Removed",
            "Requests",
            "Duration",
            "Result",
        ],
        &rows,
    );
}

/// `cairn external …`.
pub fn external(console: &Console, c: ExternalCmd, json: bool) -> Result<i32> {
    match c {
        ExternalCmd::Add(add) => external_add(console, &add, json),
        ExternalCmd::List => {
            let rows = console.external_repository_rows()?;
            if json {
                output::json(&rows);
            } else {
                output::external_repositories(&rows);
            }
            Ok(0)
        }
        ExternalCmd::Rescan { name, all: _ } => {
            let (session, recs) = console.begin_rescan(name.as_deref())?;
            let reports = console.run_rescan(session, &recs, Arc::new(CliProgress::new(false)))?;
            print_reports(&reports, json);
            Ok(rescan_exit_code(&reports))
        }
        ExternalCmd::Remove { name } => {
            console.remove_external(&name)?;
            if json {
                output::json(&json!({"removed": name}));
            } else {
                println!("External repository {name} removed (nothing in it was touched)");
            }
            Ok(0)
        }
    }
}

/// 1 when a repository failed to rescan.
fn rescan_exit_code(reports: &[cairn_model::RescanReport]) -> i32 {
    i32::from(reports.iter().any(|r| r.error.is_some()))
}

/// `cairn external add s3|azure`: connect, then rescan at once.
fn external_add(console: &Console, add: &ExternalAdd, json: bool) -> Result<i32> {
    let (name, target, options) = match add {
        ExternalAdd::S3 {
            name,
            account,
            options,
        } => (
            name,
            s3_target(account, read_secret("secret access key")?),
            options,
        ),
        ExternalAdd::Azure {
            name,
            account,
            options,
        } => {
            let word = azure_secret_word(account.shared_key_stdin);
            (name, azure_target(account, read_secret(word)?), options)
        }
    };
    let (pw, created) = password_entry(console, name, options)?;
    let connected = console.connect_external(
        name,
        &options.description,
        &target,
        pw.as_deref(),
        options.take_ownership,
    );
    let (rec, log) = match connected {
        Ok(x) => x,
        Err(e) => {
            // A password entered for this attempt is not kept.
            if let (true, Some(entry)) = (created, &pw) {
                let _ = console.delete_credential(entry);
            }
            return Err(e);
        }
    };
    if !json {
        for l in &log {
            eprintln!("{l}");
        }
    }
    let (session, recs) = console.begin_rescan(Some(&rec.name))?;
    let reports = console.run_rescan(session, &recs, Arc::new(CliProgress::new(false)))?;
    if json {
        output::json(&json!({"name": rec.name, "log": log, "rescan": reports}));
    } else {
        println!("External repository {} connected", rec.name);
        print_reports(&reports, false);
    }
    Ok(rescan_exit_code(&reports))
}

/// `cairn appliance backup`.
pub fn appliance(a: &ApplianceArgs, json: bool) -> Result<i32> {
    let (storage, region) = match a.to {
        ApplianceTarget::S3 => appliance_s3(a)?,
        ApplianceTarget::Azure => appliance_azure(a)?,
    };
    let password = if a.password_stdin {
        Some(read_secret("password")?)
    } else {
        None
    };
    let source = if a.source.is_absolute() {
        a.source.clone()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::internal("cannot read the current folder").caused_by(e))?
            .join(&a.source)
    };
    let spec = ApplianceBackup {
        policy: a.policy.clone(),
        machine: a.machine.clone(),
        platform: match a.platform {
            PlatformArg::Ec2 => Platform::Ec2,
            PlatformArg::AzureVm => Platform::AzureVm,
        },
        region,
        source,
        compression: Compression::Optimal,
        retain_points: a.retain_points,
        password,
    };
    let progress = Arc::new(CliProgress::new(false));
    let report = appliance::backup(storage, &spec, progress, &CancelToken::new())?;
    if json {
        output::json(&report);
        return Ok(0);
    }
    let removed = match report.removed_points.as_slice() {
        [] => String::new(),
        r => format!("; retention removed {}", r.join(", ")),
    };
    println!(
        "Restore point {} of {} ({}) written to backup {}: {} files, {} written{removed}",
        report.point,
        spec.machine,
        spec.platform.label(),
        report.backup,
        report.stats.files,
        output::bytes(report.stats.bytes_written),
    );
    Ok(0)
}

/// The appliance's S3 bucket, probed, and its region.
fn appliance_s3(a: &ApplianceArgs) -> Result<(Arc<dyn Storage>, String)> {
    if !a.secret_access_key_stdin {
        return Err(Error::invalid(
            "give --secret-access-key-stdin and the secret access key on standard input",
        ));
    }
    let secret = read_secret("secret access key")?;
    let region = a.region.clone().unwrap_or_default();
    let s = S3Settings {
        bucket: a.bucket.clone().unwrap_or_default(),
        folder: a.folder.clone(),
        region: region.clone(),
        endpoint: a.endpoint.clone(),
        credential: String::new(),
        storage_class: StorageClass::Standard,
        immutable_days: None,
    };
    let st = S3Storage::connect(s, a.access_key_id.as_deref().unwrap_or_default(), &secret)?;
    st.probe()?;
    Ok((Arc::new(st), region))
}

/// The appliance's Azure container, probed, and its subscription.
fn appliance_azure(a: &ApplianceArgs) -> Result<(Arc<dyn Storage>, String)> {
    if a.shared_key_stdin == a.sas_stdin {
        return Err(Error::invalid(
            "give one of --shared-key-stdin or --sas-stdin, with the secret on standard input",
        ));
    }
    let secret = read_secret(azure_secret_word(a.shared_key_stdin))?;
    let auth = if a.shared_key_stdin {
        AzureAuth::SharedKey
    } else {
        AzureAuth::Sas
    };
    let s = AzureSettings {
        account: a.account.clone().unwrap_or_default(),
        container: a.container.clone().unwrap_or_default(),
        folder: a.folder.clone(),
        endpoint: a.endpoint.clone(),
        credential: String::new(),
        auth,
        tier: Tier::Hot,
        immutable_days: None,
    };
    let st = AzureStorage::connect(s, &secret)?;
    st.probe_read()?;
    Ok((Arc::new(st), a.subscription.clone()))
}
