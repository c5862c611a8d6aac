//! Driving a wizard of the real window: its active step, Next to a step,
//! Next refused with a message, and fields set as typing would.

use crate::webdriver::Window;

/// The active step's label.
pub fn title(w: &Window) -> String {
    w.texts(".wizard-step.active").join("")
}

/// The steps' labels.
pub fn steps(w: &Window) -> Vec<String> {
    w.texts(".wizard-step")
}

/// Next, then waits for `step` (the refusal, if any, is in the panic).
pub fn next_to(w: &Window, step: &str) {
    w.click_on("#wiz-next");
    w.wait_until(&format!("step {step} ({:?})", w.texts(".wiz-error")), |w| {
        title(w) == step
    });
}

/// Next, then waits for a refusal containing `words`.
pub fn refused(w: &Window, what: &str, words: &str) {
    w.click_on("#wiz-next");
    w.wait_until(what, |w| w.texts(".wiz-error").join(" ").contains(words));
}

/// Sets a field's value as editing it would (WebDriver's clear fires no
/// input event in WebKit).
pub fn set_value(w: &Window, css: &str, v: &str) {
    w.wait_for(css);
    w.script(&format!(
        "const t = document.querySelector({}); t.value = {}; t.dispatchEvent(new Event('input', {{bubbles: true}})); return true",
        serde_json::to_string(css).expect("json"),
        serde_json::to_string(v).expect("json")
    ));
}
