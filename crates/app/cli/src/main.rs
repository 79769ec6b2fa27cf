//! `hearth`: the app's flows without a window. See `README.md` for commands and exit codes.

mod args;
mod report;
mod run;
mod vendor_info;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = match args::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                std::process::ExitCode::from(report::EXIT_USAGE)
            } else {
                std::process::ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();
    let localizer = report::localizer();
    // The kernel keyring installs a session keyring in the credentials of the *thread* that
    // first uses it; threads created earlier keep none and are refused its keys. Opening the
    // keyring here, before any runtime thread exists, makes every later thread inherit it.
    let keystore = args
        .command
        .needs_keyring()
        .then(hearth_keystore::Keystore::open_from_env);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("hearth: cannot start: {e}");
            return std::process::ExitCode::from(report::EXIT_OTHER);
        }
    };
    let result = runtime.block_on(run::run(args, &localizer, keystore));
    // bluez-async may still hold clean-up tasks; do not wait for them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.sentence(&localizer));
            std::process::ExitCode::from(failure.exit_code())
        }
    }
}
