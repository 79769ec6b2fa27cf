//! The one error type of the BLE transport. Each variant names one thing the user can act on
//! (turn Bluetooth on, move closer, pick another device…); the UI maps [`BleError::code`] to a
//! plain-language message and never matches on the English text.

use std::time::Duration;

use hearth_protocol::frame::FrameError;

/// What went wrong between the app and a device over Bluetooth LE.
///
/// `Clone` so that one failure of a shared link can answer every request waiting on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BleError {
    /// The Bluetooth adapter exists but is powered off.
    #[error("Bluetooth is turned off")]
    BluetoothOff,
    /// No Bluetooth adapter (or no Bluetooth service) on this machine.
    #[error("no Bluetooth adapter: {detail}")]
    NoAdapter { detail: String },
    /// The device was not heard within the scan timeout, or is no longer known: out of range,
    /// powered off, or not in pairing mode.
    #[error("device not found")]
    DeviceNotFound,
    /// The device was found but the connection could not be made.
    #[error("could not connect: {detail}")]
    ConnectFailed { detail: String },
    /// The link was lost (by either side, or by the radio) while it was in use.
    #[error("the Bluetooth link was lost")]
    Disconnected,
    /// An operation did not finish in time.
    #[error("{what} did not finish within {after:?}")]
    Timeout { what: &'static str, after: Duration },
    /// The device is connected but does not offer the Hearth service: not a Hearth device.
    #[error("the device does not offer the Hearth GATT service")]
    ServiceMissing,
    /// A GATT operation (discovery, subscribe, write) failed for another reason.
    #[error("GATT operation failed: {0}")]
    Gatt(String),
    /// The device sent a segment that breaks the framing (EN 303 645 provision 4.13-1); the
    /// link was dropped because its state can no longer be trusted.
    #[error("the device broke the framing: {0}")]
    Framing(#[from] FrameError),
    /// The pipe was closed by the app.
    #[error("the message pipe is closed")]
    Closed,
}

impl BleError {
    /// A stable machine code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BluetoothOff => "ble.bluetooth_off",
            Self::NoAdapter { .. } => "ble.no_adapter",
            Self::DeviceNotFound => "ble.device_not_found",
            Self::ConnectFailed { .. } => "ble.connect_failed",
            Self::Disconnected => "ble.disconnected",
            Self::Timeout { .. } => "ble.timeout",
            Self::ServiceMissing => "ble.service_missing",
            Self::Gatt(_) => "ble.gatt",
            Self::Framing(_) => "ble.framing",
            Self::Closed => "ble.closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_namespaced() {
        let all = [
            BleError::BluetoothOff,
            BleError::NoAdapter { detail: "x".into() },
            BleError::DeviceNotFound,
            BleError::ConnectFailed { detail: "x".into() },
            BleError::Disconnected,
            BleError::Timeout {
                what: "x",
                after: Duration::ZERO,
            },
            BleError::ServiceMissing,
            BleError::Gatt("x".into()),
            BleError::Framing(FrameError::EmptySegment),
            BleError::Closed,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(BleError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("ble.")));
    }
}
