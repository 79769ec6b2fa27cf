//! `hearth-vendor`: `init` a demo vendor set-up, or `serve` it over HTTPS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use hearth_vendor_service::clock::SystemClock;
use hearth_vendor_service::init::{InitOptions, init};
use hearth_vendor_service::{Config, ServeOptions, StartError, start};

#[derive(Debug, Parser)]
#[command(name = "hearth-vendor", version, about = "Hearth vendor service")]
struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    json_logs: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a demo CA, server certificate, catalogue key, catalogue and config in DIR.
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// Address the config will listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
    },
    /// Serve HTTPS with the given config.
    Serve {
        #[arg(long)]
        config: PathBuf,
        /// `postgres://user@host/db` (several instances may share it) or `sqlite:…`;
        /// default: the SQLite file in the config's data_dir.
        #[arg(long)]
        database: Option<String>,
        /// Overrides the config's listen address.
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if cli.json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "hearth-vendor failed");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), StartError> {
    match command {
        Command::Init { dir, listen } => {
            let mut options = InitOptions::demo(time::OffsetDateTime::now_utc());
            options.listen = listen;
            let out = init(&dir, &options)?;
            println!("config:         {}", out.config_path.display());
            println!("vendor profile: {}", out.profile_path.display());
            println!("admin token:    {}", out.admin_token_path.display());
            Ok(())
        }
        Command::Serve {
            config,
            database,
            bind,
        } => {
            let config = Config::load(&config)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| StartError::Io {
                    path: "<tokio runtime>".into(),
                    source: e,
                })?;
            runtime.block_on(async {
                // Watched before the ready line is logged (see `shutdown_signal`).
                let shutdown = hearth_vendor_service::server::shutdown_signal();
                let server = start(
                    config,
                    ServeOptions {
                        database_url: database,
                        bind,
                        clock: Arc::new(SystemClock),
                    },
                )
                .await?;
                shutdown.await;
                server.shutdown().await;
                Ok(())
            })
        }
    }
}
