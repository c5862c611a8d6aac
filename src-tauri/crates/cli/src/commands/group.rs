//! `cairn group …`: protection groups of cloud machines, their rescans,
//! and the configuration of each machine's agent.

use crate::args::*;
use crate::output;
use crate::secret_input::read_secret;
use cairn_console::{Console, Error, Result, Takeover};
use cairn_model::{
    CloudAccount, CloudGroupSettings, Distribution, Exclusion, MachineSelection,
    ProtectionGroupRow, TagMatch,
};
use serde_json::json;

pub(super) fn group(console: &Console, c: GroupCmd, json: bool) -> Result<i32> {
    match c {
        GroupCmd::Add(GroupAdd::Cloud(a)) => add(console, *a, json)?,
        GroupCmd::List => list(console, json)?,
        GroupCmd::Show { name } => show(console, &name, json)?,
        GroupCmd::Rescan { name, take_over } => {
            let takeover = if take_over {
                Takeover::Yes
            } else {
                Takeover::No
            };
            rescan(console, &name, takeover, json)?
        }
        GroupCmd::Edit {
            name,
            machines,
            options,
        } => edit(console, &name, &machines, &options, json)?,
        GroupCmd::Remove { name } => remove(console, &name, json)?,
        GroupCmd::Status { name, wait } => status(console, &name, wait, json)?,
        GroupCmd::AgentConfig {
            group,
            machine,
            out,
            state_dir,
        } => {
            let cfg = console.agent_config(&group, &machine, state_dir)?;
            cfg.save(&out)?;
            if json {
                output::json(&json!({"machine": cfg.machine_id, "file": out}));
            } else {
                println!(
                    "Agent configuration of {} ({}) written to {}: run `cairn agent --config {}` on the machine",
                    cfg.machine_name,
                    cfg.machine_id,
                    out.display(),
                    out.display()
                );
            }
        }
    }
    Ok(0)
}

fn add(console: &Console, a: CloudGroupArgs, json: bool) -> Result<()> {
    let settings = CloudGroupSettings {
        account: account(&a),
        selection: selection(&a.machines)?,
        exclusions: exclusions(&a.machines)?,
        rescan_at: rescan_at(&a.options),
        queue_region: a
            .queue_region
            .clone()
            .or_else(|| a.regions.first().cloned())
            .unwrap_or_default(),
        distribution: distribution(&a.options),
    };
    let secret;
    let typed = match (&a.access_key_id, &a.client_id) {
        (Some(id), _) => Some((id, "secret access key")),
        (None, Some(id)) => Some((id, "client secret")),
        (None, None) => None,
    };
    let new_key = match (&a.credential, typed) {
        (Some(_), _) => None,
        (None, Some((id, what))) => {
            secret = read_secret(what)?;
            Some((id.as_str(), &secret))
        }
        (None, None) if a.azure => {
            return Err(Error::invalid(
                "name the service principal: --credential NAME, or --client-id ID --client-secret-stdin",
            ))
        }
        (None, None) => {
            return Err(Error::invalid(
                "name the account's access: --credential NAME, or --access-key-id ID --secret-access-key-stdin",
            ))
        }
    };
    let g = console.add_cloud_group(&a.name, &a.description, settings, new_key)?;
    if json {
        output::json(&json!({"name": g.name, "account": g.settings.account.label()}));
    } else {
        println!(
            "Protection group {} added ({}); `cairn group rescan {}` discovers its machines",
            g.name,
            g.settings.account.label(),
            g.name
        );
    }
    Ok(())
}

/// The cloud account the arguments name.
fn account(a: &CloudGroupArgs) -> CloudAccount {
    let credential = a.credential.clone().unwrap_or_default();
    if a.azure {
        CloudAccount::Azure {
            subscription: a.subscription.clone().unwrap_or_default(),
            tenant: a.tenant.clone().unwrap_or_default(),
            credential,
            endpoint: a.endpoint.clone(),
            login_endpoint: a.login_endpoint.clone(),
            queue_credential: a.queue_credential.clone().unwrap_or_default(),
            queue_endpoint: a.queue_endpoint.clone(),
        }
    } else {
        CloudAccount::Aws {
            credential,
            regions: a.regions.clone(),
            endpoint: a.endpoint.clone(),
        }
    }
}

fn edit(
    console: &Console,
    name: &str,
    m: &GroupMachines,
    o: &GroupOptions,
    json: bool,
) -> Result<()> {
    let g = console.group_named(name)?;
    let mut settings = g.settings.clone();
    if !m.tags.is_empty() || !m.machines.is_empty() {
        settings.selection = selection(m)?;
    }
    settings.exclusions = exclusions(m)?;
    settings.rescan_at = rescan_at(o);
    if let Some(d) = distribution(o) {
        settings.distribution = Some(d);
    }
    let g = console.edit_cloud_group(name, &g.description, &settings)?;
    if json {
        output::json(&json!({"name": g.name, "edited": true}));
    } else {
        println!(
            "Protection group {} edited; the next rescan applies it",
            g.name
        );
    }
    Ok(())
}

/// The distribution repository the options name.
fn distribution(o: &GroupOptions) -> Option<Distribution> {
    let location = o
        .distribution_bucket
        .clone()
        .or_else(|| o.distribution_container.clone())?;
    Some(Distribution {
        location,
        folder: o
            .distribution_folder
            .clone()
            .unwrap_or_default()
            .trim_matches('/')
            .to_string(),
        endpoint: o
            .distribution_endpoint
            .clone()
            .filter(|e| !e.trim().is_empty()),
    })
}

fn list(console: &Console, json: bool) -> Result<()> {
    let rows = console.protection_group_rows()?;
    if json {
        output::json(&rows);
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows.iter().map(group_cells).collect();
    output::table(
        &[
            "Name",
            "Type",
            "Account",
            "Machines",
            "Last rescan",
            "Description",
        ],
        &table,
    );
    Ok(())
}

fn group_cells(r: &ProtectionGroupRow) -> Vec<String> {
    vec![
        r.name.clone(),
        r.kind.label().to_string(),
        r.account.clone(),
        r.machines.to_string(),
        r.last_rescan
            .map(cairn_console::point_time_label)
            .unwrap_or_else(|| "never".into()),
        r.description.clone(),
    ]
}

fn show(console: &Console, name: &str, json: bool) -> Result<()> {
    let rows = console.machine_rows(name)?;
    if json {
        output::json(&rows);
        return Ok(());
    }
    let when = |t: Option<i64>| t.map(cairn_console::point_time_label).unwrap_or_default();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.id.clone(),
                m.platform.label().to_string(),
                m.region.clone(),
                m.state_text(),
                m.agent_text(),
                when(m.last_seen),
                when(m.last_backup),
            ]
        })
        .collect();
    output::table(
        &[
            "Name",
            "Id",
            "Platform",
            "Region",
            "State",
            "Agent",
            "Last seen",
            "Last backup",
        ],
        &table,
    );
    Ok(())
}

fn rescan(console: &Console, name: &str, takeover: Takeover, json: bool) -> Result<()> {
    let r = console.rescan_group(name, takeover)?;
    if json {
        output::json(
            &json!({"group": r.group, "found": r.found, "managed": r.managed,
            "added": r.added, "queues_created": r.queues_created, "foreign": r.foreign,
            "excluded": r.excluded, "released": r.released, "heard": r.heard,
            "installed": r.installed,
            "warnings": r.warnings}),
        );
        return Ok(());
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    println!("{}", r.summary());
    Ok(())
}

fn remove(console: &Console, name: &str, json: bool) -> Result<()> {
    let r = console.remove_group(name)?;
    if json {
        output::json(&json!({"removed": name, "released": r.released, "warnings": r.warnings}));
        return Ok(());
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "Protection group {name} removed; {} machine(s) released",
        r.released
    );
    Ok(())
}

/// `cairn group status NAME`: each agent's answer and how long it took.
fn status(console: &Console, name: &str, wait: u64, json: bool) -> Result<()> {
    let answers = console.agents_status(name, std::time::Duration::from_secs(wait))?;
    if json {
        output::json(&answers);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = answers
        .iter()
        .map(|a| {
            vec![
                a.machine.clone(),
                a.latency_ms
                    .map(|l| format!("{l} ms"))
                    .unwrap_or_else(|| a.problem.clone()),
                a.version.clone(),
                a.free_bytes.map(output::bytes).unwrap_or_default(),
                a.running.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["Machine", "Answer", "Agent", "Free", "Running"], &rows);
    Ok(())
}

fn selection(m: &GroupMachines) -> Result<MachineSelection> {
    if !m.machines.is_empty() {
        return Ok(MachineSelection::Machines {
            ids: m.machines.clone(),
        });
    }
    if m.tags.is_empty() {
        return Ok(MachineSelection::All);
    }
    let tags = m.tags.iter().map(|t| tag(t)).collect::<Result<_>>()?;
    Ok(MachineSelection::Tags {
        tags,
        all: m.all_tags,
    })
}

fn exclusions(m: &GroupMachines) -> Result<Vec<Exclusion>> {
    m.excludes
        .iter()
        .map(|x| {
            if x.contains('=') {
                tag(x).map(Exclusion::Tag)
            } else {
                Ok(Exclusion::Machine { id: x.clone() })
            }
        })
        .collect()
}

fn tag(text: &str) -> Result<TagMatch> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok(TagMatch {
            key: k.trim().to_string(),
            value: v.trim().to_string(),
        }),
        _ => Err(Error::invalid(format!(
            "\"{text}\" is not a tag: write KEY=VALUE"
        ))),
    }
}

fn rescan_at(o: &GroupOptions) -> Option<String> {
    (!o.no_daily_rescan).then(|| o.rescan_at.clone())
}
