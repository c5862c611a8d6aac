//! Bucket / Container: the bucket or container the account reaches, a
//! folder inside it with a folder browser, and the storage class, tier
//! and immutability of backup data.

use super::form::{AccessTier, RepoForm, StorageClass};
use super::RepoKind;
use crate::api::call;
use crate::wizards::choice::{choice_select_by, Choice};
use crate::wizards::fields::{keep_enter, text_field};
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

fn labelled<T: Choice>(
    id: &'static str,
    label: &'static str,
    sig: RwSignal<T>,
    options: Vec<T>,
) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            {choice_select_by(id, options, move || sig.get(), move |c| sig.set(c))}
        </label>
    }
}

#[component]
pub fn BucketStep(form: RepoForm, error: RwSignal<Option<String>>) -> impl IntoView {
    if form.external {
        return view! {
            <h2>"Bucket"</h2>
            <p class="hint">"Choose the bucket and folder the cloud backup appliance writes to. External repositories are read from S3 Standard; the console writes nothing there but its ownership marker."</p>
            <LocationPicker form error label="Bucket:" choose="Choose a bucket…" />
        }
        .into_any();
    }
    view! {
        <h2>"Bucket"</h2>
        <p class="hint">"Choose a bucket the account can reach, a folder inside it, and the storage class of backup data."</p>
        <LocationPicker form error label="Bucket:" choose="Choose a bucket…" />
        {labelled("wiz-class", "Storage class:", form.class, StorageClass::all())}
        {immutability(form, "Make recent backups immutable for")}
    }
    .into_any()
}

#[component]
pub fn ContainerStep(form: RepoForm, error: RwSignal<Option<String>>) -> impl IntoView {
    if form.external {
        return view! {
            <h2>"Container"</h2>
            <p class="hint">"Choose the container and folder the cloud backup appliance writes to (Hot or Cool tier). The console writes nothing there but its ownership marker."</p>
            <LocationPicker form error label="Container:" choose="Choose a container…" />
            {labelled("wiz-tier", "Access tier:", form.tier, AccessTier::EXTERNAL.to_vec())}
        }
        .into_any();
    }
    view! {
        <h2>"Container"</h2>
        <p class="hint">"Choose a container, a folder inside it, and the access tier."</p>
        <LocationPicker form error label="Container:" choose="Choose a container…" />
        {labelled("wiz-tier", "Access tier:", form.tier, AccessTier::all())}
        {immutability(form, "Make recent backups immutable for (needs version-level immutability on the container)")}
    }
    .into_any()
}

fn immutability(form: RepoForm, label: &'static str) -> impl IntoView {
    let (on, days) = (form.immutable, form.days);
    view! {
        <label class="field check"><input id="wiz-immutable" type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) /><span>{label}</span></label>
        {text_field("wiz-days", "Days (1–999):", days, "number", "30")}
    }
}

/// The folders of the chosen bucket the browser shows: none until
/// Browse…, then the listing of `folder`.
#[derive(Clone, Copy)]
struct Browser {
    folders: RwSignal<Option<Vec<String>>>,
    busy: RwSignal<bool>,
    new_folder: RwSignal<Option<String>>,
    /// The wizard's error line.
    error: RwSignal<Option<String>>,
}

/// Bucket or container, and a folder browser over the chosen one (Edit:
/// the location, fixed).
#[component]
fn LocationPicker(
    form: RepoForm,
    error: RwSignal<Option<String>>,
    label: &'static str,
    choose: &'static str,
) -> impl IntoView {
    let (bucket, folder, found) = (form.bucket, form.folder, form.found);
    if form.is_edit() {
        return view! {
            <p class="fixed-location">{label} " " <b id="wiz-bucket-fixed">{bucket.get_untracked()}</b> " / " <b>{folder.get_untracked()}</b> " (the location of a repository cannot change)"</p>
        }
        .into_any();
    }
    let b = Browser {
        folders: RwSignal::new(None),
        busy: RwSignal::new(false),
        new_folder: RwSignal::new(None),
        error,
    };
    let pick = move |ev| {
        bucket.set(event_target_value(&ev));
        b.folders.set(None);
    };
    view! {
        <label class="field" for="wiz-bucket-list">
            <span>{label}</span>
            <select id="wiz-bucket-list" prop:value=move || bucket.get() on:change=pick>
                <option value="">{choose}</option>
                {move || found.get().into_iter().map(|name| view! { <option value=name.clone() selected=move || bucket.get() == name>{name.clone()}</option> }).collect_view()}
            </select>
        </label>
        <div class="field folder-field">
            <label for="wiz-folder"><span>"Folder:"</span></label>
            <input id="wiz-folder" type="text" placeholder="backups (empty: the root)" autocomplete="off" prop:value=move || folder.get() on:input=move |ev| folder.set(event_target_value(&ev)) />
            <button id="wiz-browse" type="button" disabled=move || b.busy.get() on:click=move |_| browse(form, b, folder.get_untracked().trim().to_string())>"Browse…"</button>
        </div>
        {move || b.folders.get().map(|list| folder_browser(form, b, list))}
    }
    .into_any()
}

/// Lists the folders under `to` in the chosen bucket.
fn browse(form: RepoForm, b: Browser, to: String) {
    let error = b.error;
    form.folder.set(to);
    let target = match form.target() {
        Ok(t) => t,
        Err(e) => return error.set(Some(e)),
    };
    if form.bucket.get_untracked().is_empty() {
        return error.set(Some("Choose a bucket or container first".into()));
    }
    error.set(None);
    b.busy.set(true);
    spawn_local(async move {
        let listed = if form.external {
            let check = CheckExternalStep {
                step: ExternalStep::Folders,
                name: String::new(),
                target,
                password_name: None,
            };
            call(&check).await.map(|p| p.items)
        } else {
            let editing = form.editing.get_value();
            call(&CheckRepositoryStep {
                step: RepositoryStep::Folders,
                name: String::new(),
                target,
                editing,
            })
            .await
        };
        b.busy.set(false);
        match listed {
            Ok(v) => b.folders.set(Some(v)),
            Err(e) => {
                b.folders.set(None);
                error.set(Some(e.message));
            }
        }
    });
}

fn folder_browser(form: RepoForm, b: Browser, list: Vec<String>) -> impl IntoView {
    let here = form.folder.get_untracked().trim_matches('/').to_string();
    let at_root = here.is_empty();
    let up = parent(&here);
    view! {
        <div class="folder-browser" id="folder-browser">
            <div class="folder-path">{if at_root { "/ (root)".to_string() } else { format!("/{here}") }}</div>
            <ul>
                {(!at_root).then(|| view! { <li><button class="folder-item up" on:click=move |_| browse(form, b, up.clone())>".. (up)"</button></li> })}
                {list.iter().map(|f| {
                    let to = child(&here, f);
                    view! { <li><button class="folder-item" data-folder=f.clone() on:click=move |_| browse(form, b, to.clone())><span class="folder-icon"></span>{f.clone()}</button></li> }
                }).collect_view()}
                {list.is_empty().then(|| view! { <li class="empty">"No folders here."</li> })}
            </ul>
            {move || new_folder(form, b, here.clone())}
            <p class="hint">"A new folder is created when the repository is added."</p>
        </div>
    }
}

/// New folder…: a name, then the folder chosen is that child of `here`.
fn new_folder(form: RepoForm, b: Browser, here: String) -> AnyView {
    let Some(typed) = b.new_folder.get() else {
        return view! { <button id="wiz-new-folder" type="button" on:click=move |_| b.new_folder.set(Some(String::new()))>"New folder…"</button> }.into_any();
    };
    let ok = move |_| {
        let n = b
            .new_folder
            .get_untracked()
            .unwrap_or_default()
            .trim()
            .trim_matches('/')
            .to_string();
        if n.is_empty() || n.contains('/') {
            b.error
                .set(Some("Enter a folder name without slashes".into()));
            return;
        }
        b.new_folder.set(None);
        form.folder.set(child(&here, &n));
        b.folders.set(None);
    };
    view! {
        <span class="new-folder">
            <input id="wiz-new-folder-name" placeholder="Folder name" prop:value=typed on:input=move |ev| b.new_folder.set(Some(event_target_value(&ev))) on:keydown=keep_enter />
            <button id="wiz-new-folder-ok" type="button" on:click=ok>"OK"</button>
        </span>
    }
    .into_any()
}

/// Whether the kind has a storage class (S3) or an access tier (Azure).
pub fn class_or_tier(form: RepoForm) -> Option<(&'static str, String)> {
    match form.kind {
        RepoKind::Local => None,
        RepoKind::Azure => Some(("Access tier", form.tier.get_untracked().value())),
        _ => Some(("Storage class", form.class.get_untracked().value())),
    }
}
