//! The peripheral side as bluer sees it: adapters `hci1`, `hci2`, … with `GattManager1` and
//! `LEAdvertisingManager1`, and, while a central is connected, a `Device1` for that central
//! (BlueZ `doc/org.bluez.GattManager.rst`, `org.bluez.LEAdvertisingManager.rst`).
//!
//! These adapters carry no `Modalias`: btleplug skips adapters without one, so an app that
//! takes btleplug's first adapter always gets the central `hci0`, while bluer, which looks
//! adapters up by name, finds them.

use std::collections::HashMap;
use std::sync::Arc;

use zbus::interface;
use zbus::message::Header;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue};

use crate::core::{Core, DropCause};
use crate::error::BluezError;
use crate::names::{self, Address};

fn sender(hdr: &Header<'_>) -> Result<String, BluezError> {
    hdr.sender()
        .map(ToString::to_string)
        .ok_or_else(|| BluezError::InvalidArguments("call without a sender".into()))
}

/// `org.bluez.Adapter1` on a peripheral adapter.
#[derive(Debug)]
pub struct PeripheralAdapter {
    core: Arc<Core>,
    name: String,
}

impl PeripheralAdapter {
    pub(crate) fn new(core: Arc<Core>, name: &str) -> Self {
        Self {
            core,
            name: name.to_owned(),
        }
    }

    fn read<T>(&self, f: impl FnOnce(&crate::world::Peripheral) -> T, default: T) -> T {
        self.core
            .world()
            .peripherals
            .get(&self.name)
            .map(f)
            .unwrap_or(default)
    }

    fn write(&self, f: impl FnOnce(&mut crate::world::Peripheral)) {
        if let Some(p) = self.core.world().peripherals.get_mut(&self.name) {
            f(p);
        }
    }
}

#[interface(name = "org.bluez.Adapter1")]
impl PeripheralAdapter {
    async fn start_discovery(&self) -> Result<(), BluezError> {
        Err(BluezError::NotSupported(
            "peripheral adapters of the simulated radio do not scan; use hci0".into(),
        ))
    }

    async fn stop_discovery(&self) -> Result<(), BluezError> {
        Err(BluezError::Failed("No discovery started".into()))
    }

    async fn set_discovery_filter(
        &self,
        _filter: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        Ok(())
    }

    #[zbus(property)]
    fn address(&self) -> String {
        self.read(|p| p.address.to_string(), String::new())
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "public".into()
    }
    #[zbus(property)]
    fn name(&self) -> String {
        format!("hearth-radio-{}", self.name)
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        self.read(|p| p.alias.clone(), None)
            .unwrap_or_else(|| format!("hearth-radio-{}", self.name))
    }
    #[zbus(property)]
    fn set_alias(&self, alias: String) {
        self.write(|p| p.alias = Some(alias).filter(|a| !a.is_empty()));
    }
    #[zbus(property)]
    fn class(&self) -> u32 {
        0
    }
    #[zbus(property(emits_changed_signal = "false"))]
    fn powered(&self) -> bool {
        self.read(|p| p.powered, false)
    }
    /// zbus holds the object tree's lock while a setter runs, and powering off removes objects;
    /// so the flag flips now and the consequences follow in a task.
    #[zbus(property)]
    fn set_powered(&self, on: bool) {
        if let Some(p) = self.core.world().peripherals.get_mut(&self.name) {
            p.powered = on;
        }
        let core = self.core.clone();
        let name = self.name.clone();
        tokio::spawn(async move { core.set_peripheral_powered(&name, on).await });
    }
    #[zbus(property)]
    fn discovering(&self) -> bool {
        false
    }
    #[zbus(property)]
    fn discoverable(&self) -> bool {
        self.read(|p| p.discoverable, false)
    }
    #[zbus(property)]
    fn set_discoverable(&self, on: bool) {
        self.write(|p| p.discoverable = on);
    }
    #[zbus(property)]
    fn pairable(&self) -> bool {
        self.read(|p| p.pairable, false)
    }
    #[zbus(property)]
    fn set_pairable(&self, on: bool) {
        self.write(|p| p.pairable = on);
    }
    #[zbus(property, name = "UUIDs")]
    fn uuids(&self) -> Vec<String> {
        vec![]
    }
    #[zbus(property)]
    fn roles(&self) -> Vec<String> {
        vec!["peripheral".into()]
    }
}

/// `org.bluez.GattManager1` on a peripheral adapter.
#[derive(Debug)]
pub struct GattRegistrar {
    core: Arc<Core>,
    name: String,
}

impl GattRegistrar {
    pub(crate) fn new(core: Arc<Core>, name: &str) -> Self {
        Self {
            core,
            name: name.to_owned(),
        }
    }
}

#[interface(name = "org.bluez.GattManager1")]
impl GattRegistrar {
    /// Reads the caller's objects under `application` with `GetManagedObjects`.
    async fn register_application(
        &self,
        application: OwnedObjectPath,
        _options: HashMap<String, OwnedValue>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), BluezError> {
        let owner = sender(&hdr)?;
        self.core
            .register_app(&self.name, &owner, application.as_str())
            .await
    }

    async fn unregister_application(
        &self,
        application: OwnedObjectPath,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), BluezError> {
        let owner = sender(&hdr)?;
        self.core
            .unregister_app(&self.name, &owner, application.as_str())
            .await
    }
}

/// `org.bluez.LEAdvertisingManager1` on a peripheral adapter: one advertisement at a time.
#[derive(Debug)]
pub struct AdvertisingRegistrar {
    core: Arc<Core>,
    name: String,
}

impl AdvertisingRegistrar {
    pub(crate) fn new(core: Arc<Core>, name: &str) -> Self {
        Self {
            core,
            name: name.to_owned(),
        }
    }
}

#[interface(name = "org.bluez.LEAdvertisingManager1")]
impl AdvertisingRegistrar {
    /// Reads the caller's `LEAdvertisement1` properties at `advertisement`.
    async fn register_advertisement(
        &self,
        advertisement: OwnedObjectPath,
        _options: HashMap<String, OwnedValue>,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), BluezError> {
        let owner = sender(&hdr)?;
        self.core
            .register_advertisement(&self.name, &owner, advertisement.as_str())
            .await
    }

    async fn unregister_advertisement(
        &self,
        advertisement: OwnedObjectPath,
        #[zbus(header)] hdr: Header<'_>,
    ) -> Result<(), BluezError> {
        let owner = sender(&hdr)?;
        self.core
            .unregister_advertisement(&self.name, &owner, advertisement.as_str())
    }

    #[zbus(property)]
    fn active_instances(&self) -> u8 {
        u8::from(
            self.core
                .world()
                .peripherals
                .get(&self.name)
                .is_some_and(|p| p.advertisement.is_some()),
        )
    }
    #[zbus(property)]
    fn supported_instances(&self) -> u8 {
        1u8.saturating_sub(self.active_instances())
    }
    #[zbus(property)]
    fn supported_includes(&self) -> Vec<String> {
        vec!["tx-power".into(), "local-name".into()]
    }
}

/// `org.bluez.Device1` for the connected central, as the peripheral sees it
/// (`/org/bluez/hciN/dev_<central>`); exists only while the link is up.
#[derive(Debug)]
pub struct PeerCentral {
    core: Arc<Core>,
    link: u64,
    address: Address,
}

impl PeerCentral {
    pub(crate) fn new(core: Arc<Core>, link: u64, address: Address) -> Self {
        Self {
            core,
            link,
            address,
        }
    }
}

#[interface(name = "org.bluez.Device1")]
impl PeerCentral {
    async fn connect(&self) -> Result<(), BluezError> {
        Ok(())
    }

    /// A disconnect started by the peripheral: the central sees `Connected = false`.
    async fn disconnect(&self) -> Result<(), BluezError> {
        self.core
            .disconnect(self.link, DropCause::PeripheralRequest)
            .await;
        Ok(())
    }

    #[zbus(property)]
    fn address(&self) -> String {
        self.address.to_string()
    }
    #[zbus(property)]
    fn address_type(&self) -> String {
        "public".into()
    }
    #[zbus(property)]
    fn alias(&self) -> String {
        self.address.to_string().replace(':', "-")
    }
    #[zbus(property)]
    fn adapter(&self) -> OwnedObjectPath {
        let name = self
            .core
            .world()
            .links
            .get(&self.link)
            .map(|l| l.peripheral.clone())
            .unwrap_or_default();
        OwnedObjectPath::try_from(names::adapter_path(&name)).unwrap_or_default()
    }
    #[zbus(property)]
    fn connected(&self) -> bool {
        self.core.world().links.contains_key(&self.link)
    }
    #[zbus(property)]
    fn services_resolved(&self) -> bool {
        false
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
}
