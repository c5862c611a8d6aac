//! Carrying out each command over the engine.

use crate::args::*;
use crate::output::{self, CliProgress};
use crate::secret_input::{azure_secret_word, password, read_secret};
use cairn_console::CancelToken;
use cairn_console::Sensitive;
use cairn_console::{AzureAuth, AzureSettings, Tier};
use cairn_console::{Console, Error, Result};
use cairn_console::{Destination, RestoreSpec};
use cairn_console::{NewEncryption, RunOptions};
use cairn_console::{S3Settings, StorageClass};
use cairn_model::{
    AgentOs, BackupJobSettings, BackupMode, Cipher, Compression, ComputerType, CopyMode,
    CopySettings, CopySource, CopySourceKind, Gfs, GuestProcessing, Management, MappedBackup,
    MonthDay, PeriodUnit, RepositoryTarget, Retention, Retry, Schedule, ScheduleKind, WeekHours,
    Weekday,
};
use serde_json::json;
use std::sync::Arc;

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    if let Command::Bench(a) = &cli.command {
        return crate::bench::run(a, cli.json);
    }
    if let Command::Appliance(ApplianceCmd::Backup(a)) = &cli.command {
        return crate::external::appliance(a, cli.json);
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
        Command::Appliance(_) => unreachable!("handled before the console opens"),
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

fn repo(console: &Console, c: RepoCmd, json: bool) -> Result<i32> {
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
                    .map_err(|e| Error::internal(e.to_string()))?
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
            let secret = Sensitive::new(read_secret("secret access key")?);
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
            let secret = Sensitive::new(read_secret(azure_secret_word(account.shared_key_stdin))?);
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
    secret: Option<String>,
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
                secret_access_key.0 = v;
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
                sec.0 = v;
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

fn credentials(console: &Console, c: CredentialsCmd, json: bool) -> Result<i32> {
    match c {
        CredentialsCmd::List => {
            let all = console.credentials()?;
            if json {
                let v: Vec<_> = all
                    .iter()
                    .map(|(c, used)| json!({"name": c.name, "kind": c.kind, "identity": c.identity,
                        "description": c.description, "hint": c.hint, "edited": c.edited, "used_by": used}))
                    .collect();
                output::json(&v);
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|(c, used)| {
                        vec![
                            c.name.clone(),
                            c.kind.clone(),
                            c.identity.clone(),
                            cairn_console::point_time_label(c.edited),
                            used.join(", "),
                        ]
                    })
                    .collect();
                output::table(
                    &["Name", "Kind", "Account / key id", "Last edited", "Used by"],
                    &rows,
                );
            }
        }
        CredentialsCmd::Delete { name } => {
            console.delete_credential(&name)?;
            if json {
                output::json(&json!({"deleted": name}));
            } else {
                println!("Credentials {name} deleted from the configuration and the keyring");
            }
        }
        CredentialsCmd::AddPassword {
            name,
            hint,
            description,
            ..
        } => {
            let secret = Sensitive::new(read_secret("password")?);
            let c = console.put_credential(&name, "password", "", &secret, &description, &hint)?;
            if json {
                output::json(&json!({"name": c.name, "kind": c.kind}));
            } else {
                println!("Password {name} stored in the keyring (Manage Passwords)");
            }
        }
    }
    Ok(0)
}

fn job(console: &Console, c: JobCmd, json: bool) -> Result<i32> {
    match c {
        JobCmd::Create(JobCreate::Copy(a)) => job_create_copy(console, &a, json)?,
        JobCmd::Create(JobCreate::Backup(a)) => job_create_backup(console, &a, json)?,
        JobCmd::List => job_list(console, json)?,
        JobCmd::Run {
            name,
            password_stdin,
            active_full,
        } => job_run(console, &name, password_stdin, active_full, json)?,
        JobCmd::Delete {
            name,
            delete_backups,
        } => job_delete(console, &name, delete_backups, json)?,
        JobCmd::Map {
            name,
            backup,
            password_stdin,
        } => job_map(console, &name, &backup, password_stdin, json)?,
        JobCmd::Show { name } => job_show(console, &name, json)?,
        JobCmd::Enable { name } => job_enable(console, &name, true, json)?,
        JobCmd::Disable { name } => job_enable(console, &name, false, json)?,
    }
    Ok(0)
}

/// `cairn job create copy NAME --target REPO --from-backup … | --from-job …`.
fn job_create_copy(console: &Console, a: &CopyJobArgs, json: bool) -> Result<()> {
    let mut sources = Vec::new();
    for f in &a.from_backup {
        sources.extend(console.copy_sources(f)?);
    }
    for j in &a.from_job {
        sources.push(CopySource {
            kind: CopySourceKind::Job,
            job: j.clone(),
            label: format!("Job {j}"),
            ..Default::default()
        });
    }
    let (settings, encryption) = storage_settings(&a.storage)?;
    let settings = BackupJobSettings {
        schedule: schedule_of(&a.schedule)?,
        copy: Some(CopySettings {
            mode: if a.immediate {
                CopyMode::Immediate
            } else {
                CopyMode::Periodic
            },
            sources,
            exclusions: a.exclude_machine.clone(),
            read_entire: a.read_entire,
        }),
        ..settings
    };
    let j = console.create_backup_job(&a.name, &a.target, &a.description, settings, encryption)?;
    created(&j, "Backup copy job", json);
    Ok(())
}

/// `cairn job create backup NAME --repo REPO --include …`.
fn job_create_backup(console: &Console, a: &BackupJobArgs, json: bool) -> Result<()> {
    let (settings, encryption) = storage_settings(&a.storage)?;
    let settings = BackupJobSettings {
        includes: a.include.clone(),
        exclude_masks: a.exclude.clone(),
        include_masks: a.include_mask.clone(),
        os: match a.os {
            OsArg::Linux => AgentOs::Linux,
            OsArg::Windows => AgentOs::Windows,
        },
        computer_type: match a.computer_type {
            TypeArg::Workstation => ComputerType::Workstation,
            TypeArg::Server => ComputerType::Server,
            TypeArg::FailoverCluster => ComputerType::FailoverCluster,
        },
        management: if a.policy {
            Management::Agent
        } else {
            Management::BackupServer
        },
        computers: a.computer.clone(),
        backup_mode: if a.entire_computer {
            BackupMode::EntireComputer
        } else if !a.volume.is_empty() {
            BackupMode::Volume
        } else {
            BackupMode::File
        },
        volumes: a.volume.clone(),
        guest: GuestProcessing {
            pre_script: a.pre_script.clone(),
            post_script: a.post_script.clone(),
        },
        schedule: schedule_of(&a.schedule)?,
        ..settings
    };
    let j = console.create_backup_job(&a.name, &a.repo, &a.description, settings, encryption)?;
    created(&j, "Job", json);
    Ok(())
}

/// `cairn job list`.
fn job_list(console: &Console, json: bool) -> Result<()> {
    let rows = console.job_rows()?;
    if json {
        output::json(&rows);
    } else {
        let t: Vec<Vec<String>> = rows
            .iter()
            .map(|j| {
                vec![
                    j.name.clone(),
                    j.kind.label().into(),
                    j.objects.clone(),
                    j.status.label().into(),
                    j.last_result
                        .map(|r| r.label().to_string())
                        .unwrap_or_default(),
                    j.target.clone(),
                ]
            })
            .collect();
        output::table(
            &["Name", "Type", "Objects", "Status", "Last Result", "Target"],
            &t,
        );
    }
    Ok(())
}

/// `cairn job run NAME`: runs it here and waits, with progress.
fn job_run(
    console: &Console,
    name: &str,
    password_stdin: bool,
    active_full: bool,
    json: bool,
) -> Result<()> {
    let opts = RunOptions {
        password: password(password_stdin)?,
        full: active_full,
        note: Some("Started from the command line".into()),
        ..Default::default()
    };
    let sink = Arc::new(CliProgress::new(json));
    let report = console.run_job(name, &opts, sink, &CancelToken::new())?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&json!({"event": "summary", "report": report}))
                .unwrap_or_default()
        );
    } else {
        println!(
            "{}: {} ({} files, {} processed, {} read, {} written)",
            report.result.label(),
            report.message,
            report.stats.files,
            output::bytes(report.stats.bytes),
            output::bytes(report.stats.bytes_read),
            output::bytes(report.stats.bytes_written)
        );
    }
    Ok(())
}

/// `cairn job delete NAME [--delete-backups]`.
fn job_delete(console: &Console, name: &str, delete_backups: bool, json: bool) -> Result<()> {
    console.delete_job(name, delete_backups)?;
    if json {
        output::json(&json!({"deleted": name, "backups_deleted": delete_backups}));
    } else if delete_backups {
        println!("Job {name} and its restore points deleted; `cairn prune` frees their space");
    } else {
        println!("Job {name} deleted; its backups stay in the repository");
    }
    Ok(())
}

/// `cairn job show NAME`.
/// `cairn job map NAME --backup ID`.
fn job_map(
    console: &Console,
    name: &str,
    backup: &str,
    password_stdin: bool,
    json: bool,
) -> Result<()> {
    let password = if password_stdin {
        Some(read_secret("password")?)
    } else {
        None
    };
    let j = console.map_job(name, backup, password)?;
    if json {
        output::json(&json!({"name": j.name, "backup": backup}));
    } else {
        println!("Job {name} continues backup {backup}; its next run is an increment in that backup's chain");
    }
    Ok(())
}

fn job_show(console: &Console, name: &str, json: bool) -> Result<()> {
    let spec = console.job_spec(name)?;
    if json {
        output::json(&spec);
    } else {
        let s = &spec.settings;
        println!("Name:        {}", spec.name);
        println!("Description: {}", spec.description);
        println!(
            "Computers:   {} ({}, {})",
            s.computers.join(", "),
            s.os.label(),
            s.computer_type.label()
        );
        println!(
            "Mode:        {}, {}",
            s.management.label(),
            s.backup_mode.label()
        );
        if let Some(m) = &s.map {
            println!("Continues:   backup {}", m.backup);
        }
        match s.backup_mode {
            BackupMode::File => println!("Objects:     {}", s.includes.join(", ")),
            BackupMode::Volume => println!("Volumes:     {}", s.volumes.join(", ")),
            BackupMode::EntireComputer => {}
        }
        println!("Repository:  {}", spec.repository);
        println!("Encrypted:   {}", if spec.encrypt { "yes" } else { "no" });
        println!("Schedule:    {}", s.schedule.describe());
        println!("Enabled:     {}", if spec.enabled { "yes" } else { "no" });
    }
    Ok(())
}

/// `cairn job enable|disable NAME`.
fn job_enable(console: &Console, name: &str, enable: bool, json: bool) -> Result<()> {
    console.set_job_enabled(name, enable)?;
    if json {
        output::json(&json!({"name": name, "enabled": enable}));
    } else {
        println!("Job {name} {}", if enable { "enabled" } else { "disabled" });
    }
    Ok(())
}

fn weekday_of(s: &str) -> Result<Vec<Weekday>> {
    let w = |i: usize| vec![Weekday::ALL[i]];
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "weekdays" => Weekday::ALL[..5].to_vec(),
        "weekends" => Weekday::ALL[5..].to_vec(),
        "mon" | "monday" => w(0),
        "tue" | "tuesday" => w(1),
        "wed" | "wednesday" => w(2),
        "thu" | "thursday" => w(3),
        "fri" | "friday" => w(4),
        "sat" | "saturday" => w(5),
        "sun" | "sunday" => w(6),
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a day; use mon, tue, wed, thu, fri, sat, sun or weekdays"
            )))
        }
    })
}

/// The Schedule step from flags; no schedule flag = run only by hand.
/// What `job create` prints.
fn created(j: &cairn_console::catalog::JobRecord, what: &str, json: bool) {
    if json {
        output::json(
            &json!({"id": j.id, "name": j.name, "encrypted": j.settings.encryption.is_some()}),
        );
    } else {
        println!("{what} {} created", j.name);
    }
}

/// Compression, retention, GFS and encryption of a job's target.
fn storage_settings(a: &StorageArgs) -> Result<(BackupJobSettings, Option<NewEncryption>)> {
    let retention = match (a.retain_points, a.retain_days) {
        (_, Some(d)) => Retention::Days(d),
        (Some(n), None) => Retention::Points(n),
        (None, None) => Retention::default(),
    };
    let settings = BackupJobSettings {
        compression: match a.compression {
            CompressionArg::None => Compression::None,
            CompressionArg::DedupeFriendly => Compression::DedupeFriendly,
            CompressionArg::Optimal => Compression::Optimal,
            CompressionArg::High => Compression::High,
            CompressionArg::Extreme => Compression::Extreme,
        },
        retention,
        gfs: Gfs {
            weekly: a.gfs_weekly,
            monthly: a.gfs_monthly,
            yearly: a.gfs_yearly,
        },
        password_name: a.password_name.clone(),
        map: a.map_backup.clone().map(|backup| MappedBackup {
            backup,
            origin: String::new(),
        }),
        ..Default::default()
    };
    let encryption = if a.encrypt {
        Some(NewEncryption {
            cipher: match a.cipher {
                CipherArg::Aes256Gcm => Cipher::Aes256Gcm,
                CipherArg::Xchacha20Poly1305 => Cipher::Xchacha20Poly1305,
            },
            password: read_secret("password")?,
            hint: a.password_hint.clone(),
        })
    } else {
        None
    };
    Ok((settings, encryption))
}

fn schedule_of(a: &ScheduleArgs) -> Result<Schedule> {
    let kind = if let Some(t) = &a.daily {
        let mut days = Vec::new();
        for d in &a.days {
            days.extend(weekday_of(d)?);
        }
        if days.is_empty() {
            days = Weekday::ALL.to_vec();
        }
        Some(ScheduleKind::Daily {
            time: t.clone(),
            days,
        })
    } else if let Some(t) = &a.monthly {
        let day = if a.month_day.eq_ignore_ascii_case("last") {
            MonthDay::Last
        } else {
            MonthDay::Day {
                day: a
                    .month_day
                    .parse()
                    .map_err(|_| Error::invalid("--month-day takes 1 to 31 or last"))?,
            }
        };
        Some(ScheduleKind::Monthly {
            time: t.clone(),
            day,
            months: (1..=12).collect(),
        })
    } else if let Some(e) = &a.every {
        let bad = || Error::invalid(format!("--every {e}: write it as 30m or 4h"));
        let (n, unit) = if let Some(n) = e.strip_suffix('m') {
            (n, PeriodUnit::Minutes)
        } else if let Some(n) = e.strip_suffix('h') {
            (n, PeriodUnit::Hours)
        } else {
            return Err(bad());
        };
        Some(ScheduleKind::Periodic {
            every: n.parse().map_err(|_| bad())?,
            unit,
            permitted: WeekHours::ALWAYS,
        })
    } else {
        a.after
            .as_ref()
            .map(|j| ScheduleKind::After { job: j.clone() })
    };
    let window = match &a.window {
        Some(w) => {
            let bad = || {
                Error::invalid(format!(
                    "--window {w}: write the permitted hours as FROM-TO, such as 20-6"
                ))
            };
            let (f, t) = w.split_once('-').ok_or_else(bad)?;
            let f: u8 = f.trim().parse().map_err(|_| bad())?;
            let t: u8 = t.trim().parse().map_err(|_| bad())?;
            if f > 23 || t > 24 || f == t {
                return Err(bad());
            }
            Some(WeekHours::hours(&Weekday::ALL, f, t))
        }
        None => None,
    };
    Ok(Schedule {
        enabled: kind.is_some(),
        kind: kind.unwrap_or_default(),
        retry: Retry {
            enabled: a.retry > 0,
            times: a.retry.max(1),
            wait_minutes: a.retry_wait,
        },
        window,
    })
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
                    .map_err(|e| Error::internal(e.to_string()))?
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
