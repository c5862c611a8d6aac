//! The console's error: the engine's [`cairn_core::Error`] (a kind the UI
//! branches on and a sentence a user can act on), which database failures
//! join with their cause kept as the source. It is a wrapper only because
//! the engine cannot know SQLite.

use cairn_model::{ApiError, ErrorKind};
use std::borrow::Cow;

/// A console error. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(#[from] cairn_core::Error);

/// Result with the console's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an error of a kind with a full sentence.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(cairn_core::Error::new(kind, message))
    }
    /// Keeps `source` as the cause behind this error's sentence.
    pub fn caused_by(self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(self.0.caused_by(source))
    }
    /// Bad input: nothing was changed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::invalid(message))
    }
    /// The named thing does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::not_found(message))
    }
    /// Already exists or in use.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::conflict(message))
    }
    /// Storage could not be read or written.
    pub fn storage(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::storage(message))
    }
    /// Data failed an integrity check.
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::corrupt(message))
    }
    /// Cancelled by the user.
    pub fn cancelled() -> Self {
        Self(cairn_core::Error::cancelled())
    }
    /// Something unexpected.
    pub fn internal(message: impl Into<String>) -> Self {
        Self(cairn_core::Error::internal(message))
    }
    /// An I/O error on a path, worded for a user.
    pub fn io(action: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        Self(cairn_core::Error::io(action, path, err))
    }
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }
    /// The user-facing sentence with its cause.
    pub fn message(&self) -> Cow<'_, str> {
        self.0.message()
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self(cairn_core::Error::with_source(
            ErrorKind::Internal,
            "the configuration database failed",
            e,
        ))
    }
}

impl From<Error> for cairn_core::Error {
    fn from(e: Error) -> Self {
        e.0
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        e.0.into()
    }
}

/// Runs `f`; a panic inside (a defect, or crafted data that slipped past
/// validation) becomes an Internal error, so whatever ends the session,
/// unregisters the run or frees a slot afterwards always happens.
pub(crate) fn catch_panic<T, E: From<cairn_core::Error>>(
    what: &str,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no details".into());
        Err(cairn_core::Error::internal(format!(
            "{what} stopped on an internal error ({why}); what it had written stays consistent, nothing after the error was done. Please report it"
        ))
        .into())
    })
}
