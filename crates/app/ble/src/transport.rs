//! The seam between Hearth and Bluetooth hardware: find Hearth devices, connect, move GATT
//! segments. [`crate::btle`] implements it with btleplug; [`crate::memory`] in memory for
//! tests. Everything above (the [`crate::pipe::Pipe`], pairing, sessions) is written against
//! these traits only, so it runs unchanged on any stack.
//!
//! Shaped after btleplug's own `api` module (one trait set, one private module per platform)
//! and Spacedrive's test transport (peers that can go offline).

use std::future::Future;
use std::time::Duration;

use hearth_protocol::gatt::Advertisement;
use hearth_protocol::setup_code::{Discriminator, DiscriminatorHint};

use crate::error::BleError;

/// A transport-chosen, stable name for a device seen in a scan; valid for
/// [`Transport::connect`] on the same transport.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub String);

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Hearth device heard during a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDevice {
    pub id: DeviceId,
    /// The advertised local name, if any (not trusted: anyone can advertise any name).
    pub name: Option<String>,
    /// Signal strength in dBm, if the stack reported it.
    pub rssi: Option<i16>,
    /// The decoded Hearth service data.
    pub advertisement: Advertisement,
}

/// Which Hearth devices a scan reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanFilter {
    /// Only devices whose advertised discriminator matches (from a parsed setup code: all
    /// 12 bits from a QR code, the top 4 from a manual code). `None`: every Hearth device.
    pub discriminator: Option<DiscriminatorHint>,
    /// Only devices with their pairing window open.
    pub pairing_open_only: bool,
    /// Return as soon as one device matches instead of listening for the whole timeout.
    pub stop_at_first: bool,
}

impl ScanFilter {
    /// Whether `advertisement` passes this filter.
    pub fn admits(&self, advertisement: &Advertisement) -> bool {
        if self.pairing_open_only && !advertisement.pairing_open {
            return false;
        }
        match self.discriminator {
            None => true,
            Some(hint) => Discriminator::new(advertisement.discriminator)
                .is_ok_and(|advertised| hint.matches(advertised)),
        }
    }
}

/// A Bluetooth LE central that can find and connect to Hearth devices.
pub trait Transport: Send + Sync {
    /// The connection this transport makes.
    type Connection: Connection;

    /// Listens for Hearth devices (advertising the Hearth service with valid service data)
    /// for up to `timeout`, returning those that pass `filter`, strongest signal first.
    /// Only devices heard during this scan count: a device heard yesterday and powered off
    /// since is not reported.
    ///
    /// # Errors
    /// [`BleError::BluetoothOff`], [`BleError::NoAdapter`], or [`BleError::Gatt`] if the
    /// stack refused to scan.
    fn scan(
        &self,
        filter: &ScanFilter,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<FoundDevice>, BleError>> + Send;

    /// Connects to a device from a scan, discovers its services, checks it offers the Hearth
    /// service, and subscribes to its notifications, all within `timeout`.
    ///
    /// # Errors
    /// [`BleError::DeviceNotFound`] for an id this transport never saw,
    /// [`BleError::BluetoothOff`], [`BleError::ConnectFailed`], [`BleError::Timeout`],
    /// [`BleError::ServiceMissing`], [`BleError::Gatt`].
    fn connect(
        &self,
        id: &DeviceId,
        timeout: Duration,
    ) -> impl Future<Output = Result<Self::Connection, BleError>> + Send;

    /// The first device whose discriminator matches `hint`, within `timeout`.
    ///
    /// # Errors
    /// [`BleError::DeviceNotFound`] if none was heard in time ("out of range"), and the
    /// errors of [`Transport::scan`].
    fn find(
        &self,
        hint: DiscriminatorHint,
        timeout: Duration,
    ) -> impl Future<Output = Result<FoundDevice, BleError>> + Send {
        async move {
            let filter = ScanFilter {
                discriminator: Some(hint),
                pairing_open_only: false,
                stop_at_first: true,
            };
            self.scan(&filter, timeout)
                .await?
                .into_iter()
                .next()
                .ok_or(BleError::DeviceNotFound)
        }
    }
}

/// One live GATT connection to a Hearth device, carrying framing segments: writes to the
/// write characteristic, notifications from the notify characteristic.
///
/// Invariant: once the link is lost, [`Connection::recv`] drains what arrived before and then
/// fails with the loss's error forever; [`Connection::write`] fails at once.
pub trait Connection: Send + 'static {
    /// The ATT MTU of the link; a segment is at most `mtu - 3` bytes.
    fn mtu(&self) -> u16;

    /// Writes one segment (at most `mtu - 3` bytes).
    ///
    /// # Errors
    /// [`BleError::Disconnected`] (or [`BleError::BluetoothOff`]) if the link is gone,
    /// [`BleError::Timeout`], [`BleError::Gatt`].
    fn write(&self, segment: &[u8]) -> impl Future<Output = Result<(), BleError>> + Send;

    /// The next notified segment. Cancel-safe: dropping the future loses nothing.
    ///
    /// # Errors
    /// Why the link ended, usually [`BleError::Disconnected`].
    fn recv(&mut self) -> impl Future<Output = Result<Vec<u8>, BleError>> + Send;

    /// Ends the link from the app's side. Idempotent.
    ///
    /// # Errors
    /// [`BleError::Gatt`] if the stack refused; the connection is unusable either way.
    fn disconnect(&mut self) -> impl Future<Output = Result<(), BleError>> + Send;

    /// Resolves once the link is gone (either side, the radio, or a powered-off adapter), with
    /// the reason; `'static` so it can be awaited beside the connection.
    fn closed(&self) -> impl Future<Output = BleError> + Send + 'static;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(discriminator: u16, pairing_open: bool) -> Advertisement {
        Advertisement {
            discriminator,
            pairing_open,
            has_owner: false,
        }
    }

    #[test]
    fn filter_by_full_and_short_discriminator() {
        let full = |d| ScanFilter {
            discriminator: Some(DiscriminatorHint::Full(
                Discriminator::new(d).expect("12 bits"),
            )),
            ..ScanFilter::default()
        };
        assert!(full(0xabc).admits(&ad(0xabc, true)));
        assert!(!full(0xabc).admits(&ad(0xabd, true)));
        let short = ScanFilter {
            discriminator: Some(DiscriminatorHint::Short(0xa)),
            ..ScanFilter::default()
        };
        assert!(short.admits(&ad(0xa00, false)));
        assert!(short.admits(&ad(0xaff, false)));
        assert!(!short.admits(&ad(0xb00, false)));
        assert!(ScanFilter::default().admits(&ad(0x123, false)));
    }

    #[test]
    fn filter_by_pairing_window() {
        let open_only = ScanFilter {
            pairing_open_only: true,
            ..ScanFilter::default()
        };
        assert!(open_only.admits(&ad(1, true)));
        assert!(!open_only.admits(&ad(1, false)));
    }
}
