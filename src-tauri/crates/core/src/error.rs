//! The engine's one public error type: a [`ErrorKind`] the callers branch on
//! and a message a user can act on (what failed, why, what to do). The
//! underlying cause (an I/O or database error) is kept as the error's
//! `source`, not pasted into the sentence; [`Error::message`] joins them
//! for a user.

use cairn_model::{ApiError, ErrorKind};
use std::borrow::Cow;

/// The cause behind an error, kept for callers that inspect it.
type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An engine error. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    #[source]
    source: Option<Cause>,
    transient: bool,
}

/// Result with the engine's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an error of a kind with a full sentence.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
            transient: false,
        }
    }
    /// Builds an error whose cause is another error.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::new(kind, message).caused_by(source)
    }
    /// Keeps `source` as the cause behind this error's sentence.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
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
        Self::with_source(kind, format!("cannot {action} {}", path.display()), err)
    }
    /// Marks a failure that may go away when the request is repeated
    /// (a dropped connection, a timeout, throttling, a server error);
    /// [`crate::storage::RetryStorage`] retries only these.
    pub fn transient(mut self) -> Self {
        self.transient = true;
        self
    }
    /// True for failures worth repeating the request for.
    pub fn is_transient(&self) -> bool {
        self.transient
    }
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The user-facing sentence, followed by its cause when there is one
    /// ("cannot read /srv/a: Permission denied").
    pub fn message(&self) -> Cow<'_, str> {
        match &self.source {
            None => Cow::Borrowed(&self.message),
            Some(cause) => Cow::Owned(format!("{}: {cause}", self.message)),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::new(e.kind, e.message().into_owned())
    }
}
