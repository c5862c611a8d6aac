//! The inventory tree of the current view.

use crate::views::Node;
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn InventoryTree(
    roots: Signal<&'static [Node]>,
    selected: RwSignal<Node>,
    expanded: RwSignal<HashSet<Node>>,
    /// Right-click on a node: (node, x, y).
    on_context: Callback<(Node, i32, i32)>,
) -> impl IntoView {
    view! {
        <ul class="tree" role="tree">
            {move || roots.get().iter().map(|n| view! { <TreeNode node=*n selected expanded on_context depth=0 /> }).collect_view()}
        </ul>
    }
}

#[component]
fn TreeNode(
    node: Node,
    selected: RwSignal<Node>,
    expanded: RwSignal<HashSet<Node>>,
    on_context: Callback<(Node, i32, i32)>,
    depth: usize,
) -> AnyView {
    let has_children = !node.children().is_empty();
    let is_open = move || expanded.with(|e| e.contains(&node));
    let toggle = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        expanded.update(|e| {
            if !e.remove(&node) {
                e.insert(node);
            }
        });
    };
    let pad = format!("padding-left: {}px", 8 + depth * 16);
    view! {
        <li role="treeitem">
            <div
                class="tree-node"
                class:selected=move || selected.get() == node
                data-node=node.id()
                style=pad
                on:click=move |_| selected.set(node)
                on:contextmenu=move |ev: leptos::ev::MouseEvent| {
                    ev.prevent_default();
                    selected.set(node);
                    on_context.run((node, ev.client_x(), ev.client_y()));
                }
                on:dblclick=move |_| {
                    if has_children {
                        expanded.update(|e| {
                            if !e.remove(&node) {
                                e.insert(node);
                            }
                        })
                    }
                }
            >
                {if has_children {
                    view! {
                        <span class="twisty" data-twisty=node.id() on:click=toggle>
                            {move || if is_open() { "▾" } else { "▸" }}
                        </span>
                    }
                        .into_any()
                } else {
                    view! { <span class="twisty"></span> }.into_any()
                }}
                <span class=format!("glyph {}", node.icon())></span>
                <span class="label">{node.label()}</span>
            </div>
            <Show when=move || has_children && is_open()>
                <ul role="group">
                    {node
                        .children()
                        .iter()
                        .map(|c| view! { <TreeNode node=*c selected expanded on_context depth=depth + 1 /> })
                        .collect_view()}
                </ul>
            </Show>
        </li>
    }
    .into_any()
}
