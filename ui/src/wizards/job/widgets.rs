//! Small pieces the job wizard's steps share: radio buttons, the hours
//! and units its selects offer, the retry row, and parsing of typed numbers and lists.

use super::form::ScheduleForm;
pub use crate::wizards::choice::{choice_select, choice_select_by, Choice};
pub use crate::wizards::fields::keep_enter;
use cairn_model::*;
use leptos::prelude::*;

/// An hour of the day, 0–24 (24 = the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hour(pub u8);

impl Choice for Hour {
    fn all() -> Vec<Self> {
        (0..=24).map(Hour).collect()
    }
    fn value(self) -> String {
        self.0.to_string()
    }
    fn label(self) -> String {
        format!("{:02}:00", self.0)
    }
}

impl Choice for PeriodUnit {
    fn all() -> Vec<Self> {
        vec![PeriodUnit::Hours, PeriodUnit::Minutes]
    }
    fn value(self) -> String {
        self.label()
    }
    fn label(self) -> String {
        match self {
            PeriodUnit::Hours => "hours",
            PeriodUnit::Minutes => "minutes",
        }
        .into()
    }
}

impl Choice for Compression {
    fn all() -> Vec<Self> {
        Compression::ALL.to_vec()
    }
    fn value(self) -> String {
        Compression::label(self).into()
    }
    fn label(self) -> String {
        Compression::label(self).into()
    }
}

/// A radio button with its label.
pub fn radio(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    on: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <label class="field check radio">
            <input id=id type="radio" name=name prop:checked=checked on:change=move |_| on() />
            <span>{label}</span>
        </label>
    }
}

/// A checkbox bound to `sig`.
pub fn checkbox(id: &'static str, sig: RwSignal<bool>) -> impl IntoView {
    view! {
        <input id=id type="checkbox" prop:checked=move || sig.get() on:change=move |ev| sig.set(event_target_checked(&ev)) />
    }
}

/// A short number field kept as typed (parsed when the step is left).
pub fn number_input(id: &'static str, min: &'static str, sig: RwSignal<String>) -> impl IntoView {
    view! {
        <input id=id class="short" type="number" min=min prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
    }
}

/// "Automatic retry: retry failed job N times, waiting M minutes".
pub fn retry_row(f: ScheduleForm) -> impl IntoView {
    view! {
        <div class="sched-row">
            <label class="check">{checkbox("job-retry", f.retry_on)}<span>"Automatic retry: retry failed job"</span></label>
            {number_input("job-retry-times", "1", f.retry_times)}
            <span>"times, waiting"</span>
            {number_input("job-retry-wait", "1", f.retry_wait)}
            <span>"minutes"</span>
        </div>
    }
}

/// Comma- or line-separated entries, trimmed, empty ones dropped.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// A typed whole number, or what to do about it.
pub fn num(s: &str, what: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what}: enter a whole number"))
}
