//! The working-area list: sortable by any column, filtered as you type.

use leptos::prelude::*;
use std::collections::{HashMap, HashSet};

/// One row: a stable key, its cells, and an optional result for the icon.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: String,
    pub cells: Vec<String>,
    pub status: Option<&'static str>,
}

/// The lines shown under an expanded row (None while they load).
pub type SubLines = RwSignal<Option<Vec<String>>>;

/// What a node shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: &'static [&'static str],
    pub rows: Vec<Row>,
    pub empty: &'static str,
}

/// Compares cells numerically when both start with a number.
fn cmp_cells(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| {
        s.split_whitespace()
            .next()
            .and_then(|t| t.trim_end_matches('%').parse::<f64>().ok())
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// Rows that match the filter, sorted by the chosen column.
fn sorted_rows(t: Table, filter: &str, (col, asc): (usize, bool)) -> Vec<Row> {
    let f = filter.to_lowercase();
    let mut rows: Vec<Row> = t
        .rows
        .into_iter()
        .filter(|r| f.is_empty() || r.cells.iter().any(|c| c.to_lowercase().contains(&f)))
        .collect();
    rows.sort_by(|a, b| {
        let o = cmp_cells(
            a.cells.get(col).map(String::as_str).unwrap_or(""),
            b.cells.get(col).map(String::as_str).unwrap_or(""),
        );
        if asc {
            o
        } else {
            o.reverse()
        }
    });
    rows
}

/// Which rows are expanded, with the lines shown under each.
type Opened = RwSignal<HashMap<String, SubLines>>;

/// What every row of one table shares.
#[derive(Clone, Copy)]
struct RowCtx {
    selected: RwSignal<Option<String>>,
    on_context: Option<Callback<(String, i32, i32)>>,
    on_activate: Option<Callback<String>>,
    expand: Option<Callback<(String, SubLines)>>,
    expandable: Option<Signal<bool>>,
    opened: Opened,
    /// The column drawn as a progress bar.
    progress_col: Option<usize>,
}

impl RowCtx {
    /// Opens or closes the lines under a row, loading them on opening.
    fn toggle(self, key: String) {
        let Some(cb) = self.expand else { return };
        if self.opened.with_untracked(|m| m.contains_key(&key)) {
            self.opened.update(|m| {
                m.remove(&key);
            });
        } else {
            let lines = RwSignal::new(None);
            self.opened.update(|m| {
                m.insert(key.clone(), lines);
            });
            cb.run((key, lines));
        }
    }

    fn twisty(self) -> bool {
        self.expand.is_some() && self.expandable.is_none_or(|e| e.get_untracked())
    }
}

#[component]
pub fn DataTable(
    /// The table to show (None while loading).
    table: Signal<Option<Table>>,
    /// The filter text.
    filter: RwSignal<String>,
    /// The selected row's key.
    selected: RwSignal<Option<String>>,
    /// Right-click on a row: its key and the pointer position.
    #[prop(optional)]
    on_context: Option<Callback<(String, i32, i32)>>,
    /// Double-click on a row.
    #[prop(optional)]
    on_activate: Option<Callback<String>>,
    /// Rows can be expanded: the callback loads the lines shown under a
    /// row (for a backup, its restore points) into the signal it is given.
    #[prop(optional)]
    expand: Option<Callback<(String, SubLines)>>,
    /// Whether the rows of the current list can be expanded.
    #[prop(optional)]
    expandable: Option<Signal<bool>>,
) -> impl IntoView {
    let sort = RwSignal::new((0usize, true));
    let opened: Opened = RwSignal::new(HashMap::new());
    // A refresh keeps expanded rows open; rows that left the list close.
    Effect::new(move |_| {
        let keys: HashSet<String> = table
            .get()
            .map(|t| t.rows.into_iter().map(|r| r.key).collect())
            .unwrap_or_default();
        if opened.with_untracked(|m| m.keys().any(|k| !keys.contains(k))) {
            opened.update(|m| m.retain(|k, _| keys.contains(k)));
        }
    });
    let rows = Memo::new(move |_| {
        table
            .get()
            .map(|t| sorted_rows(t, &filter.get(), sort.get()))
            .unwrap_or_default()
    });
    let ctx = move || RowCtx {
        selected,
        on_context,
        on_activate,
        expand,
        expandable,
        opened,
        progress_col: table
            .get_untracked()
            .and_then(|t| t.columns.iter().position(|c| *c == "Progress")),
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><HeaderRow table sort /></thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|r| (r.key.clone(), r.cells.clone())
                        children=move |row: Row| view! { <BodyRow row ctx=ctx() /> }
                    />
                </tbody>
            </table>
            {move || match table.get() {
                None => view! { <div class="empty">"Loading…"</div> }.into_any(),
                Some(t) if t.rows.is_empty() => view! { <div class="empty">{t.empty}</div> }.into_any(),
                Some(_) if rows.get().is_empty() => {
                    view! { <div class="empty">"No items match the filter."</div> }.into_any()
                }
                Some(_) => ().into_any(),
            }}
        </div>
    }
}

/// Column headers: a click sorts by the column, a second click reverses.
#[component]
fn HeaderRow(table: Signal<Option<Table>>, sort: RwSignal<(usize, bool)>) -> impl IntoView {
    let header = move |(i, c): (usize, &&'static str)| {
        let arrow = move || match sort.get() {
            (s, true) if s == i => " ▲",
            (s, false) if s == i => " ▼",
            _ => "",
        };
        let click = move |_| sort.update(|s| *s = if s.0 == i { (i, !s.1) } else { (i, true) });
        view! { <th on:click=click>{*c}<span class="sort">{arrow}</span></th> }
    };
    let columns = move || table.get().map(|t| t.columns).unwrap_or(&[]);
    view! { <tr>{move || columns().iter().enumerate().map(header).collect_view()}</tr> }
}

#[component]
fn BodyRow(row: Row, ctx: RowCtx) -> impl IntoView {
    let key = row.key.clone();
    let (k_sel, k_ctx, k_act) = (key.clone(), key.clone(), key.clone());
    let status = row.status.unwrap_or("").to_lowercase();
    let span = row.cells.len();
    let context = move |ev: leptos::ev::MouseEvent| {
        if let Some(cb) = ctx.on_context {
            ev.prevent_default();
            ctx.selected.set(Some(k_ctx.clone()));
            cb.run((k_ctx.clone(), ev.client_x(), ev.client_y()));
        }
    };
    let activate = move |_| {
        if let Some(cb) = ctx.on_activate {
            cb.run(k_act.clone());
        }
    };
    let click_key = key.clone();
    let cells = row
        .cells
        .into_iter()
        .enumerate()
        .map(|(i, c)| cell(ctx, &key, &status, i, c))
        .collect_view();
    view! {
        <tr
            class:selected=move || ctx.selected.get().as_deref() == Some(k_sel.as_str())
            data-key=key.clone()
            on:click=move |_| ctx.selected.set(Some(click_key.clone()))
            on:contextmenu=context
            on:dblclick=activate
        >
            {cells}
        </tr>
        <SubRows ctx key span />
    }
}

/// One cell: the first carries the result icon (and the twisty of an
/// expandable row); the Progress column is a bar.
fn cell(ctx: RowCtx, key: &str, status: &str, i: usize, c: String) -> AnyView {
    let cls = if i == 0 && !status.is_empty() {
        format!("result result-{status}")
    } else {
        String::new()
    };
    let title = c.clone();
    if i == 0 && ctx.twisty() {
        let (k_open, k_toggle) = (key.to_string(), key.to_string());
        let open = move || ctx.opened.with(|m| m.contains_key(&k_open));
        let toggle = move |ev: leptos::ev::MouseEvent| {
            ev.stop_propagation();
            ctx.toggle(k_toggle.clone());
        };
        return view! {
            <td class=cls title=title>
                <span class="row-twisty" class:open=open title="Show the restore points" on:click=toggle></span>
                {c}
            </td>
        }
        .into_any();
    }
    if Some(i) == ctx.progress_col {
        let pct = c.trim_end_matches('%').parse::<u8>().unwrap_or(0).min(100);
        return view! {
            <td class="progress-cell" title=title>
                <div class="progress-wrap">
                    <div class="progress-bar small"><div class="progress-fill" style=format!("width: {pct}%")></div></div>
                    <span>{c}</span>
                </div>
            </td>
        }
        .into_any();
    }
    view! { <td class=cls title=title>{c}</td> }.into_any()
}

/// The lines under an expanded row.
#[component]
fn SubRows(ctx: RowCtx, key: String, span: usize) -> impl IntoView {
    move || {
        let lines = ctx.opened.with(|m| m.get(&key).copied())?;
        Some(view! {
            <tr class="sub-rows">
                <td colspan=span.to_string()>
                    {move || match lines.get() {
                        None => view! { <div class="sub-row empty">"Loading…"</div> }.into_any(),
                        Some(v) if v.is_empty() => view! { <div class="sub-row empty">"Nothing here."</div> }.into_any(),
                        Some(v) => v.into_iter().map(|l| view! { <div class="sub-row">{l}</div> }).collect_view().into_any(),
                    }}
                </td>
            </tr>
        })
    }
}
