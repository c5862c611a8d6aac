//! What the job wizard's lists offer, asked from the backend once when the
//! wizard opens: repositories, other jobs, this computer's name, and for a
//! backup copy the backups and repositories it can copy from.

use super::form::JobForm;
use crate::api::call;
use cairn_model::api::*;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One row of the From backups tree: a backup of a machine.
#[derive(Debug, Clone, PartialEq)]
pub struct PickBackup {
    pub id: String,
    pub repository: String,
    pub job: String,
    pub machine: String,
    pub platform: String,
    pub external: bool,
    pub points: u32,
}

impl PickBackup {
    fn of(b: BackupRow) -> Self {
        Self {
            external: b.location == BackupLocation::External,
            id: b.id,
            repository: b.repository,
            // A sealed backup's job is known once its password is given.
            job: if b.sealed {
                "Encrypted backup (password needed)".into()
            } else {
                b.job_name
            },
            machine: b.machine,
            platform: b.platform,
            points: b.restore_points,
        }
    }
}

/// A repository a copy can take every backup of.
#[derive(Debug, Clone, PartialEq)]
pub struct PickRepository {
    pub name: String,
    pub external: bool,
}

#[derive(Clone, Copy)]
pub struct JobLists {
    pub repositories: RwSignal<Vec<RepositoryRow>>,
    /// Backup jobs other than the one edited (After this job, From jobs).
    pub other_jobs: RwSignal<Vec<String>>,
    /// This computer's name: "This computer" adds it, the list marks it.
    pub me: RwSignal<String>,
    pub backups: RwSignal<Vec<PickBackup>>,
    pub copy_repositories: RwSignal<Vec<PickRepository>>,
    /// Map backup: Imported backups (no job of this console writes them)
    /// a job of this kind can continue.
    pub mappable: RwSignal<Vec<BackupRow>>,
    /// Summary: when the job would start next.
    pub next_starts: RwSignal<Vec<i64>>,
    /// Computers: protection groups, and the machines in them.
    pub groups: RwSignal<Vec<ProtectionGroupRow>>,
    pub machines: RwSignal<Vec<MachineRow>>,
}

impl JobLists {
    /// Starts asking; the lists fill as answers come. `this_pc` adds this
    /// computer to the job once its name is known; a new job's repository
    /// defaults to the first one.
    pub fn load(form: JobForm, editing: Option<String>, this_pc: bool, is_copy: bool) -> Self {
        let lists = Self {
            repositories: RwSignal::new(Vec::new()),
            other_jobs: RwSignal::new(Vec::new()),
            me: RwSignal::new(String::new()),
            backups: RwSignal::new(Vec::new()),
            copy_repositories: RwSignal::new(Vec::new()),
            mappable: RwSignal::new(Vec::new()),
            next_starts: RwSignal::new(Vec::new()),
            groups: RwSignal::new(Vec::new()),
            machines: RwSignal::new(Vec::new()),
        };
        spawn_local(async move {
            if let Ok(n) = call(&ThisComputer {}).await {
                lists.me.set(n.clone());
                if this_pc {
                    form.add_computer(n);
                }
            }
        });
        spawn_local(async move {
            if let Ok(r) = call(&ListRepositories {}).await {
                let first = r.first().map(|r| r.name.clone());
                if let (true, Some(first)) =
                    (form.spec.get_untracked().repository.is_empty(), first)
                {
                    form.spec.update(|s| s.repository = first);
                }
                lists.repositories.set(r);
            }
        });
        spawn_local(async move {
            if let Ok(j) = call(&ListJobs {}).await {
                let others = j
                    .into_iter()
                    .filter(|j| j.kind == JobKind::Backup)
                    .map(|j| j.name)
                    .filter(|n| editing.as_deref() != Some(n.as_str()));
                lists.other_jobs.set(others.collect());
            }
        });
        spawn_local(lists.load_backups(is_copy));
        if !is_copy {
            spawn_local(lists.load_groups());
        }
        lists
    }

    /// The protection groups and machines the Computers step offers.
    async fn load_groups(self) {
        if let Ok(g) = call(&ListProtectionGroups {}).await {
            self.groups.set(g);
        }
        if let Ok(m) = call(&ListGroupMachines {}).await {
            self.machines.set(m);
        }
    }

    /// The backups Map backup offers and, for a copy, the From backups
    /// tree and the repositories it can copy from.
    async fn load_backups(self, is_copy: bool) {
        let Ok(rows) = call(&ListBackups {}).await else {
            return;
        };
        let copies = |b: &BackupRow| b.location == BackupLocation::DiskCopy;
        let mappable = rows.iter().filter(|b| {
            let kind = is_copy || !copies(b);
            b.imported && b.location != BackupLocation::External && kind && !b.is_configuration()
        });
        self.mappable.set(mappable.cloned().collect());
        if is_copy {
            self.load_copy_sources(rows).await;
        }
    }

    async fn load_copy_sources(self, rows: Vec<BackupRow>) {
        let mut v: Vec<PickBackup> = rows.into_iter().map(PickBackup::of).collect();
        // External repositories first: their root backups are what a
        // copy of public cloud backups picks.
        v.sort_by(|a, b| {
            let key = |x: &PickBackup| {
                (
                    !x.external,
                    x.repository.clone(),
                    x.job.clone(),
                    x.machine.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.backups.set(v);
        let mut repos = Vec::new();
        if let Ok(e) = call(&ListExternalRepositories {}).await {
            repos.extend(e.into_iter().map(|r| PickRepository {
                name: r.name,
                external: true,
            }));
        }
        if let Ok(r) = call(&ListRepositories {}).await {
            repos.extend(r.into_iter().map(|r| PickRepository {
                name: r.name,
                external: false,
            }));
        }
        self.copy_repositories.set(repos);
    }
}
