//! `hearth-refdevice`: the reference smart plug as a BLE peripheral, and a
//! small client for its button and power cord.
//!
//! ```text
//! hearth-refdevice --identity DIR --state DIR [--adapter hci1] [--wifi-networks FILE] [--seed N]
//! hearth-refdevice press     --state DIR
//! hearth-refdevice power-off --state DIR
//! hearth-refdevice power-on  --state DIR
//! hearth-refdevice status    --state DIR
//! ```

use clap::{Args, Parser, Subcommand};
use hearth_reference_device::clock::SystemClock;
use hearth_reference_device::control::{self, Command};
use hearth_reference_device::plug::{Plug, PlugConfig, read_identity};
use hearth_reference_device::wifi::SimulatedWifi;
use hearth_reference_device::{RefDeviceError, ble};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hearth-refdevice",
    version,
    about = "Hearth reference smart plug (BLE peripheral over BlueZ or the simulated radio)",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(flatten)]
    run: RunArgs,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Args)]
struct RunArgs {
    /// Identity folder minted by `hearth-factory mint` (holds `device.bundle`).
    #[arg(long, required = true)]
    identity: Option<PathBuf>,
    /// State folder (simulated flash; also holds the control socket).
    #[arg(long, required = true)]
    state: Option<PathBuf>,
    /// BlueZ adapter to use.
    #[arg(long, default_value = "hci1")]
    adapter: String,
    /// SSID → passphrase pairs in range (TOML `[networks]` table, or JSON if `.json`).
    #[arg(long)]
    wifi_networks: Option<PathBuf>,
    /// Seed of the simulated temperature sensor.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Subcommand)]
enum Action {
    /// Press the pairing button of a running device.
    Press(StateArg),
    /// Cut the power of a running device.
    PowerOff(StateArg),
    /// Restore the power of a running device.
    PowerOn(StateArg),
    /// Print the status of a running device as JSON.
    Status(StateArg),
}

#[derive(Args)]
struct StateArg {
    /// State folder of the running device.
    #[arg(long)]
    state: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.action {
            None => run(cli.run).await,
            Some(action) => {
                let (state, command) = match action {
                    Action::Press(a) => (a.state, Command::PressButton),
                    Action::PowerOff(a) => (a.state, Command::PowerOff),
                    Action::PowerOn(a) => (a.state, Command::PowerOn),
                    Action::Status(a) => (a.state, Command::Status),
                };
                let status = control::send(&state, command).await?;
                let json = serde_json::to_string(&status)
                    .map_err(|e| RefDeviceError::ControlProtocol(e.to_string()))?;
                println!("{json}");
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(code = error.code(), %error, "failed");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: RunArgs) -> Result<(), RefDeviceError> {
    let (Some(identity_dir), Some(state_dir)) = (args.identity, args.state) else {
        unreachable!("clap requires --identity and --state without a subcommand");
    };
    let identity = read_identity(&identity_dir)?;
    let wifi = match &args.wifi_networks {
        Some(path) => SimulatedWifi::load(path)?,
        None => SimulatedWifi::none(),
    };
    tracing::info!(
        serial = %identity.serial,
        model = %identity.model,
        networks = ?wifi.ssids().collect::<Vec<_>>(),
        adapter = %args.adapter,
        "starting"
    );
    let plug = Plug::boot(
        PlugConfig {
            identity,
            state_dir: state_dir.clone(),
            wifi,
            seed: args.seed,
        },
        Box::new(SystemClock),
    )?;
    let socket = control::socket_path(&state_dir);
    let listener = control::bind(&socket)?;
    let result = ble::run(plug, &args.adapter, listener, shutdown_signal()).await;
    let _ = std::fs::remove_file(&socket);
    result
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            tracing::warn!("cannot watch SIGTERM; stop with SIGKILL");
            std::future::pending::<()>().await;
        }
    }
}
