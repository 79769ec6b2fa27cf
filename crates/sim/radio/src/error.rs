//! Errors of the simulated radio.
//!
//! Two families: [`RadioError`] for the host side (starting the private bus, connecting to it,
//! owning `org.bluez`), and [`BluezError`] for replies on the bus, named like BlueZ's own
//! `org.bluez.Error.*` so btleplug and bluer map them as they would on real hardware
//! (BlueZ `doc/org.bluez.Device.rst`, `doc/org.bluez.GattCharacteristic.rst`).

use std::path::PathBuf;

/// What went wrong while starting, running or stopping the radio or its private bus.
#[derive(Debug, thiserror::Error)]
pub enum RadioError {
    /// `dbus-daemon` could not be started (not installed, or not executable).
    #[error("could not start dbus-daemon: {0}")]
    BusSpawn(#[source] std::io::Error),
    /// `dbus-daemon` ended or closed its output before printing its address.
    #[error("dbus-daemon exited before printing its address")]
    BusNoAddress,
    /// The bus configuration could not be written into the run folder.
    #[error("could not write the bus configuration to {path}: {source}")]
    BusConfig {
        /// Where the configuration was to be written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The run folder's path cannot be put into a D-Bus address (not UTF-8, or contains `,;=`).
    #[error("the folder {0} cannot be used in a D-Bus address")]
    BusPath(PathBuf),
    /// A D-Bus call or connection failed.
    #[error("D-Bus: {0}")]
    DBus(#[from] zbus::Error),
    /// Someone else already owns `org.bluez` on this bus (a second radio, or a real bluetoothd).
    #[error("the name org.bluez is already owned on this bus")]
    NameTaken,
    /// Signalling or waiting for a child process failed.
    #[error("could not stop a child process: {0}")]
    ChildStop(#[source] std::io::Error),
    /// The SIGTERM/SIGINT handlers could not be installed.
    #[error("could not install signal handlers: {0}")]
    SignalSetup(#[source] std::io::Error),
    /// A link parameter is outside the range the model accepts.
    #[error("invalid link parameter: {0}")]
    InvalidLinkParameter(&'static str),
}

impl RadioError {
    /// Stable machine-readable code, for logs and for the UI's message catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BusSpawn(_) => "radio.bus_spawn",
            Self::BusNoAddress => "radio.bus_no_address",
            Self::BusConfig { .. } => "radio.bus_config",
            Self::BusPath(_) => "radio.bus_path",
            Self::DBus(_) => "radio.dbus",
            Self::NameTaken => "radio.name_taken",
            Self::ChildStop(_) => "radio.child_stop",
            Self::SignalSetup(_) => "radio.signal_setup",
            Self::InvalidLinkParameter(_) => "radio.invalid_link_parameter",
        }
    }
}

/// Errors sent as D-Bus error replies, under BlueZ's `org.bluez.Error` prefix.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.bluez.Error")]
pub enum BluezError {
    /// A transport-level D-Bus failure.
    #[zbus(error)]
    ZBus(zbus::Error),
    /// The operation failed (BlueZ's catch-all, with a reason).
    Failed(String),
    /// The device is not connected.
    NotConnected(String),
    /// The operation is already running.
    InProgress(String),
    /// The adapter is powered off.
    NotReady(String),
    /// The attribute does not support the operation (flags).
    NotSupported(String),
    /// An argument is malformed.
    InvalidArguments(String),
    /// The value is longer than the attribute or MTU allows.
    InvalidValueLength(String),
    /// The object is not known.
    DoesNotExist(String),
    /// The object is already registered.
    AlreadyExists(String),
}

impl BluezError {
    /// Stable machine-readable code, for logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ZBus(_) => "bluez.dbus",
            Self::Failed(_) => "bluez.failed",
            Self::NotConnected(_) => "bluez.not_connected",
            Self::InProgress(_) => "bluez.in_progress",
            Self::NotReady(_) => "bluez.not_ready",
            Self::NotSupported(_) => "bluez.not_supported",
            Self::InvalidArguments(_) => "bluez.invalid_arguments",
            Self::InvalidValueLength(_) => "bluez.invalid_value_length",
            Self::DoesNotExist(_) => "bluez.does_not_exist",
            Self::AlreadyExists(_) => "bluez.already_exists",
        }
    }
}
