//! The wizard window: steps on the left (current highlighted, later ones
//! reachable only through Next), the page on the right, Back / Next /
//! Finish / Cancel below. Enter = Next, Esc = Cancel. A refusal shows
//! until the page is edited.

use leptos::prelude::*;

#[component]
pub fn WizardFrame(
    title: String,
    steps: Signal<Vec<&'static str>>,
    current: RwSignal<usize>,
    busy: Signal<bool>,
    error: Signal<Option<String>>,
    next_label: Signal<&'static str>,
    on_next: Callback<()>,
    on_back: Callback<()>,
    on_cancel: Callback<()>,
    can_back: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" if !busy.get_untracked() => {
            ev.prevent_default();
            on_next.run(());
        }
        "Escape" => {
            ev.prevent_default();
            on_cancel.run(());
        }
        _ => {}
    };
    // A refusal stays until the user edits the page, then it is out of date.
    let edited = RwSignal::new(false);
    Effect::new(move |_| {
        error.track();
        edited.set(false);
    });
    let edit = move |_| edited.set(true);
    view! {
        <div class="modal-backdrop">
            <div class="wizard" role="dialog" aria-label=title.clone() on:keydown=keydown>
                <header class="wizard-title">{title.clone()}</header>
                <div class="wizard-body">
                    <ol class="wizard-steps">
                        {move || {
                            steps
                                .get()
                                .into_iter()
                                .enumerate()
                                .map(|(i, s)| {
                                    view! {
                                        <li class=move || {
                                            let c = current.get();
                                            if c == i { "wizard-step active" } else if c > i { "wizard-step done" } else { "wizard-step" }
                                        }>
                                            {s}
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ol>
                    <div class="wizard-page" on:input=edit on:change=edit>
                        {children()}
                        {move || error.get().filter(|_| !edited.get()).map(|e| view! { <div class="wiz-error" role="alert">{e}</div> })}
                    </div>
                </div>
                <footer class="wizard-buttons">
                    {move || busy.get().then(|| view! { <span class="wiz-busy">"Working…"</span> })}
                    <button id="wiz-back" disabled=move || !can_back.get() || busy.get() on:click=move |_| on_back.run(())>"< Back"</button>
                    <button id="wiz-next" class="primary" disabled=move || busy.get() on:click=move |_| on_next.run(())>
                        {move || next_label.get()}
                    </button>
                    <button id="wiz-cancel" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </footer>
            </div>
        </div>
    }
}

/// The bar Cancel shows before a wizard discards what was entered: `text`,
/// then the discard button (`#wiz-discard`) and a button to go on.
#[component]
pub fn ConfirmDiscard(
    show: RwSignal<bool>,
    text: &'static str,
    discard: &'static str,
    keep: &'static str,
    on_discard: Callback<()>,
) -> impl IntoView {
    move || {
        show.get().then(|| {
            view! {
                <div class="confirm-bar">
                    {text}
                    <button id="wiz-discard" on:click=move |_| on_discard.run(())>{discard}</button>
                    <button on:click=move |_| show.set(false)>{keep}</button>
                </div>
            }
        })
    }
}

/// The Apply page: what Apply did, line by line (`#apply-log`).
#[component]
pub fn ApplyLog(log: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <h2>"Apply"</h2>
        <ul class="apply-log" id="apply-log">
            {move || log.get().into_iter().map(|l| view! { <li class="log-success">{l}</li> }).collect_view()}
        </ul>
    }
}
