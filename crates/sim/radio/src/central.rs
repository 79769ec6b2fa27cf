//! The central side as btleplug sees it: adapter `hci0` and a `Device1` per peripheral heard
//! (BlueZ `doc/org.bluez.Adapter.rst`, `org.bluez.Device.rst`); the GATT database mirrored under
//! a connected device is in [`crate::mirror`].

use std::collections::HashMap;
use std::sync::Arc;

use zbus::interface;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue};

use crate::core::{Core, DropCause, manufacturer_data, service_data};
use crate::error::BluezError;
use crate::names::{self, Address};
use crate::values;

/// Modalias btleplug requires on an adapter (`usb:v1D6Bp0246d0540` is BlueZ's own, 5.64).
pub const MODALIAS: &str = "usb:v1D6Bp0246d0540";

pub(crate) fn object_path(path: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(path).unwrap_or_else(|_| OwnedObjectPath::default())
}

/// `org.bluez.Adapter1` on `/org/bluez/hci0`, the adapter the app scans and connects with.
#[derive(Debug)]
pub struct CentralAdapter {
    core: Arc<Core>,
}

impl CentralAdapter {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

#[interface(name = "org.bluez.Adapter1")]
impl CentralAdapter {
    async fn start_discovery(&self) -> Result<(), BluezError> {
        self.core.start_discovery().await
    }

    async fn stop_discovery(&self) -> Result<(), BluezError> {
        self.core.stop_discovery().await
    }

    /// Only `UUIDs` is honoured (`Transport`, `DuplicateData`, `RSSI`, `Pathloss` are accepted).
    async fn set_discovery_filter(
        &self,
        filter: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        let uuids = match values::get(&filter, "UUIDs") {
            Some(v) => values::strings(v)
                .ok_or_else(|| BluezError::InvalidArguments("UUIDs must be as".into()))?,
            None => vec![],
        };
        self.core.world().central.filter =
            uuids.into_iter().map(|u| u.to_ascii_lowercase()).collect();
        self.core.hear().await;
        Ok(())
    }

    fn get_discovery_filters(&self) -> Vec<String> {
        ["UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData"]
            .map(String::from)
            .to_vec()
    }

    async fn remove_device(&self, device: OwnedObjectPath) -> Result<(), BluezError> {
        let address = {
            let w = self.core.world();
            w.central
                .devices
                .keys()
                .copied()
                .find(|a| names::device_path(&w.central.name, *a) == device.as_str())
        };
        let address = address.ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?;
        self.core.remove_device(address).await
    }

    #[zbus(property)]
    fn address(&self) -> String {
        self.core.world().central.address.to_string()
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "public".into()
    }
    #[zbus(property)]
    fn name(&self) -> String {
        "hearth-radio".into()
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        "hearth-radio".into()
    }
    #[zbus(property)]
    fn modalias(&self) -> String {
        MODALIAS.into()
    }
    #[zbus(property)]
    fn class(&self) -> u32 {
        0
    }
    #[zbus(property(emits_changed_signal = "false"))]
    fn powered(&self) -> bool {
        self.core.world().central.powered
    }
    /// zbus holds the object tree's lock while a setter runs, and powering off removes objects;
    /// so the flag flips now and the consequences follow in a task.
    #[zbus(property)]
    fn set_powered(&self, on: bool) {
        self.core.world().central.powered = on;
        let core = self.core.clone();
        tokio::spawn(async move { core.set_central_powered(on).await });
    }
    #[zbus(property)]
    fn discovering(&self) -> bool {
        self.core.world().central.discovering
    }
    #[zbus(property)]
    fn discoverable(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn pairable(&self) -> bool {
        false
    }
    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        vec![]
    }
    #[zbus(property)]
    fn roles(&self) -> Vec<String> {
        vec!["central".into()]
    }
}

/// `org.bluez.Device1` for a peripheral the central has heard.
#[derive(Debug)]
pub struct RemoteDevice {
    core: Arc<Core>,
    address: Address,
}

impl RemoteDevice {
    pub(crate) fn new(core: Arc<Core>, address: Address) -> Self {
        Self { core, address }
    }

    fn read<T>(&self, f: impl FnOnce(&crate::world::SeenDevice) -> T, default: T) -> T {
        self.core
            .world()
            .central
            .devices
            .get(&self.address)
            .map(f)
            .unwrap_or(default)
    }

    fn alias_text(&self) -> String {
        self.read(|d| d.heard.local_name.clone(), None)
            .unwrap_or_else(|| self.address.to_string().replace(':', "-"))
    }
}

#[interface(name = "org.bluez.Device1")]
impl RemoteDevice {
    async fn connect(&self) -> Result<(), BluezError> {
        self.core.connect(self.address).await
    }

    async fn disconnect(&self) -> Result<(), BluezError> {
        let link = self.read(|d| d.link, None);
        if let Some(id) = link {
            self.core.disconnect(id, DropCause::CentralRequest).await;
        }
        Ok(())
    }

    async fn pair(&self) -> Result<(), BluezError> {
        Err(BluezError::NotSupported(
            "the simulated radio does not pair".into(),
        ))
    }

    async fn cancel_pairing(&self) -> Result<(), BluezError> {
        Err(BluezError::DoesNotExist("Does Not Exist".into()))
    }

    #[zbus(property)]
    fn address(&self) -> String {
        self.address.to_string()
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "public".into()
    }
    /// The advertised local name, or the alias when none is advertised.
    #[zbus(property)]
    fn name(&self) -> String {
        self.alias_text()
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        self.alias_text()
    }
    #[zbus(property)]
    fn adapter(&self) -> OwnedObjectPath {
        object_path(&names::adapter_path(&self.core.world().central.name))
    }
    #[zbus(property)]
    fn paired(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn bonded(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn trusted(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn blocked(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn legacy_pairing(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn connected(&self) -> bool {
        self.read(|d| d.connected, false)
    }
    #[zbus(property)]
    fn services_resolved(&self) -> bool {
        self.read(|d| d.services_resolved, false)
    }
    #[zbus(property, name = "RSSI")]
    fn rssi(&self) -> i16 {
        self.read(|d| d.rssi, 0)
    }
    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        self.read(|d| d.uuids(), vec![])
    }
    #[zbus(property)]
    fn service_data(&self) -> HashMap<String, OwnedValue> {
        self.read(|d| service_data(&d.heard), HashMap::new())
    }
    #[zbus(property)]
    fn manufacturer_data(&self) -> HashMap<u16, OwnedValue> {
        self.read(|d| manufacturer_data(&d.heard), HashMap::new())
    }
}
