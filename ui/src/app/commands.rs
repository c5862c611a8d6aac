//! What the ribbon and the context menus do: job commands, rescans,
//! repository edits and removals, and why a button is disabled.

use super::modals::Modal;
use super::state::Console;
use crate::api::call;
use crate::views::{Action, JobCommand, Node};
use crate::wizards::job::JobWizardMode;
use cairn_model::api::{CloneJob, GetJob, LastJobSession, RunJobAction};
use cairn_model::{
    GetProtectionGroup, GetRepository, JobAction, RescanExternal, RescanProtectionGroup,
    RescanRepository,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Why a ribbon button is disabled here, or None when it is enabled.
pub fn disabled_reason(c: Console, action: Action) -> Option<String> {
    let on_externals = c.selected.get() == Node::ExternalRepositories;
    let on_repositories = c.selected.get() == Node::Repositories;
    let on_groups = c.selected.get() == Node::ProtectionGroups;
    match action {
        Action::Rescan if on_repositories && c.row.get().is_none() => {
            Some("Select a repository in Backup Repositories to rescan it".into())
        }
        Action::Rescan | Action::Edit | Action::RemoveRepository if on_groups => c
            .row
            .get()
            .is_none()
            .then(|| "Select a protection group to rescan, edit or remove it".to_string()),
        Action::AddProtectionGroup
        | Action::AddRepository
        | Action::Restore
        | Action::BackupJob
        | Action::BackupCopy
        | Action::ConnectRepository
        | Action::Rescan => None,
        Action::Job(_) => (!c.job_selected()).then(|| "Select a job in Jobs first".to_string()),
        Action::Edit if on_externals => Some(
            "An external repository's location cannot change; Remove it and Connect again".into(),
        ),
        Action::RemoveRepository if on_externals && c.row.get().is_some() => None,
        Action::RemoveRepository | Action::Edit => {
            let verb = if action == Action::Edit {
                "edit"
            } else {
                "remove"
            };
            (c.selected.get() != Node::Repositories || c.row.get().is_none())
                .then(|| format!("Select a repository in Backup Repositories to {verb} it"))
        }
        Action::ShowLog => (!c.selected.get().is_sessions() || c.row.get().is_none())
            .then(|| "Select a session to show its log".to_string()),
    }
}

/// A ribbon button: opens its menu, or acts on the selected row.
pub fn ribbon_action(c: Console, action: Action) {
    if let Some(m) = action.menu() {
        c.menu
            .update(|open| *open = if open.is_some() { None } else { Some(m) });
        return;
    }
    let node = c.selected.get_untracked();
    let on_externals = node == Node::ExternalRepositories;
    let on_groups = node == Node::ProtectionGroups;
    match (action, c.row.get_untracked()) {
        (Action::AddProtectionGroup, _) => c.open(Modal::GroupWizard(None)),
        (Action::Rescan, Some(name)) if on_groups => rescan_group(c, name, false),
        (Action::Edit, Some(name)) if on_groups => edit_group(c, name),
        (Action::RemoveRepository, Some(name)) if on_groups => {
            c.open(Modal::ConfirmRemoveGroup(name))
        }
        (Action::Rescan, Some(name)) if node == Node::Repositories => rescan_repository(c, name),
        (Action::Rescan, name) => rescan(c, name.filter(|_| on_externals)),
        (Action::ShowLog, Some(key)) => {
            if let Ok(id) = key.parse() {
                c.open(Modal::Session(id));
            }
        }
        (Action::RemoveRepository, Some(name)) if on_externals => {
            c.open(Modal::ConfirmRemoveExternal(name))
        }
        (Action::Job(command), Some(name)) => job_command(c, command, name),
        (Action::RemoveRepository, Some(name)) => c.open(Modal::ConfirmRemove(name)),
        (Action::Edit, Some(name)) => edit_repository(c, name),
        // Nothing selected: the button is disabled and its title says why.
        (Action::ShowLog | Action::RemoveRepository | Action::Job(_) | Action::Edit, None) => {}
        // Buttons with a menu opened it above.
        (
            Action::BackupJob
            | Action::BackupCopy
            | Action::Restore
            | Action::AddRepository
            | Action::ConnectRepository,
            _,
        ) => {}
    }
}

/// ☰ → Exit: the console quits, tray and all.
pub fn exit(c: Console) {
    spawn_local(async move {
        if let Err(e) = call(&cairn_model::api::ExitConsole {}).await {
            c.fail(e);
        }
    });
}

/// Rescan: one external repository, or all of them (None); its session
/// window opens.
pub fn rescan(c: Console, name: Option<String>) {
    spawn_local(async move {
        match call(&RescanExternal { name }).await {
            Ok(session) => c.open(Modal::Session(session)),
            Err(e) => c.fail(e),
        }
    });
}

/// Rescan of one protection group (taking over machines another console
/// manages when `take_over`); its session window opens.
pub fn rescan_group(c: Console, name: String, take_over: bool) {
    spawn_local(async move {
        match call(&RescanProtectionGroup { name, take_over }).await {
            Ok(session) => c.open(Modal::Session(session)),
            Err(e) => c.fail(e),
        }
    });
}

/// Opens Edit Protection Group on a saved group.
pub fn edit_group(c: Console, name: String) {
    spawn_local(async move {
        match call(&GetProtectionGroup { name }).await {
            Ok(d) => c.open(Modal::GroupWizard(Some(Box::new(d)))),
            Err(e) => c.fail(e),
        }
    });
}

/// Opens the repository's Edit dialog.
pub fn edit_repository(c: Console, name: String) {
    spawn_local(async move {
        match call(&GetRepository { name }).await {
            Ok(d) => c.open(Modal::EditRepository(Box::new(d))),
            Err(e) => c.fail(e),
        }
    });
}

/// Rescan of one backup repository; its session window opens.
pub fn rescan_repository(c: Console, name: String) {
    spawn_local(async move {
        match call(&RescanRepository { name }).await {
            Ok(session) => c.open(Modal::Session(session)),
            Err(e) => c.fail(e),
        }
    });
}

/// Runs a job action; a run opens its session window.
fn run(c: Console, action: JobAction, name: String) {
    spawn_local(async move {
        match call(&RunJobAction { name, action }).await {
            Ok(Some(session)) => {
                c.open(Modal::Session(session));
                c.refresh();
            }
            Ok(None) => c.refresh(),
            Err(e) => c.fail(e),
        }
    })
}

pub fn job_command(c: Console, command: JobCommand, name: String) {
    let command = match command {
        JobCommand::Toggle if c.job_disabled(&name) => JobCommand::Enable,
        JobCommand::Toggle => JobCommand::Disable,
        other => other,
    };
    match command {
        JobCommand::Start => run(c, JobAction::Start, name),
        JobCommand::Stop => run(c, JobAction::Stop, name),
        JobCommand::Retry => run(c, JobAction::Retry, name),
        JobCommand::ActiveFull => run(c, JobAction::ActiveFull, name),
        // Toggle was resolved to Enable or Disable above.
        JobCommand::Enable | JobCommand::Toggle => run(c, JobAction::Enable, name),
        JobCommand::Disable => run(c, JobAction::Disable, name),
        JobCommand::Edit => spawn_local(async move {
            match call(&GetJob { name }).await {
                Ok(spec) => c.open(Modal::JobWizard(JobWizardMode::Edit(Box::new(spec)))),
                Err(e) => c.fail(e),
            }
        }),
        JobCommand::Clone => spawn_local(async move {
            match call(&CloneJob { name }).await {
                Ok(n) => {
                    c.row.set(Some(n));
                    c.refresh();
                }
                Err(e) => c.fail(e),
            }
        }),
        JobCommand::Delete => c.open(Modal::ConfirmDeleteJob(name)),
        JobCommand::Statistics => spawn_local(async move {
            match call(&LastJobSession { name }).await {
                Ok(Some(s)) => c.open(Modal::Session(s)),
                Ok(None) => c
                    .error
                    .set(Some("The job has not run yet; Start runs it now".into())),
                Err(e) => c.fail(e),
            }
        }),
    }
}
