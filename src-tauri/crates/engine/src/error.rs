//! The engine's one public error type: a [`ErrorKind`] the callers branch on
//! and a message a user can act on (what failed, why, what to do).

use cairn_model::{ApiError, ErrorKind};
use std::fmt;

/// An engine error. Messages never contain secrets.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// Result with the engine's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an error of a kind with a full sentence.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    /// Bad input: nothing was changed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }
    /// The named thing does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    /// Already exists or in use.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    /// Storage could not be read or written.
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Storage, message)
    }
    /// Data failed an integrity check.
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Corrupt, message)
    }
    /// Cancelled by the user.
    pub fn cancelled() -> Self {
        Self::new(
            ErrorKind::Cancelled,
            "the operation was cancelled; the repository is unchanged",
        )
    }
    /// Something unexpected.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// An I/O error on a path, worded for a user.
    pub fn io(action: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            _ => ErrorKind::Storage,
        };
        Self::new(kind, format!("cannot {action} {}: {err}", path.display()))
    }
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The user-facing sentence.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::new(e.kind, e.message)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::new(
            ErrorKind::Internal,
            format!("the configuration database failed: {e}"),
        )
    }
}
