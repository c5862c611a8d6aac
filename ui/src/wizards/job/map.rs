//! Map backup (Storage step): the job continues a backup already in the
//! chosen repository — an Imported one, after a lost console — instead of
//! starting its own chain; the next run is an increment.

use super::form::JobForm;
use super::lists::JobLists;
use cairn_model::*;
use leptos::prelude::*;

/// "WS-01 · Nightly · 4 points, latest 21/11/2026, 23:58:52 · encrypted".
fn label(b: &BackupRow) -> String {
    let mut words = if b.sealed {
        vec!["Encrypted backup (its password shows the rest)".to_string()]
    } else {
        vec![b.machine.clone(), b.job_name.clone()]
    };
    let points = match b.restore_points {
        1 => "1 point".to_string(),
        n => format!("{n} points"),
    };
    words.push(format!(
        "{points}, latest {}",
        crate::format::time(b.last_point)
    ));
    if b.encrypted && !b.sealed {
        words.push("encrypted".into());
    }
    words.join(" · ")
}

/// Sets or clears the mapped backup; a mapped job is encrypted exactly
/// when its backup is, so the Advanced page opens for the password.
fn pick(form: JobForm, lists: JobLists, id: String) {
    let chosen = lists
        .mappable
        .get_untracked()
        .into_iter()
        .find(|b| b.id == id);
    form.spec.update(|s| match chosen {
        Some(b) => {
            s.settings.map = Some(MappedBackup {
                backup: b.id,
                origin: String::new(),
            });
            s.encrypt = b.encrypted;
        }
        None => s.settings.map = None,
    });
}

#[component]
pub fn MapBackupField(form: JobForm, lists: JobLists) -> impl IntoView {
    let spec = form.spec;
    let current = move || {
        spec.get()
            .settings
            .map
            .map(|m| m.backup)
            .unwrap_or_default()
    };
    let choices = move || {
        let repo = spec.get().repository;
        let mut v: Vec<BackupRow> = lists.mappable.get();
        v.retain(|b| b.repository == repo);
        v
    };
    // The job's own mapped backup is not Imported (the job writes it):
    // keep it on the list while editing.
    let kept = move || {
        let id = current();
        (!id.is_empty() && !choices().iter().any(|b| b.id == id)).then(
            || view! { <option value=id.clone() selected=true>{format!("Backup {id}")}</option> },
        )
    };
    let on_change = move |ev| pick(form, lists, event_target_value(&ev));
    view! {
        <label class="field" for="job-map-backup"><span>"Map backup:"</span>
            <select id="job-map-backup" prop:value=current on:change=on_change>
                <option value="" selected=move || current().is_empty()>"None: start a new backup chain"</option>
                {kept}
                {move || choices().into_iter().map(|b| {
                    let id = b.id.clone();
                    let id2 = id.clone();
                    view! { <option value=id selected=move || current() == id2>{label(&b)}</option> }
                }).collect_view()}
            </select>
        </label>
        {move || (!current().is_empty()).then(|| view! {
            <p class="hint" id="job-map-hint">"The job continues this backup: its points, retention and GFS go on, and the next run is an increment. An encrypted backup needs the password it was made with (Advanced…)."</p>
        })}
    }
}
