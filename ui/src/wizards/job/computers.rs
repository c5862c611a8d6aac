//! Computers: the computers the job backs up, searchable, with Add… for
//! this computer, a protection group or one machine of it (machines of the
//! job's platform only), or an individual computer by name or address.

use super::form::JobForm;
use super::lists::JobLists;
use super::widgets::keep_enter;
use cairn_model::{MachineRow, MachineState};
use leptos::prelude::*;

#[component]
pub fn ComputersStep(
    form: JobForm,
    lists: JobLists,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let picking = RwSignal::new(false);
    view! {
        <h2>"Computers"</h2>
        <p class="hint">"Computers or protection groups whose data the job backs up. Other computers are backed up through their agent."</p>
        <div class="list-with-buttons">
            <ul class="pick-list" id="job-computers">
                {move || computer_rows(form, lists, search.get())}
            </ul>
            <div class="side-buttons">
                <button id="job-add-computer" on:click=move |_| picking.update(|p| *p = !*p)>"Add…"</button>
            </div>
        </div>
        <input id="job-computer-search" class="filter" type="search" placeholder="Type in an object name to search for" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
        {move || picking.get().then(|| view! { <ComputerPicker form lists error picking /> })}
    }
}

/// The job's computers whose name contains `query`, each removable.
fn computer_rows(form: JobForm, lists: JobLists, query: String) -> AnyView {
    let q = query.to_lowercase();
    let list: Vec<String> = form
        .spec
        .get()
        .settings
        .computers
        .into_iter()
        .filter(|c| c.to_lowercase().contains(&q))
        .collect();
    if list.is_empty() {
        return view! { <li class="empty">"No computers yet. Click Add…"</li> }.into_any();
    }
    list.into_iter().map(|c| {
        let gone = c.clone();
        let remove = move |_| form.update(|s| s.computers.retain(|x| *x != gone));
        view! {
            <li class="computer-row"><span class="glyph icon-group"></span>{c.clone()}
                {(c == lists.me.get()).then(|| view! { <span class="hint-inline">" (this computer)"</span> })}
                <button class="link remove-item" title="Remove" on:click=remove>"Remove"</button>
            </li>
        }
    }).collect_view().into_any()
}

/// Add…: this computer, or one typed by name or address.
#[component]
fn ComputerPicker(
    form: JobForm,
    lists: JobLists,
    error: RwSignal<Option<String>>,
    picking: RwSignal<bool>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let add_this = move |_| {
        form.add_computer(lists.me.get_untracked());
        picking.set(false);
    };
    let add_named = move |_| {
        let n = typed.get_untracked().trim().to_string();
        if n.is_empty() {
            error.set(Some("Type the computer's name or address".into()));
            return;
        }
        form.add_computer(n);
        typed.set(String::new());
        picking.set(false);
    };
    view! {
        <div class="picker" id="computer-picker">
            <button id="job-add-this" on:click=add_this>"This computer"</button>
            <span class="field inline">
                <input id="job-computer-name" type="text" placeholder="Individual computer: name or address" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) on:keydown=keep_enter />
                <button id="job-computer-add" on:click=add_named>"Add"</button>
            </span>
            <GroupPicker form lists picking />
        </div>
    }
}

/// True for a machine this console backs up (not excluded, not another
/// console's).
fn managed(s: MachineState) -> bool {
    !matches!(s, MachineState::Excluded | MachineState::ManagedElsewhere)
}

/// Protection groups and the machines in them of the job's platform,
/// searchable; a click adds GROUP or GROUP/MACHINE.
#[component]
fn GroupPicker(form: JobForm, lists: JobLists, picking: RwSignal<bool>) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let add = move |name: String| {
        form.add_computer(name);
        picking.set(false);
    };
    let rows = move || {
        let os = form.spec.get().settings.os;
        let q = search.get().to_lowercase();
        let hit = |s: &str| s.to_lowercase().contains(&q);
        let mut out = Vec::new();
        for g in lists.groups.get() {
            let machines: Vec<MachineRow> = lists
                .machines
                .get()
                .into_iter()
                .filter(|m| m.group == g.name && m.platform == os && managed(m.state))
                .filter(|m| hit(&g.name) || hit(&m.name) || hit(&m.id))
                .collect();
            if !hit(&g.name) && machines.is_empty() {
                continue;
            }
            let name = g.name.clone();
            out.push(view! {
                <li class="group-row" data-group=g.name.clone()><span class="glyph icon-group"></span>
                    <button class="link" on:click=move |_| add(name.clone())>{g.name.clone()}</button>
                    <span class="hint-inline">{format!(" {} · {} machine(s)", g.account, g.machines)}</span>
                </li>
            }.into_any());
            for m in machines {
                let key = format!("{}/{}", m.group, m.name);
                let k = key.clone();
                out.push(view! {
                    <li class="machine-row" data-machine=key.clone()>
                        <button class="link indent" on:click=move |_| add(k.clone())>{m.name.clone()}</button>
                        <span class="hint-inline">{format!(" {} · {} · {}", m.id, m.region, m.state.label())}</span>
                    </li>
                }.into_any());
            }
        }
        if out.is_empty() {
            out.push(view! { <li class="empty">"No protection groups with machines of this platform."</li> }.into_any());
        }
        out
    };
    view! {
        <p class="hint">"Protection groups: the group's machines of this job's platform, or one of them."</p>
        <input id="job-group-search" class="filter" type="search" placeholder="Type in a group or machine to search for" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) on:keydown=keep_enter />
        <ul class="pick-list" id="job-group-list">{rows}</ul>
    }
}
