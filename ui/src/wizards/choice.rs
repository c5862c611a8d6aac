//! Selects over typed choices: an enum says what it offers, its option
//! values (stable: the window tests set them) and labels; the select
//! hands back the enum, never a string.

use leptos::prelude::*;

/// A value a `<select>` offers: every choice, its option value (what the
/// window tests set) and its label.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    fn all() -> Vec<Self>;
    fn value(self) -> String;
    fn label(self) -> String;
}

/// A `<select>` over every `T`, bound to `sig`.
pub fn choice_select<T: Choice>(id: &'static str, sig: RwSignal<T>) -> impl IntoView {
    choice_select_by(id, T::all(), move || sig.get(), move |c| sig.set(c))
}

/// A `<select>` over `options` showing `get` and calling `set` on a change.
pub fn choice_select_by<T: Choice>(
    id: &'static str,
    options: Vec<T>,
    get: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: impl Fn(T) + 'static,
) -> impl IntoView {
    let change = move |ev| {
        let v = event_target_value(&ev);
        if let Some(c) = T::all().into_iter().find(|c| c.value() == v) {
            set(c)
        }
    };
    view! {
        <select id=id prop:value=move || get().value() on:change=change>
            {options.into_iter().map(|c| view! {
                <option value=c.value() selected=move || get() == c>{c.label()}</option>
            }).collect_view()}
        </select>
    }
}
