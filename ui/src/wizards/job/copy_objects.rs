//! A backup copy's Objects: the backups to copy, added from jobs, from
//! repositories or from the backups tree (repository → job → machine),
//! and the machines excluded.

use super::form::JobForm;
use super::lists::{JobLists, PickBackup};
use cairn_model::*;
use leptos::prelude::*;

/// What Objects → Add shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adding {
    Menu,
    Jobs,
    Repositories,
    Backups,
}

#[component]
pub fn CopyObjectsStep(
    form: JobForm,
    lists: JobLists,
    adding: RwSignal<Option<Adding>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let add = Callback::new(move |src: CopySource| {
        error.set(None);
        form.update_copy(|c| {
            if !c.sources.contains(&src) {
                c.sources.push(src)
            }
        })
    });
    let exclusions = form.objects.copy_exclusions;
    let toggle = move |_| {
        adding.update(|a| {
            *a = if a.is_some() {
                None
            } else {
                Some(Adding::Menu)
            }
        })
    };
    view! {
        <h2>"Objects"</h2>
        <p class="hint">"Backups to copy: root backups in external repositories or backup repositories, the backups of jobs, or every backup of a repository."</p>
        <div class="list-with-buttons">
            <ul class="pick-list" id="copy-objects">{move || source_rows(form)}</ul>
            <div class="side-buttons">
                <button id="copy-add" on:click=toggle>"Add ▾"</button>
            </div>
        </div>
        {move || adding.get().map(|a| match a {
            Adding::Menu => view! {
                <ul class="dropdown inline-menu" id="copy-add-menu">
                    <li><button id="copy-add-jobs" on:click=move |_| adding.set(Some(Adding::Jobs))>"From jobs…"</button></li>
                    <li><button id="copy-add-repos" on:click=move |_| adding.set(Some(Adding::Repositories))>"From repositories…"</button></li>
                    <li><button id="copy-add-backups" on:click=move |_| adding.set(Some(Adding::Backups))>"From backups…"</button></li>
                </ul>
            }.into_any(),
            Adding::Backups => backups_tree(lists.backups.get(), add, adding),
            Adding::Jobs => jobs_picker(lists.other_jobs.get(), add, adding),
            Adding::Repositories => repositories_picker(lists, add, adding),
        })}
        <label class="field" for="copy-exclusions"><span>"Exclusions (machines not copied):"</span>
            <input id="copy-exclusions" type="text" placeholder="i-0abc123, vm-test" prop:value=move || exclusions.get() on:input=move |ev| exclusions.set(event_target_value(&ev)) />
        </label>
    }
}

/// The sources chosen so far, each removable.
fn source_rows(form: JobForm) -> AnyView {
    let list = form
        .spec
        .get()
        .settings
        .copy
        .map(|c| c.sources)
        .unwrap_or_default();
    if list.is_empty() {
        return view! { <li class="empty">"Nothing to copy yet. Click Add."</li> }.into_any();
    }
    list.into_iter()
        .map(|src| {
            let what = match src.kind {
                CopySourceKind::Backup => "Backup",
                CopySourceKind::Job => "Job",
                CopySourceKind::Repository => "Repository",
            };
            let place = if src.repository.is_empty() {
                String::new()
            } else {
                format!(" in {}", src.repository)
            };
            let gone = src.clone();
            let remove = move |_| {
                let g = gone.clone();
                form.update_copy(move |c| c.sources.retain(|x| *x != g))
            };
            view! {
                <li class="copy-object"><span class="glyph icon-backup"></span>
                    <span>{src.label.clone()}</span>
                    <span class="hint-inline">{format!(" {what}{place}")}</span>
                    <button class="link remove-item" on:click=remove>"Remove"</button>
                </li>
            }
        })
        .collect_view()
        .into_any()
}

fn done_button(adding: RwSignal<Option<Adding>>) -> impl IntoView {
    view! { <button id="copy-pick-done" on:click=move |_| adding.set(None)>"Done"</button> }
}

fn repo_glyph(external: bool) -> &'static str {
    if external {
        "glyph icon-cloud"
    } else {
        "glyph icon-repo"
    }
}

/// From backups: repository → backup (job or policy) → machine.
fn backups_tree(
    rows: Vec<PickBackup>,
    add: Callback<CopySource>,
    adding: RwSignal<Option<Adding>>,
) -> AnyView {
    if rows.is_empty() {
        return view! { <div class="picker" id="copy-backups-tree"><p class="empty">"No backups yet. Connect an external repository and rescan it, or run a backup job."</p></div> }.into_any();
    }
    let mut last_repo = String::new();
    let mut last_job = String::new();
    let mut items = Vec::new();
    for b in rows {
        if b.repository != last_repo {
            last_repo = b.repository.clone();
            last_job.clear();
            let label = format!(
                "{}{}",
                b.repository,
                if b.external {
                    " (external repository)"
                } else {
                    ""
                }
            );
            items.push(view! { <li class="pick-repo"><span class=repo_glyph(b.external)></span>{label}</li> }.into_any());
        }
        if b.job != last_job {
            last_job = b.job.clone();
            items.push(view! { <li class="pick-job indent"><span class="glyph icon-backup"></span>{b.job.clone()}</li> }.into_any());
        }
        items.push(machine_row(b, add));
    }
    view! {
        <div class="picker" id="copy-backups-tree">
            <p class="hint">"Backups → machines. Any root backup in an external repository can be selected."</p>
            <ul class="pick-tree">{items}</ul>
            {done_button(adding)}
        </div>
    }.into_any()
}

fn machine_row(b: PickBackup, add: Callback<CopySource>) -> AnyView {
    let src = CopySource {
        kind: CopySourceKind::Backup,
        repository: b.repository.clone(),
        backup: b.id.clone(),
        job: String::new(),
        label: format!("{} / {} ({})", b.job, b.machine, b.platform),
    };
    view! {
        <li class="pick-machine indent2">
            <span class="glyph icon-group"></span>
            <span>{format!("{} ({}, {} restore points)", b.machine, b.platform, b.points)}</span>
            <button class="copy-pick link" data-backup=b.id.clone() data-machine=b.machine.clone() on:click=move |_| add.run(src.clone())>"Add"</button>
        </li>
    }.into_any()
}

/// From jobs: every backup of a backup job.
fn jobs_picker(
    jobs: Vec<String>,
    add: Callback<CopySource>,
    adding: RwSignal<Option<Adding>>,
) -> AnyView {
    view! {
        <div class="picker" id="copy-jobs">
            <ul class="pick-tree">
                {jobs.into_iter().map(|j| {
                    let src = CopySource { kind: CopySourceKind::Job, job: j.clone(), label: format!("Job {j}"), ..Default::default() };
                    view! { <li><span class="glyph icon-job"></span>{j.clone()}<button class="copy-pick link" data-job=j.clone() on:click=move |_| add.run(src.clone())>"Add"</button></li> }
                }).collect_view()}
            </ul>
            {done_button(adding)}
        </div>
    }.into_any()
}

/// From repositories: every backup in a repository.
fn repositories_picker(
    lists: JobLists,
    add: Callback<CopySource>,
    adding: RwSignal<Option<Adding>>,
) -> AnyView {
    view! {
        <div class="picker" id="copy-repos">
            <ul class="pick-tree">
                {lists.copy_repositories.get().into_iter().map(|r| {
                    let name = r.name;
                    let src = CopySource { kind: CopySourceKind::Repository, repository: name.clone(), label: format!("Every backup in {name}"), ..Default::default() };
                    let label = format!("{name}{}", if r.external { " (external)" } else { "" });
                    view! { <li><span class=repo_glyph(r.external)></span>{label}<button class="copy-pick link" data-repo=name.clone() on:click=move |_| add.run(src.clone())>"Add"</button></li> }
                }).collect_view()}
            </ul>
            {done_button(adding)}
        </div>
    }.into_any()
}
