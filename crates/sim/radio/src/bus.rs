//! A private `dbus-daemon` of type `system`, configured from `bus.conf` in this crate, with its
//! socket in a run folder of the caller's choosing.

use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::error::RadioError;

/// The bus configuration template; `@RUN_DIR@` is replaced with the run folder.
pub const BUS_CONFIG_TEMPLATE: &str = include_str!("../bus.conf");

/// A running `dbus-daemon`. Stop it with [`PrivateBus::stop`]; dropping it sends SIGTERM too.
#[derive(Debug)]
pub struct PrivateBus {
    address: String,
    dir: PathBuf,
    child: Option<Child>,
}

/// Escapes a path for a D-Bus address (D-Bus specification, "Server Addresses").
fn escape_address_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_/.\\*".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// The address a bus started in `dir` listens on (`unix:path=DIR/system_bus_socket`), known
/// before it starts: a process can put it into `DBUS_SYSTEM_BUS_ADDRESS` while it is still
/// single-threaded.
///
/// # Errors
/// [`RadioError::BusPath`] if `dir` is not UTF-8.
pub fn socket_address(dir: &Path) -> Result<String, RadioError> {
    let text = dir
        .to_str()
        .ok_or_else(|| RadioError::BusPath(dir.to_owned()))?;
    Ok(format!(
        "unix:path={}/system_bus_socket",
        escape_address_value(text)
    ))
}

/// The configuration text for a bus whose socket lives in `dir`.
///
/// # Errors
/// [`RadioError::BusPath`] if `dir` is not UTF-8 or holds characters XML would need escaped.
pub fn bus_config(dir: &Path) -> Result<String, RadioError> {
    let text = dir
        .to_str()
        .ok_or_else(|| RadioError::BusPath(dir.to_owned()))?;
    if text.contains(['&', '<', '>', '"', '\'']) {
        return Err(RadioError::BusPath(dir.to_owned()));
    }
    Ok(BUS_CONFIG_TEMPLATE.replace("@RUN_DIR@", &escape_address_value(text)))
}

impl PrivateBus {
    /// Writes `dir/bus.conf` and starts `dbus-daemon` on it; returns once the daemon has
    /// printed its address (so the socket accepts connections).
    ///
    /// # Errors
    /// [`RadioError::BusConfig`], [`RadioError::BusPath`], [`RadioError::BusSpawn`], or
    /// [`RadioError::BusNoAddress`] if the daemon exits before printing its address.
    pub async fn start(dir: &Path) -> Result<Self, RadioError> {
        let config_path = dir.join("bus.conf");
        let config = bus_config(dir)?;
        tokio::fs::write(&config_path, config)
            .await
            .map_err(|source| RadioError::BusConfig {
                path: config_path.clone(),
                source,
            })?;
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config_path.display()))
            .arg("--nofork")
            .arg("--nosyslog")
            .arg("--print-address")
            .stdout(std::process::Stdio::piped())
            .stdin(std::process::Stdio::null())
            .spawn()
            .map_err(RadioError::BusSpawn)?;
        let stdout = child.stdout.take().ok_or(RadioError::BusNoAddress)?;
        let mut line = String::new();
        let read = BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .map_err(RadioError::BusSpawn)?;
        let mut bus = Self {
            address: line.trim().to_owned(),
            dir: dir.to_owned(),
            child: Some(child),
        };
        if read == 0 || bus.address.is_empty() {
            bus.terminate();
            return Err(RadioError::BusNoAddress);
        }
        Ok(bus)
    }

    /// The bus address, for `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn terminate(&mut self) {
        if let Some(pid) = self
            .child
            .as_ref()
            .and_then(Child::id)
            .and_then(|id| i32::try_from(id).ok())
        {
            // SIGTERM, not SIGKILL: dbus-daemon cleans up its socket on the way out.
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }

    /// Sends SIGTERM and waits for the daemon to exit.
    ///
    /// # Errors
    /// [`RadioError::ChildStop`] if waiting fails.
    pub async fn stop(mut self) -> Result<(), RadioError> {
        self.terminate();
        if let Some(mut child) = self.child.take() {
            child.wait().await.map_err(RadioError::ChildStop)?;
        }
        Ok(())
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        self.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_points_the_socket_into_the_folder() {
        let config = bus_config(Path::new("/tmp/run dir")).unwrap();
        assert!(config.contains("<listen>unix:path=/tmp/run%20dir/system_bus_socket</listen>"));
        assert!(config.contains("<type>system</type>"));
        assert!(config.contains("<auth>EXTERNAL</auth>"));
        assert!(bus_config(Path::new("/tmp/a<b")).is_err());
        assert_eq!(
            socket_address(Path::new("/tmp/run dir")).unwrap(),
            "unix:path=/tmp/run%20dir/system_bus_socket"
        );
    }
}
