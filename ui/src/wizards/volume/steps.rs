//! The volume restore wizard's own pages, one component per step.

use super::form::{file_name, VolumeForm};
use super::Mode;
use crate::format;
use crate::wizards::choice::choice_select;
use cairn_model::*;
use leptos::prelude::*;

#[component]
fn VolumeRow(form: VolumeForm, v: Volume) -> impl IntoView {
    let (path, sel) = (v.path.clone(), v.path.clone());
    view! {
        <tr class:selected=move || form.volume.get().as_deref() == Some(sel.as_str())
            data-volume=v.path.clone()
            on:click=move |_| form.volume.set(Some(path.clone()))>
            <td>{v.path.clone()}</td>
            <td>{format::bytes(v.size)}</td>
        </tr>
    }
}

#[component]
pub fn VolumesStep(form: VolumeForm) -> impl IntoView {
    view! {
        <h2>"Volumes"</h2>
        <p class="hint">"The disks and volumes in the restore point. Choose the one to restore."</p>
        <div class="pick-list">
            <table class="data-table" id="volume-list">
                <thead><tr><th>"Volume"</th><th>"Size"</th></tr></thead>
                <tbody>
                    {move || form.volumes.get().into_iter().map(|v| view! { <VolumeRow form v /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ModeStep(form: VolumeForm) -> impl IntoView {
    let hint = move || {
        match form.mode.get() {
        Mode::Restore => "Writes the volume onto a block device or disk image file. Only blocks that differ from what is there are written, then every written block is read back and verified. A device that is mounted or in use is refused.",
        Mode::Export => "Creates a new disk image file from the volume without restoring it first, for a hypervisor or a cloud import. Empty areas stay sparse.",
    }
    };
    view! {
        <h2>"Mode"</h2>
        <label class="field" for="volume-mode"><span>"Restore mode:"</span>{choice_select("volume-mode", form.mode)}</label>
        {move || (form.mode.get() == Mode::Export).then(|| view! {
            <label class="field" for="volume-format"><span>"Disk format:"</span>{choice_select("volume-format", form.format)}</label>
        })}
        <p class="hint">{hint}</p>
    }
}

#[component]
pub fn DestinationStep(form: VolumeForm) -> impl IntoView {
    let (target, confirm) = (form.target, form.confirm);
    let label = move || match form.mode.get() {
        Mode::Restore => "Device or image file:",
        Mode::Export => "New image file:",
    };
    let placeholder = move || match form.mode.get() {
        Mode::Restore => "/dev/sdb or /srv/restore/disk.img".to_string(),
        Mode::Export => format!("/srv/export/disk.{}", form.format.get().extension()),
    };
    let must_confirm =
        move || form.mode.get() == Mode::Restore && matches!(form.existing.get(), Some(Some(_)));
    view! {
        <h2>"Destination"</h2>
        <label class="field" for="volume-target"><span>{label}</span>
            <input id="volume-target" class="wide" type="text" placeholder=placeholder
                prop:value=move || target.get()
                on:input=move |ev| { target.set(event_target_value(&ev)); form.existing.set(None); } />
        </label>
        {move || must_confirm().then(|| view! {
            <label class="field" for="volume-confirm">
                <span>{format!("Type \"{}\" to overwrite it:", file_name(&target.get()))}</span>
                <input id="volume-confirm" type="text" autocomplete="off"
                    prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev)) />
            </label>
        })}
        <p class="hint">"A file that does not exist is created, sparse, at the volume's size."</p>
    }
}

#[component]
pub fn SummaryStep(form: VolumeForm) -> impl IntoView {
    let what = move || match form.mode.get() {
        Mode::Restore => "Restore to".to_string(),
        Mode::Export => format!("Export as {} to", form.format.get().label()),
    };
    let volume = move || {
        form.chosen_volume()
            .map(|v| format!("{} ({})", v.path, format::bytes(v.size)))
            .unwrap_or_default()
    };
    let machine = move || {
        form.base
            .chosen_row()
            .map(|b| format::backup_name(&b))
            .unwrap_or_default()
    };
    let point = move || {
        let id = form.base.point.get();
        form.base
            .points
            .get()
            .into_iter()
            .find(|p| Some(&p.id) == id.as_ref())
            .map(|p| format::time(p.time))
            .unwrap_or_default()
    };
    view! {
        <h2>"Summary"</h2>
        <dl class="review" id="volume-summary">
            <dt>"Machine"</dt><dd>{machine}</dd>
            <dt>"Restore point"</dt><dd>{point}</dd>
            <dt>"Volume"</dt><dd>{volume}</dd>
            <dt>{what}</dt><dd>{move || form.target.get()}</dd>
        </dl>
        <p class="hint">"Click Finish to start; the session window shows its progress."</p>
    }
}
