//! Errors as they cross the Tauri boundary: a kind the UI can branch on and a
//! sentence a user can act on.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure happened, so the UI can decide how to present it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user gave input that cannot be accepted; nothing was changed.
    InvalidInput,
    /// The named item does not exist.
    NotFound,
    /// The item already exists or is in use by something else.
    Conflict,
    /// The repository or storage could not be read or written.
    Storage,
    /// The system keyring is missing, locked or refused the request.
    Keyring,
    /// The password given for an encrypted repository is wrong.
    WrongPassword,
    /// Stored data failed an integrity check.
    Corrupt,
    /// The operation was cancelled by the user.
    Cancelled,
    /// The configuration database is newer than this program.
    Incompatible,
    /// Anything else; the message says what happened.
    Internal,
}

/// An error as the UI receives it: `{kind, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What kind of failure this is.
    pub kind: ErrorKind,
    /// One sentence: what failed, why, and what to do.
    pub message: String,
}

impl ApiError {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}
