//! Backup Cache (policies): where restore points wait on the computer
//! while the target cannot be reached, and how much they may take.

use super::form::JobForm;
use super::widgets::number_input;
use leptos::prelude::*;

#[component]
pub fn BackupCacheStep(form: JobForm) -> impl IntoView {
    let c = form.cache;
    let spec = form.spec;
    let enable = move |ev| {
        let on = event_target_checked(&ev);
        form.update(|s| s.cache.enabled = on)
    };
    view! {
        <h2>"Backup Cache"</h2>
        <label class="field check"><input id="job-cache" type="checkbox" prop:checked=move || spec.get().settings.cache.enabled on:change=enable /><span>"Enable backup cache (restore points wait on the computer while the target is unreachable)"</span></label>
        <label class="field" for="job-cache-location"><span>"Location:"</span><input id="job-cache-location" type="text" prop:value=move || c.location.get() on:input=move |ev| c.location.set(event_target_value(&ev)) /></label>
        <span class="field inline"><span>"Maximum size:"</span>{number_input("job-cache-size", "1", c.size_gb)}<span>"GB"</span></span>
    }
}
