//! `hearth-radio`: run the simulated Bluetooth LE radio.
//!
//! - `hearth-radio up --dir DIR` starts a private `dbus-daemon` with its socket in `DIR` and the
//!   radio on it, prints `DBUS_SYSTEM_BUS_ADDRESS=…`, and runs until SIGTERM or ctrl-c, then
//!   stops both (the daemon with SIGTERM).
//! - `hearth-radio serve --address ADDR` runs only the radio, on an existing bus.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use hearth_radio::{LinkParams, Radio, RadioConfig, RadioError, Simulation};
use tokio::signal::unix::{Signal, SignalKind, signal};

#[derive(Parser, Debug)]
#[command(
    name = "hearth-radio",
    about = "Simulated Bluetooth LE radio (BlueZ's D-Bus API on a private bus)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start a private bus in DIR and the radio on it.
    Up {
        /// Run folder for the bus socket and configuration.
        #[arg(long)]
        dir: PathBuf,
        #[command(flatten)]
        radio: RadioArgs,
    },
    /// Run the radio on an existing bus.
    Serve {
        /// D-Bus address, e.g. `unix:path=/run/radio/system_bus_socket`.
        #[arg(long)]
        address: String,
        #[command(flatten)]
        radio: RadioArgs,
    },
}

#[derive(Args, Debug)]
struct RadioArgs {
    /// Seed for the link loss model.
    #[arg(long, default_value_t = RadioConfig::default().seed)]
    seed: u64,
    /// Peripheral adapters to create at start (hci1 ..= hciN).
    #[arg(long, default_value_t = RadioConfig::default().peripheral_adapters)]
    peripherals: u8,
    /// Connection interval in milliseconds.
    #[arg(long, default_value_t = 30.0)]
    interval_ms: f64,
    /// ATT MTU.
    #[arg(long, default_value_t = LinkParams::default().mtu)]
    mtu: u16,
    /// Bytes per connection event.
    #[arg(long, default_value_t = LinkParams::default().bytes_per_event)]
    bytes_per_event: u32,
    /// Probability that a PDU loses the link.
    #[arg(long, default_value_t = 0.0)]
    loss: f64,
}

impl RadioArgs {
    fn config(&self) -> RadioConfig {
        RadioConfig {
            seed: self.seed,
            peripheral_adapters: self.peripherals,
            link: LinkParams {
                interval: Duration::from_secs_f64(self.interval_ms.max(0.0) / 1000.0),
                mtu: self.mtu,
                bytes_per_event: self.bytes_per_event,
                loss_per_pdu: self.loss,
            },
        }
    }
}

/// SIGTERM or SIGINT. Installed before anything is started, so a signal that arrives right after
/// the address is printed still stops the radio cleanly.
struct StopSignals {
    term: Signal,
    int: Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

async fn run(cli: Cli) -> Result<(), RadioError> {
    let stop = StopSignals::install().map_err(RadioError::SignalSetup)?;
    match cli.command {
        Command::Up { dir, radio } => {
            std::fs::create_dir_all(&dir).map_err(|source| RadioError::BusConfig {
                path: dir.clone(),
                source,
            })?;
            let sim = Simulation::up(&dir, radio.config()).await?;
            println!("DBUS_SYSTEM_BUS_ADDRESS={}", sim.address());
            stop.wait().await;
            sim.down().await
        }
        Command::Serve { address, radio } => {
            let radio = Radio::serve(&address, radio.config()).await?;
            stop.wait().await;
            radio.stop().await
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hearth_radio=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hearth-radio: {e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}
