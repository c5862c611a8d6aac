//! The steps that say what and where: Name, Repository (a local folder),
//! Account (S3 keys or an Azure storage account), and an external
//! repository's Encryption.

use super::form::RepoForm;
use super::RepoKind;
use crate::api::call;
use crate::wizards::fields::text_field;
use crate::wizards::password::PasswordPicker;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn NameStep(form: RepoForm) -> impl IntoView {
    let hint = if form.external {
        "Type in a name and description for this external repository."
    } else {
        "Type in a name and description for this backup repository."
    };
    view! {
        <h2>"Name"</h2>
        <p class="hint">{hint}</p>
        {text_field("wiz-name", "Name:", form.name, "text", "e.g. Offsite S3")}
        {text_field("wiz-description", "Description:", form.description, "text", "")}
    }
}

/// A local repository's folder (fixed when editing).
#[component]
pub fn FolderStep(form: RepoForm, error: RwSignal<Option<String>>) -> impl IntoView {
    let path = form.path;
    let browse = move |_| {
        spawn_local(async move {
            match call(&PickFolder {
                title: "Repository folder".into(),
            })
            .await
            {
                Ok(Some(f)) => path.set(f),
                Ok(None) => {}
                Err(e) => error.set(Some(e.message)),
            }
        })
    };
    let field = if form.is_edit() {
        view! { <p class="fixed-location">"Folder: " <b id="wiz-path">{path.get_untracked()}</b> " (the location of a repository cannot change)"</p> }.into_any()
    } else {
        view! {
            <div class="field folder-field">
                <label for="wiz-path"><span>"Folder:"</span></label>
                <input id="wiz-path" type="text" placeholder="/srv/backups" autocomplete="off" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev)) />
                <button id="wiz-path-browse" type="button" on:click=browse>"Browse…"</button>
            </div>
        }
        .into_any()
    };
    view! {
        <h2>"Repository"</h2>
        <p class="hint">"Choose the folder that will hold the backups. An empty folder becomes a new repository; a folder with a Cairn repository is added as it is."</p>
        {field}
    }
}

#[component]
pub fn AccountStep(form: RepoForm) -> impl IntoView {
    let keep = if form.is_edit() {
        "leave empty to keep the stored one"
    } else {
        ""
    };
    if form.kind == RepoKind::Azure {
        let sas = form.sas;
        return view! {
            <h2>"Account"</h2>
            <p class="hint">"The storage account and its shared key or a SAS token. Secrets go to the system keyring and are never shown again."</p>
            {text_field("wiz-account", "Storage account:", form.account, "text", "mystorageaccount")}
            <label class="field check"><input id="wiz-sas" type="checkbox" prop:checked=move || sas.get() on:change=move |ev| sas.set(event_target_checked(&ev)) /><span>"Use a SAS token instead of the shared key"</span></label>
            {text_field("wiz-secret", "Key or SAS token:", form.secret, "password", keep)}
            {text_field("wiz-endpoint", "Endpoint (sovereign clouds, emulator):", form.endpoint, "text", "https://mystorageaccount.blob.core.windows.net")}
        }
        .into_any();
    }
    view! {
        <h2>"Account"</h2>
        <p class="hint">"The access key of an account that can list, read, write and delete in the bucket. The secret goes to the system keyring and is never shown again."</p>
        {text_field("wiz-access-key", "Access key ID:", form.key_id, "text", "AKIA…")}
        {text_field("wiz-secret", "Secret access key:", form.secret, "password", keep)}
        {text_field("wiz-region", "Region:", form.region, "text", "us-east-1")}
        {(form.kind == RepoKind::S3Compatible).then(|| text_field("wiz-endpoint", "Service point:", form.endpoint, "text", "https://s3.example.com"))}
    }
    .into_any()
}

/// External: the password of encrypted backups, if they are.
#[component]
pub fn EncryptionStep(form: RepoForm, error: RwSignal<Option<String>>) -> impl IntoView {
    let p = form.probe.get_untracked().unwrap_or_default();
    if !p.encrypted {
        return view! {
            <h2>"Encryption"</h2>
            <p class="hint" id="ext-not-encrypted">"The backups in this repository are not encrypted: no password is needed."</p>
        }
        .into_any();
    }
    let password_name = form.password_name;
    view! {
        <h2>"Encryption"</h2>
        <p class="hint">"The backups in this repository are encrypted. Choose their password from Manage Passwords, or add it; it is checked against the repository at Next."</p>
        {(!p.hints.is_empty()).then(|| view! { <p class="hint" id="ext-hints">{format!("Password hint: {}", p.hints.join("; "))}</p> })}
        <PasswordPicker prefix="ext" error purpose="Opens the backups of an external repository"
            selected=password_name.into()
            on_select=Callback::new(move |v| password_name.set(v)) />
    }
    .into_any()
}
