//! The steps that say which machines: Name, Cloud account, Machines,
//! Exclusions and Options.

use super::form::{GroupForm, Pick, NEW_KEY};
use crate::api::call;
use crate::wizards::choice::choice_select;
use crate::wizards::fields::text_field;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn NameStep(form: GroupForm) -> impl IntoView {
    view! {
        <h2>"Name"</h2>
        <p class="hint">"Type in a name and description for this protection group. Jobs name it (or one of its machines as GROUP/MACHINE) on their Computers step."</p>
        {text_field("wiz-name", "Name:", form.name, "text", "e.g. web-tier")}
        {text_field("wiz-description", "Description:", form.description, "text", "")}
    }
}

/// The account: saved cloud credentials or a new access key, and regions.
#[component]
pub fn AccountStep(form: GroupForm) -> impl IntoView {
    let keys = RwSignal::new(Vec::<CredentialRow>::new());
    spawn_local(async move {
        if let Ok(rows) = call(&ListCredentials {}).await {
            keys.set(
                rows.into_iter()
                    .filter(|r| r.kind == CredentialKind::Aws)
                    .collect(),
            );
        }
    });
    let credential = form.credential;
    let typing = move || credential.get() == NEW_KEY && !form.is_edit();
    view! {
        <h2>"Cloud account"</h2>
        <p class="hint">"Amazon Web Services: an access key that can describe and tag EC2 instances, manage SQS queues and hand out STS credentials. A new key goes to the system keyring (Manage Cloud Credentials) and is never shown again. Azure accounts come in a later release."</p>
        <label class="field" for="group-credential">
            <span>"Credentials:"</span>
            <select id="group-credential" prop:value=move || credential.get() on:change=move |ev| credential.set(event_target_value(&ev))>
                {(!form.is_edit()).then(|| view! { <option value=NEW_KEY>"Enter a new access key…"</option> })}
                {move || keys.get().into_iter().map(|k| {
                    let label = format!("{} ({})", k.name, k.identity);
                    view! { <option value=k.name.clone() selected=move || credential.get() == k.name>{label}</option> }
                }).collect_view()}
            </select>
        </label>
        {move || typing().then(|| view! {
            {text_field("wiz-access-key", "Access key ID:", form.key_id, "text", "AKIA…")}
            {text_field("wiz-secret", "Secret access key:", form.secret, "password", "")}
        })}
        {text_field("group-regions", "Regions:", form.regions, "text", "us-east-1, eu-west-1")}
        {text_field("wiz-endpoint", "Service point (compatible services only):", form.endpoint, "text", "leave empty for AWS")}
    }
}

/// A found machine's tags, "k=v, k=v".
fn tags_text(m: &DiscoveredMachine) -> String {
    m.tags
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn machine_cells(m: &DiscoveredMachine) -> impl IntoView {
    let state = match &m.managed_by {
        Some(o) => format!("Managed by {o}"),
        None => m.state.clone(),
    };
    let tags = tags_text(m);
    view! {
        <td title=m.name.clone()>{m.name.clone()}</td><td>{m.id.clone()}</td><td>{m.platform.label()}</td>
        <td>{m.region.clone()}</td><td title=state.clone()>{state.clone()}</td><td title=tags.clone()>{tags.clone()}</td>
    }
}

fn matches(m: &DiscoveredMachine, q: &str) -> bool {
    let q = q.to_lowercase();
    [&m.name, &m.id, &m.region, &tags_text(m)]
        .iter()
        .any(|s| s.to_lowercase().contains(&q))
}

/// Machines: all, by tags (any or all), or picked from the account's list.
#[component]
pub fn MachinesStep(form: GroupForm) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let all_tags = form.all_tags;
    let pick = form.pick;
    let found = form.found;
    let picked = form.picked;
    let rows = move || {
        let q = search.get();
        let list: Vec<_> = found.get().into_iter().filter(|m| matches(m, &q)).collect();
        if list.is_empty() {
            return view! { <tr><td colspan="7" class="empty">"No machines found in these regions."</td></tr> }.into_any();
        }
        list.into_iter()
            .map(|m| {
                let id = m.id.clone();
                let on = {
                    let id = id.clone();
                    move || picked.with(|p| p.contains(&id))
                };
                let toggle = move |_| {
                    picked.update(|p| {
                        if !p.remove(&id) {
                            p.insert(id.clone());
                        }
                    })
                };
                let check = (pick.get() == Pick::Machines).then(|| view! {
                <input type="checkbox" class="machine-check" prop:checked=on on:change=toggle />
            });
                view! { <tr data-machine=m.id.clone()><td>{check}</td>{machine_cells(&m)}</tr> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <h2>"Machines"</h2>
        <p class="hint">{move || format!("{} machine(s) found in the account. Choose which of them the group holds; machines that start later are found at each rescan.", found.get().len())}</p>
        <label class="field" for="group-pick"><span>"Machines:"</span>{choice_select("group-pick", pick)}</label>
        {move || (pick.get() == Pick::Tags).then(|| view! {
            {text_field("group-tags", "Tags:", form.tags, "text", "tier=web, env=prod")}
            <label class="field check"><input id="group-all-tags" type="checkbox" prop:checked=move || all_tags.get() on:change=move |ev| all_tags.set(event_target_checked(&ev)) /><span>"A machine must carry every tag (otherwise any of them)"</span></label>
        })}
        <input id="group-machine-search" class="filter" type="search" placeholder="Type in a machine name, id or tag to search for" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
        <div class="pick-list">
            <table class="data-table wiz-machines" id="group-machines">
                <colgroup><col style="width: 30px" /><col style="width: 17%" /><col style="width: 22%" /><col style="width: 11%" /><col style="width: 13%" /><col style="width: 17%" /><col /></colgroup>
                <thead><tr><th></th><th>"Name"</th><th>"Id"</th><th>"Platform"</th><th>"Region"</th><th>"State"</th><th>"Tags"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Exclusions: ids or tags, with Exclude beside each selected machine.
#[component]
pub fn ExclusionsStep(form: GroupForm) -> impl IntoView {
    let exclusions = form.exclusions;
    let rows = move || {
        form.chosen.get().into_iter().map(|m| {
            let id = m.id.clone();
            let exclude = move |_| exclusions.update(|x| {
                if !x.split(',').any(|i| i.trim() == id) {
                    if !x.trim().is_empty() { x.push_str(", "); }
                    x.push_str(&id);
                }
            });
            view! { <tr data-machine=m.id.clone()>{machine_cells(&m)}<td><button class="link exclude-machine" on:click=exclude>"Exclude"</button></td></tr> }
        }).collect_view()
    };
    view! {
        <h2>"Exclusions"</h2>
        <p class="hint">{move || format!("The selection holds {} machine(s) now. Leave some out by id or by a tag they carry (KEY=VALUE), separated by commas.", form.chosen.get().len())}</p>
        {text_field("group-exclusions", "Exclude:", exclusions, "text", "i-0abc…, backup=no")}
        <div class="pick-list">
            <table class="data-table wiz-machines" id="group-chosen">
                <colgroup><col style="width: 17%" /><col style="width: 22%" /><col style="width: 11%" /><col style="width: 13%" /><col style="width: 15%" /><col /><col style="width: 74px" /></colgroup>
                <thead><tr><th>"Name"</th><th>"Id"</th><th>"Platform"</th><th>"Region"</th><th>"State"</th><th>"Tags"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Options: the daily rescan and the region of the queues.
#[component]
pub fn OptionsStep(form: GroupForm) -> impl IntoView {
    let daily = form.daily;
    let first = form.region_list().first().cloned().unwrap_or_default();
    view! {
        <h2>"Options"</h2>
        <p class="hint">"A rescan finds new machines, tags them and gives each a queue; machines that left the group are released."</p>
        <label class="field check"><input id="group-daily" type="checkbox" prop:checked=move || daily.get() on:change=move |ev| daily.set(event_target_checked(&ev)) /><span>"Rescan the group daily"</span></label>
        {move || daily.get().then(|| text_field("group-rescan-at", "At (HH:MM, this computer's time):", form.rescan_at, "text", "02:00"))}
        <label class="field" for="group-queue-region">
            <span>"Queue region:"</span>
            <input id="group-queue-region" type="text" placeholder=first autocomplete="off" prop:value=move || form.queue_region.get() on:input=move |ev| form.queue_region.set(event_target_value(&ev)) />
        </label>
        <p class="hint">"The console's queue and one queue per machine are made in this region (empty: the first region)."</p>
    }
}
