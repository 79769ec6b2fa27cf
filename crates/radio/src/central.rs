//! The central side as btleplug sees it: adapter `hci0`, a `Device1` per peripheral heard, and
//! the peripheral's GATT database mirrored under the device while connected
//! (BlueZ `doc/org.bluez.Adapter.rst`, `org.bluez.Device.rst`, `org.bluez.GattService.rst`,
//! `org.bluez.GattCharacteristic.rst`, `org.bluez.GattDescriptor.rst`).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;
use zbus::interface;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue};

use crate::core::{Core, DropCause, await_reply, manufacturer_data, service_data};
use crate::error::BluezError;
use crate::names::{self, Address};
use crate::values;
use crate::world::{MAX_ATTRIBUTE_LEN, RemoteAttr, Uplink};

/// Modalias btleplug requires on an adapter (`usb:v1D6Bp0246d0540` is BlueZ's own, 5.64).
pub const MODALIAS: &str = "usb:v1D6Bp0246d0540";

fn object_path(path: &str) -> OwnedObjectPath {
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

/// `org.bluez.GattService1` mirrored from a peripheral's application.
#[derive(Debug)]
pub struct GattServiceMirror {
    uuid: String,
    primary: bool,
    device: OwnedObjectPath,
}

impl GattServiceMirror {
    pub(crate) fn new(uuid: &str, primary: bool, device: &str) -> Self {
        Self {
            uuid: uuid.to_owned(),
            primary,
            device: object_path(device),
        }
    }
}

#[interface(name = "org.bluez.GattService1")]
impl GattServiceMirror {
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.clone()
    }
    #[zbus(property)]
    fn primary(&self) -> bool {
        self.primary
    }
    #[zbus(property)]
    fn device(&self) -> OwnedObjectPath {
        self.device.clone()
    }
    #[zbus(property)]
    fn includes(&self) -> Vec<OwnedObjectPath> {
        vec![]
    }
}

/// Parsed `ReadValue`/`WriteValue` options from the central.
fn option_offset(options: &HashMap<String, OwnedValue>) -> Result<u16, BluezError> {
    match values::get(options, "offset") {
        None => Ok(0),
        Some(v) => match v {
            zbus::Variant::U16(n) => Ok(*n),
            zbus::Variant::U64(n) => {
                u16::try_from(*n).map_err(|_| BluezError::InvalidArguments("offset".into()))
            }
            _ => Err(BluezError::InvalidArguments("offset".into())),
        },
    }
}

/// `org.bluez.GattCharacteristic1` mirrored from a peripheral; I/O crosses the link's air.
#[derive(Debug)]
pub struct GattCharacteristicMirror {
    core: Arc<Core>,
    link: u64,
    uuid: String,
    service: OwnedObjectPath,
    flags: Vec<String>,
    remote: RemoteAttr,
}

impl GattCharacteristicMirror {
    pub(crate) fn new(
        core: Arc<Core>,
        link: u64,
        uuid: &str,
        service: &str,
        flags: &[String],
        remote: RemoteAttr,
    ) -> Self {
        Self {
            core,
            link,
            uuid: uuid.to_owned(),
            service: object_path(service),
            flags: flags.to_vec(),
            remote,
        }
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

#[interface(name = "org.bluez.GattCharacteristic1")]
impl GattCharacteristicMirror {
    async fn read_value(
        &self,
        options: HashMap<String, OwnedValue>,
    ) -> Result<Vec<u8>, BluezError> {
        if !self.has_flag("read") {
            return Err(BluezError::NotSupported("Read not permitted".into()));
        }
        let offset = option_offset(&options)?;
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Read {
                target: self.remote.clone(),
                offset,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    /// `type` is `request` (the default when the characteristic has `write`) or `command`.
    async fn write_value(
        &self,
        value: Vec<u8>,
        options: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        let kind = match values::get(&options, "type").and_then(values::string) {
            Some(kind) => kind,
            None if self.has_flag("write") => "request".to_owned(),
            None => "command".to_owned(),
        };
        let allowed = match kind.as_str() {
            "request" | "reliable" => self.has_flag("write") || self.has_flag("reliable-write"),
            "command" => self.has_flag("write-without-response") || self.has_flag("write"),
            _ => return Err(BluezError::InvalidArguments("type".into())),
        };
        if !allowed {
            return Err(BluezError::NotSupported("Write not permitted".into()));
        }
        if value.len() > MAX_ATTRIBUTE_LEN {
            return Err(BluezError::InvalidValueLength("Invalid Length".into()));
        }
        let mtu = self.core.link_params(self.link).map_or(23, |p| p.mtu);
        if kind == "command" && value.len() > usize::from(mtu).saturating_sub(3) {
            // A write command is one PDU; it cannot be split (Core spec Vol 3, Part F, 3.4.5.3).
            return Err(BluezError::InvalidValueLength("Invalid Length".into()));
        }
        let offset = option_offset(&options)?;
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Write {
                target: self.remote.clone(),
                value,
                kind,
                offset,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    async fn start_notify(
        &self,
        #[zbus(header)] hdr: zbus::message::Header<'_>,
    ) -> Result<(), BluezError> {
        if !(self.has_flag("notify") || self.has_flag("indicate")) {
            return Err(BluezError::NotSupported("Notify not supported".into()));
        }
        let mirror = hdr.path().map(ToString::to_string).unwrap_or_default();
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Subscribe {
                mirror,
                on: true,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    async fn stop_notify(
        &self,
        #[zbus(header)] hdr: zbus::message::Header<'_>,
    ) -> Result<(), BluezError> {
        let mirror = hdr.path().map(ToString::to_string).unwrap_or_default();
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Subscribe {
                mirror,
                on: false,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.clone()
    }
    #[zbus(property)]
    fn service(&self) -> OwnedObjectPath {
        self.service.clone()
    }
    #[zbus(property)]
    fn flags(&self) -> Vec<String> {
        self.flags.clone()
    }
    #[zbus(property, name = "MTU")]
    fn mtu(&self) -> u16 {
        self.core.link_params(self.link).map_or(23, |p| p.mtu)
    }
    #[zbus(property)]
    fn value(&self, #[zbus(header)] hdr: Option<zbus::message::Header<'_>>) -> Vec<u8> {
        let path = hdr
            .and_then(|h| h.path().map(ToString::to_string))
            .unwrap_or_default();
        self.core.mirrored_value(self.link, &path)
    }
    #[zbus(property)]
    fn notifying(&self, #[zbus(header)] hdr: Option<zbus::message::Header<'_>>) -> bool {
        let path = hdr
            .and_then(|h| h.path().map(ToString::to_string))
            .unwrap_or_default();
        self.core.notifying(self.link, &path)
    }
}

/// `org.bluez.GattDescriptor1` mirrored from a peripheral, or the CCCD the radio adds.
#[derive(Debug)]
pub struct GattDescriptorMirror {
    core: Arc<Core>,
    link: u64,
    uuid: String,
    characteristic: OwnedObjectPath,
    flags: Vec<String>,
    /// `None` for the radio's own Client Characteristic Configuration descriptor.
    remote: Option<RemoteAttr>,
}

impl GattDescriptorMirror {
    pub(crate) fn new(
        core: Arc<Core>,
        link: u64,
        uuid: &str,
        characteristic: &str,
        flags: &[String],
        remote: Option<RemoteAttr>,
    ) -> Self {
        Self {
            core,
            link,
            uuid: uuid.to_owned(),
            characteristic: object_path(characteristic),
            flags: flags.to_vec(),
            remote,
        }
    }
}

#[interface(name = "org.bluez.GattDescriptor1")]
impl GattDescriptorMirror {
    async fn read_value(
        &self,
        options: HashMap<String, OwnedValue>,
    ) -> Result<Vec<u8>, BluezError> {
        let Some(remote) = &self.remote else {
            let on = self.core.notifying(self.link, self.characteristic.as_str());
            return Ok(vec![u8::from(on), 0]);
        };
        let offset = option_offset(&options)?;
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Read {
                target: remote.clone(),
                offset,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    async fn write_value(
        &self,
        value: Vec<u8>,
        options: HashMap<String, OwnedValue>,
    ) -> Result<(), BluezError> {
        let Some(remote) = &self.remote else {
            // BlueZ manages the CCCD itself; StartNotify/StopNotify are the way in.
            return Err(BluezError::NotSupported(
                "Write the CCCD with StartNotify/StopNotify".into(),
            ));
        };
        if value.len() > MAX_ATTRIBUTE_LEN {
            return Err(BluezError::InvalidValueLength("Invalid Length".into()));
        }
        let offset = option_offset(&options)?;
        let (reply, rx) = oneshot::channel();
        self.core.send_uplink(
            self.link,
            Uplink::Write {
                target: remote.clone(),
                value,
                kind: "request".into(),
                offset,
                reply,
            },
        )?;
        await_reply(rx).await
    }

    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        self.uuid.clone()
    }
    #[zbus(property)]
    fn characteristic(&self) -> OwnedObjectPath {
        self.characteristic.clone()
    }
    #[zbus(property)]
    fn flags(&self) -> Vec<String> {
        self.flags.clone()
    }
    #[zbus(property)]
    fn value(&self) -> Vec<u8> {
        vec![]
    }
}
