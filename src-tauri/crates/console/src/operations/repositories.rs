//! Adding, opening and removing backup repositories.

use super::{Console, DEFAULT_REPOSITORY};
use crate::catalog::RepositoryRecord;
use crate::error::{Error, Result};
use crate::paths;
use cairn_core::repo::Repository;
use cairn_core::storage::{LocalStorage, ReadStorage, Storage};
use cairn_model::RepositoryKind;
use std::path::Path;
use std::sync::Arc;

impl Console {
    /// Creates the default local repository on first start, and re-creates
    /// its folder if it was deleted.
    pub(super) fn ensure_default_repository(&self) -> Result<()> {
        let dir = paths::default_repository_dir(&self.data_dir);
        let existing = self.catalog()?.default_repository()?;
        match existing {
            Some(rec) => {
                let storage = Arc::new(LocalStorage::open(Path::new(&rec.location), true)?);
                if !storage.exists("config")? {
                    Repository::init(storage, &rec.name, &self.console_id()?)?;
                }
            }
            None => {
                let storage = Arc::new(LocalStorage::open(&dir, true)?);
                if !storage.exists("config")? {
                    Repository::init(storage.clone(), DEFAULT_REPOSITORY, &self.console_id()?)?;
                }
                self.catalog()?.add_repository(
                    DEFAULT_REPOSITORY,
                    RepositoryKind::Local,
                    &dir.to_string_lossy(),
                    "Created on first start in the Cairn data folder",
                    true,
                )?;
            }
        }
        Ok(())
    }

    /// Adds a local folder repository: creates it, or adopts a folder that
    /// already holds a Cairn repository.
    pub fn add_local_repository(
        &self,
        name: &str,
        path: &Path,
        description: &str,
    ) -> Result<RepositoryRecord> {
        validate_name(name, "repository")?;
        if !path.is_absolute() {
            return Err(Error::invalid(format!(
                "the repository path {} is not absolute; give a full path such as /srv/backups",
                path.display()
            )));
        }
        if self.catalog()?.repository_by_name(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a repository named \"{name}\" already exists; choose another name"
            )));
        }
        let storage: Arc<dyn Storage> = Arc::new(LocalStorage::open(path, true)?);
        let location = path.to_string_lossy();
        self.adopt(
            name,
            RepositoryKind::Local,
            &location,
            "{}".into(),
            None,
            description,
            storage,
        )
    }

    /// Opens a repository by catalog record.
    pub fn open_repository(&self, rec: &RepositoryRecord) -> Result<Repository> {
        let repo = match rec.kind {
            RepositoryKind::Local => {
                let storage = Arc::new(LocalStorage::open(Path::new(&rec.location), false)?);
                Repository::open(storage, &rec.name)?
            }
            _ => Repository::open(self.open_cloud_storage(rec)?, &rec.name)?,
        };
        Ok(repo.with_tree_cache(paths::tree_cache_dir(&self.data_dir)))
    }

    /// This console's id (created on first start), written into the
    /// ownership marker of the repositories it creates or takes over.
    pub fn console_id(&self) -> Result<String> {
        let cat = self.catalog()?;
        if let Some(id) = cat.setting("console_id")? {
            return Ok(id);
        }
        let id = cairn_core::format::random_id();
        cat.set_setting("console_id", &id)?;
        Ok(id)
    }

    /// Finds a repository by name, with a helpful error.
    pub fn repository_named(&self, name: &str) -> Result<RepositoryRecord> {
        self.catalog()?.repository_by_name(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no repository named \"{name}\"; `cairn repo list` shows them"
            ))
        })
    }
}

/// Names: non-empty, no control characters, at most 128 characters.
pub(crate) fn validate_name(name: &str, what: &str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!(
            "the {what} name is empty; enter a name"
        )));
    }
    if trimmed != name {
        return Err(Error::invalid(format!(
            "the {what} name \"{name}\" starts or ends with spaces; remove them"
        )));
    }
    if name.chars().count() > 128 || name.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "the {what} name must be at most 128 printable characters"
        )));
    }
    Ok(())
}
