//! The working area: the selected node's title, the filter, its list
//! (backups expand into their restore points), and the context menus of
//! rows and of the tree.

use super::commands::{edit_group, job_command, rescan, rescan_group, rescan_repository};
use super::modals::Modal;
use super::state::{Console, ContextAt};
use crate::api::call;
use crate::components::table::{DataTable, SubLines};
use crate::format;
use crate::views::{JobCommand, Node};
use crate::wizards::job::JobWizardMode;
use cairn_model::{AgentOs, GfsFlag, ListRestorePoints, RestorePointRow};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A restore point as a line under its backup.
fn point_line(p: RestorePointRow) -> String {
    let mut l = format!(
        "{}  ·  {}  ·  {}",
        format::time(p.time),
        p.kind.label(),
        format::bytes(p.size)
    );
    if !p.gfs.is_empty() {
        l.push_str(&format!("  ·  GFS {}", GfsFlag::list(&p.gfs)));
    }
    if let Some(u) = p.immutable_until {
        l.push_str(&format!("  ·  immutable until {}", format::time(u)));
    }
    l
}

/// Expanding a backup lists its restore points.
fn expand_backup(key: String, lines: SubLines) {
    spawn_local(async move {
        match call(&ListRestorePoints { backup: key }).await {
            Ok(points) => lines.set(Some(points.into_iter().map(point_line).collect())),
            Err(e) => lines.set(Some(vec![e.message])),
        }
    });
}

/// Double-click or Enter on a row: restore from a backup, a job's last
/// session, or the session itself.
fn activate(c: Console, key: String) {
    let n = c.selected.get_untracked();
    if n.is_backups() {
        c.open(Modal::RestoreWizard(Some(key)));
    } else if n.is_jobs() {
        job_command(c, JobCommand::Statistics, key);
    } else if n.is_sessions() {
        if let Ok(id) = key.parse() {
            c.open(Modal::Session(id));
        }
    }
}

#[component]
pub fn WorkArea(c: Console) -> impl IntoView {
    let filter = c.filter;
    let on_context = Callback::new(move |(key, x, y): (String, i32, i32)| {
        let n = c.selected.get_untracked();
        if n.is_backups()
            || n.is_jobs()
            || n == Node::ExternalRepositories
            || n == Node::Repositories
            || n == Node::ProtectionGroups
        {
            c.context.set(Some(ContextAt { key, x, y }));
        }
    });
    view! {
        <section class="work-area">
            <div class="work-header">
                <h1 id="work-title">{move || c.selected.get().label()}</h1>
                <input class="filter" type="search" placeholder="Type in an object name to search for"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
            </div>
            {move || match first_step(c) {
                Some(panel) => panel.into_any(),
                None => view! {
                    <DataTable table=c.table.into() filter selected=c.row
                        expandable=Signal::derive(move || c.selected.get().is_backups())
                        expand=Callback::new(move |(key, lines)| expand_backup(key, lines))
                        on_context
                        on_activate=Callback::new(move |k| activate(c, k)) />
                }.into_any(),
            }}
            {move || (c.selected.get() == Node::ProtectionGroups).then(|| view! { <GroupMachines c /> })}
            {move || c.context.get().map(|at| row_menu(c, at))}
        </section>
    }
}

/// A console without jobs shows, in place of the empty list, the first
/// step: a job for this computer into the default repository.
fn first_step(c: Console) -> Option<impl IntoView> {
    // Jobs lists every job; Backup and Backup Copy only some of them.
    let no_jobs = c.selected.get() == Node::Jobs
        && c.table
            .with(|t| t.as_ref().is_some_and(|t| t.rows.is_empty()));
    no_jobs.then(|| {
        let open = move |_| {
            c.open(Modal::JobWizard(JobWizardMode::New(AgentOs::Linux, true)))
        };
        view! {
            <div class="first-run" id="first-run">
                <h2>"No jobs yet"</h2>
                <p>"Nothing is protected yet. Start with the files of this computer: the job goes into the Default Backup Repository in Cairn's data folder, so no set-up is needed."</p>
                <button class="primary" id="first-run-backup" on:click=open>"Back up this computer…"</button>
                <p class="hint">"Moved from another console? Add the repository that holds your backups (Backup Infrastructure → Add Repository): its backups appear in Backups, ready to restore."</p>
            </div>
        }
    })
}

/// A click or right-click beside an open context menu closes it.
fn backdrop(close: impl Fn() + Copy + 'static) -> impl IntoView {
    view! {
        <div class="context-backdrop" on:click=move |_| close()
            on:contextmenu=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); close(); }></div>
    }
}

/// The context menu of a row: what the selected node's rows offer.
fn row_menu(c: Console, at: ContextAt<String>) -> impl IntoView {
    let node = c.selected.get_untracked();
    let items = if node == Node::ExternalRepositories {
        external_items(c, at.key)
    } else if node == Node::Repositories {
        repository_items(c, at.key)
    } else if node == Node::ProtectionGroups {
        group_items(c, at.key)
    } else if node.is_jobs() {
        job_items(c, at.key)
    } else {
        backup_items(c, at.key)
    };
    view! {
        {backdrop(move || c.context.set(None))}
        <ul class="dropdown context-menu" id="context-menu" style=format!("left: {}px; top: {}px; position: fixed", at.x, at.y)>{items}</ul>
    }
}

/// A context menu entry: closes the menu, then does `act`.
fn item(c: Console, id: String, label: &'static str, act: impl Fn() + 'static) -> impl IntoView {
    view! { <li><button id=id on:click=move |_| { c.context.set(None); act(); }>{label}</button></li> }
}

fn external_items(c: Console, key: String) -> AnyView {
    let k = key.clone();
    view! {
        {item(c, "context-rescan".into(), "Rescan", move || rescan(c, Some(k.clone())))}
        {item(c, "context-remove-external".into(), "Remove…", move || c.open(Modal::ConfirmRemoveExternal(key.clone())))}
    }
    .into_any()
}

fn repository_items(c: Console, key: String) -> AnyView {
    let (k, e) = (key.clone(), key.clone());
    view! {
        {item(c, "context-rescan-repository".into(), "Rescan", move || rescan_repository(c, k.clone()))}
        {item(c, "context-edit-repository".into(), "Edit…", move || super::commands::edit_repository(c, e.clone()))}
        {item(c, "context-remove-repository".into(), "Remove…", move || c.open(Modal::ConfirmRemove(key.clone())))}
    }
    .into_any()
}

fn group_items(c: Console, key: String) -> AnyView {
    let (r, t, e) = (key.clone(), key.clone(), key.clone());
    view! {
        {item(c, "context-rescan-group".into(), "Rescan", move || rescan_group(c, r.clone(), false))}
        {item(c, "context-takeover-group".into(), "Rescan and take over…", move || c.open(Modal::ConfirmTakeover(t.clone())))}
        {item(c, "context-edit-group".into(), "Edit…", move || edit_group(c, e.clone()))}
        {item(c, "context-remove-group".into(), "Remove…", move || c.open(Modal::ConfirmRemoveGroup(key.clone())))}
    }
    .into_any()
}

fn job_items(c: Console, key: String) -> AnyView {
    let toggle = if c.job_disabled(&key) {
        (JobCommand::Enable, "Enable")
    } else {
        (JobCommand::Disable, "Disable")
    };
    let items = [
        (JobCommand::Start, "Start"),
        (JobCommand::Stop, "Stop"),
        (JobCommand::Retry, "Retry"),
        (JobCommand::ActiveFull, "Active Full"),
        (JobCommand::Edit, "Edit…"),
        (JobCommand::Clone, "Clone"),
        toggle,
        (JobCommand::Delete, "Delete…"),
        (JobCommand::Statistics, "Statistics"),
    ];
    items
        .into_iter()
        .map(|(command, label)| {
            let key = key.clone();
            item(c, format!("context-{}", command.id()), label, move || {
                job_command(c, command, key.clone())
            })
        })
        .collect_view()
        .into_any()
}

fn backup_items(c: Console, key: String) -> AnyView {
    let volume_key = key.clone();
    view! {
        {item(c, "context-restore-volume".into(), "Restore entire computer / volume…", move || {
            c.open(Modal::VolumeWizard(Some(volume_key.clone())))
        })}
        {item(c, "context-restore-guest-files".into(), "Restore guest files…", move || {
            c.open(Modal::RestoreWizard(Some(key.clone())))
        })}
    }
    .into_any()
}

/// The tree's context menus: External Repositories (rescan them all) and
/// Protection Groups (add one).
#[component]
pub fn TreeMenu(c: Console) -> impl IntoView {
    move || {
        c.tree_context.get().map(|at| {
            let entry = if at.key == Node::ProtectionGroups {
                item(c, "context-add-group".into(), "Add Protection Group…", move || { c.tree_context.set(None); c.open(Modal::GroupWizard(None)) }).into_any()
            } else {
                item(c, "context-rescan-all".into(), "Rescan", move || { c.tree_context.set(None); rescan(c, None) }).into_any()
            };
            view! {
                {backdrop(move || c.tree_context.set(None))}
                <ul class="dropdown context-menu" id="tree-context-menu" style=format!("left: {}px; top: {}px; position: fixed", at.x, at.y)>
                    {entry}
                </ul>
            }
        })
    }
}

/// Under Protection Groups, the machines of the selected group.
#[component]
fn GroupMachines(c: Console) -> impl IntoView {
    let table = RwSignal::new(None::<crate::components::table::Table>);
    let selected = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let Some(name) = c.row.get() else {
            return table.set(None);
        };
        c.tick_seen();
        spawn_local(async move {
            table.set(crate::views::infrastructure::machines_of(name).await.ok());
        });
    });
    move || {
        c.row.get().map(|name| {
            view! {
                <div class="detail-pane" id="group-machines-pane">
                    <h2>{format!("Machines of {name}")}</h2>
                    <DataTable table=table.into() filter=RwSignal::new(String::new()) selected />
                </div>
            }
        })
    }
}
