//! Storage (a backup copy's Target): the repository, retention, GFS, and
//! under Advanced… compression and encryption.

use super::form::JobForm;
use super::lists::JobLists;
use super::map::MapBackupField;
use super::widgets::{checkbox, choice_select, choice_select_by, number_input};
use crate::wizards::password::PasswordPicker;
use cairn_model::Compression;
use leptos::prelude::*;

#[component]
pub fn StorageStep(
    form: JobForm,
    lists: JobLists,
    error: RwSignal<Option<String>>,
    title: &'static str,
) -> impl IntoView {
    let st = form.storage;
    let spec = form.spec;
    let is_copy = spec.get_untracked().settings.copy.is_some();
    let pick_repo = move |ev| {
        let v = event_target_value(&ev);
        // A mapped backup lives in one repository only.
        spec.update(|s| {
            s.repository = v;
            s.settings.map = None;
        })
    };
    let read_entire = move |ev| {
        let on = event_target_checked(&ev);
        form.update_copy(|c| c.read_entire = on)
    };
    let toggle_advanced = move |_| st.advanced.update(|a| *a = !*a);
    view! {
        <h2>{title}</h2>
        <label class="field" for="job-repository"><span>"Backup repository:"</span>
            <select id="job-repository" prop:value=move || spec.get().repository on:change=pick_repo>
                {move || lists.repositories.get().into_iter().map(|r| {
                    let n = r.name.clone();
                    let n2 = n.clone();
                    view! { <option value=n.clone() selected=move || spec.get().repository == n2>{format!("{} ({})", r.name, r.kind.label())}</option> }
                }).collect_view()}
            </select>
        </label>
        <MapBackupField form lists />
        <div class="field inline">
            <span>"Retention policy:"</span>
            {number_input("job-retention", "1", st.retention)}
            {choice_select("job-retention-unit", st.retention_unit)}
        </div>
        {is_copy.then(|| view! {
            <label class="field check"><input id="copy-read-entire" type="checkbox" prop:checked=move || spec.get().settings.copy.is_some_and(|c| c.read_entire) on:change=read_entire />
                <span>"Read the entire restore point from source instead of synthesizing it"</span></label>
        })}
        <label class="field check">{checkbox("job-gfs", st.gfs_on)}<span>"Keep certain full backups longer for archival purposes (GFS)"</span></label>
        {move || st.gfs_on.get().then(|| view! {
            <div class="indent gfs">
                <span class="field inline"><span>"Weekly for"</span>{number_input("job-gfs-weekly", "0", st.gfs_weekly)}<span>"weeks"</span></span>
                <span class="field inline"><span>"Monthly for"</span>{number_input("job-gfs-monthly", "0", st.gfs_monthly)}<span>"months"</span></span>
                <span class="field inline"><span>"Yearly for"</span>{number_input("job-gfs-yearly", "0", st.gfs_yearly)}<span>"years"</span></span>
            </div>
        })}
        <button id="job-advanced" class="link" on:click=toggle_advanced>{move || if st.advanced.get() { "Advanced ▴" } else { "Advanced…" }}</button>
        {move || (st.advanced.get() || spec.get().encrypt).then(|| view! { <AdvancedStorage form error /> })}
    }
}

/// Advanced…: compression level and encryption with its password.
#[component]
fn AdvancedStorage(form: JobForm, error: RwSignal<Option<String>>) -> impl IntoView {
    let spec = form.spec;
    let compression = move || spec.get().settings.compression;
    let set_compression = move |c| form.update(|s| s.compression = c);
    let encrypt = move |ev| {
        let on = event_target_checked(&ev);
        spec.update(|s| s.encrypt = on)
    };
    view! {
        <div class="advanced" id="job-advanced-page">
            <label class="field" for="job-compression"><span>"Compression level:"</span>
                {choice_select_by("job-compression", Compression::ALL.to_vec(), compression, set_compression)}
            </label>
            <label class="field check"><input id="job-encrypt" type="checkbox" prop:checked=move || spec.get().encrypt on:change=encrypt /><span>"Enable backup file encryption"</span></label>
            {move || spec.get().encrypt.then(|| view! {
                <PasswordPicker prefix="job" error purpose="Job encryption password"
                    selected=Signal::derive(move || spec.get().settings.password_name)
                    on_select=Callback::new(move |v: Option<String>| spec.update(|s| s.settings.password_name = v)) />
            })}
        </div>
    }
}
