//! The working-area list: sortable by any column, filtered as you type.

use leptos::prelude::*;

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
    let opened = RwSignal::new(std::collections::HashMap::<
        String,
        RwSignal<Option<Vec<String>>>,
    >::new());
    // A refresh keeps expanded rows open; rows that left the list close.
    Effect::new(move |_| {
        let keys: std::collections::HashSet<String> = table
            .get()
            .map(|t| t.rows.into_iter().map(|r| r.key).collect())
            .unwrap_or_default();
        if opened.with_untracked(|m| m.keys().any(|k| !keys.contains(k))) {
            opened.update(|m| m.retain(|k, _| keys.contains(k)));
        }
    });
    let rows = Memo::new(move |_| {
        let Some(t) = table.get() else {
            return Vec::new();
        };
        let f = filter.get().to_lowercase();
        let mut rows: Vec<Row> = t
            .rows
            .into_iter()
            .filter(|r| f.is_empty() || r.cells.iter().any(|c| c.to_lowercase().contains(&f)))
            .collect();
        let (col, asc) = sort.get();
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
    });
    let columns = move || table.get().map(|t| t.columns).unwrap_or(&[]);
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead>
                    <tr>
                        {move || {
                            columns()
                                .iter()
                                .enumerate()
                                .map(|(i, c)| {
                                    let arrow = move || match sort.get() {
                                        (s, true) if s == i => " ▲",
                                        (s, false) if s == i => " ▼",
                                        _ => "",
                                    };
                                    view! {
                                        <th on:click=move |_| sort.update(|s| *s = if s.0 == i { (i, !s.1) } else { (i, true) })>
                                            {*c}
                                            <span class="sort">{arrow}</span>
                                        </th>
                                    }
                                })
                                .collect_view()
                        }}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|r| (r.key.clone(), r.cells.clone())
                        children=move |r: Row| {
                            let key = r.key.clone();
                            let k2 = key.clone();
                            let k3 = key.clone();
                            let k4 = key.clone();
                            let status = r.status.unwrap_or("").to_lowercase();
                            let progress_col = table
                                .get_untracked()
                                .and_then(|t| t.columns.iter().position(|c| *c == "Progress"));
                            let span = r.cells.len();
                            let k5 = key.clone();
                            let k6 = key.clone();
                            let is_open = move || opened.with(|m| m.contains_key(&k5));
                            let toggle = move |ev: leptos::ev::MouseEvent| {
                                ev.stop_propagation();
                                let Some(cb) = expand else { return };
                                let k = k6.clone();
                                if opened.with_untracked(|m| m.contains_key(&k)) {
                                    opened.update(|m| { m.remove(&k); });
                                } else {
                                    let lines = RwSignal::new(None);
                                    opened.update(|m| { m.insert(k.clone(), lines); });
                                    cb.run((k, lines));
                                }
                            };
                            let k7 = key.clone();
                            let sub = move || {
                                let lines = opened.with(|m| m.get(&k7).copied())?;
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
                            };
                            view! {
                                <tr
                                    class:selected=move || selected.get().as_deref() == Some(k2.as_str())
                                    data-key=key.clone()
                                    on:click=move |_| selected.set(Some(key.clone()))
                                    on:contextmenu=move |ev: leptos::ev::MouseEvent| {
                                        if let Some(cb) = on_context {
                                            ev.prevent_default();
                                            selected.set(Some(k3.clone()));
                                            cb.run((k3.clone(), ev.client_x(), ev.client_y()));
                                        }
                                    }
                                    on:dblclick=move |_| {
                                        if let Some(cb) = on_activate {
                                            cb.run(k4.clone());
                                        }
                                    }
                                >
                                    {r
                                        .cells
                                        .into_iter()
                                        .enumerate()
                                        .map(|(i, c)| {
                                            let cls = if i == 0 && !status.is_empty() {
                                                format!("result result-{status}")
                                            } else {
                                                String::new()
                                            };
                                            let title = c.clone();
                                            if i == 0 && expand.is_some() && expandable.is_none_or(|e| e.get_untracked()) {
                                                let open = is_open.clone();
                                                return view! {
                                                    <td class=cls title=title>
                                                        <span class="row-twisty" class:open=open title="Show the restore points" on:click=toggle.clone()></span>
                                                        {c}
                                                    </td>
                                                }.into_any();
                                            }
                                            if Some(i) == progress_col {
                                                let pct = c.trim_end_matches('%').parse::<u8>().unwrap_or(0).min(100);
                                                return view! {
                                                    <td class="progress-cell" title=title>
                                                        <div class="progress-wrap">
                                                            <div class="progress-bar small"><div class="progress-fill" style=format!("width: {pct}%")></div></div>
                                                            <span>{c}</span>
                                                        </div>
                                                    </td>
                                                }.into_any();
                                            }
                                            view! { <td class=cls title=title>{c}</td> }.into_any()
                                        })
                                        .collect_view()}
                                </tr>
                                {sub}
                            }
                        }
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
