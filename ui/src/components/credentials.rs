//! Manage Credentials / Cloud Credentials / Passwords: names, kinds,
//! accounts, descriptions, hints, last edit and usage, never the secret.
//! Add, edit (the secret is entered again) and delete (refused while used).

use crate::api::call;
use crate::format;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Which manager: the kinds it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    /// Usernames and passwords of computers and service providers.
    Accounts,
    Cloud,
    Passwords,
}

impl Manager {
    fn title(self) -> &'static str {
        match self {
            Self::Accounts => "Manage Credentials",
            Self::Cloud => "Manage Cloud Credentials",
            Self::Passwords => "Manage Passwords",
        }
    }
    fn shows(self, kind: &str) -> bool {
        self.kinds().iter().any(|(k, _)| *k == kind)
    }
    fn identity_label(self) -> &'static str {
        match self {
            Self::Accounts => "Username:",
            _ => "Account / key ID:",
        }
    }
    fn kinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Accounts => &[("account", "Username and password")],
            Self::Cloud => &[
                ("aws", "Amazon S3 access key"),
                ("azure-key", "Azure storage shared key"),
                ("azure-sas", "Azure SAS token"),
            ],
            Self::Passwords => &[("password", "Encryption password")],
        }
    }
}

#[component]
pub fn CredentialsManager(manager: Manager, on_close: Callback<()>) -> impl IntoView {
    let rows = RwSignal::new(Vec::<CredentialRow>::new());
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let existing = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(manager.kinds()[0].0.to_string());
    let identity = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let hint = RwSignal::new(String::new());
    let reload = move || {
        spawn_local(async move {
            match call(&ListCredentials {}).await {
                Ok(r) => rows.set(r.into_iter().filter(|c| manager.shows(&c.kind)).collect()),
                Err(e) => error.set(Some(e.message)),
            }
        })
    };
    reload();
    let save = move |_| {
        let req = PutCredential {
            name: name.get_untracked().trim().to_string(),
            kind: kind.get_untracked(),
            identity: identity.get_untracked().trim().to_string(),
            secret: Secret(secret.get_untracked()),
            description: description.get_untracked(),
            hint: hint.get_untracked(),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(()) => {
                    secret.set(String::new());
                    editing.set(false);
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let start = move |row: Option<CredentialRow>| {
        error.set(None);
        secret.set(String::new());
        existing.set(row.is_some());
        match row {
            Some(r) => {
                name.set(r.name);
                kind.set(r.kind);
                identity.set(r.identity);
                description.set(r.description);
                hint.set(r.hint);
            }
            None => {
                name.set(String::new());
                identity.set(String::new());
                description.set(String::new());
                hint.set(String::new());
            }
        }
        editing.set(true);
    };
    let delete = move |n: String| {
        spawn_local(async move {
            match call(&DeleteCredential { name: n }).await {
                Ok(()) => {
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="dialog credentials" role="dialog" aria-label=manager.title()
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close.run(()) }>
                <header class="wizard-title">{manager.title()}</header>
                <div class="dialog-body">
                    <p class="hint">"Secrets are kept in the system keyring. They are never shown again after entry; to change one, edit the entry and type it again."</p>
                    <table class="data-table" id="credentials-table">
                        <thead><tr><th>"Name"</th><th>"Kind"</th><th>{manager.identity_label().trim_end_matches(':')}</th><th>"Description"</th><th>"Last edited"</th><th>"Used by"</th><th></th></tr></thead>
                        <tbody>
                            {move || rows.get().into_iter().map(|r| {
                                let edit_row = r.clone();
                                let del = r.name.clone();
                                view! {
                                    <tr>
                                        <td>{r.name.clone()}</td>
                                        <td>{r.kind.clone()}</td>
                                        <td>{r.identity.clone()}</td>
                                        <td>{r.description.clone()}</td>
                                        <td>{format::time(r.edited)}</td>
                                        <td>{r.used_by.join(", ")}</td>
                                        <td class="row-actions">
                                            <button on:click=move |_| start(Some(edit_row.clone()))>"Edit…"</button>
                                            <button class="danger" on:click=move |_| delete(del.clone())>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {move || rows.get().is_empty().then(|| view! { <div class="empty">"Nothing stored yet."</div> })}
                    {move || editing.get().then(|| view! {
                        <div class="edit-form">
                            <label class="field"><span>"Name:"</span><input id="cred-name" prop:value=move || name.get() readonly=move || existing.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                            <label class="field"><span>"Kind:"</span>
                                <select id="cred-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                                    {manager.kinds().iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                                </select>
                            </label>
                            {(manager != Manager::Passwords).then(|| view! {
                                <label class="field"><span>{manager.identity_label()}</span><input id="cred-identity" autocomplete="off" prop:value=move || identity.get() on:input=move |ev| identity.set(event_target_value(&ev)) /></label>
                            })}
                            <label class="field"><span>{if manager == Manager::Accounts { "Password:" } else { "Secret:" }}</span><input id="cred-secret" type="password" autocomplete="off" prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) /></label>
                            <label class="field"><span>"Description:"</span><input id="cred-description" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) /></label>
                            {(manager != Manager::Cloud).then(|| view! {
                                <label class="field"><span>"Hint:"</span><input id="cred-hint" prop:value=move || hint.get() on:input=move |ev| hint.set(event_target_value(&ev)) /></label>
                            })}
                            <div class="form-buttons">
                                <button id="cred-save" class="primary" on:click=save>"Save"</button>
                                <button on:click=move |_| editing.set(false)>"Cancel"</button>
                            </div>
                        </div>
                    })}
                    {move || error.get().map(|e| view! { <div class="wiz-error" role="alert">{e}</div> })}
                </div>
                <footer class="wizard-buttons">
                    <button id="cred-add" on:click=move |_| start(None)>"Add…"</button>
                    <button id="cred-close" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </div>
    }
}
