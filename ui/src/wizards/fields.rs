//! Form fields more than one wizard uses.

use leptos::prelude::*;

/// A labelled text field bound to `sig` (`kind`: the input type).
pub fn text_field(
    id: &'static str,
    label: &'static str,
    sig: RwSignal<String>,
    kind: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label class="field" for=id>
            <span>{label}</span>
            <input id=id type=kind placeholder=hint autocomplete="off" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
        </label>
    }
}

/// Enter in a field that adds to a list adds (its button), not Next.
pub fn keep_enter(ev: leptos::ev::KeyboardEvent) {
    if ev.key() == "Enter" {
        ev.stop_propagation();
        ev.prevent_default();
    }
}
