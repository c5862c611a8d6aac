//! `cairn job …`: create, list, run, show, map, enable and delete jobs.

use crate::args::*;
use crate::output::{self, CliProgress};
use crate::secret_input::{password, read_secret};
use cairn_console::CancelToken;
use cairn_console::{Console, Error, Result};
use cairn_console::{NewEncryption, RunOptions};
use cairn_model::{
    AgentOs, BackupJobSettings, BackupMode, Cipher, Compression, ComputerType, CopyMode,
    CopySettings, CopySource, CopySourceKind, Gfs, GuestProcessing, Management, MappedBackup,
    MonthDay, PeriodUnit, Retention, Retry, Schedule, ScheduleKind, WeekHours, Weekday,
};
use serde_json::json;
use std::sync::Arc;

pub(super) fn job(console: &Console, c: JobCmd, json: bool) -> Result<i32> {
    match c {
        JobCmd::Create(JobCreate::Copy(a)) => job_create_copy(console, &a, json)?,
        JobCmd::Create(JobCreate::Backup(a)) => job_create_backup(console, &a, json)?,
        JobCmd::List => job_list(console, json)?,
        JobCmd::Run {
            name,
            password_stdin,
            active_full,
            agent_timeout,
        } => job_run(
            console,
            &name,
            password_stdin,
            (active_full, agent_timeout),
            json,
        )?,
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
    (active_full, agent_timeout): (bool, Option<u64>),
    json: bool,
) -> Result<()> {
    let opts = RunOptions {
        password: password(password_stdin)?,
        full: active_full,
        agent_timeout,
        note: Some("Started from the command line".into()),
        ..Default::default()
    };
    let sink = Arc::new(CliProgress::new(json));
    let report = console.run_job(name, &opts, sink, &CancelToken::new())?;
    // A job of cloud machines has one task per machine.
    let tasks = console.session_details(report.session, i64::MAX)?.tasks;
    if json {
        let summary = json!({"event": "summary", "report": report, "machines": tasks});
        println!("{}", serde_json::to_string(&summary).unwrap_or_default());
    } else {
        for t in &tasks {
            println!("  {}: {} — {}", t.name, t.status.label(), t.detail);
        }
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
