//! Schedule arithmetic: the next start of a job, whether a moment is inside
//! its backup window, and when the window closes. Everything works in the
//! wall-clock time of a time zone (the system's for the scheduler), so a
//! daily 22:00 job stays at 22:00 across daylight-saving changes: a start in
//! a skipped hour moves to the same minute after the jump, and a start in a
//! repeated hour runs once, at its first occurrence.

use crate::error::{Error, Result};
use cairn_model::{MonthDay, PeriodUnit, Schedule, ScheduleKind, WeekHours, Weekday};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// How far ahead a start is looked for (covers a yearly-only monthly
/// schedule on day 31 and leap days).
const HORIZON_DAYS: i32 = 3 * 366;

/// Parses "HH:MM" (24-hour).
pub fn parse_time(s: &str) -> Result<(i8, i8)> {
    let bad = || {
        Error::invalid(format!(
            "\"{s}\" is not a time of day; write it as HH:MM, for example 22:00"
        ))
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: i8 = h.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok((h, m))
}

fn weekday(d: jiff::civil::Weekday) -> Weekday {
    Weekday::ALL[d.to_monday_zero_offset() as usize]
}

/// True when `t` is inside the permitted hours.
pub fn allows(w: &WeekHours, t: &Zoned) -> bool {
    w.allows(weekday(t.weekday()), t.hour() as u8)
}

/// The first moment after `t` that is outside the permitted hours (the
/// start of the first denied hour); None when every hour is permitted.
pub fn window_end(w: &WeekHours, t: &Zoned) -> Option<Zoned> {
    if w.count() >= 7 * 24 {
        return None;
    }
    let mut hour = t.with().minute(0).second(0).nanosecond(0).build().ok()?;
    for _ in 0..(8 * 24 + 2) {
        hour = hour.checked_add(jiff::Span::new().hours(1)).ok()?;
        if !allows(w, &hour) {
            return Some(hour);
        }
    }
    None
}

fn at(date: Date, h: i8, m: i8, tz: &TimeZone) -> Option<Zoned> {
    date.to_datetime(Time::new(h, m, 0, 0).ok()?)
        .to_zoned(tz.clone())
        .ok()
}

fn month_day(date: Date, day: MonthDay) -> Option<Date> {
    let first = date.first_of_month();
    match day {
        MonthDay::Day { day } => {
            let d = (day as i8).clamp(1, first.days_in_month());
            Date::new(first.year(), first.month(), d).ok()
        }
        MonthDay::Last => Some(first.last_of_month()),
        MonthDay::Weekday { week, weekday } => {
            let wd = jiff::civil::Weekday::from_monday_zero_offset(weekday.index() as i8).ok()?;
            let nth = if week >= 5 { -1 } else { week.max(1) as i8 };
            first.nth_weekday_of_month(nth, wd).ok()
        }
    }
}

/// Candidate starts of `kind` on `date`, in order (periodic kinds have many).
fn starts_on(kind: &ScheduleKind, date: Date, tz: &TimeZone) -> Vec<Zoned> {
    match kind {
        ScheduleKind::Daily { time, days } => {
            let Ok((h, m)) = parse_time(time) else {
                return Vec::new();
            };
            if !days.contains(&weekday(date.weekday())) {
                return Vec::new();
            }
            at(date, h, m, tz).into_iter().collect()
        }
        ScheduleKind::Monthly { time, day, months } => {
            let Ok((h, m)) = parse_time(time) else {
                return Vec::new();
            };
            if !months.contains(&(date.month() as u8)) || month_day(date, *day) != Some(date) {
                return Vec::new();
            }
            at(date, h, m, tz).into_iter().collect()
        }
        ScheduleKind::Periodic {
            every,
            unit,
            permitted,
        } => {
            let step = match unit {
                PeriodUnit::Minutes => *every,
                PeriodUnit::Hours => every.saturating_mul(60),
            } as i32;
            if step == 0 {
                return Vec::new();
            }
            (0..)
                .map(|k| k * step)
                .take_while(|m| *m < 24 * 60)
                .filter_map(|m| at(date, (m / 60) as i8, (m % 60) as i8, tz))
                .filter(|z| allows(permitted, z))
                .collect()
        }
        ScheduleKind::After { .. } => Vec::new(),
    }
}

/// The first start of `s` strictly after `after`, in `after`'s time zone.
/// None when the schedule is off, chained after another job, or has no
/// possible start. Starts outside the backup window are skipped.
pub fn next_run(s: &Schedule, after: &Zoned) -> Option<Zoned> {
    if !s.enabled {
        return None;
    }
    let tz = after.time_zone();
    let mut date = after.date();
    for _ in 0..HORIZON_DAYS {
        for z in starts_on(&s.kind, date, tz) {
            if z.timestamp() > after.timestamp() && s.window.is_none_or(|w| allows(&w, &z)) {
                return Some(z);
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

/// [`next_run`] in the system time zone on Unix seconds.
pub fn next_run_unix(s: &Schedule, after: i64) -> Option<i64> {
    let z = Timestamp::from_second(after)
        .ok()?
        .to_zoned(TimeZone::system());
    next_run(s, &z).map(|z| z.timestamp().as_second())
}

/// The next `count` starts after `after` (Unix seconds), system time zone.
pub fn next_runs_unix(s: &Schedule, after: i64, count: u32) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = after;
    while out.len() < count.min(50) as usize {
        match next_run_unix(s, t) {
            Some(n) => {
                out.push(n);
                t = n;
            }
            None => break,
        }
    }
    out
}

/// The latest time of day `at` ("HH:MM") at or before `now`, in `now`'s
/// time zone; None when `at` is not a time of day.
pub fn last_daily(at: &str, now: &Zoned) -> Option<Zoned> {
    let (h, m) = parse_time(at).ok()?;
    let mut date = now.date();
    for _ in 0..3 {
        // A time skipped by a clock change resolves to the hour after it.
        if let Ok(t) = date.at(h, m, 0, 0).to_zoned(now.time_zone().clone()) {
            if t.timestamp() <= now.timestamp() {
                return Some(t);
            }
        }
        date = date.yesterday().ok()?;
    }
    None
}

/// [`last_daily`] on Unix seconds, system time zone.
pub fn last_daily_unix(at: &str, now: i64) -> Option<i64> {
    let z = Timestamp::from_second(now)
        .ok()?
        .to_zoned(TimeZone::system());
    last_daily(at, &z).map(|t| t.timestamp().as_second())
}

/// [`allows`] on Unix seconds, system time zone.
pub fn allows_unix(w: &WeekHours, t: i64) -> bool {
    Timestamp::from_second(t)
        .map(|ts| allows(w, &ts.to_zoned(TimeZone::system())))
        .unwrap_or(true)
}

/// Unix seconds of the end of the backup window that `start` lies in.
pub fn window_end_unix(w: &WeekHours, start: i64) -> Option<i64> {
    let z = Timestamp::from_second(start)
        .ok()?
        .to_zoned(TimeZone::system());
    window_end(w, &z).map(|z| z.timestamp().as_second())
}

/// Checks a schedule. `jobs` gives the other jobs' names and schedules (for
/// "after this job": the job must exist and the chain must not loop back).
pub fn validate(s: &Schedule, job: &str, jobs: &[(String, Schedule)]) -> Result<()> {
    validate_retry_and_window(s)?;
    if !s.enabled {
        return Ok(());
    }
    match &s.kind {
        ScheduleKind::Daily { time, days } => {
            parse_time(time)?;
            if days.is_empty() {
                return Err(Error::invalid(
                    "the daily schedule has no day; choose at least one day",
                ));
            }
        }
        ScheduleKind::Monthly { time, day, months } => validate_monthly(time, day, months)?,
        ScheduleKind::Periodic {
            every,
            unit,
            permitted,
        } => validate_periodic(*every, *unit, permitted)?,
        ScheduleKind::After { job: first } => validate_after(first, job, jobs)?,
    }
    let mut probe = s.clone();
    probe.retry.enabled = false;
    if !matches!(s.kind, ScheduleKind::After { .. }) && next_run(&probe, &Zoned::now()).is_none() {
        return Err(Error::invalid(
            "the schedule never starts the job (its start times are all outside the backup window)",
        ));
    }
    Ok(())
}

fn validate_retry_and_window(s: &Schedule) -> Result<()> {
    if s.retry.enabled {
        if !(1..=99).contains(&s.retry.times) {
            return Err(Error::invalid(
                "automatic retry must try between 1 and 99 times",
            ));
        }
        if !(1..=1440).contains(&s.retry.wait_minutes) {
            return Err(Error::invalid(
                "wait between 1 and 1440 minutes before retrying",
            ));
        }
    }
    if s.window.is_some_and(|w| w.count() == 0) {
        return Err(Error::invalid(
            "the backup window permits no hour; permit at least one hour or turn the window off",
        ));
    }
    Ok(())
}

fn validate_monthly(time: &str, day: &MonthDay, months: &[u8]) -> Result<()> {
    parse_time(time)?;
    match day {
        MonthDay::Day { day } if !(1..=31).contains(day) => {
            return Err(Error::invalid("the day of the month must be 1 to 31"))
        }
        MonthDay::Weekday { week, .. } if !(1..=5).contains(week) => {
            return Err(Error::invalid(
                "choose the first, second, third, fourth or last week",
            ))
        }
        _ => {}
    }
    if months.is_empty() || months.iter().any(|m| !(1..=12).contains(m)) {
        return Err(Error::invalid(
            "the monthly schedule has no month; choose at least one month",
        ));
    }
    Ok(())
}

fn validate_periodic(every: u32, unit: PeriodUnit, permitted: &WeekHours) -> Result<()> {
    let (max, what) = match unit {
        PeriodUnit::Minutes => (1440, "minutes"),
        PeriodUnit::Hours => (24, "hours"),
    };
    if !(1..=max).contains(&every) {
        return Err(Error::invalid(format!("run every 1 to {max} {what}")));
    }
    if permitted.count() == 0 {
        return Err(Error::invalid(
            "the periodic schedule permits no hour; permit at least one hour",
        ));
    }
    Ok(())
}

/// "After this job": the job exists, and following the chain of
/// enabled "after" schedules never comes back to `job`.
fn validate_after(first: &str, job: &str, jobs: &[(String, Schedule)]) -> Result<()> {
    if first.trim().is_empty() {
        return Err(Error::invalid("choose the job this job runs after"));
    }
    if first.eq_ignore_ascii_case(job) {
        return Err(Error::invalid("a job cannot run after itself"));
    }
    let mut seen = vec![job.to_lowercase()];
    let mut cur = first.to_string();
    loop {
        if seen.contains(&cur.to_lowercase()) {
            return Err(Error::invalid(format!(
                "running after \"{first}\" makes a loop: {first} already runs after this job"
            )));
        }
        seen.push(cur.to_lowercase());
        let Some((_, next)) = jobs.iter().find(|(n, _)| n.eq_ignore_ascii_case(&cur)) else {
            if cur == first {
                return Err(Error::invalid(format!(
                    "there is no job named \"{first}\" to run after"
                )));
            }
            return Ok(());
        };
        match &next.kind {
            ScheduleKind::After { job } if next.enabled => cur = job.clone(),
            _ => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_model::Retry;

    fn tz() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("tz database")
    }

    fn z(s: &str) -> Zoned {
        format!("{s}[Europe/Berlin]").parse().expect("zoned time")
    }

    #[test]
    fn the_last_daily_time_is_today_once_passed_else_yesterday() {
        let at = |now: &str| last_daily("02:00", &z(now)).map(|t| t.to_string());
        assert_eq!(
            at("2026-12-03T09:00").as_deref(),
            Some("2026-12-03T02:00:00+01:00[Europe/Berlin]")
        );
        assert_eq!(
            at("2026-12-03T01:59").as_deref(),
            Some("2026-12-02T02:00:00+01:00[Europe/Berlin]")
        );
        assert_eq!(
            at("2026-12-03T02:00").as_deref(),
            Some("2026-12-03T02:00:00+01:00[Europe/Berlin]")
        );
        // 02:30 does not exist on the spring change; the hour after it stands in.
        let spring = last_daily("02:30", &z("2026-03-29T12:00")).expect("a time");
        assert_eq!(spring.date(), jiff::civil::date(2026, 3, 29));
        assert!(last_daily("25:00", &z("2026-12-03T09:00")).is_none());
    }

    fn sched(kind: ScheduleKind) -> Schedule {
        Schedule {
            enabled: true,
            kind,
            retry: Retry::default(),
            window: None,
        }
    }

    fn daily(time: &str, days: &[Weekday]) -> Schedule {
        sched(ScheduleKind::Daily {
            time: time.into(),
            days: days.to_vec(),
        })
    }

    fn next(s: &Schedule, after: &str) -> String {
        next_run(s, &z(after))
            .map(|z| z.strftime("%Y-%m-%d %H:%M %Z").to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn daily_runs_today_then_tomorrow() {
        let s = daily("22:00", &Weekday::ALL);
        assert_eq!(next(&s, "2026-11-20T10:00"), "2026-11-20 22:00 CET");
        assert_eq!(next(&s, "2026-11-20T22:00"), "2026-11-21 22:00 CET");
        // Only weekdays: Friday's run is followed by Monday's.
        let w = daily("22:00", &Weekday::ALL[..5]);
        assert_eq!(next(&w, "2026-11-20T22:30"), "2026-11-23 22:00 CET");
    }

    #[test]
    fn daily_across_daylight_saving_changes() {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        let s = daily("02:30", &Weekday::ALL);
        assert_eq!(next(&s, "2026-03-28T12:00"), "2026-03-29 03:30 CEST");
        assert_eq!(next(&s, "2026-03-29T04:00"), "2026-03-30 02:30 CEST");
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens
        // twice and the job runs once, at the first.
        let first = next_run(&s, &z("2026-10-24T12:00")).expect("a time");
        assert_eq!(
            first.strftime("%Y-%m-%d %H:%M %Z").to_string(),
            "2026-10-25 02:30 CEST"
        );
        assert_eq!(
            next_run(&s, &first)
                .expect("a time")
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string(),
            "2026-10-26 02:30 CET"
        );
        // 22:00 stays 22:00 local on both sides of the change.
        let e = daily("22:00", &Weekday::ALL);
        assert_eq!(next(&e, "2026-03-28T23:00"), "2026-03-29 22:00 CEST");
        let a = next_run(&e, &z("2026-03-28T21:00")).expect("a time");
        let b = next_run(&e, &a).expect("a time");
        assert_eq!(
            b.timestamp().as_second() - a.timestamp().as_second(),
            23 * 3600
        );
    }

    #[test]
    fn monthly_day_last_and_nth_weekday() {
        let m = |day| {
            sched(ScheduleKind::Monthly {
                time: "01:00".into(),
                day,
                months: (1..=12).collect(),
            })
        };
        assert_eq!(
            next(&m(MonthDay::Day { day: 31 }), "2026-02-01T00:00"),
            "2026-02-28 01:00 CET"
        );
        assert_eq!(
            next(&m(MonthDay::Last), "2026-04-30T02:00"),
            "2026-05-31 01:00 CEST"
        );
        let first_monday = m(MonthDay::Weekday {
            week: 1,
            weekday: Weekday::Monday,
        });
        assert_eq!(
            next(&first_monday, "2026-11-03T00:00"),
            "2026-12-07 01:00 CET"
        );
        let last_friday = m(MonthDay::Weekday {
            week: 5,
            weekday: Weekday::Friday,
        });
        assert_eq!(
            next(&last_friday, "2026-11-01T00:00"),
            "2026-11-27 01:00 CET"
        );
        // Only in June.
        let june = sched(ScheduleKind::Monthly {
            time: "01:00".into(),
            day: MonthDay::Day { day: 15 },
            months: vec![6],
        });
        assert_eq!(next(&june, "2026-07-01T00:00"), "2027-06-15 01:00 CEST");
    }

    #[test]
    fn periodic_counts_from_midnight_in_permitted_hours() {
        let every = |n, unit, permitted| {
            sched(ScheduleKind::Periodic {
                every: n,
                unit,
                permitted,
            })
        };
        let s = every(4, PeriodUnit::Hours, WeekHours::ALWAYS);
        assert_eq!(next(&s, "2026-11-20T09:10"), "2026-11-20 12:00 CET");
        assert_eq!(next(&s, "2026-11-20T20:00"), "2026-11-21 00:00 CET");
        let m = every(15, PeriodUnit::Minutes, WeekHours::ALWAYS);
        assert_eq!(next(&m, "2026-11-20T09:10"), "2026-11-20 09:15 CET");
        // Office hours only: 08:00–18:00 on weekdays.
        let office = WeekHours::hours(&Weekday::ALL[..5], 8, 18);
        let o = every(1, PeriodUnit::Hours, office);
        assert_eq!(next(&o, "2026-11-20T17:30"), "2026-11-23 08:00 CET");
        assert_eq!(next(&o, "2026-11-23T08:00"), "2026-11-23 09:00 CET");
        // The skipped hour of spring: 02:00 becomes 03:00, run once.
        let h = every(1, PeriodUnit::Hours, WeekHours::ALWAYS);
        assert_eq!(next(&h, "2026-03-29T01:00"), "2026-03-29 03:00 CEST");
        assert_eq!(next(&h, "2026-03-29T03:00"), "2026-03-29 04:00 CEST");
    }

    #[test]
    fn window_skips_starts_and_ends_runs() {
        let mut s = daily("22:00", &Weekday::ALL);
        // Nights only (20:00–06:00), but not Saturday.
        let mut w = WeekHours::hours(&Weekday::ALL, 20, 6);
        for h in 0..24 {
            w.set(Weekday::Saturday, h, false);
        }
        s.window = Some(w);
        // Friday 22:00 runs; Saturday 22:00 is outside; next is Sunday.
        assert_eq!(next(&s, "2026-11-20T10:00"), "2026-11-20 22:00 CET");
        assert_eq!(next(&s, "2026-11-20T23:00"), "2026-11-22 22:00 CET");
        // A run started Sunday 22:00 must end Monday 06:00.
        let end = window_end(&w, &z("2026-11-22T22:00")).expect("a time");
        assert_eq!(end.strftime("%a %H:%M").to_string(), "Mon 06:00");
        // Friday night runs into Saturday, which is closed: ends at midnight.
        let end = window_end(&w, &z("2026-11-20T22:00")).expect("a time");
        assert_eq!(end.strftime("%a %H:%M").to_string(), "Sat 00:00");
        assert!(window_end(&WeekHours::ALWAYS, &z("2026-11-20T22:00")).is_none());
        assert!(allows(&w, &z("2026-11-20T05:59")));
        assert!(!allows(&w, &z("2026-11-20T06:00")));
    }

    #[test]
    fn off_and_chained_schedules_have_no_time() {
        let mut s = daily("22:00", &Weekday::ALL);
        s.enabled = false;
        assert_eq!(next(&s, "2026-11-20T10:00"), "none");
        let a = sched(ScheduleKind::After { job: "A".into() });
        assert_eq!(next(&a, "2026-11-20T10:00"), "none");
        let _ = tz();
    }

    #[test]
    fn validation_says_what_is_wrong() {
        let msg = |s: &Schedule, jobs: &[(String, Schedule)]| {
            validate(s, "B", jobs).expect_err("refused").to_string()
        };
        assert!(msg(&daily("22:00", &[]), &[]).contains("no day"));
        assert!(msg(&daily("25:00", &Weekday::ALL), &[]).contains("HH:MM"));
        let none = sched(ScheduleKind::Periodic {
            every: 2,
            unit: PeriodUnit::Hours,
            permitted: WeekHours { days: [0; 7] },
        });
        assert!(msg(&none, &[]).contains("no hour"));
        let zero = sched(ScheduleKind::Periodic {
            every: 0,
            unit: PeriodUnit::Minutes,
            permitted: WeekHours::ALWAYS,
        });
        assert!(msg(&zero, &[]).contains("1 to 1440"));
        let after = |j: &str| sched(ScheduleKind::After { job: j.into() });
        assert!(msg(&after("B"), &[]).contains("itself"));
        assert!(msg(&after("X"), &[]).contains("no job named"));
        // A after B, and now B after A: a loop.
        let jobs = vec![("A".to_string(), after("B"))];
        assert!(msg(&after("A"), &jobs).contains("loop"));
        // A is daily: B after A is fine.
        let jobs = vec![("A".to_string(), daily("22:00", &Weekday::ALL))];
        validate(&after("A"), "B", &jobs).expect("a time");
        let mut r = daily("22:00", &Weekday::ALL);
        r.retry.times = 0;
        assert!(msg(&r, &[]).contains("retry"));
        // Every start outside the window.
        let mut w = daily("12:00", &Weekday::ALL);
        w.window = Some(WeekHours::hours(&Weekday::ALL, 20, 6));
        assert!(msg(&w, &[]).contains("never starts"));
    }
}
