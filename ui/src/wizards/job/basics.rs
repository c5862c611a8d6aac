//! The steps that pick what kind of job this is: Job Mode, Name (and the
//! backup copy's Job step with its copy mode), Backup Mode, Destination.

use super::form::JobForm;
use super::widgets::radio;
use cairn_model::*;
use leptos::prelude::*;

/// Name and description fields (`rows` lines of description).
fn name_fields(form: JobForm, placeholder: &'static str, rows: &'static str) -> impl IntoView {
    let (name, description) = (form.name, form.description);
    view! {
        <label class="field" for="job-name"><span>"Name:"</span>
            <input id="job-name" type="text" autocomplete="off" placeholder=placeholder prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
        </label>
        <label class="field" for="job-description"><span>"Description:"</span>
            <textarea id="job-description" rows=rows prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
        </label>
    }
}

#[component]
pub fn NameStep(form: JobForm) -> impl IntoView {
    view! {
        <h2>"Name"</h2>
        {name_fields(form, "Daily documents", "4")}
    }
}

/// The backup copy's first step: name and copy mode.
#[component]
pub fn CopyJobStep(form: JobForm) -> impl IntoView {
    let mode_is =
        move |m: CopyMode| move || form.spec.get().settings.copy.is_some_and(|c| c.mode == m);
    let set_mode = move |m: CopyMode| move || form.update_copy(|c| c.mode = m);
    view! {
        <h2>"Job"</h2>
        <p class="hint">"A backup copy job copies restore points of backups (for example the root backups a cloud backup appliance wrote into an external repository) into a backup repository, from which files can be restored."</p>
        {name_fields(form, "Cloud backups copy", "3")}
        <fieldset class="group">
            <legend>"Copy mode"</legend>
            {radio("copy-mode-immediate", "cmode", "Immediate copy (mirroring)", mode_is(CopyMode::Immediate), set_mode(CopyMode::Immediate))}
            <p class="hint indent">"New restore points are copied as soon as they appear in the source: after the backup job that writes them, or the rescan that finds them."</p>
            {radio("copy-mode-periodic", "cmode", "Periodic copy (pruning)", mode_is(CopyMode::Periodic), set_mode(CopyMode::Periodic))}
            <p class="hint indent">"On the job's schedule, the restore points that appeared since the last run are copied."</p>
        </fieldset>
    }
}

#[component]
pub fn JobModeStep(form: JobForm) -> impl IntoView {
    let os = form.spec.get_untracked().settings.os;
    let type_radio = move |id, label, t: ComputerType| {
        let checked = move || form.spec.get().settings.computer_type == t;
        radio(id, "type", label, checked, move || {
            form.update(|s| s.computer_type = t)
        })
    };
    let mode_radio = move |id, label, m: Management| {
        let checked = move || form.spec.get().settings.management == m;
        radio(id, "mode", label, checked, move || {
            form.update(|s| s.management = m)
        })
    };
    view! {
        <h2>"Job Mode"</h2>
        <p class="hint">{format!("Protection settings for {} computers.", os.label())}</p>
        <fieldset class="group">
            <legend>"Type"</legend>
            {type_radio("job-type-workstation", "Workstation", ComputerType::Workstation)}
            {type_radio("job-type-server", "Server", ComputerType::Server)}
            {(os == AgentOs::Windows).then(|| type_radio("job-type-cluster", "Failover cluster", ComputerType::FailoverCluster))}
            {(os == AgentOs::Linux).then(|| view! { <p class="hint">"Failover clusters are not available for Linux computers."</p> })}
        </fieldset>
        <fieldset class="group">
            <legend>"Mode"</legend>
            {mode_radio("job-mode-server", "Managed by backup server", Management::BackupServer)}
            <p class="hint indent">"Cairn runs the job, like any other job."</p>
            {mode_radio("job-mode-agent", "Managed by agent", Management::Agent)}
            <p class="hint indent">"A backup policy: a template the agents on the computers run."</p>
        </fieldset>
    }
}

#[component]
pub fn BackupModeStep(form: JobForm) -> impl IntoView {
    let mode_radio = move |id, label, m: BackupMode| {
        let checked = move || form.spec.get().settings.backup_mode == m;
        radio(id, "bmode", label, checked, move || {
            form.update(|s| s.backup_mode = m)
        })
    };
    view! {
        <h2>"Backup Mode"</h2>
        {mode_radio("job-backup-entire", "Entire computer", BackupMode::EntireComputer)}
        <p class="hint indent">"An image of every disk: restore the whole computer, or volumes and files from it."</p>
        {mode_radio("job-backup-volume", "Volume level backup", BackupMode::Volume)}
        <p class="hint indent">"Images of chosen volumes (block devices or disk image files)."</p>
        {mode_radio("job-backup-file", "File level backup", BackupMode::File)}
        <p class="hint indent">"Chosen folders and files, with include and exclude masks."</p>
    }
}

/// The radio button's id for a destination.
fn destination_id(d: Destination) -> &'static str {
    match d {
        Destination::LocalStorage => "job-dest-local",
        Destination::SharedFolder => "job-dest-share",
        Destination::BackupRepository => "job-dest-repo",
        Destination::CloudRepository => "job-dest-cloud",
    }
}

#[component]
pub fn DestinationStep(form: JobForm) -> impl IntoView {
    let all = [
        Destination::LocalStorage,
        Destination::SharedFolder,
        Destination::BackupRepository,
        Destination::CloudRepository,
    ];
    view! {
        <h2>"Destination"</h2>
        <p class="hint">"Where the agents of this policy store backups."</p>
        {all.into_iter().map(|d| {
            let checked = move || form.spec.get().settings.destination == d;
            radio(destination_id(d), "dest", d.label(), checked, move || form.update(|s| s.destination = d))
        }).collect_view()}
    }
}
