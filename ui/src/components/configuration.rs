//! ☰ → Configuration Backup: when and where the console backs up its own
//! configuration, Back up now, and — on a fresh console — Restore from a
//! repository that holds a configuration backup.

use crate::api::call;
use crate::format;
use cairn_model::api::{BackupConfigurationNow, GetConfigBackup, ListRepositories};
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The dialog's lists: repositories and Manage Passwords entries.
fn load_lists(repos: RwSignal<Vec<String>>, passwords: RwSignal<Vec<String>>) {
    spawn_local(async move {
        if let Ok(r) = call(&ListRepositories {}).await {
            repos.set(r.into_iter().map(|r| r.name).collect());
        }
        if let Ok(c) = call(&ListCredentials {}).await {
            let names = c
                .into_iter()
                .filter(|c| c.kind == CredentialKind::Password)
                .map(|c| c.name);
            passwords.set(names.collect());
        }
    });
}

#[component]
pub fn ConfigurationBackup(on_close: Callback<()>) -> impl IntoView {
    let settings = RwSignal::new(ConfigBackupSettings::default());
    let next_run = RwSignal::new(None::<i64>);
    let (repos, passwords) = (RwSignal::new(Vec::new()), RwSignal::new(Vec::new()));
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match call(&GetConfigBackup {}).await {
                Ok(v) => {
                    settings.set(v.settings);
                    next_run.set(v.next_run);
                }
                Err(e) => error.set(Some(e.message)),
            }
        })
    };
    load();
    load_lists(repos, passwords);
    // Runs a request with the buttons disabled; its answer is the message.
    let act = move |work: Work| {
        busy.set(true);
        error.set(None);
        message.set(None);
        spawn_local(async move {
            match work.await {
                Ok(m) => message.set(Some(m)),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
            load();
            // A restore replaces the repositories and passwords.
            load_lists(repos, passwords);
        });
    };
    let save = move |_| {
        let req = SaveConfigBackup {
            settings: settings.get_untracked(),
        };
        act(Box::pin(async move {
            call(&req).await.map(|_| "Saved.".to_string())
        }));
    };
    let now = move |_| {
        act(Box::pin(
            async move { call(&BackupConfigurationNow {}).await },
        ))
    };
    view! {
        <div class="modal-backdrop">
            <div class="dialog config-backup" role="dialog" aria-label="Configuration Backup"
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close.run(()) }>
                <header class="wizard-title">"Configuration Backup"</header>
                <div class="dialog-body">
                    <p class="hint">"The console's configuration — repositories, jobs, schedules, credentials, protection groups, providers — backed up as a restore point of its own. The keyring's secrets go along only sealed with a password; without one they are listed as to re-enter after a restore."</p>
                    <ScheduleSection settings next_run repos passwords />
                    <RestoreSection repos busy act />
                    {move || message.get().map(|m| view! { <div class="wiz-ok" id="config-message" role="status">{m}</div> })}
                    {move || error.get().map(|e| view! { <div class="wiz-error" id="config-error" role="alert">{e}</div> })}
                </div>
                <footer class="wizard-buttons">
                    {move || busy.get().then(|| view! { <span class="wiz-busy">"Working…"</span> })}
                    <button id="config-backup-now" disabled=move || busy.get() on:click=now>"Back up now"</button>
                    <button id="config-save" disabled=move || busy.get() on:click=save>"Save"</button>
                    <button id="config-close" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </div>
    }
}

/// The daily configuration backup: when, where, and the password that
/// seals the secrets.
#[component]
fn ScheduleSection(
    settings: RwSignal<ConfigBackupSettings>,
    next_run: RwSignal<Option<i64>>,
    repos: RwSignal<Vec<String>>,
    passwords: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <label class="field check"><input type="checkbox" id="config-enabled"
            prop:checked=move || settings.get().enabled
            on:change=move |ev| settings.update(|s| s.enabled = event_target_checked(&ev)) />
            <span>"Back up the configuration daily"</span></label>
        <label class="field"><span>"At (HH:MM):"</span><input id="config-time" class="short"
            prop:value=move || settings.get().time
            on:input=move |ev| settings.update(|s| s.time = event_target_value(&ev)) /></label>
        <label class="field"><span>"Backup repository:"</span>
            <select id="config-repository" prop:value=move || settings.get().repository.unwrap_or_default()
                on:change=move |ev| settings.update(|s| s.repository = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                <option value="">"The default repository"</option>
                {move || repos.get().into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
            </select>
        </label>
        <label class="field"><span>"Seal the secrets with password:"</span>
            <select id="config-password" prop:value=move || settings.get().password_name.unwrap_or_default()
                on:change=move |ev| settings.update(|s| s.password_name = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                <option value="">"None: leave the secrets out"</option>
                {move || passwords.get().into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
            </select>
        </label>
        <p class="hint" id="config-next">{move || match next_run.get() {
            Some(t) if settings.get().enabled => format!("Next run: {}", format::time(t)),
            _ if settings.get().enabled => "Next run: counted when the scheduler next looks".into(),
            _ => "The daily configuration backup is off.".into(),
        }}</p>
    }
}

type Work = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, ApiError>>>>;

/// Restore on a fresh console: the repository that holds the backup and
/// its password.
#[component]
fn RestoreSection(
    repos: RwSignal<Vec<String>>,
    busy: RwSignal<bool>,
    act: impl Fn(Work) + Copy + 'static,
) -> impl IntoView {
    let repository = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // A restore replaces the repositories: a choice that went goes too.
    Effect::new(move || {
        let listed = repos.get();
        if !listed.contains(&repository.get_untracked()) {
            repository.set(String::new());
        }
    });
    let restore = move |_| {
        let req = RestoreConfiguration {
            repository: repository.get_untracked(),
            password: Some(Secret(password.get_untracked())).filter(|p| !p.0.is_empty()),
        };
        password.set(String::new());
        act(Box::pin(async move { call(&req).await }));
    };
    view! {
        <fieldset class="config-restore">
            <legend>"Restore on a new console"</legend>
            <p class="hint">"Add the repository that holds the configuration backup first (Backup Infrastructure → Add Repository). The restore brings back jobs, schedules, repositories and — with the password — the secrets, then rescans every repository. A console that already has jobs or credentials is left alone."</p>
            <label class="field"><span>"From repository:"</span>
                <select id="config-restore-repository" prop:value=move || repository.get()
                    on:change=move |ev| repository.set(event_target_value(&ev))>
                    <option value="">"Choose…"</option>
                    {move || repos.get().into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span>"Password (if it was sealed):"</span><input id="config-restore-password" type="password" autocomplete="off"
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></label>
            <div class="form-buttons">
                <button id="config-restore" disabled=move || busy.get() || repository.get().is_empty() on:click=restore>"Restore configuration"</button>
            </div>
        </fieldset>
    }
}
