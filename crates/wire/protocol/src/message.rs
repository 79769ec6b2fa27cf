//! Every message between the app and a device, as CBOR (RFC 8949) in an
//! envelope `{ "v": u16, "id": u32, "body": { "<tag>": { ..fields } } }`.
//!
//! The body is a single-entry map from a snake_case tag to the message's own
//! map, so firmware in C can dispatch on one text string and ignore what it
//! does not know. Tags are unique across [`Request`] (app → device),
//! [`Response`] (device → app, answering a request with the same `id`) and
//! [`Event`] (device → app, unsolicited), so a notification can be classified
//! without context ([`decode_from_device`]).
//!
//! Crypto values travel as plain CBOR byte strings (fixed-size where the
//! algorithm fixes the size); this module does not depend on the crypto
//! modules, and they do not depend on it.
//!
//! Decoding is bounded (ETSI EN 303 645 provision 4.13-1): a cap on the input
//! size, on nesting depth, on every text and byte string and on every array
//! and map — all checked before a typed value is built — then per-message
//! semantic checks ([`Body::validate`]). An unknown tag is a typed
//! [`MessageError::UnknownMessage`], so new messages (updates, consent,
//! deletion) can be added without breaking old peers.
//!
//! Control messages ([`Request::SetPlug`], [`Request::SetWifi`], user
//! management, factory reset …)
//! are only honoured inside a [`Sealed`] request of an authenticated session
//! (provision 4.5-1); enforcing that is the device core's job.

use std::fmt;

use ciborium::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

/// The protocol version this crate speaks, carried in every envelope's `v`.
pub const PROTOCOL_VERSION: u16 = 1;

/// Bounds applied while decoding untrusted bytes (provision 4.13-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded message accepted, in bytes.
    pub max_input_len: usize,
    /// Deepest nesting of arrays, maps and tags.
    pub max_depth: usize,
    /// Longest text string, in bytes.
    pub max_text_len: usize,
    /// Longest byte string.
    pub max_bytes_len: usize,
    /// Most entries in any array or map.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_len: 64 * 1024,
            // The deepest real message (envelope/body/pake2/chain/cert) nests 5 levels.
            max_depth: 16,
            max_text_len: 256,
            max_bytes_len: 16 * 1024,
            max_items: 64,
        }
    }
}

/// Why a message could not be encoded or decoded. Each variant has a stable
/// machine code ([`MessageError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("message is {len} bytes, more than the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("message ends in the middle of a CBOR item")]
    Truncated,
    #[error("{count} bytes follow the end of the message")]
    TrailingBytes { count: usize },
    #[error("CBOR syntax error at byte {offset}")]
    Syntax { offset: usize },
    #[error("message nests deeper than {max} levels")]
    TooDeep { max: usize },
    #[error("a {kind} of {len} exceeds the limit of {max}")]
    OutOfBounds {
        kind: &'static str,
        len: usize,
        max: usize,
    },
    #[error("protocol version {got} is not supported (this side speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion { got: u64 },
    #[error("unknown message `{tag}`")]
    UnknownMessage { tag: String },
    #[error("malformed message: {reason}")]
    Malformed { reason: String },
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        field: &'static str,
        reason: &'static str,
    },
    #[error("message could not be encoded: {reason}")]
    Encode { reason: String },
}

impl MessageError {
    /// A stable code for the UI and logs; never changes once released.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "message.too_large",
            Self::Truncated => "message.truncated",
            Self::TrailingBytes { .. } => "message.trailing_bytes",
            Self::Syntax { .. } => "message.syntax",
            Self::TooDeep { .. } => "message.too_deep",
            Self::OutOfBounds { .. } => "message.out_of_bounds",
            Self::UnsupportedVersion { .. } => "message.unsupported_version",
            Self::UnknownMessage { .. } => "message.unknown",
            Self::Malformed { .. } => "message.malformed",
            Self::InvalidField { .. } => "message.invalid_field",
            Self::Encode { .. } => "message.encode",
        }
    }

    fn malformed(reason: impl fmt::Display) -> Self {
        Self::Malformed {
            reason: reason.to_string(),
        }
    }

    fn invalid(field: &'static str, reason: &'static str) -> Self {
        Self::InvalidField { field, reason }
    }
}

/// The outer frame of every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<B> {
    /// Protocol version of the sender ([`PROTOCOL_VERSION`]).
    pub v: u16,
    /// Request id chosen by the app; a response repeats it. Events count
    /// their own ids on the device.
    pub id: u32,
    pub body: B,
}

impl<B> Envelope<B> {
    /// An envelope at this crate's [`PROTOCOL_VERSION`].
    pub fn new(id: u32, body: B) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            id,
            body,
        }
    }
}

/// A message kind that can sit in an envelope's body.
pub trait Body: Serialize + DeserializeOwned {
    /// Every tag this kind encodes to; any other tag is
    /// [`MessageError::UnknownMessage`] for this kind.
    const TAGS: &'static [&'static str];

    /// The tag this value encodes to.
    fn tag(&self) -> &'static str;

    /// Semantic checks beyond the generic bounds (sizes the protocol fixes).
    ///
    /// # Errors
    /// [`MessageError::InvalidField`] naming the first offending field.
    fn validate(&self) -> Result<(), MessageError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Shared value types

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

// ---------------------------------------------------------------------------
// Requests (app → device)

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetDeviceInfo {}

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

// ---------------------------------------------------------------------------
// Responses (device → app)

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

fn validate_device_info(info: &DeviceInfo) -> Result<(), MessageError> {
    validate_name("model", &info.model)?;
    validate_name("serial", &info.serial)?;
    validate_name("firmware_version", &info.firmware_version)
}

/// Names shown to people: 1 to 64 bytes, no control characters (they could
/// rewrite what the UI or a log shows).
fn validate_name(field: &'static str, value: &str) -> Result<(), MessageError> {
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

// ---------------------------------------------------------------------------
// Events (device → app, unsolicited)

/// Why the device could not join the Wi-Fi network with the given passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WifiAuthFailure {
    /// The access point rejected the 4-way handshake (wrong passphrase).
    HandshakeRejected,
    /// The handshake did not complete in time (often a wrong passphrase too).
    HandshakeTimeout,
    #[serde(other)]
    Other,
}

/// The device's Wi-Fi state after provisioning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WifiStatus {
    Joined { ssid: String },
    WrongPassphrase { reason: WifiAuthFailure },
    NoNetwork { ssid: String },
}

/// What a device pushes without being asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    #[serde(rename = "wifi_status")]
    WifiStatus(WifiStatus),
    #[serde(rename = "sealed_event")]
    Sealed(Sealed),
}

impl Body for Event {
    const TAGS: &'static [&'static str] = &["wifi_status", "sealed_event"];

    fn tag(&self) -> &'static str {
        match self {
            Self::WifiStatus(_) => "wifi_status",
            Self::Sealed(_) => "sealed_event",
        }
    }
}

// ---------------------------------------------------------------------------
// Provisioning (sealed inside Pake3)

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

/// What the owner gives the device during pairing; travels only sealed under
/// the new session key (provision 4.5-2: credentials are encrypted in transit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioning {
    /// 1 to 32 bytes (IEEE 802.11 SSID).
    pub wifi_ssid: String,
    /// Empty (open network), 8 to 63 printable ASCII characters, or 64 hex
    /// digits (IEEE 802.11i PSK).
    pub wifi_passphrase: Passphrase,
    /// The owner's per-device Ed25519 public key.
    pub owner_public_key: [u8; 32],
    pub device_name: String,
    pub role: Role,
}

#[derive(Serialize)]
struct ProvisioningOut<'a> {
    wifi_ssid: &'a str,
    wifi_passphrase: &'a str,
    #[serde(with = "serde_bytes")]
    owner_public_key: &'a [u8; 32],
    device_name: &'a str,
    role: Role,
}

#[derive(Deserialize)]
struct ProvisioningIn {
    wifi_ssid: String,
    wifi_passphrase: String,
    #[serde(with = "serde_bytes")]
    owner_public_key: [u8; 32],
    device_name: String,
    role: Role,
}

impl Drop for ProvisioningIn {
    fn drop(&mut self) {
        self.wifi_passphrase.zeroize();
    }
}

impl Provisioning {
    /// The CBOR plaintext to seal. Wiped when dropped.
    ///
    /// # Errors
    /// [`MessageError::InvalidField`] if a field breaks its documented bounds.
    pub fn encode(&self) -> Result<Zeroizing<Vec<u8>>, MessageError> {
        self.validate()?;
        let out = ProvisioningOut {
            wifi_ssid: &self.wifi_ssid,
            wifi_passphrase: self.wifi_passphrase.expose(),
            owner_public_key: &self.owner_public_key,
            device_name: &self.device_name,
            role: self.role,
        };
        let mut bytes = Zeroizing::new(Vec::new());
        ciborium::into_writer(&out, &mut *bytes).map_err(|e| MessageError::Encode {
            reason: e.to_string(),
        })?;
        Ok(bytes)
    }

    /// Decode an opened provisioning plaintext.
    ///
    /// # Errors
    /// Any bound or syntax error of [`decode`], or an invalid field.
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let value = decode_value(bytes, limits)?;
        let mut wire: ProvisioningIn = value.deserialized().map_err(MessageError::malformed)?;
        let provisioning = Self {
            wifi_ssid: std::mem::take(&mut wire.wifi_ssid),
            wifi_passphrase: Passphrase::new(std::mem::take(&mut wire.wifi_passphrase)),
            owner_public_key: wire.owner_public_key,
            device_name: std::mem::take(&mut wire.device_name),
            role: wire.role,
        };
        provisioning.validate()?;
        Ok(provisioning)
    }

    fn validate(&self) -> Result<(), MessageError> {
        validate_wifi(
            "wifi_ssid",
            "wifi_passphrase",
            &self.wifi_ssid,
            &self.wifi_passphrase,
        )?;
        validate_name("device_name", &self.device_name)
    }
}

/// IEEE 802.11 bounds: an SSID of 1 to 32 bytes; a passphrase that is empty
/// (open network), 8 to 63 printable ASCII characters, or a 64-hex-digit PSK
/// (IEEE 802.11i).
fn validate_wifi(
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

// ---------------------------------------------------------------------------
// Codec

/// Encode an envelope.
///
/// # Errors
/// [`MessageError::InvalidField`] if the body breaks its own bounds, and
/// [`MessageError::TooLarge`] if it would not fit the default [`Limits`] —
/// so a peer never has to reject what we send.
pub fn encode<B: Body>(envelope: &Envelope<B>) -> Result<Vec<u8>, MessageError> {
    envelope.body.validate()?;
    // A borrowed mirror of the envelope, so field order on the wire is fixed.
    #[derive(Serialize)]
    struct Out<'a, B> {
        v: u16,
        id: u32,
        body: &'a B,
    }
    let mut bytes = Vec::new();
    ciborium::into_writer(
        &Out {
            v: envelope.v,
            id: envelope.id,
            body: &envelope.body,
        },
        &mut bytes,
    )
    .map_err(|e| MessageError::Encode {
        reason: e.to_string(),
    })?;
    let max = Limits::default().max_input_len;
    if bytes.len() > max {
        return Err(MessageError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    Ok(bytes)
}

/// Decode an envelope of one kind (e.g. a device decodes `Envelope<Request>`).
///
/// # Errors
/// Bounds ([`MessageError::TooLarge`], [`MessageError::TooDeep`],
/// [`MessageError::OutOfBounds`]), CBOR errors, [`MessageError::TrailingBytes`],
/// [`MessageError::UnsupportedVersion`], [`MessageError::UnknownMessage`] for a
/// tag outside `B::TAGS`, and [`MessageError::Malformed`] /
/// [`MessageError::InvalidField`] for a known tag with bad contents.
pub fn decode<B: Body>(bytes: &[u8], limits: &Limits) -> Result<Envelope<B>, MessageError> {
    let raw = decode_raw(bytes, limits)?;
    if !B::TAGS.contains(&raw.tag.as_str()) {
        return Err(MessageError::UnknownMessage { tag: raw.tag });
    }
    raw.into_envelope()
}

/// A message from the device: an answer or an unsolicited event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromDevice {
    Response(Envelope<Response>),
    Event(Envelope<Event>),
}

/// Decode a notification from the device, telling responses from events by tag.
///
/// # Errors
/// As [`decode`].
pub fn decode_from_device(bytes: &[u8], limits: &Limits) -> Result<FromDevice, MessageError> {
    let raw = decode_raw(bytes, limits)?;
    if Response::TAGS.contains(&raw.tag.as_str()) {
        raw.into_envelope().map(FromDevice::Response)
    } else if Event::TAGS.contains(&raw.tag.as_str()) {
        raw.into_envelope().map(FromDevice::Event)
    } else {
        Err(MessageError::UnknownMessage { tag: raw.tag })
    }
}

struct RawEnvelope {
    v: u16,
    id: u32,
    tag: String,
    body: Value,
}

impl RawEnvelope {
    fn into_envelope<B: Body>(self) -> Result<Envelope<B>, MessageError> {
        let body: B = self.body.deserialized().map_err(MessageError::malformed)?;
        body.validate()?;
        Ok(Envelope {
            v: self.v,
            id: self.id,
            body,
        })
    }
}

fn decode_raw(bytes: &[u8], limits: &Limits) -> Result<RawEnvelope, MessageError> {
    let value = decode_value(bytes, limits)?;
    let Value::Map(entries) = value else {
        return Err(MessageError::malformed("envelope is not a map"));
    };
    let (mut v, mut id, mut body) = (None, None, None);
    for (key, value) in entries {
        let slot = match key.as_text() {
            Some("v") => &mut v,
            Some("id") => &mut id,
            Some("body") => &mut body,
            // Unknown envelope fields are ignored so later versions can add some.
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(MessageError::malformed("duplicate envelope field"));
        }
    }
    let v = integer(v, "v")?;
    if v != u64::from(PROTOCOL_VERSION) {
        return Err(MessageError::UnsupportedVersion { got: v });
    }
    let id = u32::try_from(integer(id, "id")?)
        .map_err(|_| MessageError::invalid("id", "must fit in 32 bits"))?;
    let body = body.ok_or_else(|| MessageError::malformed("envelope has no body"))?;
    let tag = match &body {
        Value::Text(tag) => tag.clone(),
        Value::Map(entries) => match entries.as_slice() {
            [(Value::Text(tag), _)] => tag.clone(),
            _ => return Err(MessageError::malformed("body is not a single-entry map")),
        },
        _ => return Err(MessageError::malformed("body is not a map")),
    };
    Ok(RawEnvelope {
        v: PROTOCOL_VERSION,
        id,
        tag,
        body,
    })
}

fn integer(value: Option<Value>, field: &'static str) -> Result<u64, MessageError> {
    let value = value.ok_or(MessageError::InvalidField {
        field,
        reason: "missing",
    })?;
    value
        .as_integer()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or(MessageError::InvalidField {
            field,
            reason: "must be an unsigned integer",
        })
}

/// Parse CBOR into a generic value within `limits`, then check every string
/// and collection against them before any typed value is built.
fn decode_value(bytes: &[u8], limits: &Limits) -> Result<Value, MessageError> {
    if bytes.len() > limits.max_input_len {
        return Err(MessageError::TooLarge {
            len: bytes.len(),
            max: limits.max_input_len,
        });
    }
    let mut reader = bytes;
    let value: Value =
        ciborium::de::from_reader_with_recursion_limit(&mut reader, limits.max_depth).map_err(
            |e| match e {
                ciborium::de::Error::Io(_) => MessageError::Truncated,
                ciborium::de::Error::Syntax(offset) => MessageError::Syntax { offset },
                ciborium::de::Error::Semantic(_, reason) => MessageError::Malformed { reason },
                ciborium::de::Error::RecursionLimitExceeded => MessageError::TooDeep {
                    max: limits.max_depth,
                },
            },
        )?;
    if !reader.is_empty() {
        return Err(MessageError::TrailingBytes {
            count: reader.len(),
        });
    }
    check_bounds(&value, limits)?;
    Ok(value)
}

fn check_bounds(value: &Value, limits: &Limits) -> Result<(), MessageError> {
    let out_of_bounds = |kind, len, max| Err(MessageError::OutOfBounds { kind, len, max });
    // The tree is at most `max_depth` deep (the parser enforced it), so
    // recursion here is bounded too.
    match value {
        Value::Text(text) if text.len() > limits.max_text_len => {
            out_of_bounds("text string", text.len(), limits.max_text_len)
        }
        Value::Bytes(bytes) if bytes.len() > limits.max_bytes_len => {
            out_of_bounds("byte string", bytes.len(), limits.max_bytes_len)
        }
        Value::Array(items) => {
            if items.len() > limits.max_items {
                return out_of_bounds("array", items.len(), limits.max_items);
            }
            items.iter().try_for_each(|item| check_bounds(item, limits))
        }
        Value::Map(entries) => {
            if entries.len() > limits.max_items {
                return out_of_bounds("map", entries.len(), limits.max_items);
            }
            entries.iter().try_for_each(|(key, value)| {
                check_bounds(key, limits)?;
                check_bounds(value, limits)
            })
        }
        Value::Tag(_, inner) => check_bounds(inner, limits),
        _ => Ok(()),
    }
}
