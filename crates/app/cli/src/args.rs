//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Set up and control Hearth devices over Bluetooth LE.
#[derive(Debug, Parser)]
#[command(name = "hearth", version)]
pub struct Cli {
    /// The vendor profile (`vendor-profile.json`); default `$HEARTH_VENDOR_PROFILE`.
    #[arg(long, global = true, env = "HEARTH_VENDOR_PROFILE")]
    pub vendor_profile: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the Hearth devices in range.
    Scan {
        /// How long to listen, in seconds.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// Pair the device whose label shows CODE (QR payload or 11-digit manual code).
    Pair {
        /// The code, or `-` to read it from the first line of stdin (keeps it out of the
        /// process list).
        #[arg(long)]
        code: String,
        /// The Wi-Fi network the device joins.
        #[arg(long, requires = "wifi_pass_file")]
        wifi_ssid: String,
        /// A file holding the Wi-Fi passphrase (first line), so it never appears in the
        /// process list or shell history.
        #[arg(long, requires = "wifi_ssid")]
        wifi_pass_file: PathBuf,
        /// The name to list the device under (default: the name it advertises).
        #[arg(long)]
        name: Option<String>,
        /// Pair it even if its maker says its security updates have ended, end soon, or never
        /// come (the support period is printed first). Without it such a device is not paired.
        #[arg(long)]
        accept_no_updates: bool,
    },
    /// List the remembered devices.
    Devices,
    /// Switch a plug on or off.
    Plug {
        state: PlugSwitch,
        /// Name or id.
        device: String,
    },
    /// Read a device's temperature.
    Temp {
        /// Name or id.
        device: String,
    },
    /// Give a device new Wi-Fi settings (e.g. a corrected passphrase), without a reset.
    Wifi {
        /// Name or id.
        device: String,
        #[arg(long)]
        ssid: String,
        #[arg(long)]
        pass_file: PathBuf,
    },
    /// Show how long a device gets security updates, as its maker publishes it.
    Support {
        /// A remembered device's name or id, or a model id such as `hearth-plug-1`.
        device: String,
    },
    /// Show what a device collects, why, who receives it and for how long.
    Collects {
        /// A remembered device's name or id, or a model id such as `hearth-plug-1`.
        device: String,
    },
    /// Show how to report a security problem to the device maker.
    SecurityContact,
    /// Factory-reset a device and forget it (its owner key and its entry).
    Forget {
        /// Name or id.
        device: String,
        /// Forget it even if it cannot be reached to reset it.
        #[arg(long)]
        even_if_unreachable: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlugSwitch {
    On,
    Off,
}

impl Command {
    /// Whether the command uses owner keys (every command that talks to a paired device).
    pub fn needs_keyring(&self) -> bool {
        !matches!(
            self,
            Self::Scan { .. }
                | Self::Devices
                | Self::Support { .. }
                | Self::Collects { .. }
                | Self::SecurityContact
        )
    }
}
