//! What a device pushes without being asked ([`Event`]).

use serde::{Deserialize, Serialize};

use super::{Body, Sealed};

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
