//! What the app sends a device: the pairing round trips, the owner-session
//! handshake and the control requests, as the bodies of [`Request`].

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::values::{validate_name, validate_wifi};
use super::{Body, MessageError, Passphrase, Role, Sealed};

// Before pairing: anyone nearby may ask what the device is.

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetDeviceInfo {}

// Pairing (SPAKE2+, three round trips).

/// Round trip 1 of pairing: ask for the SPAKE2+ parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingParamsRequest {}

/// Round trip 2: the app's SPAKE2+ share `pA` (RFC 9383 §3.3), SEC1
/// uncompressed P-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pake1 {
    #[serde(with = "serde_bytes")]
    pub share_p: [u8; 65],
}

/// Round trip 3: the app's key confirmation `cA` (RFC 9383 §3.4) and the
/// provisioning, sealed with the new session's app→device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pake3 {
    #[serde(with = "serde_bytes")]
    pub confirm_p: [u8; 32],
    #[serde(with = "serde_bytes")]
    pub sealed_provisioning: Vec<u8>,
}

// Owner session on a later connection.

/// First message of an owner session on a later connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerHello {
    /// The user id the device assigned in [`ProvisioningAck`] or [`UserAdded`].
    pub user_id: u32,
    #[serde(with = "serde_bytes")]
    pub ephemeral_public: [u8; 32],
    #[serde(with = "serde_bytes")]
    pub nonce: [u8; 32],
}

/// The owner's signature over the handshake transcript, optionally with the
/// first sealed request so a command costs no extra round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerAuth {
    #[serde(with = "serde_bytes")]
    pub signature: [u8; 64],
    pub first_request: Option<Sealed>,
}

// Control, honoured only sealed inside a session.

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPlug {
    pub on: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPlug {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadTemperature {}

/// Add a user with their own Ed25519 public key (owners only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddUser {
    #[serde(with = "serde_bytes")]
    pub public_key: [u8; 32],
    pub role: Role,
    pub name: String,
}

/// Remove a user and the data the device holds for them. An owner may remove
/// anyone; any user may remove themselves (EN 303 645 provision 4.11-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveUser {
    pub user_id: u32,
}

/// Return the device to its own unique setup code (never a universal default,
/// provision 4.1-1) and erase every user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactoryReset {}

/// Join a different Wi-Fi network, or the same one with a corrected
/// passphrase, without a factory reset (owners only, sealed only:
/// EN 303 645 provision 4.5-1). Allowed in the provisioning session right
/// after `ProvisioningAck` — typically after a `wrong_passphrase` event — and
/// in any later owner session. The device stores the new configuration,
/// answers [`Done`], then pushes a [`WifiStatus`] event with the outcome.
///
/// The passphrase is a [`Passphrase`]: `Debug` prints `<redacted>` and the
/// only serialisation is the one inside a sealed request (provision 4.5-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetWifi {
    /// 1 to 32 bytes (IEEE 802.11 SSID).
    pub ssid: String,
    /// Empty (open network), 8 to 63 printable ASCII characters, or 64 hex digits.
    pub passphrase: Passphrase,
}

#[derive(Serialize)]
struct SetWifiOut<'a> {
    ssid: &'a str,
    passphrase: &'a str,
}

#[derive(Deserialize)]
struct SetWifiIn {
    ssid: String,
    passphrase: String,
}

impl Drop for SetWifiIn {
    fn drop(&mut self) {
        self.passphrase.zeroize();
    }
}

impl Serialize for SetWifi {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SetWifiOut {
            ssid: &self.ssid,
            passphrase: self.passphrase.expose(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SetWifi {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut wire = SetWifiIn::deserialize(deserializer)?;
        Ok(Self {
            ssid: std::mem::take(&mut wire.ssid),
            passphrase: Passphrase::new(std::mem::take(&mut wire.passphrase)),
        })
    }
}

// The envelope body.

/// Everything the app asks of a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    #[serde(rename = "get_device_info")]
    GetDeviceInfo(GetDeviceInfo),
    #[serde(rename = "pairing_params_request")]
    PairingParams(PairingParamsRequest),
    #[serde(rename = "pake1")]
    Pake1(Pake1),
    #[serde(rename = "pake3")]
    Pake3(Pake3),
    #[serde(rename = "owner_hello")]
    OwnerHello(OwnerHello),
    #[serde(rename = "owner_auth")]
    OwnerAuth(OwnerAuth),
    #[serde(rename = "set_plug")]
    SetPlug(SetPlug),
    #[serde(rename = "get_plug")]
    GetPlug(GetPlug),
    #[serde(rename = "read_temperature")]
    ReadTemperature(ReadTemperature),
    #[serde(rename = "add_user")]
    AddUser(AddUser),
    #[serde(rename = "remove_user")]
    RemoveUser(RemoveUser),
    #[serde(rename = "factory_reset")]
    FactoryReset(FactoryReset),
    #[serde(rename = "set_wifi")]
    SetWifi(SetWifi),
    #[serde(rename = "sealed_request")]
    Sealed(Sealed),
}

impl Body for Request {
    const TAGS: &'static [&'static str] = &[
        "get_device_info",
        "pairing_params_request",
        "pake1",
        "pake3",
        "owner_hello",
        "owner_auth",
        "set_plug",
        "get_plug",
        "read_temperature",
        "add_user",
        "remove_user",
        "factory_reset",
        "set_wifi",
        "sealed_request",
    ];

    fn tag(&self) -> &'static str {
        match self {
            Self::GetDeviceInfo(_) => "get_device_info",
            Self::PairingParams(_) => "pairing_params_request",
            Self::Pake1(_) => "pake1",
            Self::Pake3(_) => "pake3",
            Self::OwnerHello(_) => "owner_hello",
            Self::OwnerAuth(_) => "owner_auth",
            Self::SetPlug(_) => "set_plug",
            Self::GetPlug(_) => "get_plug",
            Self::ReadTemperature(_) => "read_temperature",
            Self::AddUser(_) => "add_user",
            Self::RemoveUser(_) => "remove_user",
            Self::FactoryReset(_) => "factory_reset",
            Self::SetWifi(_) => "set_wifi",
            Self::Sealed(_) => "sealed_request",
        }
    }

    fn validate(&self) -> Result<(), MessageError> {
        match self {
            Self::AddUser(add) => validate_name("name", &add.name),
            Self::SetWifi(set) => validate_wifi("ssid", "passphrase", &set.ssid, &set.passphrase),
            _ => Ok(()),
        }
    }
}
