//! Review (what Apply will save) and Summary (with
//! "Run rescan when I click Finish").

use super::form::{GroupForm, NEW_KEY};
use cairn_model::*;
use leptos::prelude::*;

fn selection_text(s: &MachineSelection) -> String {
    match s {
        MachineSelection::All => "All machines of the account".into(),
        MachineSelection::Tags { tags, all } => {
            let list: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            let how = if *all { "all of" } else { "any of" };
            format!("Tagged with {how} {}", list.join(", "))
        }
        MachineSelection::Machines { ids } => format!("{} picked machine(s)", ids.len()),
    }
}

fn exclusions_text(x: &[Exclusion]) -> String {
    if x.is_empty() {
        return "None".into();
    }
    x.iter()
        .map(|e| match e {
            Exclusion::Machine { id } => id.clone(),
            Exclusion::Tag(t) => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn ReviewStep(form: GroupForm) -> impl IntoView {
    let s = form.settings().unwrap_or_else(|_| CloudGroupSettings {
        account: CloudAccount::Aws {
            credential: String::new(),
            regions: Vec::new(),
            endpoint: None,
        },
        selection: MachineSelection::All,
        exclusions: Vec::new(),
        rescan_at: None,
        queue_region: String::new(),
        distribution: None,
    });
    let key = match form.credential.get_untracked() {
        c if c == NEW_KEY => format!("New key {}", form.key_id.get_untracked()),
        c => c,
    };
    let (queue_what, queue_where) = match &s.account {
        CloudAccount::Aws { .. } => ("Queue region", s.queue_region.clone()),
        CloudAccount::Azure {
            queue_credential, ..
        } => ("Queue account", queue_credential.clone()),
    };
    let hint = if form.is_edit() {
        "The group's settings will be saved; the next rescan applies them. Click Apply to check the account and save."
    } else {
        "This protection group will be added. Click Apply to check the account and save it; the rescan then tags its machines and makes their queues."
    };
    let machines: Vec<String> = form
        .chosen
        .get_untracked()
        .into_iter()
        .map(|m| m.name)
        .collect();
    view! {
        <h2>"Review"</h2>
        <p class="hint">{hint}</p>
        <dl class="review">
            <dt>"Name"</dt><dd id="review-name">{form.name.get_untracked()}</dd>
            <dt>"Account"</dt><dd>{s.account.label()}</dd>
            <dt>"Credentials"</dt><dd>{key}</dd>
            <dt>"Machines"</dt><dd id="review-selection">{selection_text(&s.selection)}</dd>
            <dt>"Selected now"</dt><dd id="review-machines">{format!("{} — {}", machines.len(), machines.join(", "))}</dd>
            <dt>"Exclusions"</dt><dd>{exclusions_text(&s.exclusions)}</dd>
            <dt>"Rescan"</dt><dd>{s.rescan_at.map(|t| format!("Daily at {t}")).unwrap_or_else(|| "By hand only".into())}</dd>
            <dt>{queue_what}</dt><dd>{queue_where}</dd>
            <dt>"Agents"</dt><dd id="review-distribution">{s.distribution.as_ref().map(|d| match s.account {
                CloudAccount::Aws { .. } => format!("Installed through Systems Manager from s3://{d}"),
                CloudAccount::Azure { .. } => format!("Installed through Azure Run Command from container {d}"),
            }).unwrap_or_else(|| "Placed by hand (cairn group agent-config)".into())}</dd>
        </dl>
    }
}

#[component]
pub fn SummaryStep(form: GroupForm) -> impl IntoView {
    let name = form.name.get_untracked();
    let rescan = form.rescan_now;
    let text = if form.is_edit() {
        format!("Protection group {name} was saved.")
    } else {
        format!("Protection group {name} was added. A rescan tags its machines, makes their queues and shows them under Protection Groups; then `cairn group agent-config` writes each machine's agent configuration.")
    };
    view! {
        <h2>"Summary"</h2>
        <p id="wiz-summary">{text}</p>
        <label class="field check"><input id="group-rescan-now" type="checkbox" prop:checked=move || rescan.get() on:change=move |ev| rescan.set(event_target_checked(&ev)) /><span>"Run rescan when I click Finish"</span></label>
    }
}
