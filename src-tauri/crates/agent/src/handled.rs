//! The commands an agent has answered, kept on disk: a second delivery of
//! a backup command (queues deliver at least once) is answered again with
//! the first result instead of running again.

use crate::messages::OrderResult;
use cairn_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Answers kept (the oldest go first).
const KEEP: usize = 512;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Answer {
    id: String,
    result: OrderResult,
}

/// The answered commands of one agent.
pub struct Handled {
    file: PathBuf,
    answers: Vec<Answer>,
}

impl Handled {
    /// Loads the store in `dir` (an unreadable store starts empty).
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("create the agent's state folder", dir, e))?;
        let file = dir.join("handled.json");
        let answers = std::fs::read(&file)
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .unwrap_or_default();
        Ok(Self { file, answers })
    }

    /// The answer to command `id`, when it was handled.
    pub fn answer(&self, id: &str) -> Option<&OrderResult> {
        self.answers.iter().find(|a| a.id == id).map(|a| &a.result)
    }

    /// Records the answer to command `id`, durably, before it is sent.
    pub fn record(&mut self, id: &str, result: &OrderResult) -> Result<()> {
        self.answers.push(Answer {
            id: id.to_string(),
            result: result.clone(),
        });
        let over = self.answers.len().saturating_sub(KEEP);
        self.answers.drain(..over);
        let raw = serde_json::to_vec(&self.answers)
            .map_err(|e| Error::internal("cannot encode the handled commands").caused_by(e))?;
        let tmp = self.file.with_extension("tmp");
        std::fs::write(&tmp, raw).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, &self.file).map_err(|e| Error::io("replace", &self.file, e))
    }
}
