//! `cairn bench`: generated data set, Cairn vs restic and borg.

use crate::args::BenchArgs;
use cairn_engine::{Error, Result};

/// Runs the benchmark.
pub fn run(_a: &BenchArgs, _json: bool) -> Result<i32> {
    Err(Error::invalid("the benchmark is not built yet"))
}
