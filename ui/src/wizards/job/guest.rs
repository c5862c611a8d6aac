//! Guest Processing (servers and clusters): the pre- and post-job scripts.

use super::form::JobForm;
use leptos::prelude::*;

#[component]
pub fn GuestProcessingStep(form: JobForm) -> impl IntoView {
    let g = form.guest;
    view! {
        <h2>"Guest Processing"</h2>
        <p class="hint">"Scripts on the computer: the pre-job script runs before the backup (its failure fails the run), the post-job script after it (its failure is a warning)."</p>
        <label class="field" for="job-pre-script"><span>"Pre-job script:"</span><input id="job-pre-script" type="text" placeholder="/usr/local/bin/freeze-db.sh" prop:value=move || g.pre_script.get() on:input=move |ev| g.pre_script.set(event_target_value(&ev)) /></label>
        <label class="field" for="job-post-script"><span>"Post-job script:"</span><input id="job-post-script" type="text" placeholder="/usr/local/bin/thaw-db.sh" prop:value=move || g.post_script.get() on:input=move |ev| g.post_script.set(event_target_value(&ev)) /></label>
    }
}
