//! The reference device as a child process: what tests and tools use to run the
//! real `hearth-refdevice` binary beside a radio, stop it like a user's power
//! switch would (SIGTERM), and read what it logged.

use std::{
    path::{Path, PathBuf},
    process::ExitStatus,
};

use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};

/// How to start one device.
#[derive(Debug, Clone)]
pub struct DeviceArgs<'a> {
    /// The factory bundle folder (`--identity`).
    pub identity: &'a Path,
    /// Its simulated flash (`--state`).
    pub state: &'a Path,
    /// The peripheral adapter it serves on (`--adapter`).
    pub adapter: &'a str,
    /// The Wi-Fi networks in range (`--wifi-networks`).
    pub wifi_networks: &'a Path,
    /// The sensor's seed (`--seed`), when a test wants a fixed one.
    pub seed: Option<u64>,
    /// The bus to serve on (`DBUS_SYSTEM_BUS_ADDRESS` for the child); the caller's own when
    /// `None`. Naming it keeps the device on its world's radio whatever the caller's
    /// environment says.
    pub bus_address: Option<&'a str>,
}

/// A running `hearth-refdevice`, killed if dropped without [`DeviceProcess::terminate`].
#[derive(Debug)]
pub struct DeviceProcess {
    pub child: tokio::process::Child,
    /// Where its stderr (its tracing log, debug level for this crate) goes.
    pub log: PathBuf,
}

impl DeviceProcess {
    /// Starts `binary` with `args`, logging to `log`. The caller's environment is inherited,
    /// `DBUS_SYSTEM_BUS_ADDRESS` too unless [`DeviceArgs::bus_address`] names the bus.
    ///
    /// # Errors
    /// The log file cannot be created or the binary cannot be started.
    pub fn spawn(binary: &Path, args: &DeviceArgs<'_>, log: PathBuf) -> std::io::Result<Self> {
        let mut command = tokio::process::Command::new(binary);
        command
            .arg("--identity")
            .arg(args.identity)
            .arg("--state")
            .arg(args.state)
            .args(["--adapter", args.adapter])
            .arg("--wifi-networks")
            .arg(args.wifi_networks)
            .env("RUST_LOG", "hearth_reference_device=debug,info")
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true);
        if let Some(seed) = args.seed {
            command.args(["--seed", &seed.to_string()]);
        }
        if let Some(address) = args.bus_address {
            command.env("DBUS_SYSTEM_BUS_ADDRESS", address);
        }
        let child = command.spawn()?;
        Ok(Self { child, log })
    }

    /// Stops the device with SIGTERM (a clean shutdown) and waits for its exit.
    ///
    /// # Errors
    /// The process is already gone or cannot be signalled or waited for.
    pub async fn terminate(mut self) -> std::io::Result<ExitStatus> {
        let pid = self
            .child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| std::io::Error::other("the device process has already exited"))?;
        kill(Pid::from_raw(pid), Signal::SIGTERM).map_err(std::io::Error::from)?;
        self.child.wait().await
    }

    /// Everything the device has logged so far.
    #[must_use]
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
