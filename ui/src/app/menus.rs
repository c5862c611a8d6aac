//! The ribbon's drop-down menus: Backup Job ▾, Backup Copy ▾, Connect ▾,
//! Restore ▾, Add Repository ▾ and the ☰ application menu.

use super::modals::Modal;
use super::state::Console;
use crate::components::credentials::Manager;
use crate::views::Menu;
use crate::wizards::job::JobWizardMode;
use crate::wizards::repository::RepoKind;
use cairn_model::AgentOs;
use leptos::prelude::*;

const REPO_KINDS: [(RepoKind, &str); 4] = [
    (RepoKind::Local, "add-repo-local"),
    (RepoKind::AmazonS3, "add-repo-s3"),
    (RepoKind::S3Compatible, "add-repo-s3c"),
    (RepoKind::Azure, "add-repo-azure"),
];

/// A menu entry that opens `modal`.
fn entry(c: Console, id: &'static str, label: &'static str, modal: Modal) -> impl IntoView {
    view! { <li><button id=id on:click=move |_| c.open(modal.clone())>{label}</button></li> }
}

fn dropdown(id: &'static str, left: &'static str, items: impl IntoView) -> AnyView {
    view! { <ul class="dropdown" id=id style=format!("left: {left}")>{items}</ul> }.into_any()
}

#[component]
pub fn Menus(c: Console) -> impl IntoView {
    move || c.menu.get().map(|m| menu(c, m))
}

fn menu(c: Console, m: Menu) -> AnyView {
    let job = |os, this| Modal::JobWizard(JobWizardMode::New(os, this));
    match m {
        Menu::BackupJob => dropdown(
            "backup-job-menu",
            "8px",
            view! {
                {entry(c, "backup-job-linux", "Linux computer…", job(AgentOs::Linux, false))}
                {entry(c, "backup-job-windows", "Windows computer…", job(AgentOs::Windows, false))}
                {entry(c, "backup-job-this", "This computer…", job(AgentOs::Linux, true))}
            },
        ),
        Menu::BackupCopy => dropdown(
            "backup-copy-menu",
            "80px",
            view! {
                {entry(c, "backup-copy-new", "Backup copy…", Modal::JobWizard(JobWizardMode::NewCopy(false)))}
                {entry(c, "backup-copy-external", "External Repository → Backup Copy…", Modal::JobWizard(JobWizardMode::NewCopy(true)))}
            },
        ),
        Menu::Connect => dropdown(
            "connect-menu",
            "90px",
            view! {
                {entry(c, "connect-s3", "Amazon S3…", Modal::ConnectExternal(RepoKind::AmazonS3))}
                {entry(c, "connect-s3c", "S3 compatible…", Modal::ConnectExternal(RepoKind::S3Compatible))}
                {entry(c, "connect-azure", "Azure Blob…", Modal::ConnectExternal(RepoKind::Azure))}
            },
        ),
        Menu::Restore => dropdown(
            "restore-menu",
            "150px",
            view! {
                {entry(c, "restore-volume", "Entire computer / volume…", Modal::VolumeWizard(None))}
                {entry(c, "restore-guest-files", "Guest files…", Modal::RestoreWizard(None))}
            },
        ),
        Menu::AddRepository => dropdown(
            "add-repo-menu",
            "8px",
            REPO_KINDS
                .iter()
                .map(|(k, id)| entry(c, id, k.label(), Modal::RepositoryWizard(*k)))
                .collect_view(),
        ),
        Menu::App => dropdown(
            "app-menu-list",
            "0",
            view! {
                {entry(c, "menu-credentials", "Manage Credentials", Modal::Credentials(Manager::Accounts))}
                {entry(c, "menu-cloud-credentials", "Manage Cloud Credentials", Modal::Credentials(Manager::Cloud))}
                {entry(c, "menu-passwords", "Manage Passwords", Modal::Credentials(Manager::Passwords))}
                {entry(c, "menu-configuration-backup", "Configuration Backup", Modal::ConfigurationBackup)}
                <li class="separator"></li>
                <li><button id="menu-exit" on:click=move |_| super::commands::exit(c)>"Exit"</button></li>
            },
        ),
    }
}
