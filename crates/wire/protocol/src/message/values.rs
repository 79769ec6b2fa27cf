//! Value types both directions share, and the bounds every message that
//! carries them checks (names shown to people, IEEE 802.11 Wi-Fi fields).

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::MessageError;

/// Capabilities a device model advertises in [`DeviceInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Plug,
    Temperature,
    FirmwareUpdate,
    /// A capability newer than this crate; kept so old apps still pair.
    #[serde(other)]
    Unknown,
}

/// What a device says about itself, before and after pairing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub model: String,
    pub serial: String,
    pub firmware_version: String,
    pub capabilities: Vec<Capability>,
}

/// A user's role on a device. A renter is a [`Role::Resident`] beside the
/// landlord's [`Role::Owner`]: residents control the device and delete their
/// own data, only owners manage users or reset the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Resident,
    Guest,
}

/// An AEAD-sealed inner envelope (see [`crate::session`]); its plaintext is
/// the CBOR of an `Envelope<Request>`, `Envelope<Response>` or
/// `Envelope<Event>` matching the outer kind.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.ciphertext.len())
    }
}

/// A Wi-Fi passphrase: prints `<redacted>`, is not `Serialize`, and is wiped
/// from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself, for the one place that needs it (the Wi-Fi join).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

pub(super) fn validate_device_info(info: &DeviceInfo) -> Result<(), MessageError> {
    validate_name("model", &info.model)?;
    validate_name("serial", &info.serial)?;
    validate_name("firmware_version", &info.firmware_version)
}

/// Names shown to people: 1 to 64 bytes, no control characters (they could
/// rewrite what the UI or a log shows).
pub(super) fn validate_name(field: &'static str, value: &str) -> Result<(), MessageError> {
    if value.is_empty() || value.len() > 64 {
        return Err(MessageError::invalid(field, "must be 1 to 64 bytes"));
    }
    if value.chars().any(char::is_control) {
        return Err(MessageError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// IEEE 802.11 bounds: an SSID of 1 to 32 bytes; a passphrase that is empty
/// (open network), 8 to 63 printable ASCII characters, or a 64-hex-digit PSK
/// (IEEE 802.11i).
pub(super) fn validate_wifi(
    ssid_field: &'static str,
    passphrase_field: &'static str,
    ssid: &str,
    passphrase: &Passphrase,
) -> Result<(), MessageError> {
    if ssid.is_empty() || ssid.len() > 32 {
        return Err(MessageError::invalid(ssid_field, "must be 1 to 32 bytes"));
    }
    let pass = passphrase.expose();
    let ascii_passphrase =
        (8..=63).contains(&pass.len()) && pass.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let hex_psk = pass.len() == 64 && pass.bytes().all(|b| b.is_ascii_hexdigit());
    if !(pass.is_empty() || ascii_passphrase || hex_psk) {
        return Err(MessageError::invalid(
            passphrase_field,
            "must be empty, 8 to 63 printable ASCII characters, or 64 hex digits",
        ));
    }
    Ok(())
}
