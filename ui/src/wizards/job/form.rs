//! The job wizard's form: the spec being built, plus the fields a user
//! types (kept as typed until the step is left) and the choices the
//! steps offer, each as an enum. `collect` reads one step into the spec.

use super::widgets::{num, split_list, Choice, Hour};
use cairn_model::*;
use leptos::prelude::*;

/// Everything the wizard's steps edit. All fields are signals, so the
/// form is `Copy` and each step component takes it whole.
#[derive(Clone, Copy)]
pub struct JobForm {
    pub spec: RwSignal<BackupJobSpec>,
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub objects: ObjectsForm,
    pub storage: StorageForm,
    pub cache: CacheForm,
    pub guest: GuestForm,
    pub schedule: ScheduleForm,
    /// Summary: run the job when Finish is clicked.
    pub run_now: RwSignal<bool>,
}

impl JobForm {
    pub fn new(spec: &BackupJobSpec, run_now: bool) -> Self {
        let s = &spec.settings;
        Self {
            spec: RwSignal::new(spec.clone()),
            name: RwSignal::new(spec.name.clone()),
            description: RwSignal::new(spec.description.clone()),
            objects: ObjectsForm::new(s),
            storage: StorageForm::new(s),
            cache: CacheForm::new(&s.cache),
            guest: GuestForm {
                pre_script: RwSignal::new(s.guest.pre_script.clone()),
                post_script: RwSignal::new(s.guest.post_script.clone()),
            },
            schedule: ScheduleForm::new(&s.schedule),
            run_now: RwSignal::new(run_now),
        }
    }

    /// Changes the settings (the step re-renders what depends on them).
    pub fn update(&self, f: impl FnOnce(&mut BackupJobSettings)) {
        self.spec.update(|s| f(&mut s.settings))
    }

    /// Changes a backup copy job's copy settings.
    pub fn update_copy(&self, f: impl FnOnce(&mut CopySettings)) {
        self.update(|s| {
            if let Some(c) = s.copy.as_mut() {
                f(c)
            }
        })
    }

    /// Adds a computer once.
    pub fn add_computer(&self, name: String) {
        if name.trim().is_empty() {
            return;
        }
        self.update(|s| {
            if !s.computers.contains(&name) {
                s.computers.push(name)
            }
        })
    }

    /// Reads the typed fields of a step into the spec.
    pub fn collect(&self, step: JobStep) -> Result<(), String> {
        let mut sp = self.spec.get_untracked();
        let s = &mut sp.settings;
        match step {
            JobStep::Name => {
                sp.name = self.name.get_untracked().trim().to_string();
                sp.description = self.description.get_untracked();
            }
            JobStep::Objects => self.objects.collect(s),
            JobStep::Storage => self.storage.collect(s)?,
            JobStep::BackupCache => self.cache.collect(&mut s.cache)?,
            JobStep::GuestProcessing => self.guest.collect(&mut s.guest),
            JobStep::Schedule => self.schedule.collect(&mut s.schedule)?,
            _ => {}
        }
        self.spec.set(sp);
        Ok(())
    }
}

/// Objects: what is typed but not yet added, and the masks.
#[derive(Clone, Copy)]
pub struct ObjectsForm {
    pub folder_input: RwSignal<String>,
    pub volume_input: RwSignal<String>,
    pub include_masks: RwSignal<String>,
    pub exclude_masks: RwSignal<String>,
    /// Backup copy: machines not copied.
    pub copy_exclusions: RwSignal<String>,
}

impl ObjectsForm {
    fn new(s: &BackupJobSettings) -> Self {
        let exclusions = s.copy.as_ref().map(|c| c.exclusions.join(", "));
        Self {
            folder_input: RwSignal::new(String::new()),
            volume_input: RwSignal::new(String::new()),
            include_masks: RwSignal::new(s.include_masks.join(", ")),
            exclude_masks: RwSignal::new(s.exclude_masks.join(", ")),
            copy_exclusions: RwSignal::new(exclusions.unwrap_or_default()),
        }
    }

    fn collect(&self, s: &mut BackupJobSettings) {
        if let Some(c) = s.copy.as_mut() {
            c.exclusions = split_list(&self.copy_exclusions.get_untracked());
            return;
        }
        s.include_masks = split_list(&self.include_masks.get_untracked());
        s.exclude_masks = split_list(&self.exclude_masks.get_untracked());
        // A path typed but not added counts as added.
        match s.backup_mode {
            BackupMode::File => add_pending(self.folder_input, &mut s.includes),
            BackupMode::Volume => add_pending(self.volume_input, &mut s.volumes),
            BackupMode::EntireComputer => {}
        }
    }
}

/// Moves what `input` holds into `list` (once) and empties the field.
pub fn add_pending(input: RwSignal<String>, list: &mut Vec<String>) {
    let pending = input.get_untracked().trim().to_string();
    if pending.is_empty() {
        return;
    }
    if !list.contains(&pending) {
        list.push(pending);
    }
    input.set(String::new());
}

/// Retention counts restore points or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionUnit {
    Points,
    Days,
}

impl Choice for RetentionUnit {
    fn all() -> Vec<Self> {
        vec![Self::Points, Self::Days]
    }
    fn value(self) -> String {
        match self {
            Self::Points => "points",
            Self::Days => "days",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Points => "restore points",
            Self::Days => "days",
        }
        .into()
    }
}

/// Storage: retention and GFS as typed.
#[derive(Clone, Copy)]
pub struct StorageForm {
    pub retention: RwSignal<String>,
    pub retention_unit: RwSignal<RetentionUnit>,
    pub gfs_on: RwSignal<bool>,
    pub gfs_weekly: RwSignal<String>,
    pub gfs_monthly: RwSignal<String>,
    pub gfs_yearly: RwSignal<String>,
    /// The Advanced… page is open.
    pub advanced: RwSignal<bool>,
}

impl StorageForm {
    fn new(s: &BackupJobSettings) -> Self {
        let (n, unit) = match s.retention {
            Retention::Points(n) => (n, RetentionUnit::Points),
            Retention::Days(n) => (n, RetentionUnit::Days),
        };
        Self {
            retention: RwSignal::new(n.to_string()),
            retention_unit: RwSignal::new(unit),
            gfs_on: RwSignal::new(s.gfs != Gfs::default()),
            gfs_weekly: RwSignal::new(s.gfs.weekly.to_string()),
            gfs_monthly: RwSignal::new(s.gfs.monthly.to_string()),
            gfs_yearly: RwSignal::new(s.gfs.yearly.to_string()),
            advanced: RwSignal::new(false),
        }
    }

    fn collect(&self, s: &mut BackupJobSettings) -> Result<(), String> {
        let n = num(&self.retention.get_untracked(), "Retention")?;
        s.retention = match self.retention_unit.get_untracked() {
            RetentionUnit::Days => Retention::Days(n),
            RetentionUnit::Points => Retention::Points(n),
        };
        s.gfs = if self.gfs_on.get_untracked() {
            Gfs {
                weekly: num(&self.gfs_weekly.get_untracked(), "Weekly")?,
                monthly: num(&self.gfs_monthly.get_untracked(), "Monthly")?,
                yearly: num(&self.gfs_yearly.get_untracked(), "Yearly")?,
            }
        } else {
            Gfs::default()
        };
        Ok(())
    }
}

/// Backup Cache (policies) as typed.
#[derive(Clone, Copy)]
pub struct CacheForm {
    pub location: RwSignal<String>,
    pub size_gb: RwSignal<String>,
}

impl CacheForm {
    fn new(c: &BackupCache) -> Self {
        let location = match c.location.as_str() {
            "" => "/var/cache/cairn".to_string(),
            l => l.to_string(),
        };
        let size = match c.size_gb {
            0 => 10,
            n => n,
        };
        Self {
            location: RwSignal::new(location),
            size_gb: RwSignal::new(size.to_string()),
        }
    }

    fn collect(&self, c: &mut BackupCache) -> Result<(), String> {
        c.location = self.location.get_untracked().trim().to_string();
        c.size_gb = num(&self.size_gb.get_untracked(), "Cache size")?;
        Ok(())
    }
}

/// Guest Processing: the scripts.
#[derive(Clone, Copy)]
pub struct GuestForm {
    pub pre_script: RwSignal<String>,
    pub post_script: RwSignal<String>,
}

impl GuestForm {
    fn collect(&self, g: &mut GuestProcessing) {
        g.pre_script = self.pre_script.get_untracked().trim().to_string();
        g.post_script = self.post_script.get_untracked().trim().to_string();
    }
}

/// Which kind of schedule the Schedule step's radio buttons pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleChoice {
    Daily,
    Monthly,
    Periodic,
    After,
}

/// Which days a daily schedule runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaysChoice {
    Everyday,
    Weekdays,
    These,
}

impl DaysChoice {
    fn of(days: &[Weekday]) -> Self {
        if days.len() == 7 {
            Self::Everyday
        } else if days == &Weekday::ALL[..5] {
            Self::Weekdays
        } else {
            Self::These
        }
    }
}

impl Choice for DaysChoice {
    fn all() -> Vec<Self> {
        vec![Self::Everyday, Self::Weekdays, Self::These]
    }
    fn value(self) -> String {
        match self {
            Self::Everyday => "everyday",
            Self::Weekdays => "weekdays",
            Self::These => "these",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Everyday => "Everyday",
            Self::Weekdays => "On weekdays",
            Self::These => "On these days",
        }
        .into()
    }
}

/// A monthly schedule's day as the wizard offers it: 1–31 or the last.
impl Choice for MonthDay {
    fn all() -> Vec<Self> {
        let days = (1..=31).map(|day| MonthDay::Day { day });
        days.chain([MonthDay::Last]).collect()
    }
    fn value(self) -> String {
        match self {
            MonthDay::Day { day } => day.to_string(),
            _ => "last".into(),
        }
    }
    fn label(self) -> String {
        match self {
            MonthDay::Day { day } => day.to_string(),
            _ => "Last".into(),
        }
    }
}

/// Schedule: every choice of the step, as entered.
#[derive(Clone, Copy)]
pub struct ScheduleForm {
    pub kind: RwSignal<ScheduleChoice>,
    pub daily_time: RwSignal<String>,
    pub days_mode: RwSignal<DaysChoice>,
    pub days: RwSignal<Vec<Weekday>>,
    pub monthly_time: RwSignal<String>,
    pub monthly_day: RwSignal<MonthDay>,
    pub months: RwSignal<Vec<u8>>,
    pub every: RwSignal<String>,
    pub every_unit: RwSignal<PeriodUnit>,
    pub permitted_on: RwSignal<bool>,
    pub permitted_from: RwSignal<Hour>,
    pub permitted_to: RwSignal<Hour>,
    pub after_job: RwSignal<String>,
    pub retry_on: RwSignal<bool>,
    pub retry_times: RwSignal<String>,
    pub retry_wait: RwSignal<String>,
    pub window_on: RwSignal<bool>,
    pub window_from: RwSignal<Hour>,
    pub window_to: RwSignal<Hour>,
}

/// The daily from–to hours of a saved window (as the wizard writes them:
/// the same range every day), for Edit.
fn range_of(w: &WeekHours, default: (u8, u8)) -> (Hour, Hour) {
    let on = |h: u8| w.allows(Weekday::Monday, h % 24);
    let from = (0..24u8).find(|h| on(*h) && !on(*h + 23));
    let to = (0..24u8).find(|h| !on(*h) && on(*h + 23));
    let (f, t) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        _ => default,
    };
    (Hour(f), Hour(t))
}

impl ScheduleForm {
    fn new(s: &Schedule) -> Self {
        let default_time = || "22:00".to_string();
        let (kind, d_time, d_days) = match &s.kind {
            ScheduleKind::Daily { time, days } => {
                (ScheduleChoice::Daily, time.clone(), days.clone())
            }
            ScheduleKind::Monthly { .. } => (
                ScheduleChoice::Monthly,
                default_time(),
                Weekday::ALL.to_vec(),
            ),
            ScheduleKind::Periodic { .. } => (
                ScheduleChoice::Periodic,
                default_time(),
                Weekday::ALL.to_vec(),
            ),
            ScheduleKind::After { .. } => {
                (ScheduleChoice::After, default_time(), Weekday::ALL.to_vec())
            }
        };
        let (m_time, m_day, months) = match &s.kind {
            ScheduleKind::Monthly { time, day, months } => {
                let day = match day {
                    MonthDay::Weekday { .. } => MonthDay::Day { day: 1 },
                    d => *d,
                };
                (time.clone(), day, months.clone())
            }
            _ => (default_time(), MonthDay::Day { day: 1 }, (1..=12).collect()),
        };
        let (every, unit, permitted) = match &s.kind {
            ScheduleKind::Periodic {
                every,
                unit,
                permitted,
            } => (*every, *unit, Some(*permitted)),
            _ => (1, PeriodUnit::Hours, None),
        };
        let (pf, pt) = range_of(&permitted.unwrap_or(WeekHours::ALWAYS), (8, 18));
        let (wf, wt) = range_of(&s.window.unwrap_or(WeekHours::ALWAYS), (20, 6));
        let after = match &s.kind {
            ScheduleKind::After { job } => job.clone(),
            _ => String::new(),
        };
        Self {
            kind: RwSignal::new(kind),
            daily_time: RwSignal::new(d_time),
            days_mode: RwSignal::new(DaysChoice::of(&d_days)),
            days: RwSignal::new(d_days),
            monthly_time: RwSignal::new(m_time),
            monthly_day: RwSignal::new(m_day),
            months: RwSignal::new(months),
            every: RwSignal::new(every.to_string()),
            every_unit: RwSignal::new(unit),
            permitted_on: RwSignal::new(permitted.is_some_and(|p| p.count() < 168)),
            permitted_from: RwSignal::new(pf),
            permitted_to: RwSignal::new(pt),
            after_job: RwSignal::new(after),
            retry_on: RwSignal::new(s.retry.enabled),
            retry_times: RwSignal::new(s.retry.times.to_string()),
            retry_wait: RwSignal::new(s.retry.wait_minutes.to_string()),
            window_on: RwSignal::new(s.window.is_some()),
            window_from: RwSignal::new(wf),
            window_to: RwSignal::new(wt),
        }
    }

    fn collect(&self, s: &mut Schedule) -> Result<(), String> {
        s.kind = self.kind()?;
        s.retry = Retry {
            enabled: self.retry_on.get_untracked(),
            times: num(&self.retry_times.get_untracked(), "Retry")?,
            wait_minutes: num(&self.retry_wait.get_untracked(), "Wait")?,
        };
        s.window = self.window_on.get_untracked().then(|| {
            let (from, to) = (
                self.window_from.get_untracked(),
                self.window_to.get_untracked(),
            );
            WeekHours::hours(&Weekday::ALL, from.0, to.0)
        });
        Ok(())
    }

    fn kind(&self) -> Result<ScheduleKind, String> {
        Ok(match self.kind.get_untracked() {
            ScheduleChoice::Daily => ScheduleKind::Daily {
                time: self.daily_time.get_untracked(),
                days: match self.days_mode.get_untracked() {
                    DaysChoice::Everyday => Weekday::ALL.to_vec(),
                    DaysChoice::Weekdays => Weekday::ALL[..5].to_vec(),
                    DaysChoice::These => self.days.get_untracked(),
                },
            },
            ScheduleChoice::Monthly => ScheduleKind::Monthly {
                time: self.monthly_time.get_untracked(),
                day: self.monthly_day.get_untracked(),
                months: self.months.get_untracked(),
            },
            ScheduleChoice::Periodic => ScheduleKind::Periodic {
                every: num(&self.every.get_untracked(), "Run every")?,
                unit: self.every_unit.get_untracked(),
                permitted: if self.permitted_on.get_untracked() {
                    let (from, to) = (
                        self.permitted_from.get_untracked(),
                        self.permitted_to.get_untracked(),
                    );
                    WeekHours::hours(&Weekday::ALL, from.0, to.0)
                } else {
                    WeekHours::ALWAYS
                },
            },
            ScheduleChoice::After => ScheduleKind::After {
                job: self.after_job.get_untracked(),
            },
        })
    }
}
