//! Tracing to a daily rolling log file in the logs folder (and to stderr).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Starts logging to `<logs>/hearth.log.<date>`, keeping the last 7 files.
/// `RUST_LOG` overrides the default level (`info`). Keep the returned guard
/// alive for the life of the process: dropping it flushes the file.
pub fn init(logs: &Path) -> Result<WorkerGuard, std::io::Error> {
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("hearth.log")
        .max_log_files(7)
        .build(logs)
        .map_err(std::io::Error::other)?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests, a restarted shell in one process) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(false).with_writer(file))
        .with(fmt::layer().with_writer(std::io::stderr))
        .try_init();
    Ok(guard)
}
