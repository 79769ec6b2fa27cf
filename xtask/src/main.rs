//! Hearth's task runner. Two commands matter to everyone:
//!
//! - `cargo xtask demo [--screenshots DIR]` installs what is missing, builds and
//!   opens the app (under Xvfb when there is no display);
//! - `cargo xtask test` does the same set-up, then runs every check and test.
//!
//! Others: `cargo xtask press N` presses the button of the running demo's device N;
//! `cargo xtask licenses [--check]` regenerates the component list that About shows;
//! `cargo xtask fuzz [SECONDS] [TARGET…]` runs every fuzz target (or the named ones) for
//! SECONDS each.

mod demo;
mod licenses;
mod setup;
mod steps;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => steps::demo(&args[1..]),
        Some("test") => steps::test(&args[1..]),
        Some("fuzz") => steps::fuzz(&args[1..]),
        Some("press") => demo::press(&args[1..]),
        Some("licenses") => licenses::run(args.get(1).is_some_and(|a| a == "--check")),
        Some("setup") => setup::ensure_all(),
        _ => {
            eprintln!(
                "usage: cargo xtask <demo [--screenshots DIR] | press N | test | fuzz [SECONDS] [TARGET…] | licenses [--check] | setup>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
