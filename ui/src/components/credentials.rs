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
    fn shows(self, kind: CredentialKind) -> bool {
        self.kinds().contains(&kind)
    }
    fn identity_label(self) -> &'static str {
        match self {
            Self::Accounts => "Username:",
            _ => "Account / key ID:",
        }
    }
    fn kinds(self) -> &'static [CredentialKind] {
        match self {
            Self::Accounts => &[CredentialKind::Account],
            Self::Cloud => &[
                CredentialKind::Aws,
                CredentialKind::AzureKey,
                CredentialKind::AzureSas,
                CredentialKind::AzureServicePrincipal,
            ],
            Self::Passwords => &[CredentialKind::Password],
        }
    }
}

/// The entry being added or edited.
#[derive(Clone, Copy)]
struct CredentialForm {
    /// Editing an existing entry: its name is fixed.
    existing: RwSignal<bool>,
    name: RwSignal<String>,
    kind: RwSignal<CredentialKind>,
    identity: RwSignal<String>,
    secret: RwSignal<String>,
    description: RwSignal<String>,
    hint: RwSignal<String>,
}

impl CredentialForm {
    fn new(manager: Manager) -> Self {
        Self {
            existing: RwSignal::new(false),
            name: RwSignal::new(String::new()),
            kind: RwSignal::new(manager.kinds()[0]),
            identity: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            hint: RwSignal::new(String::new()),
        }
    }

    /// Fills the form from a row, or empties it for a new entry; the
    /// secret is always typed again.
    fn start(self, row: Option<CredentialRow>) {
        self.existing.set(row.is_some());
        self.secret.set(String::new());
        let r = row.unwrap_or_else(|| CredentialRow {
            name: String::new(),
            kind: self.kind.get_untracked(),
            identity: String::new(),
            description: String::new(),
            hint: String::new(),
            edited: 0,
            used_by: Vec::new(),
        });
        self.name.set(r.name);
        self.kind.set(r.kind);
        self.identity.set(r.identity);
        self.description.set(r.description);
        self.hint.set(r.hint);
    }

    fn request(self) -> PutCredential {
        PutCredential {
            name: self.name.get_untracked().trim().to_string(),
            kind: self.kind.get_untracked(),
            identity: self.identity.get_untracked().trim().to_string(),
            secret: Secret(self.secret.get_untracked()),
            description: self.description.get_untracked(),
            hint: self.hint.get_untracked(),
        }
    }
}

/// The manager's state: its rows, the open form and the last error.
#[derive(Clone, Copy)]
struct ManagerState {
    manager: Manager,
    rows: RwSignal<Vec<CredentialRow>>,
    error: RwSignal<Option<String>>,
    editing: RwSignal<bool>,
    form: CredentialForm,
}

impl ManagerState {
    fn new(manager: Manager) -> Self {
        Self {
            manager,
            rows: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            editing: RwSignal::new(false),
            form: CredentialForm::new(manager),
        }
    }

    fn reload(self) {
        spawn_local(async move {
            match call(&ListCredentials {}).await {
                Ok(r) => self.rows.set(
                    r.into_iter()
                        .filter(|c| self.manager.shows(c.kind))
                        .collect(),
                ),
                Err(e) => self.error.set(Some(e.message)),
            }
        })
    }

    fn edit(self, row: Option<CredentialRow>) {
        self.error.set(None);
        self.form.start(row);
        self.editing.set(true);
    }

    fn save(self) {
        let req = self.form.request();
        spawn_local(async move {
            match call(&req).await {
                Ok(()) => {
                    self.form.secret.set(String::new());
                    self.editing.set(false);
                    self.error.set(None);
                    self.reload();
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    fn delete(self, name: String) {
        spawn_local(async move {
            match call(&DeleteCredential { name }).await {
                Ok(()) => {
                    self.error.set(None);
                    self.reload();
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }
}

#[component]
pub fn CredentialsManager(manager: Manager, on_close: Callback<()>) -> impl IntoView {
    let state = ManagerState::new(manager);
    state.reload();
    view! {
        <div class="modal-backdrop">
            <div class="dialog credentials" role="dialog" aria-label=manager.title()
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { on_close.run(()) }>
                <header class="wizard-title">{manager.title()}</header>
                <div class="dialog-body">
                    <p class="hint">"Secrets are kept in the system keyring. They are never shown again after entry; to change one, edit the entry and type it again."</p>
                    <CredentialsTable state />
                    {move || state.editing.get().then(|| view! { <CredentialEditor state /> })}
                    {move || state.error.get().map(|e| view! { <div class="wiz-error" role="alert">{e}</div> })}
                </div>
                <footer class="wizard-buttons">
                    <button id="cred-add" on:click=move |_| state.edit(None)>"Add…"</button>
                    <button id="cred-close" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </div>
    }
}

#[component]
fn CredentialsTable(state: ManagerState) -> impl IntoView {
    let identity = state.manager.identity_label().trim_end_matches(':');
    view! {
        <table class="data-table" id="credentials-table">
            <thead><tr><th>"Name"</th><th>"Kind"</th><th>{identity}</th><th>"Description"</th><th>"Last edited"</th><th>"Used by"</th><th></th></tr></thead>
            <tbody>
                {move || state.rows.get().into_iter().map(|r| {
                    let edit_row = r.clone();
                    let del = r.name.clone();
                    view! {
                        <tr>
                            <td>{r.name.clone()}</td>
                            <td>{r.kind.label()}</td>
                            <td>{r.identity.clone()}</td>
                            <td>{r.description.clone()}</td>
                            <td>{format::time(r.edited)}</td>
                            <td>{r.used_by.join(", ")}</td>
                            <td class="row-actions">
                                <button on:click=move |_| state.edit(Some(edit_row.clone()))>"Edit…"</button>
                                <button class="danger" on:click=move |_| state.delete(del.clone())>"Delete"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || state.rows.get().is_empty().then(|| view! { <div class="empty">"Nothing stored yet."</div> })}
    }
}

/// A text input bound to a form signal.
fn input(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    kind: &'static str,
) -> impl IntoView {
    view! {
        <label class="field"><span>{label}</span>
            <input id=id type=kind autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

#[component]
fn CredentialEditor(state: ManagerState) -> impl IntoView {
    let (manager, f) = (state.manager, state.form);
    let pick = move |ev| {
        if let Some(k) = CredentialKind::parse(&event_target_value(&ev)) {
            f.kind.set(k);
        }
    };
    let secret_label = if manager == Manager::Accounts {
        "Password:"
    } else {
        "Secret:"
    };
    view! {
        <div class="edit-form">
            <label class="field"><span>"Name:"</span><input id="cred-name" prop:value=move || f.name.get() readonly=move || f.existing.get() on:input=move |ev| f.name.set(event_target_value(&ev)) /></label>
            <label class="field"><span>"Kind:"</span>
                <select id="cred-kind" prop:value=move || f.kind.get().as_str() on:change=pick>
                    {manager.kinds().iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </label>
            {(manager != Manager::Passwords).then(|| input("cred-identity", manager.identity_label(), f.identity, "text"))}
            {input("cred-secret", secret_label, f.secret, "password")}
            {input("cred-description", "Description:", f.description, "text")}
            {(manager != Manager::Cloud).then(|| input("cred-hint", "Hint:", f.hint, "text"))}
            <div class="form-buttons">
                <button id="cred-save" class="primary" on:click=move |_| state.save()>"Save"</button>
                <button on:click=move |_| state.editing.set(false)>"Cancel"</button>
            </div>
        </div>
    }
}
