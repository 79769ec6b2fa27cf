//! The device list as Home and the device page show it: every remembered device with its live
//! state (connection, plug, temperature, the last failure), pushed to watchers whenever it
//! changes, and refreshed over the radio on demand. The list itself needs no Bluetooth.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hearth_ble::Transport;
use hearth_core::ErrorDto;
use hearth_core::devices::{DeviceStore, DeviceSummary};
use serde::Serialize;
use ts_rs::TS;

use super::Companion;
use super::radio::lock;
use crate::context::Flows;
use crate::error::FlowError;

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

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![Connection::decl(cfg), DeviceView::decl(cfg)]
}

/// A watcher of the device list; returns `false` once it is gone (the window closed).
pub type Watcher = Box<dyn Fn(&[DeviceView]) -> bool + Send + Sync>;

/// What the app learnt about a device since it started.
#[derive(Debug, Clone, Default)]
pub(crate) struct Live {
    pub connection: Option<Connection>,
    pub plug_on: Option<bool>,
    pub centi_celsius: Option<i32>,
    pub last_error: Option<ErrorDto>,
}

/// The list, the live states and who watches them.
pub(crate) struct Devices {
    store: DeviceStore,
    live: Mutex<HashMap<String, Live>>,
    watchers: Mutex<Vec<(u64, Watcher)>>,
    next_watcher: AtomicU64,
}

impl Devices {
    pub(crate) fn new(store: DeviceStore) -> Self {
        Self {
            store,
            live: Mutex::new(HashMap::new()),
            watchers: Mutex::new(Vec::new()),
            next_watcher: AtomicU64::new(1),
        }
    }

    /// Changes what is known about `device_id`.
    pub(crate) fn update(&self, device_id: &str, change: impl FnOnce(&mut Live)) {
        change(lock(&self.live).entry(device_id.to_owned()).or_default());
    }

    /// Forgets what is known about `device_id` (it was forgotten).
    pub(crate) fn drop_live(&self, device_id: &str) {
        lock(&self.live).remove(device_id);
    }

    fn views(&self, summaries: Vec<DeviceSummary>) -> Vec<DeviceView> {
        let live = lock(&self.live);
        summaries
            .into_iter()
            .map(|s| {
                let state = live.get(&s.id).cloned().unwrap_or_default();
                DeviceView {
                    connection: state.connection.unwrap_or(Connection::Unknown),
                    plug_on: state.plug_on,
                    centi_celsius: state.centi_celsius,
                    last_error: state.last_error,
                    id: s.id,
                    name: s.name,
                    model: s.model,
                    firmware_version: s.firmware_version,
                }
            })
            .collect()
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// Every remembered device with its live state.
    ///
    /// # Errors
    /// The database could not be read.
    pub async fn devices(&self) -> Result<Vec<DeviceView>, ErrorDto> {
        let summaries = self
            .devices
            .store
            .list()
            .await
            .map_err(|e| self.failed("list", &FlowError::Database(e)))?;
        Ok(self.devices.views(summaries))
    }

    /// Tells every watcher the current list; forgets watchers that are gone.
    pub(crate) async fn publish(&self) {
        let Ok(devices) = self.devices().await else {
            return;
        };
        lock(&self.devices.watchers).retain(|(_, watcher)| watcher(&devices));
    }

    /// Adds a watcher of the device list and tells it the list now. Returns its id.
    pub async fn watch(&self, watcher: Watcher) -> u64 {
        let id = self.devices.next_watcher.fetch_add(1, Ordering::Relaxed);
        if let Ok(devices) = self.devices().await
            && !watcher(&devices)
        {
            return id;
        }
        lock(&self.devices.watchers).push((id, watcher));
        id
    }

    /// Removes watcher `id`.
    pub fn unwatch(&self, id: u64) {
        lock(&self.devices.watchers).retain(|(i, _)| *i != id);
    }

    /// The view of `device_id`.
    pub(crate) async fn view_of(&self, device_id: &str) -> Result<DeviceView, ErrorDto> {
        self.devices()
            .await?
            .into_iter()
            .find(|d| d.id == device_id)
            .ok_or_else(|| {
                self.failed(
                    "find",
                    &FlowError::UnknownDevice {
                        query: device_id.to_owned(),
                    },
                )
            })
    }

    /// Reads the plug and temperature of `device_id` into its live state.
    pub(crate) async fn read_into_live(&self, flows: &Flows<T>, device_id: &str) {
        match flows.read_status(device_id).await {
            Ok(status) => self.devices.update(device_id, |l| {
                l.connection = Some(Connection::Connected);
                l.plug_on = Some(status.plug_on);
                l.centi_celsius = Some(status.centi_celsius);
                l.last_error = None;
            }),
            Err(e) => {
                let dto = self.failed("status", &e);
                self.devices.update(device_id, |l| {
                    if e.is_unreachable() {
                        l.connection = Some(Connection::Unreachable);
                    }
                    l.last_error = Some(dto);
                });
            }
        }
    }

    /// Reads the plug and temperature of `device_id` now.
    ///
    /// # Errors
    /// The device is unknown or the app's database failed; an unreachable device is not an
    /// error here: its view says so.
    pub async fn refresh(&self, device_id: &str) -> Result<DeviceView, ErrorDto> {
        let _radio = self.radio.conversation().await;
        let flows = self
            .radio
            .flows()
            .await
            .map_err(|e| self.failed("status", &e))?;
        self.devices
            .update(device_id, |l| l.connection = Some(Connection::Checking));
        self.publish().await;
        self.read_into_live(&flows, device_id).await;
        self.publish().await;
        self.view_of(device_id).await
    }

    /// Checks every remembered device once, one after another (the radio does one thing
    /// at a time).
    pub async fn refresh_all(&self) {
        let Ok(devices) = self.devices().await else {
            return;
        };
        for device in devices {
            let _ = self.refresh(&device.id).await;
        }
    }
}
