//! What the UI sends and receives while setting a device up and controlling it
//! (EN 303 645 provisions 4.1-1, 4.12-1): plain data, exported to TypeScript. The flows
//! (`hearth-flows`) fill them; the app shell only passes them through.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ErrorDto;

/// How far the typed setup code is, checked as the person types, before any radio work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeCheck {
    /// The code is complete and its check digit matches: setup may start.
    pub complete: bool,
    /// How many digits were typed (spaces and dashes ignored).
    pub digits: u8,
    /// How many digits a manual code has.
    pub expected: u8,
}

/// One setup step as it starts, with its stable number and name for support staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetupProgress {
    pub number: u8,
    pub count: u8,
    /// A stable machine name (`searching`, `pairing`, …).
    pub name: String,
    pub message_id: String,
    pub args: Vec<(String, String)>,
}

/// What the person chose for a new device. The passphrase goes only to the device, inside
/// the encrypted pairing session; it is never stored or logged (`Debug` redacts it).
#[derive(Clone, Deserialize, TS)]
pub struct SetupRequest {
    /// The 11-digit manual code or the QR payload from a label photo.
    pub code: String,
    pub wifi_ssid: String,
    pub wifi_passphrase: String,
    /// Empty: keep the name the device reports.
    pub name: String,
}

impl std::fmt::Debug for SetupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupRequest")
            .field("code", &"<redacted>")
            .field("wifi_ssid", &"<redacted>")
            .field("wifi_passphrase", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

/// New Wi-Fi settings for a device that is already set up.
#[derive(Clone, Deserialize, TS)]
pub struct WifiRequest {
    pub wifi_ssid: String,
    pub wifi_passphrase: String,
}

impl std::fmt::Debug for WifiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WifiRequest { <redacted> }")
    }
}

/// How the app last found a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Connection {
    /// Not checked since the app started.
    Unknown,
    /// A check is running now.
    Checking,
    /// The last session with the device worked.
    Connected,
    /// The last attempt could not reach it.
    Unreachable,
}

/// A remembered device with its live state, as Home and the device page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub model: String,
    pub firmware_version: String,
    pub connection: Connection,
    /// Whether the plug is on, when known.
    pub plug_on: Option<bool>,
    /// The last temperature read, in hundredths of a degree Celsius.
    pub centi_celsius: Option<i32>,
    /// Why the last action on this device failed, if it did.
    pub last_error: Option<ErrorDto>,
}

/// A finished setup: the device is remembered. If it could not join Wi-Fi, `wifi_error`
/// says why and the person can fix the settings without a reset.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SetupResult {
    pub device: DeviceView,
    pub wifi_error: Option<ErrorDto>,
    /// The Wi-Fi name it was given (to prefill a retry).
    pub wifi_ssid: String,
}

/// The diagnostics report for support: plain text with no personal data.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DiagnosticsReport {
    pub text: String,
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        CodeCheck::decl(cfg),
        SetupProgress::decl(cfg),
        SetupRequest::decl(cfg),
        WifiRequest::decl(cfg),
        Connection::decl(cfg),
        DeviceView::decl(cfg),
        SetupResult::decl(cfg),
        DiagnosticsReport::decl(cfg),
    ]
}
