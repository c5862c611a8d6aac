//! Review (what Apply will do) and Summary (Apply is the shared log page).

use super::form::RepoForm;
use super::location::class_or_tier;
use super::RepoKind;
use leptos::prelude::*;

fn location(form: RepoForm) -> String {
    match form.kind {
        RepoKind::Local => form.path.get_untracked(),
        _ => format!(
            "{}/{}",
            form.bucket.get_untracked(),
            form.folder.get_untracked()
        ),
    }
}

#[component]
pub fn ReviewStep(form: RepoForm) -> impl IntoView {
    let hint = if form.is_edit() {
        "The repository's settings will be saved. Click Apply to check the storage and save them."
    } else {
        "This repository will be created. Click Apply to check the storage and create it."
    };
    let immutable = form.immutable.get_untracked() && form.kind != RepoKind::Local;
    view! {
        <h2>"Review"</h2>
        <p class="hint">{hint}</p>
        <dl class="review">
            <dt>"Name"</dt><dd id="review-name">{form.name.get_untracked()}</dd>
            <dt>"Type"</dt><dd>{form.kind.label()}</dd>
            <dt>"Location"</dt><dd>{location(form)}</dd>
            {class_or_tier(form).map(|(what, v)| view! { <dt>{what}</dt><dd>{v}</dd> })}
            {immutable.then(|| view! { <dt>"Immutability"</dt><dd>{format!("{} days", form.days.get_untracked())}</dd> })}
        </dl>
        <ul class="facts">{form.facts.get_untracked().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
    }
}

#[component]
pub fn ExternalReviewStep(form: RepoForm) -> impl IntoView {
    let p = form.probe.get_untracked().unwrap_or_default();
    let encrypted = if p.encrypted {
        format!(
            "yes, password {}",
            form.password_name.get_untracked().unwrap_or_default()
        )
    } else {
        "no".into()
    };
    let take = form.take_ownership;
    view! {
        <h2>"Review"</h2>
        <p class="hint">"This external repository will be connected and rescanned. Click Apply to take ownership and add it."</p>
        <dl class="review">
            <dt>"Name"</dt><dd id="review-name">{form.name.get_untracked()}</dd>
            <dt>"Type"</dt><dd>{form.kind.label()}</dd>
            <dt>"Location"</dt><dd>{location(form)}</dd>
            <dt>"Backups"</dt><dd id="review-backups">{p.backups.to_string()}</dd>
            <dt>"Encrypted"</dt><dd>{encrypted}</dd>
        </dl>
        {p.owned_by_other.map(|o| view! {
            <div class="warning-box" id="ext-owner-warning">
                <p>{format!("This repository is owned by {o}. One console owns an external repository at a time: taking ownership makes the other console stop managing it.")}</p>
                <label class="field check"><input id="ext-take-ownership" type="checkbox" prop:checked=move || take.get() on:change=move |ev| take.set(event_target_checked(&ev)) /><span>"Take ownership"</span></label>
            </div>
        })}
    }
}

#[component]
pub fn SummaryStep(form: RepoForm) -> impl IntoView {
    let name = form.name.get_untracked();
    let text = if form.external {
        format!("External repository {name} was connected. A rescan is running: its session is under History → System, and the backups appear under Home → Backups → External Repository.")
    } else if form.is_edit() {
        format!("Repository {name} was saved.")
    } else {
        format!("Repository {name} was added. Jobs can now store backups in it.")
    };
    view! {
        <h2>"Summary"</h2>
        <p id="wiz-summary">{text}</p>
    }
}
