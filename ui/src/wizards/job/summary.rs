//! Summary: the job in words before Finish, with when it starts next.

use super::form::JobForm;
use super::lists::JobLists;
use cairn_model::*;
use leptos::prelude::*;

/// The Summary's retention, GFS and encryption in words.
fn storage_words(sp: &BackupJobSpec) -> (String, String, String) {
    let s = &sp.settings;
    let retention = match s.retention {
        Retention::Points(n) => format!("{n} restore points"),
        Retention::Days(n) => format!("{n} days"),
    };
    let gfs = if s.gfs == Gfs::default() {
        "off".to_string()
    } else {
        format!(
            "weekly {} weeks, monthly {} months, yearly {} years",
            s.gfs.weekly, s.gfs.monthly, s.gfs.yearly
        )
    };
    let enc = if sp.encrypt {
        let password = s.password_name.clone().unwrap_or_default();
        format!("on, password {password}")
    } else {
        "off".into()
    };
    (retention, gfs, enc)
}

/// What a job backs up, in words.
fn objects_words(s: &BackupJobSettings) -> String {
    match s.backup_mode {
        BackupMode::EntireComputer => "every disk of the computer".to_string(),
        BackupMode::Volume => s.volumes.join(", "),
        BackupMode::File => {
            let mut o = s.includes.join(", ");
            if !s.include_masks.is_empty() {
                o.push_str(&format!("; only {}", s.include_masks.join(", ")));
            }
            if !s.exclude_masks.is_empty() {
                o.push_str(&format!("; excluding {}", s.exclude_masks.join(", ")));
            }
            o
        }
    }
}

/// The pre- and post-job scripts in words, if there are any.
fn scripts_words(g: &GuestProcessing) -> Option<String> {
    if g.pre_script.is_empty() && g.post_script.is_empty() {
        return None;
    }
    let or_none = |s: &str| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.to_string()
        }
    };
    Some(format!(
        "before: {}; after: {}",
        or_none(&g.pre_script),
        or_none(&g.post_script)
    ))
}

/// Map backup: the backup the job continues, when it maps one.
fn continues(s: &BackupJobSettings) -> Option<impl IntoView> {
    let m = s.map.as_ref()?;
    let words = format!("backup {} (the next run is an increment)", m.backup);
    Some(view! { <dt>"Continues"</dt><dd id="job-summary-continues">{words}</dd> })
}

#[component]
pub fn SummaryStep(form: JobForm, lists: JobLists) -> impl IntoView {
    let sp = form.spec.get_untracked();
    let s = sp.settings.clone();
    let (retention, gfs, enc) = storage_words(&sp);
    let kind = format!(
        "{} {}, {}",
        s.os.label(),
        s.computer_type.label().to_lowercase(),
        s.management.label().to_lowercase()
    );
    let run_now = form.run_now;
    let next = move || {
        let v = lists.next_starts.get();
        (!v.is_empty()).then(|| {
            let when = v
                .into_iter()
                .map(crate::format::time)
                .collect::<Vec<_>>()
                .join("; ");
            view! { <dt>"Next starts"</dt><dd id="job-summary-next">{when}</dd> }
        })
    };
    view! {
        <h2>"Summary"</h2>
        <dl class="summary" id="job-summary">
            <dt>"Name"</dt><dd>{sp.name.clone()}</dd>
            <dt>"Type"</dt><dd>{kind}</dd>
            <dt>"Computers"</dt><dd>{s.computers.join(", ")}</dd>
            <dt>"Backup mode"</dt><dd>{s.backup_mode.label()}</dd>
            <dt>"Objects"</dt><dd>{objects_words(&s)}</dd>
            <dt>"Target"</dt><dd>{sp.repository.clone()}</dd>
            {continues(&s)}
            <dt>"Retention"</dt><dd>{retention}</dd>
            <dt>"GFS"</dt><dd>{gfs}</dd>
            <dt>"Compression"</dt><dd>{s.compression.label()}</dd>
            <dt>"Encryption"</dt><dd>{enc}</dd>
            {scripts_words(&s.guest).map(|w| view! { <dt>"Scripts"</dt><dd>{w}</dd> })}
            <dt>"Schedule"</dt><dd id="job-summary-schedule">{s.schedule.describe()}</dd>
            {next}
        </dl>
        <label class="field check"><input id="job-run-now" type="checkbox" prop:checked=move || run_now.get() on:change=move |ev| run_now.set(event_target_checked(&ev)) /><span>"Run the job when I click Finish"</span></label>
    }
}

#[component]
pub fn CopySummaryStep(form: JobForm) -> impl IntoView {
    let sp = form.spec.get_untracked();
    let s = sp.settings.clone();
    let c = s.copy.clone().unwrap_or_default();
    let (retention, gfs, enc) = storage_words(&sp);
    let when = match (c.mode, &s.schedule.window) {
        (CopyMode::Immediate, Some(_)) => {
            "as soon as new restore points appear, in the permitted hours".to_string()
        }
        (CopyMode::Immediate, None) => "as soon as new restore points appear".to_string(),
        _ => s.schedule.describe(),
    };
    let objects = c
        .sources
        .iter()
        .map(|s| s.label.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let read_entire = if c.read_entire {
        "yes"
    } else {
        "no (chunks already copied are not read again)"
    };
    let spec = form.spec;
    let enable = move |ev| {
        let on = event_target_checked(&ev);
        spec.update(|s| s.enabled = on)
    };
    view! {
        <h2>"Summary"</h2>
        <dl class="summary" id="job-summary">
            <dt>"Name"</dt><dd>{sp.name.clone()}</dd>
            <dt>"Type"</dt><dd>{format!("Backup copy, {}", c.mode.label().to_lowercase())}</dd>
            <dt>"Objects"</dt><dd id="job-summary-objects">{objects}</dd>
            {(!c.exclusions.is_empty()).then(|| view! { <dt>"Exclusions"</dt><dd>{c.exclusions.join(", ")}</dd> })}
            <dt>"Target"</dt><dd>{sp.repository.clone()}</dd>
            {continues(&s)}
            <dt>"Retention"</dt><dd>{retention}</dd>
            <dt>"GFS"</dt><dd>{gfs}</dd>
            <dt>"Read entire points"</dt><dd>{read_entire}</dd>
            <dt>"Compression"</dt><dd>{s.compression.label()}</dd>
            <dt>"Encryption"</dt><dd>{enc}</dd>
            <dt>"Schedule"</dt><dd id="job-summary-schedule">{when}</dd>
        </dl>
        <label class="field check"><input id="job-enable-now" type="checkbox" prop:checked=move || spec.get().enabled on:change=enable /><span>"Enable the job when I click Finish"</span></label>
    }
}
