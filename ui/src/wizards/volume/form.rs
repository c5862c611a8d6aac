//! The volume restore wizard's typed state and what its steps ask the
//! backend. Machine and Restore Point are the Guest files wizard's.

use super::{Mode, Step, STEPS};
use crate::api::call;
use crate::wizards::restore::form::RestoreForm;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Everything the wizard's steps read and change.
#[derive(Clone, Copy)]
pub struct VolumeForm {
    /// Machine and restore point (and the busy, error and page state).
    pub base: RestoreForm,
    pub volumes: RwSignal<Vec<Volume>>,
    /// The volume chosen (its path in the restore point).
    pub volume: RwSignal<Option<String>>,
    pub mode: RwSignal<Mode>,
    pub format: RwSignal<DiskFormat>,
    /// The device or file to restore onto, or the image file to create.
    pub target: RwSignal<String>,
    /// What is at the target: None = not looked yet, Some(None) = nothing.
    pub existing: RwSignal<Option<Option<u64>>>,
    /// The target's name, typed to confirm overwriting it.
    pub confirm: RwSignal<String>,
    /// The password that opened the point, kept until the wizard closes
    /// (the task opens the point again).
    pub password: RwSignal<String>,
}

impl VolumeForm {
    pub fn new(backup: Option<String>) -> Self {
        Self {
            base: RestoreForm::new(backup),
            volumes: RwSignal::new(Vec::new()),
            volume: RwSignal::new(None),
            mode: RwSignal::new(Mode::Restore),
            format: RwSignal::new(DiskFormat::Vmdk),
            target: RwSignal::new(String::new()),
            existing: RwSignal::new(None),
            confirm: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
        }
    }

    pub fn step(self) -> Step {
        STEPS[self.base.current.get().min(STEPS.len() - 1)]
    }

    pub fn step_now(self) -> Step {
        STEPS[self.base.current.get_untracked().min(STEPS.len() - 1)]
    }

    pub fn go(self, step: Step) {
        self.base.current.set(step.index());
    }

    fn fail(self, msg: impl Into<String>) {
        self.base.error.set(Some(msg.into()));
    }

    /// The chosen volume.
    pub fn chosen_volume(self) -> Option<Volume> {
        let path = self.volume.get()?;
        self.volumes.get().into_iter().find(|v| v.path == path)
    }

    fn secret(self) -> Option<Secret> {
        let pw = self.password.get_untracked();
        (!pw.is_empty()).then_some(Secret(pw))
    }

    /// Lists the chosen point's volumes (checking its password) and moves
    /// on to Volumes; a file-level point has none and stays.
    pub fn load_volumes(self) {
        let (Some(backup), Some(point)) = (
            self.base.chosen.get_untracked(),
            self.base.point.get_untracked(),
        ) else {
            return self.fail("Choose a restore point");
        };
        self.password.set(self.base.password.get_untracked());
        self.base.busy.set(true);
        spawn_local(async move {
            let r = call(&ListVolumes {
                backup,
                point,
                password: self.secret(),
            })
            .await;
            self.base.busy.set(false);
            match r {
                Ok(v) if v.is_empty() => self.fail(
                    "This restore point holds no volumes: it is a file-level backup. Use Restore ▾ Guest files… instead",
                ),
                Ok(v) => {
                    self.volume.set(v.first().map(|v| v.path.clone()));
                    self.volumes.set(v);
                    self.go(Step::Volumes);
                }
                Err(e) => self.fail(e.message),
            }
        });
    }

    /// Looks at the destination and moves on to Summary when it will do:
    /// a full path; for a restore, a target no smaller than the volume
    /// whose name was typed if it exists; for an export, a new file.
    pub fn check_destination(self) {
        let target = self.target.get_untracked().trim().to_string();
        if !target.starts_with('/') {
            return self.fail("Give the full path of the device or image file");
        }
        let size = self.chosen_volume().map(|v| v.size).unwrap_or(0);
        self.base.busy.set(true);
        spawn_local(async move {
            let r = call(&ProbeVolumeTarget {
                path: target.clone(),
            })
            .await;
            self.base.busy.set(false);
            let found = match r {
                Ok(f) => f,
                Err(e) => return self.fail(e.message),
            };
            let first_look = self.existing.get_untracked() != Some(found);
            self.existing.set(Some(found));
            match (self.mode.get_untracked(), found) {
                (Mode::Export, Some(_)) => self.fail(format!("{target} already exists; give a new file name")),
                (Mode::Restore, Some(have)) if have < size => self.fail(format!(
                    "{target} holds {}, less than the volume's {}; give a larger device or a new file name",
                    crate::format::bytes(have),
                    crate::format::bytes(size)
                )),
                (Mode::Restore, Some(_)) if first_look || self.confirm.get_untracked().trim() != file_name(&target) => {
                    self.fail(format!(
                        "{target} exists and will be overwritten; type its name \"{}\" to confirm",
                        file_name(&target)
                    ))
                }
                _ => self.go(Step::Summary),
            }
        });
    }

    /// Starts the task; its session window opens.
    pub fn start(self, on_session: Callback<i64>) {
        let (Some(backup), Some(point), Some(volume)) = (
            self.base.chosen.get_untracked(),
            self.base.point.get_untracked(),
            self.volume.get_untracked(),
        ) else {
            return;
        };
        let target = self.target.get_untracked().trim().to_string();
        let task = match self.mode.get_untracked() {
            Mode::Restore => VolumeTask::Restore {
                target,
                confirm: self.confirm.get_untracked(),
            },
            Mode::Export => VolumeTask::Export {
                format: self.format.get_untracked(),
                out: target,
            },
        };
        self.base.busy.set(true);
        spawn_local(async move {
            let req = StartVolumeTask {
                backup,
                point,
                volume,
                password: self.secret(),
                task,
            };
            let r = call(&req).await;
            self.base.busy.set(false);
            match r {
                Ok(session) => {
                    self.password.set(String::new());
                    on_session.run(session);
                }
                Err(e) => self.fail(e.message),
            }
        });
    }
}

/// The last component of a path.
pub fn file_name(path: &str) -> String {
    path.trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}
