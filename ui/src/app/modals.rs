//! What opens over the console: wizards, the Backup Browser, session
//! windows, the credential managers, and the confirmations of removals.

use super::state::Console;
use crate::api::call;
use crate::components::browser::BackupBrowser;
use crate::components::configuration::ConfigurationBackup;
use crate::components::credentials::{CredentialsManager, Manager};
use crate::components::session::SessionWindow;
use crate::views::Node;
use crate::wizards::group::GroupWizard;
use crate::wizards::job::{JobWizard, JobWizardMode};
use crate::wizards::repository::{RepoKind, RepositoryWizard};
use crate::wizards::restore::{Browse, RestoreWizard};
use crate::wizards::volume::VolumeWizard;
use cairn_model::api::DeleteJob;
use cairn_model::{
    ProtectionGroupDetails, RemoveExternal, RemoveProtectionGroup, RemoveRepository,
    RepositoryDetails,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What is open on top of the console.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    RepositoryWizard(RepoKind),
    EditRepository(Box<RepositoryDetails>),
    Credentials(Manager),
    ConfirmRemove(String),
    RestoreWizard(Option<String>),
    /// Restore ▾ Entire computer / volume….
    VolumeWizard(Option<String>),
    Browser(Box<Browse>),
    JobWizard(JobWizardMode),
    Session(i64),
    ConfirmDeleteJob(String),
    ConnectExternal(RepoKind),
    ConfirmRemoveExternal(String),
    ConfigurationBackup,
    /// Add Protection Group, or Edit of a saved one.
    GroupWizard(Option<Box<ProtectionGroupDetails>>),
    ConfirmRemoveGroup(String),
    /// Rescan that takes over machines another console manages.
    ConfirmTakeover(String),
}

#[component]
pub fn Modals(c: Console) -> impl IntoView {
    move || c.modal.get().map(|m| modal(c, m))
}

fn modal(c: Console, m: Modal) -> AnyView {
    let close = Callback::new(move |changed: bool| c.close_modal(changed));
    let close_changed = Callback::new(move |_| c.close_modal(true));
    match m {
        Modal::RepositoryWizard(k) => {
            view! { <RepositoryWizard kind=k on_close=close /> }.into_any()
        }
        Modal::ConnectExternal(k) => {
            view! { <RepositoryWizard kind=k external=true on_close=close /> }.into_any()
        }
        Modal::EditRepository(d) => {
            let k = RepoKind::of(&d.target);
            view! { <RepositoryWizard kind=k edit=*d on_close=close /> }.into_any()
        }
        Modal::VolumeWizard(b) => view! {
            <VolumeWizard backup=b
                on_close=Callback::new(move |_| c.modal.set(None))
                on_session=Callback::new(move |id: i64| c.open(Modal::Session(id))) />
        }
        .into_any(),
        Modal::RestoreWizard(b) => view! {
            <RestoreWizard backup=b
                on_close=Callback::new(move |_| c.modal.set(None))
                on_browse=Callback::new(move |b: Browse| c.open(Modal::Browser(Box::new(b)))) />
        }
        .into_any(),
        Modal::Browser(b) => {
            let b = *b;
            view! { <BackupBrowser point=b.point reason=b.reason on_close=close_changed /> }
                .into_any()
        }
        Modal::JobWizard(mode) => {
            view! { <JobWizard mode on_close=Callback::new(move |r| job_wizard_closed(c, r)) /> }
                .into_any()
        }
        Modal::Session(id) => view! { <SessionWindow id on_close=close_changed /> }.into_any(),
        Modal::Credentials(m) => {
            view! { <CredentialsManager manager=m on_close=close_changed /> }.into_any()
        }
        Modal::ConfigurationBackup => {
            view! { <ConfigurationBackup on_close=close_changed /> }.into_any()
        }
        Modal::GroupWizard(edit) => {
            let on_close = Callback::new(move |r| group_wizard_closed(c, r));
            match edit {
                Some(d) => view! { <GroupWizard edit=*d on_close /> }.into_any(),
                None => view! { <GroupWizard on_close /> }.into_any(),
            }
        }
        Modal::ConfirmRemoveGroup(name) => confirm_remove_group(c, name),
        Modal::ConfirmTakeover(name) => confirm_takeover(c, name),
        Modal::ConfirmRemove(name) => confirm_remove(c, name),
        Modal::ConfirmRemoveExternal(name) => confirm_remove_external(c, name),
        Modal::ConfirmDeleteJob(name) => confirm_delete_job(c, name),
    }
}

/// Finish shows the job in Jobs, and its session when it runs.
fn job_wizard_closed(c: Console, session: Option<i64>) {
    match session {
        Some(s) if s > 0 => c.open(Modal::Session(s)),
        _ => c.modal.set(None),
    }
    if session.is_some() {
        c.selected.set(Node::Jobs);
        c.refresh();
    }
}

/// Finish opens the rescan's session when one started; the list shows the
/// group.
fn group_wizard_closed(c: Console, r: Option<Option<i64>>) {
    match r {
        Some(Some(session)) => c.open(Modal::Session(session)),
        _ => c.modal.set(None),
    }
    if r.is_some() {
        c.selected.set(Node::ProtectionGroups);
        c.refresh();
    }
}

/// A confirmation: the question, maybe more (`extra`), and the button
/// that does it.
fn confirm(
    c: Console,
    title: &'static str,
    text: String,
    extra: Option<AnyView>,
    button_id: &'static str,
    button: &'static str,
    on_yes: impl Fn() + 'static,
) -> AnyView {
    view! {
        <div class="modal-backdrop">
            <div class="dialog confirm" role="alertdialog">
                <header class="wizard-title">{title}</header>
                <div class="dialog-body">
                    <p>{text}</p>
                    {extra}
                </div>
                <footer class="wizard-buttons">
                    <button id=button_id class="danger" on:click=move |_| on_yes()>{button}</button>
                    <button on:click=move |_| c.modal.set(None)>"Cancel"</button>
                </footer>
            </div>
        </div>
    }
    .into_any()
}

fn confirm_remove(c: Console, name: String) -> AnyView {
    let text = format!("Remove repository {name} from the configuration? Its backups stay in the storage and can be added again.");
    confirm(
        c,
        "Remove repository",
        text,
        None,
        "confirm-remove",
        "Remove",
        move || {
            let name = name.clone();
            spawn_local(async move { c.removed(call(&RemoveRepository { name }).await) });
        },
    )
}

fn confirm_remove_external(c: Console, name: String) -> AnyView {
    let text = format!("Remove external repository {name}? Its backups stay in the bucket or container; only this console forgets them.");
    confirm(
        c,
        "Remove external repository",
        text,
        None,
        "confirm-remove-external",
        "Remove",
        move || {
            let name = name.clone();
            spawn_local(async move { c.removed(call(&RemoveExternal { name }).await) });
        },
    )
}

fn confirm_delete_job(c: Console, name: String) -> AnyView {
    let with_backups = RwSignal::new(false);
    let extra = view! {
        <label class="field check"><input id="delete-job-backups" type="checkbox" prop:checked=move || with_backups.get() on:change=move |ev| with_backups.set(event_target_checked(&ev)) /><span>"Also delete its backups from disk (restore points cannot be recovered)"</span></label>
    };
    let text = format!("Delete job {name}? Its schedule stops.");
    confirm(
        c,
        "Delete job",
        text,
        Some(extra.into_any()),
        "confirm-delete-job",
        "Delete",
        move || {
            let name = name.clone();
            let delete_backups = with_backups.get_untracked();
            spawn_local(async move {
                c.removed(
                    call(&DeleteJob {
                        name,
                        delete_backups,
                    })
                    .await,
                )
            });
        },
    )
}

fn confirm_remove_group(c: Console, name: String) -> AnyView {
    let text = format!("Remove protection group {name}? Each of its machines is released: the console's tag is removed, its agent is told to stop and uninstall, and its queue is deleted. Its backups stay in their repositories.");
    confirm(
        c,
        "Remove protection group",
        text,
        None,
        "confirm-remove-group",
        "Remove",
        move || {
            let name = name.clone();
            spawn_local(async move {
                let done = call(&RemoveProtectionGroup { name }).await;
                let warnings = done
                    .as_ref()
                    .map(|r| r.warnings.clone())
                    .unwrap_or_default();
                c.removed(done.map(|_| ()));
                if !warnings.is_empty() {
                    c.error
                        .set(Some(format!("Removed, but: {}", warnings.join("; "))));
                }
            });
        },
    )
}

fn confirm_takeover(c: Console, name: String) -> AnyView {
    let text = format!("Rescan {name} and take over its machines that another console manages? That console stops managing them: their tag names this console, and their agents answer here once reconfigured.");
    confirm(
        c,
        "Take over machines",
        text,
        None,
        "confirm-takeover",
        "Take over",
        move || super::commands::rescan_group(c, name.clone(), true),
    )
}
