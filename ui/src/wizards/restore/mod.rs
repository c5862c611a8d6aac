//! Guest files restore: Machine → Restore Point → Reason → Summary, then
//! the Backup Browser. An encrypted backup asks for its password at the
//! Restore Point step, where a wrong one is reported.

use super::frame::{ConfirmDiscard, WizardFrame};
use crate::api::call;
use crate::format;
use cairn_model::api::ListBackups;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

const STEPS: [&str; 4] = ["Machine", "Restore Point", "Reason", "Summary"];

/// What the wizard hands to the Backup Browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Browse {
    pub point: BrowserPoint,
    pub reason: String,
}

#[component]
pub fn RestoreWizard(
    /// A backup chosen before the wizard opened (right-click → Restore).
    backup: Option<String>,
    on_close: Callback<()>,
    on_browse: Callback<Browse>,
) -> impl IntoView {
    let current = RwSignal::new(0usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let backups = RwSignal::new(Vec::<BackupRow>::new());
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(backup);
    let points = RwSignal::new(Vec::<RestorePointRow>::new());
    let point = RwSignal::new(None::<String>);
    let password = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let opened = RwSignal::new(None::<BrowserPoint>);
    let confirm_cancel = RwSignal::new(false);

    spawn_local(async move {
        match call(&ListBackups {}).await {
            Ok(b) => backups.set(b),
            Err(e) => error.set(Some(e.message)),
        }
    });
    let chosen_row = move || {
        let id = chosen.get()?;
        backups.get().into_iter().find(|b| b.id == id)
    };
    let close_opened = move || {
        if let Some(p) = opened.get_untracked() {
            opened.set(None);
            spawn_local(async move {
                let _ = call(&CloseBrowser { id: p.id }).await;
            });
        }
    };
    let load_points = move |backup: String| {
        points.set(Vec::new());
        point.set(None);
        spawn_local(async move {
            match call(&ListRestorePoints { backup }).await {
                Ok(p) => {
                    point.set(p.first().map(|p| p.id.clone()));
                    points.set(p);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let on_next = Callback::new(move |_| {
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        match STEPS[current.get_untracked()] {
            "Machine" => match chosen.get_untracked() {
                Some(b) => {
                    load_points(b);
                    current.set(1);
                }
                None => error.set(Some("Choose the machine whose files to restore".into())),
            },
            "Restore Point" => {
                let (Some(b), Some(p)) = (chosen.get_untracked(), point.get_untracked()) else {
                    error.set(Some("Choose a restore point".into()));
                    return;
                };
                close_opened();
                busy.set(true);
                let pw = password.get_untracked();
                spawn_local(async move {
                    let r = call(&OpenBrowser {
                        backup: b,
                        point: p,
                        password: (!pw.is_empty()).then_some(Secret(pw)),
                    })
                    .await;
                    busy.set(false);
                    match r {
                        Ok(info) => {
                            // The opened point holds its keys; the typed
                            // password is not kept in the window.
                            password.set(String::new());
                            opened.set(Some(info));
                            current.set(2);
                        }
                        Err(e) => error.set(Some(e.message)),
                    }
                });
            }
            "Reason" => current.set(3),
            _ => {
                if let Some(p) = opened.get_untracked() {
                    on_browse.run(Browse {
                        point: p,
                        reason: reason.get_untracked(),
                    });
                }
            }
        }
    });
    let on_back = Callback::new(move |_| {
        error.set(None);
        current.update(|c| *c = c.saturating_sub(1));
    });
    let on_cancel = Callback::new(move |_| {
        if current.get_untracked() >= 2 && !confirm_cancel.get_untracked() {
            confirm_cancel.set(true);
            return;
        }
        close_opened();
        on_close.run(());
    });
    let next_label = Signal::derive(move || {
        if current.get() == 3 {
            "Browse"
        } else {
            "Next >"
        }
    });
    let can_back = Signal::derive(move || current.get() > 0);

    let page = move || -> AnyView {
        match STEPS[current.get()] {
            "Machine" => view! {
                <h2>"Machine"</h2>
                <p class="hint">"Choose the machine (backup) whose files you want to restore."</p>
                <input id="restore-search" class="filter wide" type="search" placeholder="Type in a machine or job name to search for"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
                <div class="pick-list">
                    <table class="data-table" id="restore-machines">
                        <thead><tr><th>"Machine"</th><th>"Job"</th><th>"Repository"</th><th>"Platform"</th><th>"Points"</th><th>"Last size"</th></tr></thead>
                        <tbody>
                            {move || {
                                let f = search.get().to_lowercase();
                                backups.get().into_iter()
                                    .filter(|b| f.is_empty() || b.machine.to_lowercase().contains(&f) || b.job_name.to_lowercase().contains(&f))
                                    .map(|b| {
                                        let id = b.id.clone();
                                        let sel = b.id.clone();
                                        view! {
                                            <tr class:selected=move || chosen.get().as_deref() == Some(sel.as_str())
                                                data-backup=b.id.clone()
                                                on:click=move |_| chosen.set(Some(id.clone()))>
                                                <td>{if b.sealed { "Unknown".into() } else { b.machine.clone() }}{b.encrypted.then_some(" (encrypted)")}</td>
                                                <td>{if b.sealed { "Known once its password is given".into() } else { b.job_name.clone() }}</td>
                                                <td>{b.repository.clone()}</td>
                                                <td>{b.platform.clone()}</td>
                                                <td>{b.restore_points}</td>
                                                <td>{format::bytes(b.size_bytes)}</td>
                                            </tr>
                                        }
                                    }).collect_view()
                            }}
                        </tbody>
                    </table>
                    {move || backups.get().is_empty().then(|| view! { <div class="empty">"No backups yet. Run a backup job first."</div> })}
                </div>
            }.into_any(),
            "Restore Point" => view! {
                <h2>"Restore Point"</h2>
                <p class="hint">{move || chosen_row().map(|b| format!("Restore points of {}, newest first.", format::backup_name(&b))).unwrap_or_default()}</p>
                <div class="pick-list">
                    <table class="data-table" id="restore-points">
                        <thead><tr><th>"Created"</th><th>"Type"</th><th>"Size"</th><th>"GFS"</th><th>"Immutable until"</th></tr></thead>
                        <tbody>
                            {move || points.get().into_iter().map(|p| {
                                let id = p.id.clone();
                                let sel = p.id.clone();
                                view! {
                                    <tr class:selected=move || point.get().as_deref() == Some(sel.as_str())
                                        data-point=p.id.clone()
                                        on:click=move |_| point.set(Some(id.clone()))>
                                        <td>{format::time(p.time)}</td>
                                        <td>{if p.sealed { "—".to_string() } else { p.kind.clone() }}</td>
                                        <td>{if p.sealed { "—".to_string() } else { format::bytes(p.size) }}</td>
                                        <td>{p.gfs.clone()}</td>
                                        <td>{format::opt_time(p.immutable_until)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {move || chosen_row().filter(|b| b.encrypted).map(|_| view! {
                    <label class="field" for="restore-password">
                        <span>"Encryption password:"</span>
                        <input id="restore-password" type="password" autocomplete="off"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                })}
            }.into_any(),
            "Reason" => view! {
                <h2>"Reason"</h2>
                <p class="hint">"Why are these files restored? The reason is kept in the restore session's log (optional)."</p>
                <textarea id="restore-reason" rows="5" class="reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); }></textarea>
            }.into_any(),
            _ => view! {
                <h2>"Summary"</h2>
                <dl class="review" id="restore-summary">
                    {move || opened.get().map(|p| view! {
                        <dt>"Machine"</dt><dd>{p.machine.clone()}</dd>
                        <dt>"Job"</dt><dd>{p.job.clone()}</dd>
                        <dt>"Repository"</dt><dd>{p.repository.clone()}</dd>
                        <dt>"Restore point"</dt><dd>{format::time(p.time)}</dd>
                        <dt>"Reason"</dt><dd>{if reason.get().trim().is_empty() { "—".to_string() } else { reason.get() }}</dd>
                    })}
                </dl>
                <p class="hint">"Click Browse to open the Backup Browser and choose what to restore."</p>
            }.into_any(),
        }
    };

    view! {
        <WizardFrame
            title="Guest Files Restore".to_string()
            steps=Signal::derive(|| STEPS.to_vec())
            current
            busy=busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content">{page}</div>
            <ConfirmDiscard show=confirm_cancel text="Close the restore wizard?" discard="Close" keep="Keep going"
                on_discard=Callback::new(move |_| { close_opened(); on_close.run(()); }) />
        </WizardFrame>
    }
}
