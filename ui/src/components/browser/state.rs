//! The Backup Browser's state: where it is (path, history, search), what
//! the list shows and which rows are selected, and what is open over it.
//! All signals, so the state is `Copy` and each pane takes it whole.

use crate::api::call;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};

/// Search results shown at most.
pub const SEARCH_LIMIT: u32 = 1000;

/// One line of the list: a folder entry or a search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub path: String,
    pub name: String,
    pub kind: ItemKind,
    pub size: u64,
    pub mtime: i64,
    pub owner: String,
    pub mode: String,
    pub state: Option<ItemState>,
}

impl Item {
    fn entry(dir: &str, e: BrowserEntry) -> Self {
        Self {
            path: join(dir, &e.name),
            name: e.name,
            kind: e.kind,
            size: e.size,
            mtime: e.mtime,
            owner: e.owner,
            mode: e.mode,
            state: e.state,
        }
    }

    fn found(f: FoundItem) -> Self {
        Self {
            name: f.path.rsplit('/').next().unwrap_or_default().to_string(),
            path: f.path,
            kind: f.kind,
            size: f.size,
            mtime: f.mtime,
            owner: String::new(),
            mode: String::new(),
            state: None,
        }
    }
}

/// What is open over the list (Escape closes it).
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    CopyTo,
    ComparePoints,
    /// The versions of an item.
    Versions(String, Vec<VersionRow>),
}

pub fn join(dir: &str, name: &str) -> String {
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

/// A point of one source opens in that source's folder.
fn start_folder(p: &BrowserPoint) -> String {
    match p.sources.as_slice() {
        [one] => one.trim_end_matches('/').to_string(),
        _ => "/".into(),
    }
}

#[derive(Clone, Copy)]
pub struct Browser {
    /// The open browser session in the backend.
    pub id: u64,
    pub path: RwSignal<String>,
    pub back: RwSignal<Vec<String>>,
    pub forward: RwSignal<Vec<String>>,
    pub items: RwSignal<Vec<Item>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub compare: RwSignal<bool>,
    pub changes_only: RwSignal<bool>,
    pub selected: RwSignal<HashSet<String>>,
    /// Where a Shift-click range starts.
    pub anchor: RwSignal<Option<usize>>,
    pub search: RwSignal<String>,
    /// The pattern whose results the list shows.
    pub searching: RwSignal<Option<String>>,
    pub truncated: RwSignal<bool>,
    pub tree_children: RwSignal<HashMap<String, Vec<String>>>,
    pub tree_open: RwSignal<HashSet<String>>,
    /// The Restore ▾ menu is open.
    pub menu: RwSignal<bool>,
    pub dialog: RwSignal<Option<Dialog>>,
    /// A restore runs: what it does.
    pub busy: RwSignal<Option<String>>,
    pub scroll: RwSignal<f64>,
    pub height: RwSignal<f64>,
    pub list_ref: NodeRef<leptos::html::Div>,
    /// The restore reason given when the browser was opened.
    pub reason: StoredValue<String>,
    /// The rows shown (Show changes only filters them).
    pub visible: Memo<Vec<Item>>,
}

impl Browser {
    pub fn new(point: &BrowserPoint, reason: String) -> Self {
        let items = RwSignal::new(Vec::<Item>::new());
        let compare = RwSignal::new(false);
        let changes_only = RwSignal::new(false);
        let visible = Memo::new(move |_| {
            let all = items.get();
            if !(changes_only.get() && compare.get()) {
                return all;
            }
            let changed = |i: &Item| i.state.is_some_and(|s| s != ItemState::Unchanged);
            all.into_iter().filter(changed).collect()
        });
        Self {
            id: point.id,
            path: RwSignal::new(start_folder(point)),
            back: RwSignal::new(Vec::new()),
            forward: RwSignal::new(Vec::new()),
            items,
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            compare,
            changes_only,
            selected: RwSignal::new(HashSet::new()),
            anchor: RwSignal::new(None),
            search: RwSignal::new(String::new()),
            searching: RwSignal::new(None),
            truncated: RwSignal::new(false),
            tree_children: RwSignal::new(HashMap::new()),
            tree_open: RwSignal::new(HashSet::from(["/".to_string()])),
            menu: RwSignal::new(false),
            dialog: RwSignal::new(None),
            busy: RwSignal::new(None),
            scroll: RwSignal::new(0.0),
            height: RwSignal::new(600.0),
            list_ref: NodeRef::new(),
            reason: StoredValue::new(reason),
            visible,
        }
    }

    /// The list follows the path (unless a search is shown) and the
    /// compare switch; the tree opens down to the path.
    pub fn follow_path(self) {
        Effect::new(move |_| {
            let dir = self.path.get();
            let compare = self.compare.get();
            if self.searching.get().is_some() {
                return;
            }
            self.selected.set(HashSet::new());
            self.anchor.set(None);
            self.loading.set(true);
            for a in ancestors(&dir) {
                self.load_tree(a.clone());
                self.tree_open.update(|o| {
                    o.insert(a);
                });
            }
            spawn_local(self.load_folder(dir, compare));
        });
    }

    async fn load_folder(self, dir: String, compare: bool) {
        let listed = call(&BrowseFolder {
            id: self.id,
            path: dir.clone(),
            compare,
        })
        .await;
        if self.path.get_untracked() != dir {
            return;
        }
        self.loading.set(false);
        match listed {
            Ok(list) => {
                self.error.set(None);
                let mut v: Vec<Item> = list.into_iter().map(|e| Item::entry(&dir, e)).collect();
                // Folders first, then by name.
                v.sort_by_key(|i| (i.kind != ItemKind::Folder, i.name.to_lowercase()));
                self.items.set(v);
                if let Some(el) = self.list_ref.get_untracked() {
                    el.set_scroll_top(0);
                }
                self.scroll.set(0.0);
            }
            Err(e) => self.error.set(Some(e.message)),
        }
    }

    /// Loads the child folders of a tree node once.
    pub fn load_tree(self, dir: String) {
        if self.tree_children.with_untracked(|m| m.contains_key(&dir)) {
            return;
        }
        spawn_local(async move {
            let Ok(list) = call(&BrowseFolder {
                id: self.id,
                path: dir.clone(),
                compare: false,
            })
            .await
            else {
                return;
            };
            let folders = list
                .into_iter()
                .filter(|e| e.has_children)
                .map(|e| e.name)
                .collect();
            self.tree_children.update(|m| {
                m.insert(dir, folders);
            });
        });
    }

    /// Shows the path reloaded (after a restore changed production).
    pub fn reload(self) {
        self.path.update(|_| {});
    }

    pub fn navigate(self, to: String) {
        if to == self.path.get_untracked() && self.searching.get_untracked().is_none() {
            return;
        }
        self.back.update(|b| b.push(self.path.get_untracked()));
        self.forward.set(Vec::new());
        self.searching.set(None);
        self.search.set(String::new());
        self.path.set(to);
    }

    pub fn go_back(self) {
        if let Some(p) = self.back.try_update(|b| b.pop()).flatten() {
            self.forward.update(|f| f.push(self.path.get_untracked()));
            self.searching.set(None);
            self.path.set(p);
        }
    }

    pub fn go_forward(self) {
        if let Some(p) = self.forward.try_update(|f| f.pop()).flatten() {
            self.back.update(|b| b.push(self.path.get_untracked()));
            self.searching.set(None);
            self.path.set(p);
        }
    }

    pub fn go_up(self) {
        let p = self.path.get_untracked();
        if p != "/" {
            self.navigate(parent(&p));
        }
    }

    /// Searches the whole restore point for the typed names or masks; an
    /// empty search shows the folder again.
    pub fn run_search(self) {
        let pattern = self.search.get_untracked().trim().to_string();
        if pattern.is_empty() {
            self.searching.set(None);
            return self.reload();
        }
        // Back leaves the results for the folder the search started from.
        if self.searching.get_untracked().is_none() {
            self.back.update(|b| b.push(self.path.get_untracked()));
            self.forward.set(Vec::new());
        }
        self.searching.set(Some(pattern.clone()));
        self.loading.set(true);
        self.selected.set(HashSet::new());
        spawn_local(async move {
            let found = call(&SearchPoint {
                id: self.id,
                pattern: pattern.clone(),
                limit: SEARCH_LIMIT,
            })
            .await;
            self.loading.set(false);
            if self.searching.get_untracked().as_deref() != Some(pattern.as_str()) {
                return;
            }
            match found {
                Ok(res) => {
                    self.error.set(None);
                    self.truncated.set(res.truncated);
                    self.items
                        .set(res.items.into_iter().map(Item::found).collect());
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// The selected paths, in list order.
    pub fn selection(self) -> Vec<String> {
        let sel = self.selected.get_untracked();
        let visible = self.visible.get_untracked();
        visible
            .into_iter()
            .filter(|i| sel.contains(&i.path))
            .map(|i| i.path)
            .collect()
    }

    /// The one selected item, if exactly one is.
    pub fn single(self) -> Option<Item> {
        let sel = self.selected.get_untracked();
        let mut it = self
            .visible
            .get_untracked()
            .into_iter()
            .filter(|i| sel.contains(&i.path));
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// Click: select the row; Ctrl: toggle it; Shift: the range from the
    /// anchor.
    pub fn click_row(self, idx: usize, ev: &leptos::ev::MouseEvent) {
        let list = self.visible.get_untracked();
        let Some(item) = list.get(idx) else {
            return;
        };
        if ev.shift_key() {
            let a = self.anchor.get_untracked().unwrap_or(idx);
            let (lo, hi) = if a <= idx { (a, idx) } else { (idx, a) };
            self.selected
                .set(list[lo..=hi].iter().map(|i| i.path.clone()).collect());
        } else if ev.ctrl_key() || ev.meta_key() {
            let p = item.path.clone();
            self.selected.update(|s| {
                if !s.remove(&p) {
                    s.insert(p);
                }
            });
            self.anchor.set(Some(idx));
        } else {
            self.selected.set(HashSet::from([item.path.clone()]));
            self.anchor.set(Some(idx));
        }
    }

    pub fn select_all(self) {
        let all = self
            .visible
            .get_untracked()
            .into_iter()
            .map(|i| i.path)
            .collect();
        self.selected.set(all);
    }

    /// Double-click or Enter: a folder opens.
    pub fn open(self, item: Item) {
        if item.kind == ItemKind::Folder {
            self.navigate(item.path);
        }
    }

    /// Closes the menu or dialog; false if none was open.
    pub fn close_overlay(self) -> bool {
        let open = self.dialog.get_untracked().is_some() || self.menu.get_untracked();
        self.dialog.set(None);
        self.menu.set(false);
        open
    }
}
