//! Reusable pieces of the console window.

pub mod browser;
pub mod configuration;
pub mod credentials;
pub mod ribbon;
pub mod session;
pub mod statusbar;
pub mod table;
pub mod tree;
