//! The dialogs over the list: Copy to…, Compare restore points…, and an
//! item's Versions.

use super::actions;
use super::state::{Browser, Dialog};
use crate::api::call;
use crate::format;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The open dialog, if any.
#[component]
pub fn Dialogs(b: Browser, backup: String, point: String) -> impl IntoView {
    move || {
        b.dialog.get().map(|d| match d {
            Dialog::CopyTo => view! { <CopyToDialog b /> }.into_any(),
            Dialog::ComparePoints => {
                view! { <ComparePointsDialog b backup=backup.clone() current=point.clone() /> }
                    .into_any()
            }
            Dialog::Versions(item, list) => view! { <VersionsDialog b item list /> }.into_any(),
        })
    }
}

/// Copy to…: the selection restored into a folder.
#[component]
fn CopyToDialog(b: Browser) -> impl IntoView {
    let folder = RwSignal::new(String::new());
    let preserve = RwSignal::new(true);
    let browse = move |_| {
        spawn_local(async move {
            match call(&PickFolder {
                title: "Copy to".into(),
            })
            .await
            {
                Ok(Some(f)) => folder.set(f),
                Ok(None) => {}
                Err(e) => b.error.set(Some(e.message)),
            }
        })
    };
    let ok = move |_| {
        let to = folder.get_untracked().trim().to_string();
        if to.is_empty() {
            return b.error.set(Some("Enter the folder to copy to".into()));
        }
        b.dialog.set(None);
        let target = RestoreTarget::CopyTo {
            folder: to,
            preserve_permissions: preserve.get_untracked(),
        };
        actions::restore(b, target, false, b.selection());
    };
    view! {
        <div class="inner-dialog" id="copy-dialog">
            <h3>"Copy to"</h3>
            <p class="hint">"The selected items are restored into this folder (created if missing); items already there are replaced."</p>
            <div class="field folder-field">
                <label for="copy-to-folder"><span>"Folder:"</span></label>
                <input id="copy-to-folder" placeholder="/tmp/restored" prop:value=move || folder.get() on:input=move |ev| folder.set(event_target_value(&ev)) />
                <button id="copy-browse" type="button" on:click=browse>"Browse…"</button>
            </div>
            <label class="field check"><input id="copy-preserve" type="checkbox" prop:checked=move || preserve.get()
                on:change=move |ev| preserve.set(event_target_checked(&ev)) /><span>"Preserve permissions and ownership"</span></label>
            <div class="form-buttons">
                <button id="copy-ok" class="primary" on:click=ok>"Restore"</button>
                <button on:click=move |_| b.dialog.set(None)>"Cancel"</button>
            </div>
        </div>
    }
}

/// Compare restore points…: what changed between this point and another
/// one of the same backup.
#[component]
fn ComparePointsDialog(b: Browser, backup: String, current: String) -> impl IntoView {
    let others = RwSignal::new(Vec::<RestorePointRow>::new());
    let other = RwSignal::new(String::new());
    let differences = RwSignal::new(None::<Vec<PointDifference>>);
    spawn_local(async move {
        match call(&ListRestorePoints { backup }).await {
            Ok(list) => {
                let list: Vec<_> = list.into_iter().filter(|p| p.id != current).collect();
                other.set(list.first().map(|p| p.id.clone()).unwrap_or_default());
                others.set(list);
            }
            Err(e) => b.error.set(Some(e.message)),
        }
    });
    let run = move |_| {
        let o = other.get_untracked();
        if o.is_empty() {
            return b.error.set(Some(
                "This backup has no other restore point to compare with".into(),
            ));
        }
        differences.set(None);
        spawn_local(async move {
            match call(&ComparePoints { id: b.id, other: o }).await {
                Ok(d) => differences.set(Some(d)),
                Err(e) => b.error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="inner-dialog wide" id="compare-points-dialog">
            <h3>"Compare restore points"</h3>
            <p class="hint">"What was added, changed and deleted between this restore point and another one of the same backup (older → newer)."</p>
            <label class="field"><span>"Other restore point:"</span>
                <select id="compare-other" prop:value=move || other.get() on:change=move |ev| other.set(event_target_value(&ev))>
                    {move || others.get().into_iter().map(|p| {
                        let id = p.id.clone();
                        view! { <option value=id.clone() selected=move || other.get() == id>{format!("{} ({})", format::time(p.time), p.kind.label())}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="form-buttons">
                <button id="compare-run" class="primary" on:click=run>"Compare"</button>
                <button id="compare-close" on:click=move |_| b.dialog.set(None)>"Close"</button>
            </div>
            {move || differences.get().map(differences_table)}
        </div>
    }
}

/// Differences shown at most.
const DIFFERENCES_SHOWN: usize = 2000;

fn differences_table(d: Vec<PointDifference>) -> impl IntoView {
    let total = d.len();
    let count = if total == 0 {
        "No differences.".to_string()
    } else {
        format!("{total} difference(s)")
    };
    let rows = d.into_iter().take(DIFFERENCES_SHOWN).map(|x| {
        let sized = x.kind == ItemKind::File && x.change != ChangeKind::Deleted;
        view! {
            <tr class=format!("change-{}", x.change.word())>
                <td>{x.change.word()}</td>
                <td>{x.path.clone()}</td>
                <td>{if sized { format::bytes(x.size) } else { String::new() }}</td>
            </tr>
        }
    });
    view! {
        <p id="compare-count">{count}</p>
        <table class="data-table" id="compare-table">
            <thead><tr><th>"Change"</th><th>"Path"</th><th>"Size"</th></tr></thead>
            <tbody>{rows.collect_view()}</tbody>
        </table>
        {(total > DIFFERENCES_SHOWN).then(|| view! { <p class="hint">"First 2,000 differences shown."</p> })}
    }
}

/// Versions: the item in each restore point, each restorable beside the
/// original.
#[component]
fn VersionsDialog(b: Browser, item: String, list: Vec<VersionRow>) -> impl IntoView {
    let rows = list.into_iter().map(|v| {
        let (item, point) = (item.clone(), v.point.clone());
        view! {
            <tr>
                <td>{format::time(v.time)}</td>
                <td>{format::bytes(v.size)}</td>
                <td>{format::time(v.mtime)}</td>
                <td><button class="restore-version" on:click=move |_| actions::restore_version(b, point.clone(), item.clone())>"Restore (keep)"</button></td>
            </tr>
        }
    });
    view! {
        <div class="inner-dialog" id="versions-dialog">
            <h3>{format!("Versions of {item}")}</h3>
            <table class="data-table" id="versions-table">
                <thead><tr><th>"Restore point"</th><th>"Size"</th><th>"Modified"</th><th></th></tr></thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
            <div class="form-buttons"><button id="versions-close" on:click=move |_| b.dialog.set(None)>"Close"</button></div>
        </div>
    }
}
