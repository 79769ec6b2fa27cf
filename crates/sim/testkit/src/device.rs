//! Reference-device processes (`hearth-refdevice`) and their physical side: the control socket
//! a person's hand stands in for (the button, the power cord).

use std::path::{Path, PathBuf};

use hearth_reference_device::control::{self, Command};
use hearth_reference_device::plug::Status;
use hearth_reference_device::process::{DeviceArgs, DeviceProcess};

use crate::factory::Device;
use crate::{Error, fail, try_within};

/// How one start of a device differs from the world's defaults.
#[derive(Debug, Clone, Default)]
pub struct DeviceOptions {
    /// The Wi-Fi networks in range (the world's file when `None`).
    pub wifi_networks: Option<PathBuf>,
    /// The sensor's seed (the world's, if any, when `None`).
    pub seed: Option<u64>,
}

/// Starts `binary` for `device` on the bus at `bus_address` (given to the child explicitly,
/// whatever this process's environment says). Needs a tokio runtime (its child reaper).
///
/// # Errors
/// The binary did not start or its log cannot be created.
pub fn spawn(
    binary: &Path,
    device: &Device,
    bus_address: &str,
    wifi_networks: &Path,
    seed: Option<u64>,
) -> Result<DeviceProcess, Error> {
    let args = DeviceArgs {
        identity: &device.identity,
        state: &device.state,
        adapter: &device.adapter,
        wifi_networks,
        seed,
        bus_address: Some(bus_address),
    };
    DeviceProcess::spawn(binary, &args, device.log.clone()).map_err(|e| {
        fail(format!(
            "could not start {} for {}: {e}",
            binary.display(),
            device.serial
        ))
    })
}

/// Stops `process` with SIGTERM (a clean shutdown, as its power switch) and checks that it
/// exited cleanly.
///
/// # Errors
/// It could not be signalled, did not exit within [`crate::STEP`], or exited with a failure
/// (its log is in the message).
pub async fn terminate(process: DeviceProcess, serial: &str) -> Result<(), Error> {
    let log = process.log.clone();
    let status = try_within("the device to exit", process.terminate())
        .await?
        .map_err(|e| fail(format!("stopping {serial}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "{serial} exited with {status}; its log ({}):\n{}",
            log.display(),
            std::fs::read_to_string(&log).unwrap_or_default()
        )))
    }
}

/// Sends `command` through the control socket of the device whose flash is `state`.
///
/// # Errors
/// The device is not running there or refused.
pub async fn send(state: &Path, command: Command) -> Result<Status, Error> {
    try_within("the device's control socket", control::send(state, command))
        .await?
        .map_err(|e| fail(format!("the device at {}: {e}", state.display())))
}

/// [`send`] for a test: the device's answer, or the test fails.
///
/// # Panics
/// When the device does not answer or refuses.
pub async fn control(device: &Device, command: Command) -> Status {
    send(&device.state, command)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", device.serial))
}
