//! The steps that say which machines: Name, Cloud account, Machines,
//! Exclusions and Options.

use super::form::{Cloud, GroupForm, Pick, NEW_KEY};
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

/// The saved credentials of `kind`, for a list to pick from.
fn credentials_of(
    kind: impl Fn() -> CredentialKind + Send + Sync + 'static,
) -> Memo<Vec<CredentialRow>> {
    let all = RwSignal::new(Vec::<CredentialRow>::new());
    spawn_local(async move {
        if let Ok(rows) = call(&ListCredentials {}).await {
            all.set(rows);
        }
    });
    Memo::new(move |_| {
        let k = kind();
        all.get().into_iter().filter(|r| r.kind == k).collect()
    })
}

/// The account: Amazon Web Services (saved credentials or a new access
/// key, and regions) or Microsoft Azure (a subscription and a service
/// principal).
#[component]
pub fn AccountStep(form: GroupForm) -> impl IntoView {
    let cloud = form.cloud;
    let keys = credentials_of(move || cloud.get().credential_kind());
    let credential = form.credential;
    Effect::new(move |prev: Option<Cloud>| {
        let now = cloud.get();
        if prev.is_some_and(|p| p != now) && !form.is_edit() {
            credential.set(NEW_KEY.into());
        }
        now
    });
    let typing = move || credential.get() == NEW_KEY && !form.is_edit();
    let hint = move || {
        match cloud.get() {
        Cloud::Aws => "An access key that can describe and tag EC2 instances, manage SQS queues and hand out STS credentials. A new key goes to the system keyring (Manage Cloud Credentials) and is never shown again.",
        Cloud::Azure => "A service principal with the Reader and Tag Contributor roles on the subscription. Its client secret goes to the system keyring (Manage Cloud Credentials) and is never shown again.",
    }
    };
    let new_label = move || match cloud.get() {
        Cloud::Aws => "Enter a new access key…",
        Cloud::Azure => "Enter a new service principal…",
    };
    view! {
        <h2>"Cloud account"</h2>
        <p class="hint">{hint}</p>
        <label class="field" for="group-cloud"><span>"Cloud:"</span>{choice_select("group-cloud", cloud)}</label>
        {move || (cloud.get() == Cloud::Azure).then(|| view! {
            {text_field("group-subscription", "Subscription ID:", form.subscription, "text", "00000000-0000-0000-0000-000000000000")}
            {text_field("group-tenant", "Tenant ID:", form.tenant, "text", "00000000-0000-0000-0000-000000000000")}
        })}
        <label class="field" for="group-credential">
            <span>"Credentials:"</span>
            <select id="group-credential" prop:value=move || credential.get() on:change=move |ev| credential.set(event_target_value(&ev))>
                {move || (!form.is_edit()).then(|| view! { <option value=NEW_KEY>{new_label()}</option> })}
                {move || keys.get().into_iter().map(|k| {
                    let label = format!("{} ({})", k.name, k.identity);
                    view! { <option value=k.name.clone() selected=move || credential.get() == k.name>{label}</option> }
                }).collect_view()}
            </select>
        </label>
        {move || (typing() && cloud.get() == Cloud::Aws).then(|| view! {
            {text_field("wiz-access-key", "Access key ID:", form.key_id, "text", "AKIA…")}
            {text_field("wiz-secret", "Secret access key:", form.secret, "password", "")}
        })}
        {move || (typing() && cloud.get() == Cloud::Azure).then(|| view! {
            {text_field("wiz-access-key", "Client ID:", form.key_id, "text", "00000000-0000-0000-0000-000000000000")}
            {text_field("wiz-secret", "Client secret:", form.secret, "password", "")}
        })}
        {move || match cloud.get() {
            Cloud::Aws => view! {
                {text_field("group-regions", "Regions:", form.regions, "text", "us-east-1, eu-west-1")}
                {text_field("wiz-endpoint", "Service point (compatible services only):", form.endpoint, "text", "leave empty for AWS")}
            }.into_any(),
            Cloud::Azure => view! {
                {text_field("wiz-endpoint", "Resource Manager (other clouds only):", form.endpoint, "text", "leave empty for public Azure")}
                {text_field("group-login-endpoint", "Sign-in service (other clouds only):", form.login_endpoint, "text", "leave empty for public Azure")}
            }.into_any(),
        }}
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
            return view! { <tr><td colspan="7" class="empty">"No machines found in the account."</td></tr> }.into_any();
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

/// Options: the daily rescan, and where the queues are (an AWS region, or
/// an Azure storage account).
#[component]
pub fn OptionsStep(form: GroupForm) -> impl IntoView {
    let daily = form.daily;
    let first = form.region_list().first().cloned().unwrap_or_default();
    let accounts = credentials_of(|| CredentialKind::AzureKey);
    let queue_credential = form.queue_credential;
    let queues = match form.cloud.get_untracked() {
        Cloud::Aws => view! {
            <label class="field" for="group-queue-region">
                <span>"Queue region:"</span>
                <input id="group-queue-region" type="text" placeholder=first autocomplete="off" prop:value=move || form.queue_region.get() on:input=move |ev| form.queue_region.set(event_target_value(&ev)) />
            </label>
            <p class="hint">"The console's queue and one queue per machine are made in this region (empty: the first region)."</p>
            {text_field("group-dist-bucket", "Distribution bucket:", form.dist_bucket, "text", "empty: place the agents by hand")}
            {text_field("group-dist-folder", "Folder:", form.dist_folder, "text", "agents")}
            <p class="hint">"With a distribution repository, a rescan installs and updates each machine's agent through Systems Manager: the package travels through a signed address that expires within minutes. The bucket holds packages and command output only, never backups."</p>
        }.into_any(),
        Cloud::Azure => view! {
            <label class="field" for="group-queue-credential">
                <span>"Queue storage account:"</span>
                <select id="group-queue-credential" prop:value=move || queue_credential.get() on:change=move |ev| queue_credential.set(event_target_value(&ev))>
                    <option value="">"Choose the account's shared key…"</option>
                    {move || accounts.get().into_iter().map(|k| {
                        let label = format!("{} ({})", k.name, k.identity);
                        view! { <option value=k.name.clone() selected=move || queue_credential.get() == k.name>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            {text_field("group-queue-endpoint", "Queue service (other clouds only):", form.queue_endpoint, "text", "leave empty for public Azure")}
            <p class="hint">"The console's queue and one queue per machine are made in this storage account; each agent gets a signature for its two queues only, never the account key."</p>
            {text_field("group-dist-bucket", "Distribution container:", form.dist_bucket, "text", "empty: place the agents by hand")}
            {text_field("group-dist-folder", "Folder:", form.dist_folder, "text", "agents")}
            {text_field("group-dist-endpoint", "Blob service (other clouds only):", form.dist_endpoint, "text", "leave empty for public Azure")}
            <p class="hint">"With a distribution container in this storage account, a rescan installs and updates each machine's agent through Azure Run Command: the package travels through a signed address that expires within minutes, and Cairn deletes its run commands when they are done. A machine needs a free slot: at most 24 of Azure's 25 Managed Run Commands deployed."</p>
        }.into_any(),
    };
    view! {
        <h2>"Options"</h2>
        <p class="hint">"A rescan finds new machines, tags them and gives each a queue; machines that left the group are released."</p>
        <label class="field check"><input id="group-daily" type="checkbox" prop:checked=move || daily.get() on:change=move |ev| daily.set(event_target_checked(&ev)) /><span>"Rescan the group daily"</span></label>
        {move || daily.get().then(|| text_field("group-rescan-at", "At (HH:MM, this computer's time):", form.rescan_at, "text", "02:00"))}
        {queues}
    }
}
