//! Objects of a volume-level job (block devices and disk images) and of a
//! file-level job (folders, include and exclude masks).

use super::form::{add_pending, JobForm};
use super::widgets::keep_enter;
use crate::api::call;
use cairn_model::PickFolder;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn VolumesStep(form: JobForm) -> impl IntoView {
    let input = form.objects.volume_input;
    let add = move |_| form.update(|s| add_pending(input, &mut s.volumes));
    view! {
        <h2>"Objects"</h2>
        <p class="hint">"Block devices (/dev/sdb1) or disk image files, read whole in fixed-size blocks; holes of sparse images are skipped."</p>
        <ul class="pick-list" id="job-volumes">
            {move || form.spec.get().settings.volumes.into_iter().map(|v| {
                let gone = v.clone();
                let remove = move |_| form.update(|s| s.volumes.retain(|x| *x != gone));
                view! { <li class="volume-row">{v.clone()}<button class="link remove-item" on:click=remove>"Remove"</button></li> }
            }).collect_view()}
        </ul>
        <span class="field inline">
            <input id="job-volume-input" type="text" placeholder="/dev/sdb1 or /srv/disk.img" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev)) on:keydown=keep_enter />
            <button id="job-volume-add" on:click=add>"Add"</button>
        </span>
    }
}

#[component]
pub fn FoldersStep(form: JobForm, error: RwSignal<Option<String>>) -> impl IntoView {
    let o = form.objects;
    let input = o.folder_input;
    let add = move |_| form.update(|s| add_pending(input, &mut s.includes));
    let browse = move |_| spawn_local(pick_folder(form, error));
    view! {
        <h2>"Objects"</h2>
        <p class="hint">"Folders and files to back up."</p>
        <ul class="pick-list" id="job-folders">
            {move || folder_rows(form)}
        </ul>
        <span class="field inline">
            <input id="job-folder-input" type="text" placeholder="/home/user/Documents" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev)) on:keydown=keep_enter />
            <button id="job-folder-add" on:click=add>"Add"</button>
            <button id="job-folder-browse" on:click=browse>"Browse…"</button>
        </span>
        <label class="field" for="job-include-masks"><span>"Include masks (only files matching these; empty: all):"</span>
            <input id="job-include-masks" type="text" placeholder="*.docx, *.pdf" prop:value=move || o.include_masks.get() on:input=move |ev| o.include_masks.set(event_target_value(&ev)) />
        </label>
        <label class="field" for="job-exclude-masks"><span>"Exclude masks (exclude wins):"</span>
            <input id="job-exclude-masks" type="text" placeholder="*.tmp, cache/" prop:value=move || o.exclude_masks.get() on:input=move |ev| o.exclude_masks.set(event_target_value(&ev)) />
        </label>
    }
}

fn folder_rows(form: JobForm) -> AnyView {
    let l = form.spec.get().settings.includes;
    if l.is_empty() {
        return view! { <li class="empty">"No folders yet. Type a path and click Add, or Browse…"</li> }.into_any();
    }
    l.into_iter().map(|f| {
        let gone = f.clone();
        let remove = move |_| form.update(|s| s.includes.retain(|x| *x != gone));
        view! { <li class="folder-row" data-path=f.clone()><span class="folder-icon"></span>{f.clone()}<button class="link remove-item" on:click=remove>"Remove"</button></li> }
    }).collect_view().into_any()
}

/// Browse…: the system's folder dialog; the folder chosen is added.
async fn pick_folder(form: JobForm, error: RwSignal<Option<String>>) {
    let title = "Choose a folder to back up".into();
    match call(&PickFolder { title }).await {
        Ok(Some(f)) => form.update(|s| {
            if !s.includes.contains(&f) {
                s.includes.push(f);
            }
        }),
        Ok(None) => {}
        Err(e) => error.set(Some(e.message)),
    }
}
