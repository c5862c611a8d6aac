//! Choosing an encryption password from Manage Passwords, or adding one
//! (it goes to the OS keyring; only its name is kept).

use crate::api::call;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A select of the stored passwords with Add…; `prefix` makes the element
/// ids (`{prefix}-password`, `{prefix}-password-new`, `{prefix}-new-password`…).
#[component]
pub fn PasswordPicker(
    prefix: &'static str,
    selected: Signal<Option<String>>,
    on_select: Callback<Option<String>>,
    error: RwSignal<Option<String>>,
    /// Why the password is stored (the entry's description).
    purpose: &'static str,
) -> impl IntoView {
    let passwords = RwSignal::new(Vec::<CredentialRow>::new());
    let adding = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());
    let new_pw = RwSignal::new(String::new());
    let new_hint = RwSignal::new(String::new());
    let load = move || {
        spawn_local(async move {
            if let Ok(c) = call(&ListCredentials {}).await {
                passwords.set(
                    c.into_iter()
                        .filter(|c| c.kind == CredentialKind::Password)
                        .collect(),
                );
            }
        })
    };
    load();
    let add = move |_| {
        let name = new_name.get_untracked().trim().to_string();
        let secret = new_pw.get_untracked();
        let hint = new_hint.get_untracked();
        spawn_local(async move {
            let r = call(&PutCredential {
                name: name.clone(),
                kind: CredentialKind::Password,
                identity: String::new(),
                secret: Secret(secret),
                description: purpose.into(),
                hint,
            })
            .await;
            match r {
                Ok(()) => {
                    new_pw.set(String::new());
                    adding.set(false);
                    on_select.run(Some(name));
                    load();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <div class="field inline indent">
            <span>"Password:"</span>
            <select id=format!("{prefix}-password") on:change=move |ev| on_select.run(Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                <option value="">"Choose a password…"</option>
                {move || passwords.get().into_iter().map(|p| {
                    let n = p.name.clone();
                    let n2 = n.clone();
                    view! { <option value=n.clone() selected=move || selected.get().as_deref() == Some(n2.as_str())>{if p.hint.is_empty() { p.name.clone() } else { format!("{} (hint: {})", p.name, p.hint) }}</option> }
                }).collect_view()}
            </select>
            <button id=format!("{prefix}-password-new") on:click=move |_| adding.update(|a| *a = !*a)>"Add…"</button>
        </div>
        {move || adding.get().then(|| view! {
            <div class="picker" id="password-add">
                <input id=format!("{prefix}-new-password-name") type="text" placeholder="Name" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <input id=format!("{prefix}-new-password") type="password" placeholder="Password" autocomplete="new-password" prop:value=move || new_pw.get() on:input=move |ev| new_pw.set(event_target_value(&ev)) />
                <input id=format!("{prefix}-new-password-hint") type="text" placeholder="Hint (never the password)" prop:value=move || new_hint.get() on:input=move |ev| new_hint.set(event_target_value(&ev)) />
                <button id=format!("{prefix}-new-password-ok") on:click=add>"Save"</button>
                <p class="hint">"Stored in the OS keyring. Lose it and the backups cannot be restored."</p>
            </div>
        })}
    }
}
