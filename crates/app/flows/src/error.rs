//! The one error type of the flows. Each variant is something the person holding the phone
//! can act on; [`FlowError::code`] is its stable code in the one table
//! ([`hearth_core::codes`]), which names the Fluent message that says it in plain words (the
//! UI and the CLI never show the English `Display` text, which is for logs). The `code`
//! fields of [`FlowError::Bluetooth`] and [`FlowError::Protocol`] are the lower layer's own
//! detail codes, for logs only.

use hearth_ble::BleError;
use hearth_core::{CoreError, ErrorCode, ErrorDto};
use hearth_keystore::KeystoreError;
use hearth_protocol::message::{DeviceError, MessageError};
use hearth_protocol::pairing::PairingError;
use hearth_protocol::setup_code::SetupCodeError;

/// Why a flow failed.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The text given as a setup code is not one (typo, wrong check digit).
    #[error("not a valid setup code: {0}")]
    InvalidSetupCode(#[source] SetupCodeError),
    /// The vendor profile could not be read or has no usable root key.
    #[error("vendor profile: {reason}")]
    VendorProfile { reason: String },
    /// The Wi-Fi name or passphrase breaks the 802.11 bounds.
    #[error("Wi-Fi settings rejected: {reason}")]
    InvalidWifi { reason: String },
    /// The Bluetooth adapter is powered off.
    #[error("Bluetooth is turned off")]
    BluetoothOff,
    /// No Bluetooth adapter or service on this machine.
    #[error("no Bluetooth adapter: {detail}")]
    NoAdapter { detail: String },
    /// The device was not heard: out of range, powered off, or not a Hearth device.
    #[error("the device was not found nearby")]
    OutOfRange,
    /// The device was heard but the connection could not be made.
    #[error("could not connect to the device: {detail}")]
    CouldNotConnect { detail: String },
    /// The link dropped or stalled during the flow; nothing half-done is kept, try again.
    #[error("the Bluetooth link was lost: {detail}")]
    LinkLost { detail: String },
    /// The device does not offer the Hearth service.
    #[error("not a Hearth device")]
    NotAHearthDevice,
    /// Another Bluetooth failure, with the transport's detail code (for logs).
    #[error("Bluetooth failure ({code}): {detail}")]
    Bluetooth { code: &'static str, detail: String },
    /// Wrong setup code; the device allows `attempts_left` more (EN 303 645 4.1-1).
    #[error("wrong setup code; {attempts_left} attempts left")]
    WrongCode { attempts_left: u32 },
    /// Too many wrong codes: the device waits for its button to be pressed (5.1-5).
    #[error("too many wrong setup codes; press the device's button")]
    LockedUntilButton,
    /// Too many wrong codes: the device refuses for a while.
    #[error("too many wrong setup codes; try again in {retry_after_secs} s")]
    LockedOut { retry_after_secs: u32 },
    /// The device's pairing window is closed (timed out, or it has an owner).
    #[error("the device is not accepting pairing")]
    PairingWindowClosed,
    /// The device advertises that it already has an owner: it must be forgotten by the app
    /// that set it up, or factory-reset, before it can be paired again.
    #[error("the device already has an owner")]
    AlreadyOwned,
    /// The person chose not to set the device up after seeing what its maker promises
    /// (before the setup code was tried, so no attempt was used).
    #[error("setup stopped by the person before pairing")]
    Declined,
    /// The person did not answer the question before pairing in time (the window was left
    /// open); nothing was sent, and setting up again asks again.
    #[error("no answer to the question before pairing")]
    NoAnswer,
    /// The device failed attestation or proved another identity than the one paired with.
    #[error("the device is not a genuine device of this vendor: {detail}")]
    NotGenuine {
        detail: String,
        /// The maker the device claimed to be made by (the trusted vendor), when known.
        maker: Option<String>,
    },
    /// The device refused the owner key (it was reset, or belongs to someone else now).
    #[error("the device no longer accepts this app's owner key")]
    NotAuthorised,
    /// Paired and remembered, but the device could not join Wi-Fi: wrong passphrase.
    #[error("the device could not join Wi-Fi: wrong passphrase")]
    WifiWrongPassphrase { device_id: String },
    /// Paired and remembered, but the device did not find the network.
    #[error("the device did not find the Wi-Fi network {ssid:?}")]
    WifiNoNetwork { device_id: String, ssid: String },
    /// The device said nothing about Wi-Fi in time.
    #[error("the device did not report its Wi-Fi status in time")]
    WifiNoAnswer { device_id: String },
    /// No remembered device has this name or id.
    #[error("no device named {query:?}")]
    UnknownDevice { query: String },
    /// Several remembered devices have this name.
    #[error("{count} devices are named {query:?}; use the id")]
    AmbiguousDevice { query: String, count: usize },
    /// A remembered device cannot be reached, so it was not forgotten (its owner key would be
    /// lost while the device still trusts it).
    #[error("the device could not be reached to reset it: {detail}")]
    ForgetUnreachable { detail: String },
    /// The OS keyring cannot be used.
    #[error("the keyring is unavailable ({code})")]
    KeyringUnavailable {
        code: &'static str,
        #[source]
        source: KeystoreError,
    },
    /// The keyring has no owner key for a remembered device.
    #[error("no owner key in the keyring for this device")]
    OwnerKeyMissing,
    /// The app database failed.
    #[error("device database: {0}")]
    Database(#[source] CoreError),
    /// The device broke the protocol (detail code from the protocol crate, for logs).
    #[error("protocol failure ({code}): {detail}")]
    Protocol { code: &'static str, detail: String },
    /// The device refused for a reason this app does not handle specially.
    #[error("the device refused: {0}")]
    Refused(#[source] DeviceError),
}

impl FlowError {
    /// The stable code, with its Fluent message in the one table ([`ErrorCode::message_id`]).
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidSetupCode(_) => ErrorCode::InvalidSetupCode,
            Self::VendorProfile { .. } => ErrorCode::VendorProfile,
            Self::InvalidWifi { .. } => ErrorCode::InvalidWifi,
            Self::BluetoothOff => ErrorCode::BluetoothOff,
            Self::NoAdapter { .. } => ErrorCode::NoAdapter,
            Self::OutOfRange => ErrorCode::OutOfRange,
            Self::CouldNotConnect { .. } => ErrorCode::CouldNotConnect,
            Self::LinkLost { .. } => ErrorCode::LinkLost,
            Self::NotAHearthDevice => ErrorCode::NotAHearthDevice,
            Self::Bluetooth { .. } => ErrorCode::Bluetooth,
            Self::WrongCode { .. } => ErrorCode::WrongCode,
            Self::LockedUntilButton => ErrorCode::LockedUntilButton,
            Self::LockedOut { .. } => ErrorCode::LockedOut,
            Self::PairingWindowClosed => ErrorCode::PairingWindowClosed,
            Self::AlreadyOwned => ErrorCode::AlreadyOwned,
            Self::Declined => ErrorCode::Declined,
            Self::NoAnswer => ErrorCode::NoAnswer,
            Self::NotGenuine { maker: None, .. } => ErrorCode::NotGenuine,
            Self::NotGenuine { maker: Some(_), .. } => ErrorCode::NotGenuineMaker,
            Self::NotAuthorised => ErrorCode::NotAuthorised,
            Self::WifiWrongPassphrase { .. } => ErrorCode::WifiWrongPassphrase,
            Self::WifiNoNetwork { .. } => ErrorCode::WifiNoNetwork,
            Self::WifiNoAnswer { .. } => ErrorCode::WifiNoAnswer,
            Self::UnknownDevice { .. } => ErrorCode::UnknownDevice,
            Self::AmbiguousDevice { .. } => ErrorCode::AmbiguousDevice,
            Self::ForgetUnreachable { .. } => ErrorCode::ForgetUnreachable,
            Self::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Self::OwnerKeyMissing => ErrorCode::OwnerKeyMissing,
            Self::Database(_) => ErrorCode::FlowDatabase,
            Self::Protocol { .. } => ErrorCode::Protocol,
            Self::Refused(_) => ErrorCode::Refused,
        }
    }

    /// The Fluent message that explains this error to a person.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        self.code().message_id()
    }

    /// The named arguments of [`FlowError::message_id`] (none secret).
    #[must_use]
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::WrongCode { attempts_left } => vec![("attempts", attempts_left.to_string())],
            Self::LockedOut { retry_after_secs } => {
                vec![("seconds", retry_after_secs.to_string())]
            }
            Self::WifiNoNetwork { ssid, .. } => vec![("ssid", ssid.clone())],
            Self::NotGenuine {
                maker: Some(maker), ..
            } => vec![("maker", maker.clone())],
            Self::UnknownDevice { query } => vec![("device", query.clone())],
            Self::AmbiguousDevice { query, count } => {
                vec![("device", query.clone()), ("count", count.to_string())]
            }
            _ => Vec::new(),
        }
    }

    /// The error as the UI receives it: the code, its message and the arguments (none
    /// secret: attempts, seconds, a Wi-Fi name the person typed, a maker).
    #[must_use]
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto::with_args(
            self.code(),
            self.message_args()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// The device a Wi-Fi failure after pairing is about (it is remembered).
    #[must_use]
    pub fn device_id(&self) -> Option<&str> {
        match self {
            Self::WifiWrongPassphrase { device_id }
            | Self::WifiNoNetwork { device_id, .. }
            | Self::WifiNoAnswer { device_id } => Some(device_id),
            _ => None,
        }
    }

    /// The same failure, naming `maker` if the device failed to prove it was made by them.
    #[must_use]
    pub fn with_maker(self, maker: &str) -> Self {
        match self {
            Self::NotGenuine { detail, .. } => Self::NotGenuine {
                detail,
                maker: Some(maker.to_owned()),
            },
            other => other,
        }
    }

    /// Maps a refusal the device sent inside a session or during pairing.
    #[must_use]
    pub fn from_device(error: DeviceError) -> Self {
        match error {
            DeviceError::WrongCode { attempts_left } => Self::WrongCode { attempts_left },
            DeviceError::LockedUntilButton => Self::LockedUntilButton,
            DeviceError::LockedOut { retry_after_secs } => Self::LockedOut { retry_after_secs },
            DeviceError::PairingWindowClosed => Self::PairingWindowClosed,
            DeviceError::NotAuthorised => Self::NotAuthorised,
            other => Self::Refused(other),
        }
    }

    /// Maps a keyring failure.
    #[must_use]
    pub fn from_keystore(error: KeystoreError) -> Self {
        match error {
            KeystoreError::NotFound { .. } => Self::OwnerKeyMissing,
            other => Self::KeyringUnavailable {
                code: other.code(),
                source: other,
            },
        }
    }

    /// Whether the device was unreachable (as opposed to reachable and refusing).
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::BluetoothOff
                | Self::NoAdapter { .. }
                | Self::OutOfRange
                | Self::CouldNotConnect { .. }
                | Self::LinkLost { .. }
        )
    }
}

impl From<BleError> for FlowError {
    fn from(error: BleError) -> Self {
        match error {
            BleError::BluetoothOff => Self::BluetoothOff,
            BleError::NoAdapter { detail } => Self::NoAdapter { detail },
            BleError::DeviceNotFound => Self::OutOfRange,
            BleError::ConnectFailed { detail } => Self::CouldNotConnect { detail },
            BleError::Disconnected | BleError::Timeout { .. } | BleError::Closed => {
                Self::LinkLost {
                    detail: error.to_string(),
                }
            }
            BleError::ServiceMissing => Self::NotAHearthDevice,
            // A device that breaks the framing broke the protocol; it is not a
            // Bluetooth problem the user could fix, so say so, with the frame's code.
            BleError::Framing(frame) => Self::Protocol {
                code: frame.code(),
                detail: frame.to_string(),
            },
            other => Self::Bluetooth {
                code: other.code(),
                detail: other.to_string(),
            },
        }
    }
}

impl From<PairingError> for FlowError {
    fn from(error: PairingError) -> Self {
        match error {
            PairingError::WrongCode { attempts_left } => Self::WrongCode { attempts_left },
            PairingError::LockedUntilButton => Self::LockedUntilButton,
            PairingError::Device(device) => Self::from_device(device),
            PairingError::AttestationFailed(_) | PairingError::Handshake(_) => Self::NotGenuine {
                detail: error.to_string(),
                maker: None,
            },
            other => Self::Protocol {
                code: other.code(),
                detail: other.to_string(),
            },
        }
    }
}

impl From<MessageError> for FlowError {
    fn from(error: MessageError) -> Self {
        Self::Protocol {
            code: error.code(),
            detail: error.to_string(),
        }
    }
}

impl From<CoreError> for FlowError {
    fn from(error: CoreError) -> Self {
        Self::Database(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_map_to_what_the_user_can_do() {
        assert_eq!(
            FlowError::from(BleError::BluetoothOff).code(),
            "flow.bluetooth_off"
        );
        assert_eq!(
            FlowError::from(BleError::DeviceNotFound).code(),
            "flow.out_of_range"
        );
        assert_eq!(
            FlowError::from(BleError::Disconnected).code(),
            "flow.link_lost"
        );
        assert!(FlowError::from(BleError::Disconnected).is_unreachable());
        assert!(!FlowError::NotAuthorised.is_unreachable());
    }

    #[test]
    fn pairing_refusals_keep_their_details() {
        let wrong = FlowError::from(PairingError::WrongCode { attempts_left: 7 });
        assert_eq!(wrong.code(), "flow.wrong_code");
        assert_eq!(wrong.message_args(), vec![("attempts", "7".to_owned())]);
        let locked = FlowError::from(PairingError::Device(DeviceError::LockedOut {
            retry_after_secs: 30,
        }));
        assert_eq!(locked.code(), "flow.locked_out");
        assert_eq!(
            FlowError::from(PairingError::LockedUntilButton).message_id(),
            "flow-error-locked-until-button"
        );
    }
}
