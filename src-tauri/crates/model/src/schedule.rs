//! When a job runs by itself: the Schedule step of the job wizards.
//! Times are local wall-clock times of the computer that runs the scheduler.

use serde::{Deserialize, Serialize};

/// A day of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// All days, Monday first.
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];
    /// Monday = 0 … Sunday = 6.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The English name.
    pub fn label(self) -> &'static str {
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ][self.index()]
    }
    /// Three-letter name.
    pub fn short(self) -> &'static str {
        &self.label()[..3]
    }
}

/// Which day of the month a monthly schedule runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MonthDay {
    /// Day N (1–31); in shorter months the last day.
    Day {
        /// 1–31.
        day: u8,
    },
    /// The last day of the month.
    Last,
    /// The first … fourth or last given weekday (`week` 1–4, 5 = last).
    Weekday {
        /// 1–4, or 5 for the last.
        week: u8,
        /// Which day.
        weekday: Weekday,
    },
}

/// Unit of a periodic schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Every N minutes.
    Minutes,
    /// Every N hours.
    Hours,
}

/// Hours of the week something is permitted in: bit `h` of `days[d]` is
/// hour h:00–h:59 of weekday d (Monday = 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekHours {
    /// One 24-bit mask per weekday, Monday first.
    pub days: [u32; 7],
}

impl WeekHours {
    /// Every hour of every day.
    pub const ALWAYS: WeekHours = WeekHours {
        days: [0x00FF_FFFF; 7],
    };
    /// True when hour `hour` of `day` is permitted.
    pub fn allows(&self, day: Weekday, hour: u8) -> bool {
        hour < 24 && self.days[day.index()] & (1 << hour) != 0
    }
    /// Permits or denies one hour.
    pub fn set(&mut self, day: Weekday, hour: u8, allowed: bool) {
        if hour < 24 {
            if allowed {
                self.days[day.index()] |= 1 << hour;
            } else {
                self.days[day.index()] &= !(1 << hour);
            }
        }
    }
    /// Number of permitted hours in the week.
    pub fn count(&self) -> u32 {
        self.days
            .iter()
            .map(|d| (d & 0x00FF_FFFF).count_ones())
            .sum()
    }
    /// Every hour of the listed days between `from` (inclusive) and `to`
    /// (exclusive, 24 = midnight; `to` < `from` wraps past midnight).
    pub fn hours(days: &[Weekday], from: u8, to: u8) -> WeekHours {
        let mut w = WeekHours { days: [0; 7] };
        for d in days {
            for h in 0..24u8 {
                let inside = if from <= to {
                    h >= from && h < to
                } else {
                    h >= from || h < to
                };
                if inside {
                    w.set(*d, h, true);
                }
            }
        }
        w
    }
}

impl Default for WeekHours {
    fn default() -> Self {
        Self::ALWAYS
    }
}

/// The kinds of automatic start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ScheduleKind {
    /// Daily at `time` on the listed days.
    Daily {
        /// "HH:MM", local time.
        time: String,
        /// Days it runs on; all seven = every day.
        days: Vec<Weekday>,
    },
    /// Monthly at `time` on `day` of the listed months (1–12; all = every month).
    Monthly {
        /// "HH:MM", local time.
        time: String,
        /// Which day.
        day: MonthDay,
        /// Months 1–12 it runs in.
        months: Vec<u8>,
    },
    /// Every N minutes or hours, counted from midnight, in permitted hours.
    Periodic {
        /// N.
        every: u32,
        /// Minutes or hours.
        unit: PeriodUnit,
        /// Hours starts are permitted in.
        permitted: WeekHours,
    },
    /// Right after another job finishes.
    After {
        /// Name of the job this one follows.
        job: String,
    },
}

impl Default for ScheduleKind {
    fn default() -> Self {
        Self::Daily {
            time: "22:00".into(),
            days: Weekday::ALL.to_vec(),
        }
    }
}

/// Automatic retry of a failed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// Retry at all.
    pub enabled: bool,
    /// How many times.
    pub times: u32,
    /// Minutes between attempts.
    pub wait_minutes: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            enabled: true,
            times: 3,
            wait_minutes: 10,
        }
    }
}

/// A job's schedule as the Schedule step sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Schedule {
    /// "Run the job automatically"; off = only manual runs.
    pub enabled: bool,
    /// When.
    pub kind: ScheduleKind,
    /// Retry of failed runs (scheduled runs only).
    pub retry: Retry,
    /// "Terminate job if it exceeds allowed backup window".
    pub window: Option<WeekHours>,
}

fn days_words(days: &[Weekday]) -> String {
    let mut d = days.to_vec();
    d.sort();
    d.dedup();
    if d.len() == 7 {
        "every day".into()
    } else if d == Weekday::ALL[..5] {
        "on weekdays".into()
    } else {
        format!(
            "on {}",
            d.iter().map(|d| d.short()).collect::<Vec<_>>().join(", ")
        )
    }
}

impl Schedule {
    /// The schedule in words, for lists and the Summary step.
    pub fn describe(&self) -> String {
        if !self.enabled {
            return "Not scheduled (runs only when started)".into();
        }
        let mut s = match &self.kind {
            ScheduleKind::Daily { time, days } => format!("Daily at {time} {}", days_words(days)),
            ScheduleKind::Monthly { time, day, months } => {
                let which = match day {
                    MonthDay::Day { day } => format!("on day {day}"),
                    MonthDay::Last => "on the last day".into(),
                    MonthDay::Weekday { week, weekday } => format!(
                        "on the {} {}",
                        ["first", "second", "third", "fourth", "last"]
                            [(*week).clamp(1, 5) as usize - 1],
                        weekday.label()
                    ),
                };
                let months = if months.len() >= 12 {
                    String::new()
                } else {
                    format!(
                        " of {}",
                        months
                            .iter()
                            .map(|m| month_name(*m))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                format!("Monthly at {time} {which}{months}")
            }
            ScheduleKind::Periodic {
                every,
                unit,
                permitted,
            } => {
                let u = match unit {
                    PeriodUnit::Minutes => "minute",
                    PeriodUnit::Hours => "hour",
                };
                let plural = if *every == 1 { "" } else { "s" };
                let limits = if permitted.count() < 7 * 24 {
                    " in permitted hours"
                } else {
                    ""
                };
                format!("Every {every} {u}{plural}{limits}")
            }
            ScheduleKind::After { job } => format!("After job {job}"),
        };
        if self.retry.enabled {
            s.push_str(&format!(
                "; retry failed runs {} time(s) every {} min",
                self.retry.times, self.retry.wait_minutes
            ));
        }
        if self.window.is_some() {
            s.push_str("; terminated outside the backup window");
        }
        s
    }
}

/// "January" … "December" for 1–12.
pub fn month_name(m: u8) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .get((m as usize).wrapping_sub(1))
    .copied()
    .unwrap_or("?")
}
