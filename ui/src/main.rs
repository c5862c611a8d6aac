//! The Cairn console UI (Leptos, client-side rendered), embedded in the
//! Tauri shell. It talks to the backend only through [`api`].

mod api;
mod app;
mod components;
mod format;
mod views;
mod wizards;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
