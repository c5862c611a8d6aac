//! The Backup Browser: a folder tree (loaded on demand), a virtualized
//! details list with multi-select, a path bar with back / forward / up, a
//! search over the whole restore point, and the restore actions: Restore
//! (Overwrite / Keep), Copy to…, Compare with production, Restore changed
//! only, Open and Versions.

use crate::api::call;
use crate::format;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};

const ROW: f64 = 26.0;
const SEARCH_LIMIT: u32 = 1000;

/// One line of the list: a folder entry or a search result.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    path: String,
    name: String,
    kind: ItemKind,
    size: u64,
    mtime: i64,
    owner: String,
    mode: String,
    state: Option<ItemState>,
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" || dir.is_empty() {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn parent(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".into(),
        Some((p, _)) => p.into(),
    }
}

/// Ancestors of a path, top first, the path itself included ("/a/b" →
/// ["/", "/a", "/a/b"]).
fn ancestors(path: &str) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    let mut cur = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        cur = format!("{cur}/{part}");
        out.push(cur.clone());
    }
    out
}

fn start_folder(p: &BrowserPoint) -> String {
    match p.sources.as_slice() {
        [one] => one.trim_end_matches('/').to_string(),
        _ => "/".into(),
    }
}

#[component]
pub fn BackupBrowser(point: BrowserPoint, reason: String, on_close: Callback<()>) -> impl IntoView {
    let id = point.id;
    let path = RwSignal::new(start_folder(&point));
    let back = RwSignal::new(Vec::<String>::new());
    let forward = RwSignal::new(Vec::<String>::new());
    let items = RwSignal::new(Vec::<Item>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let compare = RwSignal::new(false);
    let changes_only = RwSignal::new(false);
    let selected = RwSignal::new(HashSet::<String>::new());
    let anchor = RwSignal::new(None::<usize>);
    let search = RwSignal::new(String::new());
    let searching = RwSignal::new(None::<String>);
    let truncated = RwSignal::new(false);
    let tree_children = RwSignal::new(HashMap::<String, Vec<String>>::new());
    let tree_open = RwSignal::new(HashSet::<String>::from(["/".to_string()]));
    let menu = RwSignal::new(false);
    let copy_dialog = RwSignal::new(false);
    let copy_folder = RwSignal::new(String::new());
    let copy_preserve = RwSignal::new(true);
    let busy = RwSignal::new(None::<String>);
    let versions = RwSignal::new(None::<(String, Vec<VersionRow>)>);
    let points_dialog = RwSignal::new(false);
    let other_points = RwSignal::new(Vec::<RestorePointRow>::new());
    let other = RwSignal::new(String::new());
    let differences = RwSignal::new(None::<Vec<PointDifference>>);
    let scroll = RwSignal::new(0.0f64);
    let height = RwSignal::new(600.0f64);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let reason = StoredValue::new(reason);

    // Loads the children folders of a tree node once.
    let load_tree = move |dir: String| {
        if tree_children.with_untracked(|m| m.contains_key(&dir)) {
            return;
        }
        spawn_local(async move {
            if let Ok(list) = call(&BrowseFolder {
                id,
                path: dir.clone(),
                compare: false,
            })
            .await
            {
                let folders = list
                    .into_iter()
                    .filter(|e| e.has_children)
                    .map(|e| e.name)
                    .collect();
                tree_children.update(|m| {
                    m.insert(dir, folders);
                });
            }
        });
    };

    // The list follows the path (or the search) and the compare switch.
    Effect::new(move |_| {
        let dir = path.get();
        let cmp = compare.get();
        if searching.get().is_some() {
            return;
        }
        selected.set(HashSet::new());
        anchor.set(None);
        loading.set(true);
        for a in ancestors(&dir) {
            load_tree(a.clone());
            tree_open.update(|o| {
                o.insert(a);
            });
        }
        spawn_local(async move {
            let r = call(&BrowseFolder {
                id,
                path: dir.clone(),
                compare: cmp,
            })
            .await;
            if path.get_untracked() != dir {
                return;
            }
            loading.set(false);
            match r {
                Ok(list) => {
                    error.set(None);
                    let mut v: Vec<Item> = list
                        .into_iter()
                        .map(|e| Item {
                            path: join(&dir, &e.name),
                            name: e.name,
                            kind: e.kind,
                            size: e.size,
                            mtime: e.mtime,
                            owner: e.owner,
                            mode: e.mode,
                            state: e.state,
                        })
                        .collect();
                    // Folders first, then by name.
                    v.sort_by(|a, b| {
                        (a.kind != ItemKind::Folder, a.name.to_lowercase())
                            .cmp(&(b.kind != ItemKind::Folder, b.name.to_lowercase()))
                    });
                    items.set(v);
                    if let Some(el) = list_ref.get_untracked() {
                        el.set_scroll_top(0);
                    }
                    scroll.set(0.0);
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    });

    let navigate = move |to: String| {
        if to == path.get_untracked() && searching.get_untracked().is_none() {
            return;
        }
        back.update(|b| b.push(path.get_untracked()));
        forward.set(Vec::new());
        searching.set(None);
        search.set(String::new());
        path.set(to);
    };
    let go_back = move || {
        if let Some(p) = back.try_update(|b| b.pop()).flatten() {
            forward.update(|f| f.push(path.get_untracked()));
            searching.set(None);
            path.set(p);
        }
    };
    let go_forward = move || {
        if let Some(p) = forward.try_update(|f| f.pop()).flatten() {
            back.update(|b| b.push(path.get_untracked()));
            searching.set(None);
            path.set(p);
        }
    };
    let go_up = move || {
        let p = path.get_untracked();
        if p != "/" {
            navigate(parent(&p));
        }
    };
    let run_search = move || {
        let pattern = search.get_untracked().trim().to_string();
        if pattern.is_empty() {
            searching.set(None);
            path.update(|_| {});
            return;
        }
        // Back leaves the results for the folder the search started from.
        if searching.get_untracked().is_none() {
            back.update(|b| b.push(path.get_untracked()));
            forward.set(Vec::new());
        }
        searching.set(Some(pattern.clone()));
        loading.set(true);
        selected.set(HashSet::new());
        spawn_local(async move {
            let r = call(&SearchPoint {
                id,
                pattern: pattern.clone(),
                limit: SEARCH_LIMIT,
            })
            .await;
            loading.set(false);
            if searching.get_untracked().as_deref() != Some(pattern.as_str()) {
                return;
            }
            match r {
                Ok(res) => {
                    error.set(None);
                    truncated.set(res.truncated);
                    items.set(
                        res.items
                            .into_iter()
                            .map(|f| Item {
                                name: f.path.rsplit('/').next().unwrap_or_default().to_string(),
                                path: f.path,
                                kind: f.kind,
                                size: f.size,
                                mtime: f.mtime,
                                owner: String::new(),
                                mode: String::new(),
                                state: None,
                            })
                            .collect(),
                    );
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let visible = Memo::new(move |_| {
        let all = items.get();
        if changes_only.get() && compare.get() {
            all.into_iter()
                .filter(|i| i.state.is_some_and(|s| s != ItemState::Unchanged))
                .collect()
        } else {
            all
        }
    });
    let selection = move || -> Vec<String> {
        let sel = selected.get_untracked();
        visible
            .get_untracked()
            .into_iter()
            .filter(|i| sel.contains(&i.path))
            .map(|i| i.path)
            .collect()
    };
    let click_row = move |idx: usize, ev: &leptos::ev::MouseEvent| {
        let list = visible.get_untracked();
        let Some(item) = list.get(idx) else {
            return;
        };
        if ev.shift_key() {
            let a = anchor.get_untracked().unwrap_or(idx);
            let (lo, hi) = if a <= idx { (a, idx) } else { (idx, a) };
            selected.set(list[lo..=hi].iter().map(|i| i.path.clone()).collect());
        } else if ev.ctrl_key() || ev.meta_key() {
            let p = item.path.clone();
            selected.update(|s| {
                if !s.remove(&p) {
                    s.insert(p);
                }
            });
            anchor.set(Some(idx));
        } else {
            selected.set(HashSet::from([item.path.clone()]));
            anchor.set(Some(idx));
        }
    };
    let open_item = move |item: Item| {
        if item.kind == ItemKind::Folder {
            navigate(item.path);
        }
    };

    let restore = move |target: RestoreTarget, changed_only: bool, paths: Vec<String>| {
        menu.set(false);
        if paths.is_empty() {
            error.set(Some(
                "Select the files and folders to restore (Ctrl or Shift to select several)".into(),
            ));
            return;
        }
        error.set(None);
        notice.set(None);
        busy.set(Some(format!("Restoring {} item(s)…", paths.len())));
        spawn_local(async move {
            let r = call(&RestoreItems {
                id,
                paths,
                target,
                changed_only,
                reason: reason.get_value(),
                point: None,
            })
            .await;
            busy.set(None);
            match r {
                Ok(o) => {
                    let mut msg = format!(
                        "Restore finished: {} file(s) restored ({}), {} skipped",
                        o.restored,
                        format::bytes(o.bytes),
                        o.skipped
                    );
                    if !o.failed.is_empty() {
                        msg.push_str(&format!(
                            ", {} failed: {}",
                            o.failed.len(),
                            o.failed.join("; ")
                        ));
                    }
                    notice.set(Some(msg));
                    if compare.get_untracked() {
                        path.update(|_| {});
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let cancel_restore = move |_| {
        spawn_local(async move {
            let _ = call(&CancelRestore { id }).await;
        });
    };
    let single = move || -> Option<Item> {
        let sel = selected.get_untracked();
        let mut it = visible
            .get_untracked()
            .into_iter()
            .filter(|i| sel.contains(&i.path));
        let first = it.next()?;
        it.next().is_none().then_some(first)
    };
    let open_file = move |_| match single() {
        Some(i) if i.kind == ItemKind::File => {
            notice.set(None);
            spawn_local(async move {
                match call(&OpenItem { id, path: i.path }).await {
                    Ok(f) => notice.set(Some(format!("Opened {f}"))),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
        _ => error.set(Some("Select one file to open".into())),
    };
    let show_versions = move |_| match single() {
        Some(i) => {
            spawn_local(async move {
                match call(&ItemVersions {
                    id,
                    path: i.path.clone(),
                })
                .await
                {
                    Ok(v) => versions.set(Some((i.path, v))),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
        None => error.set(Some("Select one item to see its versions".into())),
    };
    let restore_version = move |point_id: String, item: String| {
        versions.set(None);
        busy.set(Some("Restoring the version…".into()));
        spawn_local(async move {
            let r = call(&RestoreItems {
                id,
                paths: vec![item],
                target: RestoreTarget::Keep,
                changed_only: false,
                reason: reason.get_value(),
                point: Some(point_id),
            })
            .await;
            busy.set(None);
            match r {
                Ok(o) => notice.set(Some(format!(
                    "Version restored next to the original: {} file(s)",
                    o.restored
                ))),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let open_points = {
        let backup = point.backup.clone();
        let current = point.point.clone();
        move |_| {
            let backup = backup.clone();
            let current = current.clone();
            differences.set(None);
            points_dialog.set(true);
            spawn_local(async move {
                match call(&ListRestorePoints { backup }).await {
                    Ok(list) => {
                        let list: Vec<_> = list.into_iter().filter(|p| p.id != current).collect();
                        other.set(list.first().map(|p| p.id.clone()).unwrap_or_default());
                        other_points.set(list);
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
    };
    let run_compare = move |_| {
        let o = other.get_untracked();
        if o.is_empty() {
            error.set(Some(
                "This backup has no other restore point to compare with".into(),
            ));
            return;
        }
        differences.set(None);
        spawn_local(async move {
            match call(&ComparePoints { id, other: o }).await {
                Ok(d) => differences.set(Some(d)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let close = move || {
        spawn_local(async move {
            let _ = call(&CloseBrowser { id }).await;
        });
        on_close.run(());
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let in_input = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"));
        match ev.key().as_str() {
            "Escape" => {
                if copy_dialog.get_untracked()
                    || versions.get_untracked().is_some()
                    || menu.get_untracked()
                    || points_dialog.get_untracked()
                {
                    copy_dialog.set(false);
                    versions.set(None);
                    menu.set(false);
                    points_dialog.set(false);
                } else {
                    close();
                }
            }
            "Backspace" if !in_input => {
                ev.prevent_default();
                go_up();
            }
            "ArrowLeft" if ev.alt_key() => go_back(),
            "ArrowRight" if ev.alt_key() => go_forward(),
            "a" if ev.ctrl_key() && !in_input => {
                ev.prevent_default();
                selected.set(
                    visible
                        .get_untracked()
                        .into_iter()
                        .map(|i| i.path)
                        .collect(),
                );
            }
            "Enter" if !in_input => {
                if let Some(i) = single() {
                    open_item(i);
                }
            }
            _ => {}
        }
    };

    // The folder tree, rendered recursively from what has been loaded.
    #[allow(clippy::too_many_arguments)]
    fn tree_node(
        dir: String,
        label: String,
        depth: usize,
        tree_children: RwSignal<HashMap<String, Vec<String>>>,
        tree_open: RwSignal<HashSet<String>>,
        path: RwSignal<String>,
        on_pick: Callback<String>,
        load: Callback<String>,
    ) -> AnyView {
        let d1 = dir.clone();
        let d2 = dir.clone();
        let d3 = dir.clone();
        let d4 = dir.clone();
        let d5 = dir.clone();
        view! {
            <div class="btree-node">
                <div class="btree-row" class:selected=move || path.get() == d1 style=format!("padding-left: {}px", 6 + depth * 16)
                    data-tree=dir.clone()>
                    <span class="twisty" on:click=move |_| {
                        let open = tree_open.with_untracked(|o| o.contains(&d2));
                        if !open { load.run(d2.clone()); }
                        tree_open.update(|o| { if open { o.remove(&d2); } else { o.insert(d2.clone()); } });
                    }>{move || if tree_open.get().contains(&d3) { "▾" } else { "▸" }}</span>
                    <span class="folder-icon"></span>
                    <span class="btree-label" on:click=move |_| on_pick.run(d5.clone())>{label}</span>
                </div>
                {move || {
                    if !tree_open.get().contains(&d4) {
                        return ().into_any();
                    }
                    let kids = tree_children.with(|m| m.get(&d4).cloned()).unwrap_or_default();
                    kids.into_iter().map(|k| {
                        let child = join(&d4, &k);
                        tree_node(child, k, depth + 1, tree_children, tree_open, path, on_pick, load)
                    }).collect_view().into_any()
                }}
            </div>
        }
        .into_any()
    }
    let on_pick = Callback::new(navigate);
    let load_cb = Callback::new(load_tree);

    let title = format!(
        "Backup Browser: {} — {}, restore point of",
        point.machine, point.job
    );
    let when = format::time(point.time);
    view! {
        <div class="modal-backdrop">
            <div class="browser" role="dialog" aria-label="Backup Browser" tabindex="-1" on:keydown=keydown>
                <header class="wizard-title">{title}" "{when}</header>
                <div class="browser-toolbar">
                    <div class="dropdown-host">
                        <button id="browser-restore" on:click=move |_| menu.update(|m| *m = !*m)>"Restore ▾"</button>
                        {move || menu.get().then(|| view! {
                            <ul class="dropdown" id="browser-restore-menu">
                                <li><button id="browser-restore-overwrite" on:click=move |_| restore(RestoreTarget::Overwrite, false, selection())>"Overwrite"</button></li>
                                <li><button id="browser-restore-keep" on:click=move |_| restore(RestoreTarget::Keep, false, selection())>"Keep"</button></li>
                            </ul>
                        })}
                    </div>
                    <button id="browser-copy-to" on:click=move |_| {
                        if selection().is_empty() {
                            error.set(Some("Select the files and folders to copy".into()));
                        } else {
                            copy_dialog.set(true);
                        }
                    }>"Copy to…"</button>
                    <span class="sep"></span>
                    <label class="toggle"><input id="browser-compare" type="checkbox" prop:checked=move || compare.get()
                        on:change=move |ev| compare.set(event_target_checked(&ev)) />"Compare with production"</label>
                    <label class="toggle" class:disabled=move || !compare.get()><input id="browser-changes-only" type="checkbox" prop:checked=move || changes_only.get()
                        prop:disabled=move || !compare.get()
                        on:change=move |ev| changes_only.set(event_target_checked(&ev)) />"Show changes only"</label>
                    <button id="browser-restore-changed" on:click=move |_| {
                        let sel = selection();
                        let paths = if sel.is_empty() && searching.get_untracked().is_none() { vec![path.get_untracked()] } else { sel };
                        restore(RestoreTarget::Overwrite, true, paths)
                    }>"Restore changed only"</button>
                    <span class="sep"></span>
                    <button id="browser-open" on:click=open_file>"Open"</button>
                    <button id="browser-versions" on:click=show_versions>"Versions"</button>
                    <button id="browser-compare-points" on:click=open_points>"Compare restore points…"</button>
                    <span class="grow"></span>
                    <button id="browser-close" on:click=move |_| close()>"Close"</button>
                </div>
                <div class="browser-pathbar">
                    <button id="browser-back" title="Back (Alt+Left)" prop:disabled=move || back.get().is_empty() on:click=move |_| go_back()>"‹"</button>
                    <button id="browser-forward" title="Forward (Alt+Right)" prop:disabled=move || forward.get().is_empty() on:click=move |_| go_forward()>"›"</button>
                    <button id="browser-up" title="Up (Backspace)" on:click=move |_| go_up()>"↑"</button>
                    <div class="path" id="browser-path">{move || searching.get().map(|s| format!("Search results for \"{s}\"")).unwrap_or_else(|| path.get())}</div>
                    <input id="browser-search" type="search" placeholder="Search names or masks (*.pdf, report-??.odt)"
                        prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); ev.stop_propagation(); run_search(); } />
                </div>
                <div class="browser-main">
                    <aside class="browser-tree" id="browser-tree">
                        {tree_node("/".into(), "/".into(), 0, tree_children, tree_open, path, on_pick, load_cb)}
                    </aside>
                    <section class="browser-list">
                        <div class="browser-head">
                            <span class="c-name">"Name"</span><span class="c-size">"Size"</span><span class="c-time">"Modified"</span>
                            <span class="c-owner">"Owner"</span><span class="c-mode">"Permissions"</span>
                            {move || compare.get().then(|| view! { <span class="c-state">"Compared"</span> })}
                        </div>
                        <div class="browser-rows" node_ref=list_ref id="browser-rows"
                            on:scroll=move |_| if let Some(el) = list_ref.get_untracked() {
                                scroll.set(el.scroll_top() as f64);
                                height.set(el.client_height() as f64);
                            }>
                            {move || {
                                let all = visible.get();
                                let total = all.len();
                                let first = ((scroll.get() / ROW) as usize).saturating_sub(10);
                                let count = (height.get() / ROW) as usize + 30;
                                let last = (first + count).min(total);
                                let sel = selected.get();
                                let cmp = compare.get();
                                let rows = all[first.min(total)..last].iter().enumerate().map(|(k, item)| {
                                    let idx = first + k;
                                    let it = item.clone();
                                    let state = item.state;
                                    view! {
                                        <div class="brow" class:selected=sel.contains(&item.path)
                                            data-name=item.name.clone() data-path=item.path.clone()
                                            style=format!("top: {}px", idx as f64 * ROW)
                                            on:click=move |ev| click_row(idx, &ev)
                                            on:dblclick=move |_| open_item(it.clone())>
                                            <span class="c-name"><span class=format!("kind-icon kind-{}", item.kind.word())></span>{if searching.get_untracked().is_some() { item.path.clone() } else { item.name.clone() }}</span>
                                            <span class="c-size">{if item.kind == ItemKind::File { format::bytes(item.size) } else { String::new() }}</span>
                                            <span class="c-time">{format::time(item.mtime)}</span>
                                            <span class="c-owner">{item.owner.clone()}</span>
                                            <span class="c-mode">{item.mode.clone()}</span>
                                            {cmp.then(|| view! {
                                                <span class=format!("c-state state-{}", state.map(|s| s.label().to_lowercase()).unwrap_or_default())>
                                                    {state.map(|s| s.label()).unwrap_or("")}
                                                </span>
                                            })}
                                        </div>
                                    }
                                }).collect_view();
                                view! {
                                    <div class="brows-spacer" style=format!("height: {}px", total as f64 * ROW)>{rows}</div>
                                }
                            }}
                            {move || (!loading.get() && visible.get().is_empty()).then(|| view! {
                                <div class="empty">{if searching.get().is_some() { "Nothing matches." } else { "This folder is empty." }}</div>
                            })}
                        </div>
                        <div class="browser-status" id="browser-status">
                            {move || if loading.get() { "Loading…".to_string() } else {
                                let n = visible.get().len();
                                let s = selected.get().len();
                                let mut t = format!("{n} item(s), {s} selected");
                                if searching.get().is_some() && truncated.get() {
                                    t = format!("First {SEARCH_LIMIT} results shown; narrow the search. {t}");
                                }
                                t
                            }}
                        </div>
                    </section>
                </div>
                {move || busy.get().map(|b| view! {
                    <div class="browser-busy" id="browser-busy"><span class="spinner"></span>{b}
                        <button id="browser-cancel" on:click=cancel_restore>"Cancel"</button></div>
                })}
                {move || notice.get().map(|n| view! { <div class="browser-notice" id="browser-result">{n}</div> })}
                {move || error.get().map(|e| view! { <div class="wiz-error browser-error" role="alert">{e}</div> })}
                {move || copy_dialog.get().then(|| view! {
                    <div class="inner-dialog" id="copy-dialog">
                        <h3>"Copy to"</h3>
                        <p class="hint">"The selected items are restored into this folder (created if missing); items already there are replaced."</p>
                        <div class="field folder-field">
                            <label for="copy-to-folder"><span>"Folder:"</span></label>
                            <input id="copy-to-folder" placeholder="/tmp/restored" prop:value=move || copy_folder.get()
                                on:input=move |ev| copy_folder.set(event_target_value(&ev)) />
                            <button id="copy-browse" type="button" on:click=move |_| {
                                spawn_local(async move {
                                    match call(&PickFolder { title: "Copy to".into() }).await {
                                        Ok(Some(f)) => copy_folder.set(f),
                                        Ok(None) => {}
                                        Err(e) => error.set(Some(e.message)),
                                    }
                                });
                            }>"Browse…"</button>
                        </div>
                        <label class="field check"><input id="copy-preserve" type="checkbox" prop:checked=move || copy_preserve.get()
                            on:change=move |ev| copy_preserve.set(event_target_checked(&ev)) /><span>"Preserve permissions and ownership"</span></label>
                        <div class="form-buttons">
                            <button id="copy-ok" class="primary" on:click=move |_| {
                                let folder = copy_folder.get_untracked().trim().to_string();
                                if folder.is_empty() {
                                    error.set(Some("Enter the folder to copy to".into()));
                                    return;
                                }
                                copy_dialog.set(false);
                                restore(RestoreTarget::CopyTo { folder, preserve_permissions: copy_preserve.get_untracked() }, false, selection());
                            }>"Restore"</button>
                            <button on:click=move |_| copy_dialog.set(false)>"Cancel"</button>
                        </div>
                    </div>
                })}
                {move || points_dialog.get().then(|| view! {
                    <div class="inner-dialog wide" id="compare-points-dialog">
                        <h3>"Compare restore points"</h3>
                        <p class="hint">"What was added, changed and deleted between this restore point and another one of the same backup (older → newer)."</p>
                        <label class="field"><span>"Other restore point:"</span>
                            <select id="compare-other" prop:value=move || other.get() on:change=move |ev| other.set(event_target_value(&ev))>
                                {move || other_points.get().into_iter().map(|p| {
                                    let id = p.id.clone();
                                    view! { <option value=id.clone() selected=move || other.get() == id>{format!("{} ({})", format::time(p.time), p.kind)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <div class="form-buttons">
                            <button id="compare-run" class="primary" on:click=run_compare>"Compare"</button>
                            <button id="compare-close" on:click=move |_| points_dialog.set(false)>"Close"</button>
                        </div>
                        {move || differences.get().map(|d| {
                            let total = d.len();
                            view! {
                                <p id="compare-count">{if total == 0 { "No differences.".to_string() } else { format!("{total} difference(s)") }}</p>
                                <table class="data-table" id="compare-table">
                                    <thead><tr><th>"Change"</th><th>"Path"</th><th>"Size"</th></tr></thead>
                                    <tbody>
                                        {d.into_iter().take(2000).map(|x| view! {
                                            <tr class=format!("change-{}", x.change.word())>
                                                <td>{x.change.word()}</td>
                                                <td>{x.path.clone()}</td>
                                                <td>{if x.kind == ItemKind::File && x.change != ChangeKind::Deleted { format::bytes(x.size) } else { String::new() }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(total > 2000).then(|| view! { <p class="hint">"First 2,000 differences shown."</p> })}
                            }
                        })}
                    </div>
                })}
                {move || versions.get().map(|(item, list)| view! {
                    <div class="inner-dialog" id="versions-dialog">
                        <h3>{format!("Versions of {item}")}</h3>
                        <table class="data-table" id="versions-table">
                            <thead><tr><th>"Restore point"</th><th>"Size"</th><th>"Modified"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|v| {
                                    let item = item.clone();
                                    let p = v.point.clone();
                                    view! {
                                        <tr>
                                            <td>{format::time(v.time)}</td>
                                            <td>{format::bytes(v.size)}</td>
                                            <td>{format::time(v.mtime)}</td>
                                            <td><button class="restore-version" on:click=move |_| restore_version(p.clone(), item.clone())>"Restore (keep)"</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <div class="form-buttons"><button id="versions-close" on:click=move |_| versions.set(None)>"Close"</button></div>
                    </div>
                })}
            </div>
        </div>
    }
}
