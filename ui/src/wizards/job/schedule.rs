//! Schedule: daily, monthly, periodic or after another job, retries and
//! the backup window; an immediate copy picks only its permitted hours.

use super::form::{DaysChoice, JobForm, ScheduleChoice, ScheduleForm};
use super::lists::JobLists;
use super::widgets::{checkbox, choice_select, number_input, radio, retry_row};
use cairn_model::*;
use leptos::prelude::*;

/// A schedule-kind radio button.
fn kind_radio(
    f: ScheduleForm,
    id: &'static str,
    label: &'static str,
    k: ScheduleChoice,
) -> impl IntoView {
    radio(
        id,
        "sched",
        label,
        move || f.kind.get() == k,
        move || f.kind.set(k),
    )
}

fn time_input(id: &'static str, sig: RwSignal<String>) -> impl IntoView {
    view! { <input id=id type="time" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) /> }
}

#[component]
pub fn ScheduleStep(form: JobForm, lists: JobLists) -> impl IntoView {
    let f = form.schedule;
    let spec = form.spec;
    let auto = move |ev| {
        let on = event_target_checked(&ev);
        form.update(|s| s.schedule.enabled = on)
    };
    view! {
        <h2>"Schedule"</h2>
        <label class="field check"><input id="job-schedule-auto" type="checkbox" prop:checked=move || spec.get().settings.schedule.enabled on:change=auto /><span>"Run the job automatically"</span></label>
        <fieldset class="group" disabled=move || !spec.get().settings.schedule.enabled>
            <div class="sched-row">
                {kind_radio(f, "job-sched-daily", "Daily at this time:", ScheduleChoice::Daily)}
                {time_input("job-daily-time", f.daily_time)}
                {choice_select("job-days-mode", f.days_mode)}
            </div>
            {move || (f.days_mode.get() == DaysChoice::These).then(|| day_boxes(f))}
            <div class="sched-row">
                {kind_radio(f, "job-sched-monthly", "Monthly at this time:", ScheduleChoice::Monthly)}
                {time_input("job-monthly-time", f.monthly_time)}
                <span>"on day"</span>
                {choice_select("job-monthly-day", f.monthly_day)}
            </div>
            <div class="sched-row">
                {kind_radio(f, "job-sched-periodic", "Periodically every:", ScheduleChoice::Periodic)}
                {number_input("job-every", "1", f.every)}
                {choice_select("job-every-unit", f.every_unit)}
                <span class="sched-sub">
                    <label class="check">{checkbox("job-permitted", f.permitted_on)}<span>"only from"</span></label>
                    {choice_select("job-permitted-from", f.permitted_from)}<span>"to"</span>{choice_select("job-permitted-to", f.permitted_to)}
                </span>
            </div>
            <div class="sched-row">
                {kind_radio(f, "job-sched-after", "After this job:", ScheduleChoice::After)}
                {after_select(f, lists)}
            </div>
        </fieldset>
        {retry_row(f)}
        <div class="sched-row">
            <label class="check">{checkbox("job-window", f.window_on)}<span>"Terminate job if it exceeds allowed backup window: from"</span></label>
            {choice_select("job-window-from", f.window_from)}<span>"to"</span>{choice_select("job-window-to", f.window_to)}
        </div>
    }
}

/// On these days: one box per weekday.
fn day_boxes(f: ScheduleForm) -> impl IntoView {
    view! {
        <div class="days indent" id="job-days">
            {Weekday::ALL.into_iter().map(|d| {
                let toggle = move |ev| {
                    let on = event_target_checked(&ev);
                    f.days.update(|v| {
                        v.retain(|x| *x != d);
                        if on {
                            v.push(d);
                            v.sort();
                        }
                    })
                };
                view! {
                    <label class="check day"><input id=format!("job-day-{}", d.short().to_lowercase()) type="checkbox" prop:checked=move || f.days.get().contains(&d) on:change=toggle /><span>{d.short()}</span></label>
                }
            }).collect_view()}
        </div>
    }
}

/// After this job: the other backup jobs.
fn after_select(f: ScheduleForm, lists: JobLists) -> impl IntoView {
    let after = f.after_job;
    view! {
        <select id="job-after" prop:value=move || after.get() on:change=move |ev| after.set(event_target_value(&ev))>
            <option value="">"Choose a job…"</option>
            {move || lists.other_jobs.get().into_iter().map(|j| {
                let j2 = j.clone();
                view! { <option value=j.clone() selected=move || after.get() == j2>{j.clone()}</option> }
            }).collect_view()}
        </select>
    }
}

/// An immediate copy runs when points appear: any time, or only in the
/// permitted hours.
#[component]
pub fn CopyScheduleStep(form: JobForm) -> impl IntoView {
    let f = form.schedule;
    view! {
        <h2>"Schedule"</h2>
        <p class="hint">"Immediate copy: new restore points are copied as soon as they appear in the source."</p>
        <fieldset class="group">
            <legend>"Copy"</legend>
            {radio("copy-any-time", "cwin", "Any time (continuously)", move || !f.window_on.get(), move || f.window_on.set(false))}
            <div class="sched-row">
                {radio("copy-permitted", "cwin", "During the following time periods only: from", move || f.window_on.get(), move || f.window_on.set(true))}
                {choice_select("job-window-from", f.window_from)}<span>"to"</span>{choice_select("job-window-to", f.window_to)}
            </div>
        </fieldset>
        {retry_row(f)}
    }
}
