//! `cairn`: the command line face of the Cairn engine, for scripts,
//! servers and the tests. Exit codes: 0 success, 1 failure, 2 bad usage.

mod args;
mod bench;
mod commands;
mod configuration;
mod disks;
mod exports;
mod external;
mod maintenance;
mod mounts;
mod output;
mod points;
mod secret_input;
mod volumes;

use clap::Parser;

fn main() {
    // Passwords and unwrapped keys live in this process.
    cairn_console::protect_process();
    let cli = args::Cli::parse();
    output::set_progress_interval(std::time::Duration::from_millis(cli.progress_every));
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cairn: {}", e.message());
            match e.kind() {
                cairn_model::ErrorKind::InvalidInput => 2,
                _ => 1,
            }
        }
    };
    std::process::exit(code);
}
