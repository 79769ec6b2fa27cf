//! Why the reference device could not start or carry out a command.

use std::path::PathBuf;

/// Every failure of the reference device, each with a stable [`code`](Self::code).
#[derive(Debug, thiserror::Error)]
pub enum RefDeviceError {
    /// The identity bundle could not be read.
    #[error("cannot read the identity bundle {path}: {source}")]
    IdentityRead {
        /// The bundle file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The identity bundle is larger than any bundle the factory writes.
    #[error("the identity bundle {0} is too large")]
    IdentityTooLarge(PathBuf),
    /// The identity bundle is not a device bundle.
    #[error("the identity bundle is not valid: {0}")]
    IdentityInvalid(#[source] hearth_device::state::StateError),
    /// The Wi-Fi networks file could not be read or parsed.
    #[error("the Wi-Fi networks file {path} is not usable: {reason}")]
    WifiFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The device core refused to boot or to persist its state.
    #[error("device core: {0}")]
    Core(#[from] hearth_device::DeviceError),
    /// The state folder could not be created.
    #[error("cannot use the state folder {path}: {source}")]
    StateFolder {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The Bluetooth stack (BlueZ or the simulated radio) refused a call.
    #[error("bluetooth: {0}")]
    Bluetooth(#[from] bluer::Error),
    /// The command needs power, and the device is off.
    #[error("the device is powered off")]
    PoweredOff,
    /// The control socket failed.
    #[error("control socket {path}: {source}")]
    ControlSocket {
        /// The socket.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The control socket answered something this client does not understand.
    #[error("the control socket answered nonsense: {0}")]
    ControlProtocol(String),
    /// The device refused a control command.
    #[error("the device refused the command: {code}: {message}")]
    Refused {
        /// The device's error code.
        code: String,
        /// Its message.
        message: String,
    },
}

impl RefDeviceError {
    /// Stable machine code for logs and the control socket.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::IdentityRead { .. } => "refdevice_identity_read",
            Self::IdentityTooLarge(_) => "refdevice_identity_too_large",
            Self::IdentityInvalid(_) => "refdevice_identity_invalid",
            Self::WifiFile { .. } => "refdevice_wifi_file",
            Self::Core(e) => e.code(),
            Self::StateFolder { .. } => "refdevice_state_folder",
            Self::Bluetooth(_) => "refdevice_bluetooth",
            Self::PoweredOff => "refdevice_powered_off",
            Self::ControlSocket { .. } => "refdevice_control_socket",
            Self::ControlProtocol(_) => "refdevice_control_protocol",
            Self::Refused { .. } => "refdevice_refused",
        }
    }
}
