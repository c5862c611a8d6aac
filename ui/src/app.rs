//! The console window: ribbon, inventory tree, working area, navigation and
//! status bar, wired to the backend.

use crate::api::call;
use crate::components::browser::BackupBrowser;
use crate::components::credentials::{CredentialsManager, Manager};
use crate::components::ribbon::Ribbon;
use crate::components::session::SessionWindow;
use crate::components::statusbar::StatusBar;
use crate::components::table::{DataTable, Table};
use crate::components::tree::InventoryTree;
use crate::views::{self, Action, JobCommand, Menu, Node};
use crate::wizards::job::{JobWizard, JobWizardMode};
use crate::wizards::repository::{RepoKind, RepositoryWizard};
use crate::wizards::restore::{Browse, RestoreWizard};
use cairn_model::api::{DeleteJob, GetJob, LastJobSession, RunJobAction};
use cairn_model::api::{GetSettings, GetStatus, SaveSettings};
use cairn_model::{AgentOs, JobAction};
use cairn_model::{ConsoleStatus, Theme, UiSettings, View};
use cairn_model::{GetRepository, RemoveRepository, RepositoryDetails};
use cairn_model::{RemoveExternal, RescanExternal};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

const VIEWS: [View; 3] = [View::Home, View::Infrastructure, View::History];

/// What is open on top of the console.
#[derive(Debug, Clone, PartialEq)]
enum Modal {
    RepositoryWizard(RepoKind),
    EditRepository(Box<RepositoryDetails>),
    Credentials(Manager),
    ConfirmRemove(String),
    RestoreWizard(Option<String>),
    Browser(Box<Browse>),
    JobWizard(JobWizardMode),
    Session(i64),
    ConfirmDeleteJob(String),
    ConnectExternal(RepoKind),
    ConfirmRemoveExternal(String),
}

const REPO_KINDS: [(RepoKind, &str); 4] = [
    (RepoKind::Local, "add-repo-local"),
    (RepoKind::AmazonS3, "add-repo-s3"),
    (RepoKind::S3Compatible, "add-repo-s3c"),
    (RepoKind::Azure, "add-repo-azure"),
];

fn apply_theme(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute(
            "data-theme",
            if theme == Theme::Dark {
                "dark"
            } else {
                "light"
            },
        );
    }
}

#[component]
pub fn App() -> impl IntoView {
    let view = RwSignal::new(View::Home);
    let theme = RwSignal::new(Theme::Light);
    let loaded = RwSignal::new(false);
    let selected = RwSignal::new(views::default_node(View::Home));
    let expanded = RwSignal::new(HashSet::<Node>::new());
    let table = RwSignal::new(None::<Table>);
    let filter = RwSignal::new(String::new());
    let status = RwSignal::new(None::<ConsoleStatus>);
    let error = RwSignal::new(None::<String>);
    let tick = RwSignal::new(0u64);
    let row = RwSignal::new(None::<String>);
    let modal = RwSignal::new(None::<Modal>);
    let menu = RwSignal::new(None::<Menu>);
    let context = RwSignal::new(None::<(String, i32, i32)>);
    let tree_context = RwSignal::new(None::<(Node, i32, i32)>);

    // Preferences: read once, then save whenever they change.
    spawn_local(async move {
        if let Ok(s) = call(&GetSettings {}).await {
            theme.set(s.theme);
            view.set(s.last_view);
            selected.set(views::default_node(s.last_view));
        }
        loaded.set(true);
    });
    Effect::new(move |_| {
        let settings = UiSettings {
            theme: theme.get(),
            last_view: view.get(),
        };
        apply_theme(settings.theme);
        if loaded.get() {
            spawn_local(async move {
                if let Err(e) = call(&SaveSettings { settings }).await {
                    error.set(Some(e.message));
                }
            });
        }
    });

    // The working area follows the selected node and refreshes on F5.
    // Loads can finish out of order (a periodic refresh started before an
    // edit may answer after the refresh that follows it): only the latest
    // load is shown.
    let generation = StoredValue::new(0u64);
    Effect::new(move |prev: Option<Node>| {
        let node = selected.get();
        // A refresh keeps the selected row; another node clears it.
        if prev != Some(node) {
            row.set(None);
        }
        tick.track();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            match node.load().await {
                Ok(t) => {
                    if selected.get_untracked() == node && generation.get_value() == mine {
                        table.set(Some(t));
                        error.set(None);
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
        spawn_local(async move {
            if let Ok(s) = call(&GetStatus {}).await {
                status.set(Some(s));
            }
        });
        node
    });
    let refresh = Callback::new(move |_| tick.update(|t| *t += 1));
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "F5" {
            ev.prevent_default();
            refresh.run(());
        } else if ev.key() == "Escape" {
            menu.set(None);
            context.set(None);
            tree_context.set(None);
        }
    });
    on_cleanup(move || handle.remove());
    let _ = set_interval_with_handle(move || refresh.run(()), std::time::Duration::from_secs(10));
    // Running sessions move: their list refreshes every two seconds.
    let _ = set_interval_with_handle(
        move || {
            if selected.get_untracked() == Node::Running && modal.get_untracked().is_none() {
                refresh.run(());
            }
        },
        std::time::Duration::from_secs(2),
    );

    let switch_view = move |v: View| {
        if view.get_untracked() != v {
            view.set(v);
            table.set(None);
            filter.set(String::new());
            selected.set(views::default_node(v));
        }
    };
    let roots = Signal::derive(move || views::roots(view.get()));
    let job_selected = move || {
        matches!(
            selected.get(),
            Node::Jobs | Node::JobsBackup | Node::JobsCopy
        ) && row.get().is_some()
    };
    let disabled = Callback::new(move |action: Action| -> Option<String> {
        let on_externals = selected.get() == Node::ExternalRepositories;
        match action {
            Action::AddRepository
            | Action::Restore
            | Action::BackupJob
            | Action::BackupCopy
            | Action::ConnectRepository
            | Action::Rescan => None,
            Action::Job(_) => (!job_selected()).then(|| "Select a job in Jobs first".to_string()),
            Action::Edit if on_externals => Some(
                "An external repository's location cannot change; Remove it and Connect again"
                    .into(),
            ),
            Action::RemoveRepository if on_externals && row.get().is_some() => None,
            Action::RemoveRepository | Action::Edit => {
                if selected.get() != Node::Repositories || row.get().is_none() {
                    Some(format!(
                        "Select a repository in Backup Repositories to {} it",
                        if action == Action::Edit {
                            "edit"
                        } else {
                            "remove"
                        }
                    ))
                } else {
                    None
                }
            }
            Action::ShowLog => Some("Not available in this build yet".into()),
        }
    });
    // A job's Status column (the fourth) says whether it is disabled.
    let job_disabled = move |name: &str| {
        table
            .get_untracked()
            .and_then(|t| t.rows.into_iter().find(|r| r.key == name))
            .is_some_and(|r| r.cells.get(3).is_some_and(|c| c == "Disabled"))
    };
    let job_command = Callback::new(move |(command, name): (JobCommand, String)| {
        let command = match command {
            JobCommand::Toggle if job_disabled(&name) => JobCommand::Enable,
            JobCommand::Toggle => JobCommand::Disable,
            c => c,
        };
        let run = |action: JobAction, name: String| {
            spawn_local(async move {
                match call(&RunJobAction { name, action }).await {
                    Ok(Some(session)) => {
                        modal.set(Some(Modal::Session(session)));
                        tick.update(|t| *t += 1);
                    }
                    Ok(None) => tick.update(|t| *t += 1),
                    Err(e) => error.set(Some(e.message)),
                }
            })
        };
        match command {
            JobCommand::Start => run(JobAction::Start, name),
            JobCommand::Stop => run(JobAction::Stop, name),
            JobCommand::Retry => run(JobAction::Retry, name),
            JobCommand::ActiveFull => run(JobAction::ActiveFull, name),
            // Toggle was resolved to Enable or Disable above.
            JobCommand::Enable | JobCommand::Toggle => run(JobAction::Enable, name),
            JobCommand::Disable => run(JobAction::Disable, name),
            JobCommand::Edit => spawn_local(async move {
                match call(&GetJob { name }).await {
                    Ok(spec) => {
                        modal.set(Some(Modal::JobWizard(JobWizardMode::Edit(Box::new(spec)))))
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            }),
            JobCommand::Clone => spawn_local(async move {
                match call(&cairn_model::api::CloneJob { name }).await {
                    Ok(n) => {
                        row.set(Some(n));
                        tick.update(|t| *t += 1);
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            }),
            JobCommand::Delete => modal.set(Some(Modal::ConfirmDeleteJob(name))),
            JobCommand::Statistics => spawn_local(async move {
                match call(&LastJobSession { name }).await {
                    Ok(Some(s)) => modal.set(Some(Modal::Session(s))),
                    Ok(None) => {
                        error.set(Some("The job has not run yet; Start runs it now".into()))
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            }),
        }
    });
    // Rescan: one external repository, or all of them (None); its session
    // window opens.
    let rescan = Callback::new(move |name: Option<String>| {
        spawn_local(async move {
            match call(&RescanExternal { name }).await {
                Ok(session) => modal.set(Some(Modal::Session(session))),
                Err(e) => error.set(Some(e.message)),
            }
        });
    });
    let on_action = Callback::new(move |action: Action| {
        let on_externals = selected.get_untracked() == Node::ExternalRepositories;
        let name = row.get_untracked();
        if let Some(m) = action.menu() {
            menu.update(|open| *open = if open.is_some() { None } else { Some(m) });
            return;
        }
        match (action, name) {
            (Action::Rescan, name) => rescan.run(name.filter(|_| on_externals)),
            (Action::RemoveRepository, Some(name)) if on_externals => {
                modal.set(Some(Modal::ConfirmRemoveExternal(name)))
            }
            (Action::Job(c), Some(name)) => job_command.run((c, name)),
            (Action::RemoveRepository, Some(name)) => modal.set(Some(Modal::ConfirmRemove(name))),
            (Action::Edit, Some(name)) => spawn_local(async move {
                match call(&GetRepository { name }).await {
                    Ok(d) => modal.set(Some(Modal::EditRepository(Box::new(d)))),
                    Err(e) => error.set(Some(e.message)),
                }
            }),
            // Nothing selected (the button says why), or no action here.
            _ => {}
        }
    });
    let on_menu = Callback::new(move |_| {
        menu.update(|m| *m = if m.is_some() { None } else { Some(Menu::App) })
    });
    let close_modal = Callback::new(move |changed: bool| {
        modal.set(None);
        if changed {
            refresh.run(());
        }
    });
    let remove = move |name: String| {
        spawn_local(async move {
            match call(&RemoveRepository { name }).await {
                Ok(()) => {
                    modal.set(None);
                    row.set(None);
                    refresh.run(());
                }
                Err(e) => {
                    modal.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };

    view! {
        <div class="console">
            <Ribbon view=view.into() theme on_refresh=refresh disabled on_action on_menu />
            {move || match menu.get() {
                Some(Menu::BackupJob) => view! {
                    <ul class="dropdown" id="backup-job-menu" style="left: 8px">
                        <li><button id="backup-job-linux" on:click=move |_| { menu.set(None); modal.set(Some(Modal::JobWizard(JobWizardMode::New(AgentOs::Linux, false)))); }>"Linux computer…"</button></li>
                        <li><button id="backup-job-windows" on:click=move |_| { menu.set(None); modal.set(Some(Modal::JobWizard(JobWizardMode::New(AgentOs::Windows, false)))); }>"Windows computer…"</button></li>
                        <li><button id="backup-job-this" on:click=move |_| { menu.set(None); modal.set(Some(Modal::JobWizard(JobWizardMode::New(AgentOs::Linux, true)))); }>"This computer…"</button></li>
                    </ul>
                }.into_any(),
                Some(Menu::BackupCopy) => view! {
                    <ul class="dropdown" id="backup-copy-menu" style="left: 80px">
                        <li><button id="backup-copy-new" on:click=move |_| { menu.set(None); modal.set(Some(Modal::JobWizard(JobWizardMode::NewCopy(false)))); }>"Backup copy…"</button></li>
                        <li><button id="backup-copy-external" on:click=move |_| { menu.set(None); modal.set(Some(Modal::JobWizard(JobWizardMode::NewCopy(true)))); }>"External Repository → Backup Copy…"</button></li>
                    </ul>
                }.into_any(),
                Some(Menu::Connect) => view! {
                    <ul class="dropdown" id="connect-menu" style="left: 90px">
                        <li><button id="connect-s3" on:click=move |_| { menu.set(None); modal.set(Some(Modal::ConnectExternal(RepoKind::AmazonS3))); }>"Amazon S3…"</button></li>
                        <li><button id="connect-s3c" on:click=move |_| { menu.set(None); modal.set(Some(Modal::ConnectExternal(RepoKind::S3Compatible))); }>"S3 compatible…"</button></li>
                        <li><button id="connect-azure" on:click=move |_| { menu.set(None); modal.set(Some(Modal::ConnectExternal(RepoKind::Azure))); }>"Azure Blob…"</button></li>
                    </ul>
                }.into_any(),
                Some(Menu::Restore) => view! {
                    <ul class="dropdown" id="restore-menu" style="left: 150px">
                        <li><button id="restore-guest-files" on:click=move |_| { menu.set(None); modal.set(Some(Modal::RestoreWizard(None))); }>"Guest files…"</button></li>
                    </ul>
                }.into_any(),
                Some(Menu::AddRepository) => view! {
                    <ul class="dropdown" id="add-repo-menu" style="left: 8px">
                        {REPO_KINDS.iter().map(|(k, id)| {
                            let k = *k;
                            view! { <li><button id=*id on:click=move |_| { menu.set(None); modal.set(Some(Modal::RepositoryWizard(k))); }>{k.label()}</button></li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Some(Menu::App) => view! {
                    <ul class="dropdown" id="app-menu-list" style="left: 0">
                        <li><button id="menu-credentials" on:click=move |_| { menu.set(None); modal.set(Some(Modal::Credentials(Manager::Accounts))); }>"Manage Credentials"</button></li>
                        <li><button id="menu-cloud-credentials" on:click=move |_| { menu.set(None); modal.set(Some(Modal::Credentials(Manager::Cloud))); }>"Manage Cloud Credentials"</button></li>
                        <li><button id="menu-passwords" on:click=move |_| { menu.set(None); modal.set(Some(Modal::Credentials(Manager::Passwords))); }>"Manage Passwords"</button></li>
                    </ul>
                }.into_any(),
                None => ().into_any(),
            }}
            {move || match modal.get() {
                Some(Modal::RepositoryWizard(k)) => view! { <RepositoryWizard kind=k on_close=close_modal /> }.into_any(),
                Some(Modal::ConnectExternal(k)) => view! { <RepositoryWizard kind=k external=true on_close=close_modal /> }.into_any(),
                Some(Modal::ConfirmRemoveExternal(name)) => {
                    let n = name.clone();
                    view! {
                        <div class="modal-backdrop">
                            <div class="dialog confirm" role="alertdialog">
                                <header class="wizard-title">"Remove external repository"</header>
                                <div class="dialog-body">
                                    <p>{format!("Remove external repository {name}? Its backups stay in the bucket or container; only this console forgets them.")}</p>
                                </div>
                                <footer class="wizard-buttons">
                                    <button id="confirm-remove-external" class="danger" on:click=move |_| {
                                        let name = n.clone();
                                        spawn_local(async move {
                                            match call(&RemoveExternal { name }).await {
                                                Ok(()) => { modal.set(None); row.set(None); refresh.run(()); }
                                                Err(e) => { modal.set(None); error.set(Some(e.message)); }
                                            }
                                        });
                                    }>"Remove"</button>
                                    <button on:click=move |_| modal.set(None)>"Cancel"</button>
                                </footer>
                            </div>
                        </div>
                    }.into_any()
                }
                Some(Modal::RestoreWizard(b)) => view! {
                    <RestoreWizard backup=b
                        on_close=Callback::new(move |_| modal.set(None))
                        on_browse=Callback::new(move |b: Browse| modal.set(Some(Modal::Browser(Box::new(b))))) />
                }.into_any(),
                Some(Modal::Browser(b)) => {
                    let b = *b;
                    view! { <BackupBrowser point=b.point reason=b.reason on_close=Callback::new(move |_| close_modal.run(true)) /> }.into_any()
                }
                Some(Modal::EditRepository(d)) => {
                    let k = RepoKind::of(&d.target);
                    view! { <RepositoryWizard kind=k edit=*d on_close=close_modal /> }.into_any()
                }
                Some(Modal::JobWizard(m)) => view! {
                    <JobWizard mode=m on_close=Callback::new(move |r: Option<i64>| {
                        match r {
                            Some(s) if s > 0 => modal.set(Some(Modal::Session(s))),
                            _ => modal.set(None),
                        }
                        if r.is_some() {
                            selected.set(Node::Jobs);
                            refresh.run(());
                        }
                    }) />
                }.into_any(),
                Some(Modal::Session(id)) => view! { <SessionWindow id on_close=Callback::new(move |_| close_modal.run(true)) /> }.into_any(),
                Some(Modal::ConfirmDeleteJob(name)) => {
                    let n = name.clone();
                    let with_backups = RwSignal::new(false);
                    view! {
                        <div class="modal-backdrop">
                            <div class="dialog confirm" role="alertdialog">
                                <header class="wizard-title">"Delete job"</header>
                                <div class="dialog-body">
                                    <p>{format!("Delete job {name}? Its schedule stops.")}</p>
                                    <label class="field check"><input id="delete-job-backups" type="checkbox" prop:checked=move || with_backups.get() on:change=move |ev| with_backups.set(event_target_checked(&ev)) /><span>"Also delete its backups from disk (restore points cannot be recovered)"</span></label>
                                </div>
                                <footer class="wizard-buttons">
                                    <button id="confirm-delete-job" class="danger" on:click=move |_| {
                                        let name = n.clone();
                                        let delete_backups = with_backups.get_untracked();
                                        spawn_local(async move {
                                            match call(&DeleteJob { name, delete_backups }).await {
                                                Ok(()) => { modal.set(None); row.set(None); refresh.run(()); }
                                                Err(e) => { modal.set(None); error.set(Some(e.message)); }
                                            }
                                        });
                                    }>"Delete"</button>
                                    <button on:click=move |_| modal.set(None)>"Cancel"</button>
                                </footer>
                            </div>
                        </div>
                    }.into_any()
                }
                Some(Modal::Credentials(m)) => view! { <CredentialsManager manager=m on_close=Callback::new(move |_| close_modal.run(true)) /> }.into_any(),
                Some(Modal::ConfirmRemove(name)) => {
                    let n = name.clone();
                    view! {
                        <div class="modal-backdrop">
                            <div class="dialog confirm" role="alertdialog">
                                <header class="wizard-title">"Remove repository"</header>
                                <div class="dialog-body">
                                    <p>{format!("Remove repository {name} from the configuration? Its backups stay in the storage and can be added again.")}</p>
                                </div>
                                <footer class="wizard-buttons">
                                    <button id="confirm-remove" class="danger" on:click=move |_| remove(n.clone())>"Remove"</button>
                                    <button on:click=move |_| modal.set(None)>"Cancel"</button>
                                </footer>
                            </div>
                        </div>
                    }.into_any()
                }
                None => ().into_any(),
            }}
            <div class="main">
                <aside class="sidebar">
                    <div class="sidebar-title">{move || view.get().label()}</div>
                    <div class="tree-pane">
                        <InventoryTree roots selected expanded on_context=Callback::new(move |c: (Node, i32, i32)| {
                            if c.0 == Node::ExternalRepositories {
                                tree_context.set(Some(c));
                            }
                        }) />
                    </div>
                    <nav class="navigation">
                        {VIEWS
                            .iter()
                            .map(|v| {
                                let v = *v;
                                view! {
                                    <button
                                        class="nav-button"
                                        class:active=move || view.get() == v
                                        data-view=format!("{v:?}").to_lowercase()
                                        on:click=move |_| switch_view(v)
                                    >
                                        <span class=format!("glyph nav-{}", format!("{v:?}").to_lowercase())></span>
                                        {v.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </nav>
                </aside>
                <section class="work-area">
                    <div class="work-header">
                        <h1 id="work-title">{move || selected.get().label()}</h1>
                        <input
                            class="filter"
                            type="search"
                            placeholder="Type in an object name to search for"
                            prop:value=move || filter.get()
                            on:input=move |ev| filter.set(event_target_value(&ev))
                        />
                    </div>
                    <DataTable table=table.into() filter selected=row
                        expandable=Signal::derive(move || selected.get().is_backups())
                        expand=Callback::new(move |(key, lines): (String, crate::components::table::SubLines)| {
                            spawn_local(async move {
                                match call(&cairn_model::ListRestorePoints { backup: key }).await {
                                    Ok(points) => lines.set(Some(points.into_iter().map(|p| {
                                        let mut l = format!("{}  ·  {}  ·  {}", crate::format::time(p.time), p.kind, crate::format::bytes(p.size));
                                        if !p.gfs.is_empty() { l.push_str(&format!("  ·  GFS {}", p.gfs)); }
                                        if let Some(u) = p.immutable_until { l.push_str(&format!("  ·  immutable until {}", crate::format::time(u))); }
                                        l
                                    }).collect())),
                                    Err(e) => lines.set(Some(vec![e.message])),
                                }
                            });
                        })
                        on_context=Callback::new(move |c: (String, i32, i32)| {
                            let n = selected.get_untracked();
                            if n.is_backups() || n.is_jobs() || n == Node::ExternalRepositories {
                                context.set(Some(c));
                            }
                        })
                        on_activate=Callback::new(move |k: String| {
                            let n = selected.get_untracked();
                            if n.is_backups() {
                                modal.set(Some(Modal::RestoreWizard(Some(k))));
                            } else if n.is_jobs() {
                                job_command.run((JobCommand::Statistics, k));
                            } else if n.is_sessions() {
                                if let Ok(id) = k.parse() {
                                    modal.set(Some(Modal::Session(id)));
                                }
                            }
                        }) />
                    {move || context.get().map(|(key, x, y)| view! {
                        <div class="context-backdrop" on:click=move |_| context.set(None)
                            on:contextmenu=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); context.set(None); }></div>
                        <ul class="dropdown context-menu" id="context-menu" style=format!("left: {x}px; top: {y}px; position: fixed")>
                            {if selected.get_untracked() == Node::ExternalRepositories {
                                let k1 = key.clone();
                                let k2 = key.clone();
                                view! {
                                    <li><button id="context-rescan" on:click=move |_| { context.set(None); rescan.run(Some(k1.clone())); }>"Rescan"</button></li>
                                    <li><button id="context-remove-external" on:click=move |_| { context.set(None); modal.set(Some(Modal::ConfirmRemoveExternal(k2.clone()))); }>"Remove…"</button></li>
                                }.into_any()
                            } else if selected.get_untracked().is_jobs() {
                                let disabled_now = job_disabled(&key);
                                let toggle = if disabled_now { (JobCommand::Enable, "Enable") } else { (JobCommand::Disable, "Disable") };
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
                                items.into_iter().map(|(c, label)| {
                                    let key = key.clone();
                                    view! { <li><button id=format!("context-{}", c.id()) on:click=move |_| { context.set(None); job_command.run((c, key.clone())); }>{label}</button></li> }
                                }).collect_view().into_any()
                            } else {
                                let key = key.clone();
                                view! {
                                    <li><button id="context-restore-guest-files" on:click=move |_| {
                                        context.set(None);
                                        modal.set(Some(Modal::RestoreWizard(Some(key.clone()))));
                                    }>"Restore guest files…"</button></li>
                                }.into_any()
                            }}
                        </ul>
                    })}
                </section>
            </div>
            {move || tree_context.get().map(|(_, x, y)| view! {
                <div class="context-backdrop" on:click=move |_| tree_context.set(None)
                    on:contextmenu=move |ev: leptos::ev::MouseEvent| { ev.prevent_default(); tree_context.set(None); }></div>
                <ul class="dropdown context-menu" id="tree-context-menu" style=format!("left: {x}px; top: {y}px; position: fixed")>
                    <li><button id="context-rescan-all" on:click=move |_| { tree_context.set(None); rescan.run(None); }>"Rescan"</button></li>
                </ul>
            })}
            <StatusBar status=status.into() error=error.into() />
        </div>
    }
}
