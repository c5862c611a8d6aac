//! The restore wizard's typed state and what its steps ask the backend.

use super::{Step, STEPS};
use crate::api::call;
use cairn_model::api::ListBackups;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Everything the wizard's steps read and change.
#[derive(Clone, Copy)]
pub struct RestoreForm {
    /// The page shown: an index into [`STEPS`].
    pub current: RwSignal<usize>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub backups: RwSignal<Vec<BackupRow>>,
    pub search: RwSignal<String>,
    /// The backup (machine) chosen at the Machine step.
    pub chosen: RwSignal<Option<String>>,
    pub points: RwSignal<Vec<RestorePointRow>>,
    /// The restore point chosen at the Restore Point step.
    pub point: RwSignal<Option<String>>,
    /// Typed for an encrypted backup; cleared once the point is open.
    pub password: RwSignal<String>,
    pub reason: RwSignal<String>,
    /// The point the backend opened for browsing.
    pub opened: RwSignal<Option<BrowserPoint>>,
}

impl RestoreForm {
    pub fn new(backup: Option<String>) -> Self {
        let form = Self {
            current: RwSignal::new(0),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            backups: RwSignal::new(Vec::new()),
            search: RwSignal::new(String::new()),
            chosen: RwSignal::new(backup),
            points: RwSignal::new(Vec::new()),
            point: RwSignal::new(None),
            password: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            opened: RwSignal::new(None),
        };
        form.load_backups();
        form
    }

    /// The page shown (tracked).
    pub fn step(self) -> Step {
        STEPS[self.current.get().min(STEPS.len() - 1)]
    }

    /// The page shown, read once.
    pub fn step_now(self) -> Step {
        STEPS[self.current.get_untracked().min(STEPS.len() - 1)]
    }

    pub fn go(self, step: Step) {
        self.current.set(step.index());
    }

    fn load_backups(self) {
        spawn_local(async move {
            match call(&ListBackups {}).await {
                Ok(b) => self.backups.set(b),
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// The chosen backup's row.
    pub fn chosen_row(self) -> Option<BackupRow> {
        let id = self.chosen.get()?;
        self.backups.get().into_iter().find(|b| b.id == id)
    }

    /// The chosen backup's points, newest first; the newest is picked.
    pub fn load_points(self, backup: String) {
        self.points.set(Vec::new());
        self.point.set(None);
        spawn_local(async move {
            match call(&ListRestorePoints { backup }).await {
                Ok(p) => {
                    self.point.set(p.first().map(|p| p.id.clone()));
                    self.points.set(p);
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// Closes the point opened for browsing, if any.
    pub fn close_opened(self) {
        if let Some(p) = self.opened.get_untracked() {
            self.opened.set(None);
            spawn_local(async move {
                let _ = call(&CloseBrowser { id: p.id }).await;
            });
        }
    }

    /// Opens the chosen point (with the typed password) and moves on to
    /// Reason; a wrong password or a damaged point stays at this step.
    pub fn open_point(self) {
        let (Some(backup), Some(point)) = (self.chosen.get_untracked(), self.point.get_untracked())
        else {
            self.error.set(Some("Choose a restore point".into()));
            return;
        };
        self.close_opened();
        self.busy.set(true);
        let pw = self.password.get_untracked();
        spawn_local(async move {
            let r = call(&OpenBrowser {
                backup,
                point,
                password: (!pw.is_empty()).then_some(Secret(pw)),
            })
            .await;
            self.busy.set(false);
            match r {
                Ok(info) => {
                    // The opened point holds its keys; the typed password
                    // is not kept in the window.
                    self.password.set(String::new());
                    self.opened.set(Some(info));
                    self.go(Step::Reason);
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }
}
