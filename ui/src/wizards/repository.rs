//! Add Backup Repository: Local folder, Amazon S3, S3 compatible, Azure Blob.
//! Each step is checked by the backend before Next; refusals appear at the
//! step where the choice was made.

use super::frame::{ConfirmDiscard, WizardFrame};
use super::password::PasswordPicker;
use crate::api::call;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Which kind of repository the wizard adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    Local,
    AmazonS3,
    S3Compatible,
    Azure,
}

impl RepoKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Local => "Local folder",
            Self::AmazonS3 => "Amazon S3",
            Self::S3Compatible => "S3 compatible",
            Self::Azure => "Azure Blob",
        }
    }
    fn steps(self, external: bool) -> Vec<&'static str> {
        match self {
            Self::AmazonS3 | Self::S3Compatible if external => vec![
                "Name",
                "Account",
                "Bucket",
                "Encryption",
                "Review",
                "Apply",
                "Summary",
            ],
            Self::Azure if external => vec![
                "Name",
                "Account",
                "Container",
                "Encryption",
                "Review",
                "Apply",
                "Summary",
            ],
            Self::Local => vec!["Name", "Repository", "Review", "Apply", "Summary"],
            Self::AmazonS3 | Self::S3Compatible => {
                vec!["Name", "Account", "Bucket", "Review", "Apply", "Summary"]
            }
            Self::Azure => vec!["Name", "Account", "Container", "Review", "Apply", "Summary"],
        }
    }
}

const CLASSES: &[(&str, &str)] = &[
    ("standard", "Standard"),
    ("glacier-flexible-retrieval", "Glacier Flexible Retrieval"),
    ("glacier-deep-archive", "Glacier Deep Archive"),
    ("standard-ia", "Standard-IA (not supported)"),
    ("onezone-ia", "One Zone-IA (not supported)"),
    (
        "glacier-instant-retrieval",
        "Glacier Instant Retrieval (not supported)",
    ),
    ("intelligent-tiering", "Intelligent-Tiering (not supported)"),
];

const EXTERNAL_TIERS: &[(&str, &str)] = &[("hot", "Hot"), ("cool", "Cool")];

const TIERS: &[(&str, &str)] = &[
    ("hot", "Hot"),
    ("cool", "Cool"),
    ("cold", "Cold (not supported)"),
    ("archive", "Archive (not supported)"),
];

fn text_input(
    id: &'static str,
    label: &'static str,
    sig: RwSignal<String>,
    kind: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <input id=id type=kind placeholder=hint autocomplete="off" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
        </label>
    }
}

fn select(
    id: &'static str,
    label: &'static str,
    sig: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <select id=id prop:value=move || sig.get() on:change=move |ev| sig.set(event_target_value(&ev))>
                {options.iter().map(|(v, l)| view! { <option value=*v selected=move || sig.get() == *v>{*l}</option> }).collect_view()}
            </select>
        </label>
    }
}

impl RepoKind {
    /// The wizard kind of a saved repository.
    pub fn of(t: &RepositoryTarget) -> Self {
        match t {
            RepositoryTarget::Local { .. } => Self::Local,
            RepositoryTarget::S3 { endpoint: None, .. } => Self::AmazonS3,
            RepositoryTarget::S3 { .. } => Self::S3Compatible,
            RepositoryTarget::Azure { .. } => Self::Azure,
        }
    }
}

/// The parent of a folder path ("a/b" → "a", "a" → "").
fn parent(folder: &str) -> String {
    let f = folder.trim_matches('/');
    f.rsplit_once('/')
        .map(|(p, _)| p.to_string())
        .unwrap_or_default()
}

fn child(folder: &str, name: &str) -> String {
    let f = folder.trim_matches('/');
    if f.is_empty() {
        name.to_string()
    } else {
        format!("{f}/{name}")
    }
}

/// Adds a repository, or edits a saved one when `edit` is given (the
/// location is then fixed; an empty secret keeps the stored one). With
/// `external`, it is the Connect to External Repository wizard: the bucket
/// or container a cloud backup appliance writes, read-only, with an
/// Encryption step and ownership.
#[component]
pub fn RepositoryWizard(
    kind: RepoKind,
    #[prop(optional)] edit: Option<RepositoryDetails>,
    #[prop(optional)] external: bool,
    on_close: Callback<bool>,
) -> impl IntoView {
    let editing = edit.as_ref().map(|d| d.name.clone());
    let is_edit = editing.is_some();
    let steps = kind.steps(external);
    let step_names = Signal::derive({
        let s = steps.clone();
        move || s.clone()
    });
    let current = RwSignal::new(0usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm_cancel = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let region = RwSignal::new(if kind == RepoKind::AmazonS3 {
        "us-east-1".to_string()
    } else {
        String::new()
    });
    let endpoint = RwSignal::new(String::new());
    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let account = RwSignal::new(String::new());
    let sas = RwSignal::new(false);
    let bucket = RwSignal::new(String::new());
    let folder = RwSignal::new(String::new());
    let class = RwSignal::new("standard".to_string());
    let tier = RwSignal::new("hot".to_string());
    let immutable = RwSignal::new(false);
    let days = RwSignal::new("30".to_string());
    let azure_immutable = RwSignal::new(false);
    let found = RwSignal::new(Vec::<String>::new());
    let facts = RwSignal::new(Vec::<String>::new());
    let log = RwSignal::new(Vec::<String>::new());
    let folders = RwSignal::new(None::<Vec<String>>);
    let browsing = RwSignal::new(false);
    let new_folder = RwSignal::new(None::<String>);
    // Connect to External Repository: what the bucket holds, the password
    // of encrypted backups, and the ownership confirmation.
    let probe = RwSignal::new(None::<ExternalProbe>);
    let password_name = RwSignal::new(None::<String>);
    let take_ownership = RwSignal::new(false);
    if let Some(d) = &edit {
        name.set(d.name.clone());
        description.set(d.description.clone());
        match &d.target {
            RepositoryTarget::Local { path: p } => path.set(p.clone()),
            RepositoryTarget::S3 {
                region: r,
                endpoint: e,
                access_key_id,
                bucket: b,
                folder: f,
                storage_class,
                immutable_days,
                ..
            } => {
                region.set(r.clone());
                endpoint.set(e.clone().unwrap_or_default());
                key_id.set(access_key_id.clone());
                bucket.set(b.clone());
                found.set(vec![b.clone()]);
                folder.set(f.clone());
                class.set(storage_class.clone());
                immutable.set(immutable_days.is_some());
                days.set(immutable_days.unwrap_or(30).to_string());
            }
            RepositoryTarget::Azure {
                account: a,
                endpoint: e,
                sas: s,
                container,
                folder: f,
                tier: t,
                immutable_days,
                ..
            } => {
                account.set(a.clone());
                endpoint.set(e.clone().unwrap_or_default());
                sas.set(*s);
                bucket.set(container.clone());
                found.set(vec![container.clone()]);
                folder.set(f.clone());
                tier.set(t.clone());
                azure_immutable.set(immutable_days.is_some());
                days.set(immutable_days.unwrap_or(30).to_string());
            }
        }
    }

    let parse_days = move |on: bool| -> Result<Option<u32>, String> {
        if !on {
            return Ok(None);
        }
        let d: u32 = days
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| "enter the number of days (1–999)".to_string())?;
        if !(1..=999).contains(&d) {
            return Err("immutability must be between 1 and 999 days".into());
        }
        Ok(Some(d))
    };
    let target = move || -> Result<RepositoryTarget, String> {
        Ok(match kind {
            RepoKind::Local => RepositoryTarget::Local {
                path: path.get_untracked().trim().to_string(),
            },
            RepoKind::AmazonS3 | RepoKind::S3Compatible => {
                let immutable_days = parse_days(immutable.get_untracked())?;
                RepositoryTarget::S3 {
                    region: region.get_untracked(),
                    endpoint: (kind == RepoKind::S3Compatible).then(|| endpoint.get_untracked()),
                    access_key_id: key_id.get_untracked(),
                    secret_access_key: Secret(secret.get_untracked()),
                    bucket: bucket.get_untracked().trim().to_string(),
                    folder: folder.get_untracked().trim().to_string(),
                    storage_class: class.get_untracked(),
                    immutable_days,
                }
            }
            RepoKind::Azure => RepositoryTarget::Azure {
                account: account.get_untracked(),
                endpoint: Some(endpoint.get_untracked()).filter(|e| !e.trim().is_empty()),
                sas: sas.get_untracked(),
                secret: Secret(secret.get_untracked()),
                container: bucket.get_untracked().trim().to_string(),
                folder: folder.get_untracked().trim().to_string(),
                tier: tier.get_untracked(),
                immutable_days: parse_days(azure_immutable.get_untracked())?,
            },
        })
    };
    let browse = {
        let editing = editing.clone();
        move |to: String| {
            folder.set(to);
            let t = match target() {
                Ok(t) => t,
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            };
            if bucket.get_untracked().is_empty() {
                error.set(Some("Choose a bucket or container first".into()));
                return;
            }
            error.set(None);
            browsing.set(true);
            let editing = editing.clone();
            spawn_local(async move {
                let r = if external {
                    call(&CheckExternalStep {
                        step: ExternalStep::Folders,
                        name: String::new(),
                        target: t,
                        password_name: None,
                    })
                    .await
                    .map(|p| p.items)
                } else {
                    call(&CheckRepositoryStep {
                        step: RepositoryStep::Folders,
                        name: String::new(),
                        target: t,
                        editing,
                    })
                    .await
                };
                browsing.set(false);
                match r {
                    Ok(v) => folders.set(Some(v)),
                    Err(e) => {
                        folders.set(None);
                        error.set(Some(e.message));
                    }
                }
            });
        }
    };

    let step_name = {
        let steps = steps.clone();
        move || steps[current.get().min(steps.len() - 1)]
    };
    let last = steps.len() - 1;
    let next_label = Signal::derive({
        let step_name = step_name.clone();
        move || match step_name() {
            "Review" => "Apply",
            "Summary" => "Finish",
            _ => "Next >",
        }
    });
    let on_next = Callback::new({
        let step_name = step_name.clone();
        let editing = editing.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            error.set(None);
            let here = step_name();
            if here == "Summary" {
                on_close.run(true);
                return;
            }
            if here == "Apply" {
                current.update(|c| *c += 1);
                return;
            }
            let t = match target() {
                Ok(t) => t,
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            };
            busy.set(true);
            let n = name.get_untracked().trim().to_string();
            if external {
                spawn_local(async move {
                    let check = |step| CheckExternalStep {
                        step,
                        name: n.clone(),
                        target: t.clone(),
                        password_name: password_name.get_untracked(),
                    };
                    let result = match here {
                        "Name" => call(&check(ExternalStep::Name)).await.map(|_| ()),
                        "Account" => call(&check(ExternalStep::Account))
                            .await
                            .map(|p| found.set(p.items)),
                        "Encryption" => call(&check(ExternalStep::Encryption)).await.map(|_| ()),
                        "Review" => {
                            let owned = probe
                                .get_untracked()
                                .and_then(|p| p.owned_by_other)
                                .is_some();
                            if owned && !take_ownership.get_untracked() {
                                Err(ApiError::new(
                                    ErrorKind::Conflict,
                                    "another console owns this repository: tick \"Take ownership\" to confirm, or Cancel",
                                ))
                            } else {
                                call(&ConnectExternal {
                                    name: n.clone(),
                                    description: description.get_untracked(),
                                    target: t.clone(),
                                    password_name: password_name.get_untracked(),
                                    take_ownership: take_ownership.get_untracked(),
                                })
                                .await
                                .map(|r| log.set(r.log))
                            }
                        }
                        _ => call(&check(ExternalStep::Location)).await.map(|p| {
                            let mut f = vec![format!("{} backup(s) found", p.backups)];
                            if let Some(w) = &p.writer {
                                f.push(format!("Written by {w}"));
                            }
                            f.push(if p.encrypted {
                                "The backups are encrypted: the next step asks for their password"
                                    .into()
                            } else {
                                "The backups are not encrypted".into()
                            });
                            if let Some(o) = &p.owned_by_other {
                                f.push(format!("Owned by {o}"));
                            }
                            facts.set(f);
                            probe.set(Some(p));
                        }),
                    };
                    busy.set(false);
                    match result {
                        Ok(()) => current.update(|c| *c = (*c + 1).min(last)),
                        Err(e) => error.set(Some(e.message)),
                    }
                });
                return;
            }
            let editing = editing.clone();
            spawn_local(async move {
                let check = |step| CheckRepositoryStep {
                    step,
                    name: n.clone(),
                    target: t.clone(),
                    editing: editing.clone(),
                };
                let result = match here {
                    "Name" => call(&check(RepositoryStep::Name)).await.map(|_| ()),
                    "Account" => call(&check(RepositoryStep::Account)).await.map(|v| {
                        if !(is_edit && v.is_empty()) {
                            found.set(v)
                        }
                    }),
                    "Review" => match &editing {
                        Some(orig) => call(&EditRepository {
                            name: orig.clone(),
                            new_name: n.clone(),
                            description: description.get_untracked(),
                            target: t.clone(),
                        })
                        .await
                        .map(|r| log.set(r.log)),
                        None => call(&AddRepository {
                            name: n.clone(),
                            description: description.get_untracked(),
                            target: t.clone(),
                        })
                        .await
                        .map(|r| log.set(r.log)),
                    },
                    _ => call(&check(RepositoryStep::Location))
                        .await
                        .map(|v| facts.set(v)),
                };
                busy.set(false);
                match result {
                    Ok(()) => current.update(|c| *c = (*c + 1).min(last)),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
    });
    let on_back = Callback::new(move |_| {
        error.set(None);
        current.update(|c| *c = c.saturating_sub(1));
    });
    let can_back = Signal::derive({
        let step_name = step_name.clone();
        move || current.get() > 0 && !matches!(step_name(), "Apply" | "Summary")
    });
    let on_cancel = Callback::new({
        let step_name = step_name.clone();
        move |_| {
            let entered = is_edit
                || !name.get_untracked().is_empty()
                || !secret.get_untracked().is_empty()
                || !path.get_untracked().is_empty();
            if matches!(step_name(), "Apply" | "Summary") {
                on_close.run(true);
            } else if entered && !confirm_cancel.get_untracked() {
                confirm_cancel.set(true);
            } else {
                on_close.run(false);
            }
        }
    });

    // Bucket or container, and a folder browser over the chosen one.
    let location_picker = move |label: &'static str, choose: &'static str| -> AnyView {
        if is_edit {
            return view! {
                <p class="fixed-location">{label} " " <b id="wiz-bucket-fixed">{bucket.get_untracked()}</b> " / " <b>{folder.get_untracked()}</b> " (the location of a repository cannot change)"</p>
            }
            .into_any();
        }
        let browse_in = browse.clone();
        let browse_up = browse.clone();
        let browse_open = browse.clone();
        view! {
            <label class="field" for="wiz-bucket-list">
                <span>{label}</span>
                <select id="wiz-bucket-list" prop:value=move || bucket.get() on:change=move |ev| { bucket.set(event_target_value(&ev)); folders.set(None); }>
                    <option value="">{choose}</option>
                    {move || found.get().into_iter().map(|b| view! { <option value=b.clone() selected=move || bucket.get() == b>{b.clone()}</option> }).collect_view()}
                </select>
            </label>
            <div class="field folder-field">
                <label for="wiz-folder"><span>"Folder:"</span></label>
                <input id="wiz-folder" type="text" placeholder="backups (empty: the root)" autocomplete="off" prop:value=move || folder.get() on:input=move |ev| folder.set(event_target_value(&ev)) />
                <button id="wiz-browse" type="button" disabled=move || browsing.get() on:click=move |_| browse_open(folder.get_untracked().trim().to_string())>"Browse…"</button>
            </div>
            {move || folders.get().map(|list| {
                let here = folder.get_untracked().trim_matches('/').to_string();
                let up = browse_up.clone();
                let open = browse_in.clone();
                let at_root = here.is_empty();
                view! {
                    <div class="folder-browser" id="folder-browser">
                        <div class="folder-path">{if at_root { "/ (root)".to_string() } else { format!("/{here}") }}</div>
                        <ul>
                            {(!at_root).then(|| {
                                let here = here.clone();
                                view! { <li><button class="folder-item up" on:click=move |_| up(parent(&here))>".. (up)"</button></li> }
                            })}
                            {list.iter().map(|f| {
                                let to = child(&here, f);
                                let open = open.clone();
                                view! { <li><button class="folder-item" data-folder=f.clone() on:click=move |_| open(to.clone())><span class="folder-icon"></span>{f.clone()}</button></li> }
                            }).collect_view()}
                            {list.is_empty().then(|| view! { <li class="empty">"No folders here."</li> })}
                        </ul>
                        {move || match new_folder.get() {
                            None => view! { <button id="wiz-new-folder" type="button" on:click=move |_| new_folder.set(Some(String::new()))>"New folder…"</button> }.into_any(),
                            Some(v) => {
                                let here = here.clone();
                                view! {
                                    <span class="new-folder">
                                        <input id="wiz-new-folder-name" placeholder="Folder name" prop:value=v on:input=move |ev| new_folder.set(Some(event_target_value(&ev)))
                                            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); ev.prevent_default(); } />
                                        <button id="wiz-new-folder-ok" type="button" on:click=move |_| {
                                            let n = new_folder.get_untracked().unwrap_or_default().trim().trim_matches('/').to_string();
                                            if n.is_empty() || n.contains('/') {
                                                error.set(Some("Enter a folder name without slashes".into()));
                                                return;
                                            }
                                            new_folder.set(None);
                                            folder.set(child(&here, &n));
                                            folders.set(None);
                                        }>"OK"</button>
                                    </span>
                                }.into_any()
                            }
                        }}
                        <p class="hint">"A new folder is created when the repository is added."</p>
                    </div>
                }
            })}
        }
        .into_any()
    };

    let page = move || -> AnyView {
        match step_name() {
            "Name" => view! {
                <h2>"Name"</h2>
                <p class="hint">{if external { "Type in a name and description for this external repository." } else { "Type in a name and description for this backup repository." }}</p>
                {text_input("wiz-name", "Name:", name, "text", "e.g. Offsite S3")}
                {text_input("wiz-description", "Description:", description, "text", "")}
            }
            .into_any(),
            "Repository" => view! {
                <h2>"Repository"</h2>
                <p class="hint">"Choose the folder that will hold the backups. An empty folder becomes a new repository; a folder with a Cairn repository is added as it is."</p>
                {if is_edit {
                    view! { <p class="fixed-location">"Folder: " <b id="wiz-path">{path.get_untracked()}</b> " (the location of a repository cannot change)"</p> }.into_any()
                } else {
                    view! {
                        <div class="field folder-field">
                            <label for="wiz-path"><span>"Folder:"</span></label>
                            <input id="wiz-path" type="text" placeholder="/srv/backups" autocomplete="off" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev)) />
                            <button id="wiz-path-browse" type="button" on:click=move |_| {
                                spawn_local(async move {
                                    match call(&PickFolder { title: "Repository folder".into() }).await {
                                        Ok(Some(f)) => path.set(f),
                                        Ok(None) => {}
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                });
                            }>"Browse…"</button>
                        </div>
                    }.into_any()
                }}
            }
            .into_any(),
            "Account" => match kind {
                RepoKind::Azure => view! {
                    <h2>"Account"</h2>
                    <p class="hint">"The storage account and its shared key or a SAS token. Secrets go to the system keyring and are never shown again."</p>
                    {text_input("wiz-account", "Storage account:", account, "text", "mystorageaccount")}
                    <label class="field check"><input id="wiz-sas" type="checkbox" prop:checked=move || sas.get() on:change=move |ev| sas.set(event_target_checked(&ev)) /><span>"Use a SAS token instead of the shared key"</span></label>
                    {text_input("wiz-secret", "Key or SAS token:", secret, "password", if is_edit { "leave empty to keep the stored one" } else { "" })}
                    {text_input("wiz-endpoint", "Endpoint (sovereign clouds, emulator):", endpoint, "text", "https://mystorageaccount.blob.core.windows.net")}
                }
                .into_any(),
                _ => view! {
                    <h2>"Account"</h2>
                    <p class="hint">"The access key of an account that can list, read, write and delete in the bucket. The secret goes to the system keyring and is never shown again."</p>
                    {text_input("wiz-access-key", "Access key ID:", key_id, "text", "AKIA…")}
                    {text_input("wiz-secret", "Secret access key:", secret, "password", if is_edit { "leave empty to keep the stored one" } else { "" })}
                    {text_input("wiz-region", "Region:", region, "text", "us-east-1")}
                    {(kind == RepoKind::S3Compatible).then(|| text_input("wiz-endpoint", "Service point:", endpoint, "text", "https://s3.example.com"))}
                }
                .into_any(),
            },
            "Bucket" if external => view! {
                <h2>"Bucket"</h2>
                <p class="hint">"Choose the bucket and folder the cloud backup appliance writes to. External repositories are read from S3 Standard; the console writes nothing there but its ownership marker."</p>
                {location_picker("Bucket:", "Choose a bucket…")}
            }
            .into_any(),
            "Container" if external => view! {
                <h2>"Container"</h2>
                <p class="hint">"Choose the container and folder the cloud backup appliance writes to (Hot or Cool tier). The console writes nothing there but its ownership marker."</p>
                {location_picker("Container:", "Choose a container…")}
                {select("wiz-tier", "Access tier:", tier, EXTERNAL_TIERS)}
            }
            .into_any(),
            "Encryption" => {
                let p = probe.get_untracked().unwrap_or_default();
                if p.encrypted {
                    view! {
                        <h2>"Encryption"</h2>
                        <p class="hint">"The backups in this repository are encrypted. Choose their password from Manage Passwords, or add it; it is checked against the repository at Next."</p>
                        {(!p.hints.is_empty()).then(|| view! { <p class="hint" id="ext-hints">{format!("Password hint: {}", p.hints.join("; "))}</p> })}
                        <PasswordPicker prefix="ext" error purpose="Opens the backups of an external repository"
                            selected=password_name.into()
                            on_select=Callback::new(move |v| password_name.set(v)) />
                    }
                    .into_any()
                } else {
                    view! {
                        <h2>"Encryption"</h2>
                        <p class="hint" id="ext-not-encrypted">"The backups in this repository are not encrypted: no password is needed."</p>
                    }
                    .into_any()
                }
            }
            "Review" if external => {
                let p = probe.get_untracked().unwrap_or_default();
                view! {
                    <h2>"Review"</h2>
                    <p class="hint">"This external repository will be connected and rescanned. Click Apply to take ownership and add it."</p>
                    <dl class="review">
                        <dt>"Name"</dt><dd id="review-name">{name.get_untracked()}</dd>
                        <dt>"Type"</dt><dd>{kind.label()}</dd>
                        <dt>"Location"</dt><dd>{format!("{}/{}", bucket.get_untracked(), folder.get_untracked())}</dd>
                        <dt>"Backups"</dt><dd id="review-backups">{p.backups.to_string()}</dd>
                        <dt>"Encrypted"</dt><dd>{if p.encrypted { format!("yes, password {}", password_name.get_untracked().unwrap_or_default()) } else { "no".into() }}</dd>
                    </dl>
                    {p.owned_by_other.map(|o| view! {
                        <div class="warning-box" id="ext-owner-warning">
                            <p>{format!("This repository is owned by {o}. One console owns an external repository at a time: taking ownership makes the other console stop managing it.")}</p>
                            <label class="field check"><input id="ext-take-ownership" type="checkbox" prop:checked=move || take_ownership.get() on:change=move |ev| take_ownership.set(event_target_checked(&ev)) /><span>"Take ownership"</span></label>
                        </div>
                    })}
                }
                .into_any()
            }
            "Bucket" => view! {
                <h2>"Bucket"</h2>
                <p class="hint">"Choose a bucket the account can reach, a folder inside it, and the storage class of backup data."</p>
                {location_picker("Bucket:", "Choose a bucket…")}
                {select("wiz-class", "Storage class:", class, CLASSES)}
                <label class="field check"><input id="wiz-immutable" type="checkbox" prop:checked=move || immutable.get() on:change=move |ev| immutable.set(event_target_checked(&ev)) /><span>"Make recent backups immutable for"</span></label>
                {text_input("wiz-days", "Days (1–999):", days, "number", "30")}
            }
            .into_any(),
            "Container" => view! {
                <h2>"Container"</h2>
                <p class="hint">"Choose a container, a folder inside it, and the access tier."</p>
                {location_picker("Container:", "Choose a container…")}
                {select("wiz-tier", "Access tier:", tier, TIERS)}
                <label class="field check"><input id="wiz-immutable" type="checkbox" prop:checked=move || azure_immutable.get() on:change=move |ev| azure_immutable.set(event_target_checked(&ev)) /><span>"Make recent backups immutable for (needs version-level immutability on the container)"</span></label>
                {text_input("wiz-days", "Days (1–999):", days, "number", "30")}
            }
            .into_any(),
            "Review" => view! {
                <h2>"Review"</h2>
                <p class="hint">{if is_edit { "The repository's settings will be saved. Click Apply to check the storage and save them." } else { "This repository will be created. Click Apply to check the storage and create it." }}</p>
                <dl class="review">
                    <dt>"Name"</dt><dd id="review-name">{name.get_untracked()}</dd>
                    <dt>"Type"</dt><dd>{kind.label()}</dd>
                    <dt>"Location"</dt>
                    <dd>{match kind {
                        RepoKind::Local => path.get_untracked(),
                        _ => format!("{}/{}", bucket.get_untracked(), folder.get_untracked()),
                    }}</dd>
                    {(kind != RepoKind::Local && kind != RepoKind::Azure).then(|| view! { <dt>"Storage class"</dt><dd>{class.get_untracked()}</dd> })}
                    {(kind == RepoKind::Azure).then(|| view! { <dt>"Access tier"</dt><dd>{tier.get_untracked()}</dd> })}
                    {(immutable.get_untracked() || azure_immutable.get_untracked()).then(|| view! { <dt>"Immutability"</dt><dd>{format!("{} days", days.get_untracked())}</dd> })}
                </dl>
                <ul class="facts">{facts.get_untracked().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
            }
            .into_any(),
            "Apply" => view! {
                <h2>"Apply"</h2>
                <ul class="apply-log" id="apply-log">
                    {move || log.get().into_iter().map(|l| view! { <li class="log-success">{l}</li> }).collect_view()}
                </ul>
            }
            .into_any(),
            _ if external => view! {
                <h2>"Summary"</h2>
                <p id="wiz-summary">{format!("External repository {} was connected. A rescan is running: its session is under History → System, and the backups appear under Home → Backups → External Repository.", name.get_untracked())}</p>
            }
            .into_any(),
            _ => view! {
                <h2>"Summary"</h2>
                <p id="wiz-summary">{if is_edit {
                    format!("Repository {} was saved.", name.get_untracked())
                } else {
                    format!("Repository {} was added. Jobs can now store backups in it.", name.get_untracked())
                }}</p>
            }
            .into_any(),
        }
    };

    view! {
        <WizardFrame
            title=if external { format!("Connect to External Repository: {}", kind.label()) } else if is_edit { format!("Edit Backup Repository: {}", kind.label()) } else { format!("New Backup Repository: {}", kind.label()) }
            steps=step_names
            current
            busy=busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content">{page}</div>
            <ConfirmDiscard show=confirm_cancel discard="Discard" keep="Keep editing"
                text=if is_edit { "Discard your changes?" } else { "Discard this repository? What you entered is lost." }
                on_discard=Callback::new(move |_| on_close.run(false)) />
        </WizardFrame>
    }
}
