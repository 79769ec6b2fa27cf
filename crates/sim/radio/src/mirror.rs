//! The peripheral's GATT database as the central sees it while connected: services,
//! characteristics and descriptors under the device object, named `serviceXXXX/charYYYY/descZZZZ`
//! like BlueZ does, whose I/O crosses the link's air (BlueZ `doc/org.bluez.GattService.rst`,
//! `org.bluez.GattCharacteristic.rst`, `org.bluez.GattDescriptor.rst`).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::oneshot;
use zbus::interface;
use zbus::{OwnedObjectPath, OwnedVariant as OwnedValue};

use crate::central::object_path;
use crate::core::{Core, await_reply};
use crate::error::BluezError;
use crate::values;
use crate::world::{MAX_ATTRIBUTE_LEN, RemoteAttr, Uplink};

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
    /// Its own object path (property reads may come through `GetManagedObjects` on `/`).
    path: String,
    uuid: String,
    service: OwnedObjectPath,
    flags: Vec<String>,
    remote: RemoteAttr,
}

impl GattCharacteristicMirror {
    pub(crate) fn new(
        core: Arc<Core>,
        link: u64,
        path: &str,
        uuid: &str,
        service: &str,
        flags: &[String],
        remote: RemoteAttr,
    ) -> Self {
        Self {
            core,
            link,
            path: path.to_owned(),
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

    async fn start_notify(&self) -> Result<(), BluezError> {
        if !(self.has_flag("notify") || self.has_flag("indicate")) {
            return Err(BluezError::NotSupported("Notify not supported".into()));
        }
        let mirror = self.path.clone();
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

    async fn stop_notify(&self) -> Result<(), BluezError> {
        let mirror = self.path.clone();
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
    fn value(&self) -> Vec<u8> {
        self.core.mirrored_value(self.link, &self.path)
    }
    #[zbus(property)]
    fn notifying(&self) -> bool {
        self.core.notifying(self.link, &self.path)
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
