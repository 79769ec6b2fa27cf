//! What a device answers: the bodies of [`Response`], each repeating the id
//! of the request it answers, and the device's typed refusals
//! ([`DeviceError`]).

use serde::{Deserialize, Serialize};

use super::values::validate_device_info;
use super::{Body, DeviceInfo, MessageError, Sealed};

// Pairing answers.

/// Round trip 1 answer: SPAKE2+ parameters (RFC 9383 §3.2) and the device's
/// self-description, shown to the user before the passcode is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingParamsResponse {
    #[serde(with = "serde_bytes")]
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub device_info: DeviceInfo,
    /// Failed pairing attempts the device still allows before locking out.
    pub attempts_left: u32,
    pub window_open: bool,
}

/// Allowed salt sizes for the passcode's PBKDF2 (Matter: 16–32 bytes).
pub const SALT_LEN: std::ops::RangeInclusive<usize> = 16..=32;
/// Allowed PBKDF2 iteration counts (Matter: 1 000–100 000).
pub const ITERATIONS: std::ops::RangeInclusive<u32> = 1000..=100_000;
/// Most certificates a device sends in its chain (device cert + device CA).
pub const MAX_CERTIFICATES: usize = 4;

/// Round trip 2 answer: the device's share `pB`, confirmation `cB`, and its
/// attestation — its certificate chain (leaf first) and the identity key's
/// Ed25519 signature over the SPAKE2+ transcript hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pake2 {
    #[serde(with = "serde_bytes")]
    pub share_v: [u8; 65],
    #[serde(with = "serde_bytes")]
    pub confirm_v: [u8; 32],
    pub certificate_chain: Vec<serde_bytes::ByteBuf>,
    #[serde(with = "serde_bytes")]
    pub attestation_signature: [u8; 64],
}

/// Round trip 3 answer (sealed): the user id the device gave the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningAck {
    pub user_id: u32,
}

// Owner session.

/// The device's half of the owner-session handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceHello {
    #[serde(with = "serde_bytes")]
    pub ephemeral_public: [u8; 32],
    #[serde(with = "serde_bytes")]
    pub nonce: [u8; 32],
    #[serde(with = "serde_bytes")]
    pub signature: [u8; 64],
}

// Control answers (sealed).

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlugState {
    pub on: bool,
}

/// A temperature reading in hundredths of a degree Celsius (2150 = 21.5 °C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Temperature {
    pub centi_celsius: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAdded {
    pub user_id: u32,
}

/// Success with nothing to report (user removed, factory reset started,
/// owner session opened without a first request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {}

// Refusals, plain or sealed.

/// A typed refusal from the device. Details let the app tell the user exactly
/// what to do (provision 4.1-1: lockout is visible, not silent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DeviceError {
    #[error("wrong setup code; {attempts_left} attempts left")]
    WrongCode { attempts_left: u32 },
    #[error("too many wrong setup codes; try again in {retry_after_secs} s")]
    LockedOut { retry_after_secs: u32 },
    /// The pairing window timed out (15 minutes) or the device is paired.
    #[error("the device's pairing window is closed")]
    PairingWindowClosed,
    /// Too many wrong setup codes (20): the device refuses pairing until
    /// someone presses its button (EN 303 645 v2.1.1 provision 5.1-5). Older
    /// apps decode it as [`DeviceError::Unknown`].
    #[error("too many wrong setup codes; press the button on the device")]
    LockedUntilButton,
    #[error("not authorised for this request")]
    NotAuthorised,
    #[error("the device could not read the request: {reason}")]
    Malformed { reason: String },
    #[error("the device speaks protocol version {supported} only")]
    UnsupportedVersion { supported: u16 },
    #[error("the request does not fit the device's current state")]
    UnexpectedMessage,
    /// An error code newer than this crate.
    #[error("the device reported an error this app does not know")]
    #[serde(other)]
    Unknown,
}

impl DeviceError {
    /// A stable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongCode { .. } => "device.wrong_code",
            Self::LockedOut { .. } => "device.locked_out",
            Self::PairingWindowClosed => "device.pairing_window_closed",
            Self::LockedUntilButton => "device.locked_until_button",
            Self::NotAuthorised => "device.not_authorised",
            Self::Malformed { .. } => "device.malformed",
            Self::UnsupportedVersion { .. } => "device.unsupported_version",
            Self::UnexpectedMessage => "device.unexpected_message",
            Self::Unknown => "device.unknown",
        }
    }
}

// The envelope body.

/// Everything a device answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    #[serde(rename = "device_info")]
    DeviceInfo(DeviceInfo),
    #[serde(rename = "pairing_params_response")]
    PairingParams(PairingParamsResponse),
    #[serde(rename = "pake2")]
    Pake2(Pake2),
    #[serde(rename = "provisioning_ack")]
    ProvisioningAck(ProvisioningAck),
    #[serde(rename = "device_hello")]
    DeviceHello(DeviceHello),
    #[serde(rename = "plug")]
    Plug(PlugState),
    #[serde(rename = "temperature")]
    Temperature(Temperature),
    #[serde(rename = "user_added")]
    UserAdded(UserAdded),
    #[serde(rename = "done")]
    Done(Done),
    #[serde(rename = "error")]
    Error(DeviceError),
    #[serde(rename = "sealed_response")]
    Sealed(Sealed),
}

impl Body for Response {
    const TAGS: &'static [&'static str] = &[
        "device_info",
        "pairing_params_response",
        "pake2",
        "provisioning_ack",
        "device_hello",
        "plug",
        "temperature",
        "user_added",
        "done",
        "error",
        "sealed_response",
    ];

    fn tag(&self) -> &'static str {
        match self {
            Self::DeviceInfo(_) => "device_info",
            Self::PairingParams(_) => "pairing_params_response",
            Self::Pake2(_) => "pake2",
            Self::ProvisioningAck(_) => "provisioning_ack",
            Self::DeviceHello(_) => "device_hello",
            Self::Plug(_) => "plug",
            Self::Temperature(_) => "temperature",
            Self::UserAdded(_) => "user_added",
            Self::Done(_) => "done",
            Self::Error(_) => "error",
            Self::Sealed(_) => "sealed_response",
        }
    }

    fn validate(&self) -> Result<(), MessageError> {
        match self {
            Self::DeviceInfo(info) => validate_device_info(info),
            Self::PairingParams(params) => {
                if !SALT_LEN.contains(&params.salt.len()) {
                    return Err(MessageError::invalid("salt", "must be 16 to 32 bytes"));
                }
                if !ITERATIONS.contains(&params.iterations) {
                    return Err(MessageError::invalid(
                        "iterations",
                        "must be 1000 to 100000",
                    ));
                }
                validate_device_info(&params.device_info)
            }
            Self::Pake2(pake2) => {
                if pake2.certificate_chain.is_empty()
                    || pake2.certificate_chain.len() > MAX_CERTIFICATES
                {
                    return Err(MessageError::invalid(
                        "certificate_chain",
                        "must hold 1 to 4 certificates",
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
