//! [`Transport`] on btleplug: BlueZ on Linux (and, untested here, CoreBluetooth and WinRT).
//!
//! What this layer adds to btleplug:
//! - **Our own timeouts.** btleplug waits up to 30 s for `ServicesResolved`; every step here
//!   runs under the caller's deadline and a stalled connect is cancelled.
//! - **Typed errors.** btleplug reports most failures as `Error::Other(String)`; each step
//!   here maps its failure to the [`BleError`] the user can act on.
//! - **One central event stream** per transport, owned by a task, fanned out to scans and
//!   connections. It reports devices heard and links lost (`DeviceDisconnected`).
//! - **Order that BlueZ needs**: discover services before taking the notification stream and
//!   subscribing (bluez-async delivers values only for discovered characteristics), and a
//!   fresh discovery, stream and subscription on every connect.
//! - **Containment of a known panic**: bluez-async 0.9.0 unwraps `remove_match` when an event
//!   stream is dropped and can panic if a signal races the drop. Every such stream is owned
//!   and dropped by a task of ours on the runtime (never on the caller's thread, where the
//!   `tokio::spawn` inside that `Drop` would itself panic outside a runtime), the panic happens
//!   in bluez-async's own spawned task where tokio contains it, and
//!   [`crate::contain_known_stack_panics`] keeps it out of the logs as a crash.

mod connection;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use btleplug::api::{Central as _, CentralEvent, CentralState, Manager as _, Peripheral as _};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures_util::StreamExt;
use hearth_protocol::gatt::{Advertisement, SERVICE_UUID};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

pub use connection::BtleplugConnection;

use crate::error::BleError;
use crate::transport::{DeviceId, FoundDevice, ScanFilter, Transport};

/// How segments are written to the device's write characteristic.
///
/// The framing has its own sequence numbers, window and acks, so a write *command* (without
/// response) loses nothing the framing would not notice, and avoids an ATT round trip per
/// segment on real controllers. `Request` (with response) is there for devices that only offer
/// `write`, and is chosen automatically when the characteristic lacks
/// `write-without-response`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WriteKind {
    #[default]
    Command,
    Request,
}

/// Tuning for [`BtleplugTransport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BtleplugConfig {
    /// Bound on each single D-Bus/GATT call (adapter listing, one write, disconnect).
    pub io_timeout: Duration,
    /// After a failed write, how long to wait for the stack to report the link lost before
    /// calling the failure a GATT error instead of [`BleError::Disconnected`].
    pub disconnect_grace: Duration,
    pub write_kind: WriteKind,
    /// Notified segments buffered per connection while the pipe is busy writing.
    pub incoming_capacity: usize,
}

impl Default for BtleplugConfig {
    fn default() -> Self {
        Self {
            io_timeout: Duration::from_secs(10),
            disconnect_grace: Duration::from_secs(2),
            write_kind: WriteKind::Command,
            incoming_capacity: 256,
        }
    }
}

const EVENT_CAPACITY: usize = 1024;

/// The app's Bluetooth LE central on btleplug: the first adapter of the system.
///
/// Its connections live no longer than it does: dropping the transport stops the central event
/// stream, and every connection it made then ends (`NoAdapter`).
#[derive(Debug)]
pub struct BtleplugTransport {
    adapter: Adapter,
    config: BtleplugConfig,
    /// A receiver kept only to `resubscribe`; closes when the pump ends.
    events: broadcast::Receiver<CentralEvent>,
    pump: JoinHandle<()>,
    /// Devices this transport reported, by the id it gave them.
    known: Mutex<HashMap<DeviceId, PeripheralId>>,
}

pub(crate) fn service_uuid() -> Uuid {
    Uuid::from_u128(SERVICE_UUID)
}

fn no_adapter(context: &str, error: impl std::fmt::Display) -> BleError {
    BleError::NoAdapter {
        detail: format!("{context}: {error}"),
    }
}

impl BtleplugTransport {
    /// Opens the system's Bluetooth stack and takes its first adapter.
    ///
    /// # Errors
    /// [`BleError::NoAdapter`] when there is no Bluetooth service (no BlueZ on the system bus)
    /// or no adapter; [`BleError::Timeout`] if the stack does not answer.
    pub async fn new(config: BtleplugConfig) -> Result<Self, BleError> {
        crate::contain_known_stack_panics();
        let timeout = |what| BleError::Timeout {
            what,
            after: config.io_timeout,
        };
        let manager = tokio::time::timeout(config.io_timeout, Manager::new())
            .await
            .map_err(|_| timeout("opening the Bluetooth stack"))?
            .map_err(|e| no_adapter("no Bluetooth stack", e))?;
        let adapters = tokio::time::timeout(config.io_timeout, manager.adapters())
            .await
            .map_err(|_| timeout("listing Bluetooth adapters"))?
            // On BlueZ a missing bluetoothd is a D-Bus "ServiceUnknown" here.
            .map_err(|e| no_adapter("the Bluetooth service did not answer", e))?;
        let adapter = adapters
            .into_iter()
            .next()
            .ok_or_else(|| no_adapter("adapters", "none present"))?;
        let stream = tokio::time::timeout(config.io_timeout, adapter.events())
            .await
            .map_err(|_| timeout("subscribing to adapter events"))?
            .map_err(|e| BleError::Gatt(format!("adapter events: {e}")))?;
        let (sender, events) = broadcast::channel(EVENT_CAPACITY);
        let pump = tokio::spawn(async move {
            let mut stream = stream;
            while let Some(event) = stream.next().await {
                // No receiver right now (no scan, no connection) is normal.
                let _ = sender.send(event);
            }
            tracing::warn!("btleplug's central event stream ended");
        });
        Ok(Self {
            adapter,
            config,
            events,
            pump,
            known: Mutex::new(HashMap::new()),
        })
    }

    async fn ensure_powered(&self) -> Result<(), BleError> {
        let state = tokio::time::timeout(self.config.io_timeout, self.adapter.adapter_state())
            .await
            .map_err(|_| BleError::Timeout {
                what: "reading the adapter state",
                after: self.config.io_timeout,
            })?
            .map_err(|e| BleError::Gatt(format!("adapter state: {e}")))?;
        // btleplug's start_scan powers the adapter on by itself; the user's choice to turn
        // Bluetooth off is respected instead, and reported.
        match state {
            CentralState::PoweredOff => Err(BleError::BluetoothOff),
            CentralState::PoweredOn | CentralState::Unknown => Ok(()),
        }
    }

    /// The Hearth advertisement of `id`, if it has a valid one.
    async fn hear(&self, id: &PeripheralId) -> Option<FoundDevice> {
        let peripheral = self.adapter.peripheral(id).await.ok()?;
        let properties = peripheral.properties().await.ok()??;
        let data = properties.service_data.get(&service_uuid())?;
        let advertisement = match Advertisement::decode(data) {
            Ok(advertisement) => advertisement,
            Err(e) => {
                // Untrusted input (provision 4.13-1): skipped, never fatal.
                tracing::debug!(%id, code = e.code(), "ignoring device: {e}");
                return None;
            }
        };
        let device_id = DeviceId(id.to_string());
        if let Ok(mut known) = self.known.lock() {
            known.insert(device_id.clone(), id.clone());
        }
        Some(FoundDevice {
            id: device_id,
            name: properties.local_name,
            rssi: properties.rssi,
            advertisement,
        })
    }

    fn peripheral_id(&self, id: &DeviceId) -> Option<PeripheralId> {
        self.known.lock().ok()?.get(id).cloned()
    }

    async fn listen(
        &self,
        filter: &ScanFilter,
        deadline: Instant,
        events: &mut broadcast::Receiver<CentralEvent>,
        found: &mut BTreeMap<DeviceId, FoundDevice>,
    ) -> Result<(), BleError> {
        loop {
            let event = match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => return Ok(()),
                Ok(Ok(event)) => event,
                Ok(Err(broadcast::error::RecvError::Lagged(missed))) => {
                    tracing::warn!(missed, "scan missed adapter events");
                    continue;
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    return Err(no_adapter(
                        "adapter events",
                        "the Bluetooth service went away",
                    ));
                }
            };
            let id = match event {
                CentralEvent::DeviceDiscovered(id)
                | CentralEvent::DeviceUpdated(id)
                | CentralEvent::ServiceDataAdvertisement { id, .. }
                | CentralEvent::ManufacturerDataAdvertisement { id, .. }
                | CentralEvent::ServicesAdvertisement { id, .. }
                | CentralEvent::RssiUpdate { id, .. } => id,
                CentralEvent::StateUpdate(CentralState::PoweredOff) => {
                    return Err(BleError::BluetoothOff);
                }
                _ => continue,
            };
            let Some(device) = self.hear(&id).await else {
                continue;
            };
            if filter.admits(&device.advertisement) {
                found.insert(device.id.clone(), device);
                if filter.stop_at_first {
                    return Ok(());
                }
            } else {
                // Its advertisement changed (e.g. pairing window closed).
                found.remove(&device.id);
            }
        }
    }
}

impl Drop for BtleplugTransport {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

impl Transport for BtleplugTransport {
    type Connection = BtleplugConnection;

    async fn scan(
        &self,
        filter: &ScanFilter,
        timeout: Duration,
    ) -> Result<Vec<FoundDevice>, BleError> {
        let deadline = Instant::now() + timeout;
        self.ensure_powered().await?;
        // Subscribed before scanning starts, so no report is missed.
        let mut events = self.events.resubscribe();
        let scan_filter = btleplug::api::ScanFilter {
            services: vec![service_uuid()],
        };
        tokio::time::timeout_at(deadline, self.adapter.start_scan(scan_filter))
            .await
            .map_err(|_| BleError::Timeout {
                what: "starting a scan",
                after: timeout,
            })?
            .map_err(|e| BleError::Gatt(format!("start scan: {e}")))?;
        let mut found = BTreeMap::new();
        let outcome = self.listen(filter, deadline, &mut events, &mut found).await;
        let stopped = tokio::time::timeout(self.config.io_timeout, self.adapter.stop_scan()).await;
        if !matches!(stopped, Ok(Ok(()))) {
            tracing::debug!("stopping the scan failed; discovery may continue in the stack");
        }
        outcome?;
        let mut found: Vec<FoundDevice> = found.into_values().collect();
        found.sort_by_key(|d| std::cmp::Reverse(d.rssi.unwrap_or(i16::MIN)));
        Ok(found)
    }

    async fn connect(
        &self,
        id: &DeviceId,
        timeout: Duration,
    ) -> Result<BtleplugConnection, BleError> {
        let deadline = Instant::now() + timeout;
        let peripheral_id = self.peripheral_id(id).ok_or(BleError::DeviceNotFound)?;
        self.ensure_powered().await?;
        let peripheral: Peripheral = self
            .adapter
            .peripheral(&peripheral_id)
            .await
            .map_err(|_| BleError::DeviceNotFound)?;
        // Subscribed before connecting, so a loss right after connecting is seen.
        let events = self.events.resubscribe();
        let established = tokio::time::timeout_at(
            deadline,
            connection::establish(
                self.adapter.clone(),
                peripheral.clone(),
                events,
                self.config,
            ),
        )
        .await;
        let error = match established {
            Ok(Ok(connection)) => return Ok(connection),
            Ok(Err(error)) => error,
            Err(_) => BleError::Timeout {
                what: "connecting",
                after: timeout,
            },
        };
        // Cancel a half-made link (BlueZ keeps connecting otherwise) before reporting.
        let _ = tokio::time::timeout(self.config.io_timeout, peripheral.disconnect()).await;
        Err(error)
    }
}

/// Shared by the connection: the reason the link ended, once it has.
pub(crate) type LinkState = Arc<tokio::sync::watch::Sender<Option<BleError>>>;
