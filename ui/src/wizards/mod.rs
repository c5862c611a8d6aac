//! Wizards: one module per wizard, one component per step.

pub mod choice;
pub mod fields;
pub mod frame;
pub mod group;
pub mod job;
pub mod password;
pub mod repository;
pub mod restore;
pub mod volume;
