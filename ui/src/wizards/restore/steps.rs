//! The restore wizard's pages, one component per step.

use super::form::RestoreForm;
use crate::format;
use cairn_model::*;
use leptos::prelude::*;

fn matches(b: &BackupRow, filter: &str) -> bool {
    filter.is_empty()
        || b.machine.to_lowercase().contains(filter)
        || b.job_name.to_lowercase().contains(filter)
}

#[component]
fn MachineRow(form: RestoreForm, b: BackupRow) -> impl IntoView {
    let (id, sel) = (b.id.clone(), b.id.clone());
    let machine = if b.sealed {
        "Unknown".into()
    } else {
        b.machine.clone()
    };
    let job = if b.sealed {
        "Known once its password is given".into()
    } else {
        b.job_name.clone()
    };
    view! {
        <tr class:selected=move || form.chosen.get().as_deref() == Some(sel.as_str())
            data-backup=b.id.clone()
            on:click=move |_| form.chosen.set(Some(id.clone()))>
            <td>{machine}{b.encrypted.then_some(" (encrypted)")}</td>
            <td>{job}</td>
            <td>{b.repository.clone()}</td>
            <td>{b.platform.clone()}</td>
            <td>{b.restore_points}</td>
            <td>{format::bytes(b.size_bytes)}</td>
        </tr>
    }
}

#[component]
pub fn MachineStep(form: RestoreForm) -> impl IntoView {
    let rows = move || {
        let f = form.search.get().to_lowercase();
        form.backups
            .get()
            .into_iter()
            .filter(|b| matches(b, &f))
            .map(|b| view! { <MachineRow form b /> })
            .collect_view()
    };
    view! {
        <h2>"Machine"</h2>
        <p class="hint">"Choose the machine (backup) whose files you want to restore."</p>
        <input id="restore-search" class="filter wide" type="search" placeholder="Type in a machine or job name to search for"
            prop:value=move || form.search.get() on:input=move |ev| form.search.set(event_target_value(&ev)) />
        <div class="pick-list">
            <table class="data-table" id="restore-machines">
                <thead><tr><th>"Machine"</th><th>"Job"</th><th>"Repository"</th><th>"Platform"</th><th>"Points"</th><th>"Last size"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || form.backups.get().is_empty().then(|| view! { <div class="empty">"No backups yet. Run a backup job first."</div> })}
        </div>
    }
}

#[component]
fn PointRow(form: RestoreForm, p: RestorePointRow) -> impl IntoView {
    let (id, sel) = (p.id.clone(), p.id.clone());
    view! {
        <tr class:selected=move || form.point.get().as_deref() == Some(sel.as_str())
            data-point=p.id.clone()
            on:click=move |_| form.point.set(Some(id.clone()))>
            <td>{format::time(p.time)}</td>
            <td>{if p.sealed { "—" } else { p.kind.label() }}</td>
            <td>{if p.sealed { "—".to_string() } else { format::bytes(p.size) }}</td>
            <td>{GfsFlag::list(&p.gfs)}</td>
            <td>{format::opt_time(p.immutable_until)}</td>
        </tr>
    }
}

#[component]
pub fn PointStep(form: RestoreForm) -> impl IntoView {
    let heading = move || {
        form.chosen_row()
            .map(|b| {
                format!(
                    "Restore points of {}, newest first.",
                    format::backup_name(&b)
                )
            })
            .unwrap_or_default()
    };
    let password = form.password;
    view! {
        <h2>"Restore Point"</h2>
        <p class="hint">{heading}</p>
        <div class="pick-list">
            <table class="data-table" id="restore-points">
                <thead><tr><th>"Created"</th><th>"Type"</th><th>"Size"</th><th>"GFS"</th><th>"Immutable until"</th></tr></thead>
                <tbody>
                    {move || form.points.get().into_iter().map(|p| view! { <PointRow form p /> }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || form.chosen_row().filter(|b| b.encrypted).map(|_| view! {
            <label class="field" for="restore-password">
                <span>"Encryption password:"</span>
                <input id="restore-password" type="password" autocomplete="off"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
            </label>
        })}
    }
}

#[component]
pub fn ReasonStep(form: RestoreForm) -> impl IntoView {
    let reason = form.reason;
    view! {
        <h2>"Reason"</h2>
        <p class="hint">"Why are these files restored? The reason is kept in the restore session's log (optional)."</p>
        <textarea id="restore-reason" rows="5" class="reason" prop:value=move || reason.get()
            on:input=move |ev| reason.set(event_target_value(&ev))
            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); }></textarea>
    }
}

#[component]
pub fn SummaryStep(form: RestoreForm) -> impl IntoView {
    let reason = move || {
        let r = form.reason.get();
        if r.trim().is_empty() {
            "—".to_string()
        } else {
            r
        }
    };
    view! {
        <h2>"Summary"</h2>
        <dl class="review" id="restore-summary">
            {move || form.opened.get().map(|p| view! {
                <dt>"Machine"</dt><dd>{p.machine.clone()}</dd>
                <dt>"Job"</dt><dd>{p.job.clone()}</dd>
                <dt>"Repository"</dt><dd>{p.repository.clone()}</dd>
                <dt>"Restore point"</dt><dd>{format::time(p.time)}</dd>
                <dt>"Reason"</dt><dd>{reason}</dd>
            })}
        </dl>
        <p class="hint">"Click Browse to open the Backup Browser and choose what to restore."</p>
    }
}
