//! Everything the radio knows, in one place: adapters, what peripherals advertise and serve,
//! which devices the central has heard, the live links, and the counters.
//!
//! Plain data behind one `std::sync::Mutex` (held only for short, non-async sections); the D-Bus
//! objects read their properties from here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tokio::sync::mpsc;
use zbus::OwnedVariant as OwnedValue;

use crate::air::{Link, LinkParams};
use crate::names::Address;
use crate::values;

/// Longest attribute value accepted from a peer (ATT, Core spec Vol 3, Part F, 3.2.9).
pub const MAX_ATTRIBUTE_LEN: usize = 512;
/// Longest advertising payload item accepted from a peer (extended advertising data).
pub const MAX_AD_ITEM_LEN: usize = 251;

/// What the radio has counted since start (or the last reset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Central writes that were followed by a notification to the central on the same link.
    pub round_trips: u64,
    /// Payload bytes carried from centrals to peripherals (writes).
    pub bytes_to_peripheral: u64,
    /// Payload bytes carried from peripherals to centrals (notifications, read responses).
    pub bytes_to_central: u64,
    /// Writes delivered to a peripheral.
    pub writes: u64,
    /// Notifications delivered to a central.
    pub notifications: u64,
    /// Links established.
    pub connects: u64,
    /// Links ended, for any reason.
    pub disconnects: u64,
    /// Links ended by the loss model or the control interface.
    pub link_losses: u64,
}

impl Counters {
    /// As `(name, value)` pairs, the shape `org.hearth.Radio1.Counters` returns.
    pub fn to_map(&self) -> HashMap<String, u64> {
        [
            ("round_trips", self.round_trips),
            ("bytes_to_peripheral", self.bytes_to_peripheral),
            ("bytes_to_central", self.bytes_to_central),
            ("writes", self.writes),
            ("notifications", self.notifications),
            ("connects", self.connects),
            ("disconnects", self.disconnects),
            ("link_losses", self.link_losses),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// An advertisement a peripheral registered (`org.bluez.LEAdvertisement1`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advertisement {
    /// Unique bus name of the registering process.
    pub owner: String,
    /// Its object path.
    pub path: String,
    /// `peripheral` (connectable) or `broadcast`.
    pub kind: String,
    /// Advertised service UUIDs, lower case.
    pub service_uuids: Vec<String>,
    /// Manufacturer data by company identifier.
    pub manufacturer_data: BTreeMap<u16, Vec<u8>>,
    /// Service data by UUID (lower case).
    pub service_data: BTreeMap<String, Vec<u8>>,
    /// Local name, if advertised.
    pub local_name: Option<String>,
    /// Advertised TX power, if any.
    pub tx_power: Option<i16>,
}

impl Advertisement {
    /// Reads `LEAdvertisement1` properties; missing or mistyped entries are left empty.
    pub fn from_properties(owner: &str, path: &str, props: &HashMap<String, OwnedValue>) -> Self {
        let get = |k| values::get(props, k);
        Self {
            owner: owner.to_owned(),
            path: path.to_owned(),
            kind: get("Type")
                .and_then(values::string)
                .unwrap_or_else(|| "peripheral".into()),
            service_uuids: get("ServiceUUIDs")
                .and_then(values::strings)
                .unwrap_or_default()
                .into_iter()
                .map(|u| u.to_ascii_lowercase())
                .collect(),
            manufacturer_data: get("ManufacturerData")
                .map(|v| values::u16_byte_map(v, MAX_AD_ITEM_LEN))
                .unwrap_or_default(),
            service_data: get("ServiceData")
                .map(|v| values::string_byte_map(v, MAX_AD_ITEM_LEN))
                .unwrap_or_default(),
            local_name: get("LocalName").and_then(values::string),
            tx_power: get("TxPower").and_then(values::int16),
        }
    }

    /// UUIDs a discovery filter can match: advertised services and service-data keys.
    pub fn matchable_uuids(&self) -> BTreeSet<&str> {
        self.service_uuids
            .iter()
            .map(String::as_str)
            .chain(self.service_data.keys().map(String::as_str))
            .collect()
    }

    /// Whether a central may connect (`Type = "peripheral"`).
    pub fn connectable(&self) -> bool {
        self.kind == "peripheral"
    }
}

/// One descriptor of a registered GATT application.
#[derive(Clone, Debug, PartialEq)]
pub struct DescriptorDef {
    /// Object path in the application.
    pub path: String,
    /// UUID, lower case.
    pub uuid: String,
    /// Flags (`read`, `write`, …).
    pub flags: Vec<String>,
}

/// One characteristic of a registered GATT application.
#[derive(Clone, Debug, PartialEq)]
pub struct CharacteristicDef {
    /// Object path in the application.
    pub path: String,
    /// UUID, lower case.
    pub uuid: String,
    /// Flags (`read`, `write`, `write-without-response`, `notify`, `indicate`, …).
    pub flags: Vec<String>,
    /// Its descriptors.
    pub descriptors: Vec<DescriptorDef>,
}

impl CharacteristicDef {
    /// Whether the central can subscribe (`notify` or `indicate`).
    pub fn can_notify(&self) -> bool {
        self.flags.iter().any(|f| f == "notify" || f == "indicate")
    }
}

/// One service of a registered GATT application.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDef {
    /// Object path in the application.
    pub path: String,
    /// UUID, lower case.
    pub uuid: String,
    /// Primary or secondary.
    pub primary: bool,
    /// Its characteristics.
    pub characteristics: Vec<CharacteristicDef>,
}

/// A GATT application registered through `GattManager1.RegisterApplication`.
#[derive(Clone, Debug, PartialEq)]
pub struct GattApp {
    /// Unique bus name of the registering process.
    pub owner: String,
    /// The application's root path.
    pub path: String,
    /// Its services, in path order.
    pub services: Vec<ServiceDef>,
}

/// Most GATT objects read from one application (services, characteristics and descriptors).
pub const MAX_GATT_OBJECTS: usize = 4096;

/// Managed objects as `GetManagedObjects` returns them, keyed by path.
pub type ObjectTree = HashMap<String, HashMap<String, HashMap<String, OwnedValue>>>;

const SERVICE_IFACE: &str = "org.bluez.GattService1";
const CHAR_IFACE: &str = "org.bluez.GattCharacteristic1";
const DESC_IFACE: &str = "org.bluez.GattDescriptor1";

impl GattApp {
    /// Builds the service tree from an application's managed objects, linking characteristics
    /// to services and descriptors to characteristics by their `Service`/`Characteristic`
    /// properties. Objects without a UUID or with a dangling parent are skipped.
    pub fn from_objects(owner: &str, path: &str, objects: &ObjectTree) -> Self {
        let uuid_of = |props: &HashMap<String, OwnedValue>| {
            values::get(props, "UUID")
                .and_then(values::string)
                .map(|u| u.to_ascii_lowercase())
        };
        let flags_of = |props: &HashMap<String, OwnedValue>| {
            values::get(props, "Flags")
                .and_then(values::strings)
                .unwrap_or_default()
        };
        let mut paths: Vec<&String> = objects.keys().collect();
        paths.sort();
        // ATT handles are 16-bit; a peer offering more objects than fit is cut short, not trusted.
        paths.truncate(MAX_GATT_OBJECTS);
        let mut services = Vec::new();
        for p in &paths {
            let Some(props) = objects.get(*p).and_then(|i| i.get(SERVICE_IFACE)) else {
                continue;
            };
            let Some(uuid) = uuid_of(props) else { continue };
            let primary = values::get(props, "Primary")
                .and_then(values::boolean)
                .unwrap_or(true);
            services.push(ServiceDef {
                path: (*p).clone(),
                uuid,
                primary,
                characteristics: vec![],
            });
        }
        for p in &paths {
            let Some(props) = objects.get(*p).and_then(|i| i.get(CHAR_IFACE)) else {
                continue;
            };
            let Some(uuid) = uuid_of(props) else { continue };
            let parent = values::get(props, "Service").and_then(values::path);
            let Some(service) = services
                .iter_mut()
                .find(|s| Some(&s.path) == parent.as_ref())
            else {
                continue;
            };
            service.characteristics.push(CharacteristicDef {
                path: (*p).clone(),
                uuid,
                flags: flags_of(props),
                descriptors: vec![],
            });
        }
        for p in &paths {
            let Some(props) = objects.get(*p).and_then(|i| i.get(DESC_IFACE)) else {
                continue;
            };
            let Some(uuid) = uuid_of(props) else { continue };
            let parent = values::get(props, "Characteristic").and_then(values::path);
            let Some(ch) = services
                .iter_mut()
                .flat_map(|s| s.characteristics.iter_mut())
                .find(|c| Some(&c.path) == parent.as_ref())
            else {
                continue;
            };
            ch.descriptors.push(DescriptorDef {
                path: (*p).clone(),
                uuid,
                flags: flags_of(props),
            });
        }
        Self {
            owner: owner.to_owned(),
            path: path.to_owned(),
            services,
        }
    }
}

/// A peripheral-role adapter (`hci1`, …) that a device process registers with.
#[derive(Debug)]
pub struct Peripheral {
    /// Adapter name.
    pub name: String,
    /// Its address (what centrals see).
    pub address: Address,
    /// Powered; when off it neither advertises nor accepts connections.
    pub powered: bool,
    /// RSSI at which the central hears it.
    pub rssi: i16,
    /// Link parameters for new connections to it.
    pub params: LinkParams,
    /// The registered advertisement.
    pub advertisement: Option<Advertisement>,
    /// The registered GATT application.
    pub app: Option<GattApp>,
    /// `Adapter1.Alias`, if the device process set one.
    pub alias: Option<String>,
    /// `Adapter1.Discoverable`/`Pairable` as the device process set them. Reported back only:
    /// the radio hears every advertisement and does not pair.
    pub discoverable: bool,
    /// See `discoverable`.
    pub pairable: bool,
}

/// A device the central adapter has heard (a `Device1` under `hci0`).
#[derive(Debug)]
pub struct SeenDevice {
    /// The peripheral adapter behind it.
    pub peripheral: String,
    /// The advertisement as last heard.
    pub heard: Advertisement,
    /// RSSI as last heard.
    pub rssi: i16,
    /// `Device1.Connected`.
    pub connected: bool,
    /// `Device1.ServicesResolved`.
    pub services_resolved: bool,
    /// Service UUIDs learnt by connecting (GATT primary services).
    pub gatt_uuids: Vec<String>,
    /// The live link, if connected.
    pub link: Option<u64>,
}

impl SeenDevice {
    /// `Device1.UUIDs`: advertised plus discovered service UUIDs, without duplicates.
    pub fn uuids(&self) -> Vec<String> {
        let mut all: BTreeSet<String> = self.heard.service_uuids.iter().cloned().collect();
        all.extend(self.gatt_uuids.iter().cloned());
        all.into_iter().collect()
    }
}

/// Which side an attribute operation goes to on a peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteAttr {
    /// The peer process (unique bus name).
    pub owner: String,
    /// The object path in the peer.
    pub path: String,
    /// `org.bluez.GattCharacteristic1` or `org.bluez.GattDescriptor1`.
    pub interface: &'static str,
}

/// A mirrored characteristic on a live link.
#[derive(Clone, Debug)]
pub struct MirroredCharacteristic {
    /// Path under the central's device object.
    pub path: String,
    /// Where it lives in the peripheral.
    pub remote: RemoteAttr,
    /// Flags, copied from the peripheral.
    pub flags: Vec<String>,
    /// Whether the central subscribed.
    pub notifying: bool,
    /// The last value carried to the central.
    pub value: Vec<u8>,
}

/// A request from the central that crosses the air to the peripheral, in order.
#[derive(Debug)]
pub enum Uplink {
    /// `ReadValue`.
    Read {
        /// Attribute to read.
        target: RemoteAttr,
        /// Byte offset.
        offset: u16,
        /// Where the value goes.
        reply: tokio::sync::oneshot::Sender<Result<Vec<u8>, crate::error::BluezError>>,
    },
    /// `WriteValue`.
    Write {
        /// Attribute to write.
        target: RemoteAttr,
        /// The value.
        value: Vec<u8>,
        /// `request` (with response) or `command` (without).
        kind: String,
        /// Byte offset.
        offset: u16,
        /// Completion.
        reply: tokio::sync::oneshot::Sender<Result<(), crate::error::BluezError>>,
    },
    /// `StartNotify` (`true`) / `StopNotify` (`false`), i.e. a CCCD write.
    Subscribe {
        /// Mirrored characteristic path.
        mirror: String,
        /// Subscribe or unsubscribe.
        on: bool,
        /// Completion.
        reply: tokio::sync::oneshot::Sender<Result<(), crate::error::BluezError>>,
    },
    /// An armed drop fired: end the link as a loss once the requests queued before it are done.
    Drop,
}

/// A notification from the peripheral on its way to the central.
#[derive(Debug)]
pub struct Downlink {
    /// Mirrored characteristic path.
    pub mirror: String,
    /// The value (already cut to the MTU).
    pub value: Vec<u8>,
    /// The peripheral sent it after a write had reached it (decided when it was sent,
    /// not when it arrives, so an ack that crosses an earlier notification on the air
    /// does not count as a round trip).
    pub reply: bool,
}

/// A live connection between the central and a peripheral.
#[derive(Debug)]
pub struct LinkState {
    /// The peripheral adapter.
    pub peripheral: String,
    /// The central's device object for it.
    pub device: Address,
    /// The air.
    pub air: Link,
    /// Mirrored characteristics.
    pub characteristics: Vec<MirroredCharacteristic>,
    /// Every object the link added under the device, with its interface, in creation order.
    pub objects: Vec<(String, &'static str)>,
    /// A write reached the peripheral and no notification has come back yet.
    pub awaiting_notification: bool,
    /// Round trips completed on this link since it came up, or since a drop was armed for its
    /// peripheral while it was up (what an armed drop counts).
    pub round_trips: u32,
    /// An armed drop fired: [`Uplink::Drop`] is queued behind the requests already in flight,
    /// and no further notification is carried to the central.
    pub doomed: bool,
    /// Requests in flight to the peripheral.
    pub uplink: mpsc::UnboundedSender<Uplink>,
    /// Notifications in flight to the central.
    pub downlink: mpsc::UnboundedSender<Downlink>,
}

/// The central adapter's state (`hci0`).
#[derive(Debug)]
pub struct Central {
    /// Adapter name.
    pub name: String,
    /// Its address.
    pub address: Address,
    /// `Adapter1.Powered`.
    pub powered: bool,
    /// `Adapter1.Discovering`.
    pub discovering: bool,
    /// UUIDs from `SetDiscoveryFilter` (lower case; empty = everything).
    pub filter: Vec<String>,
    /// Devices heard, by address.
    pub devices: BTreeMap<Address, SeenDevice>,
}

impl Central {
    /// Whether the discovery filter lets `adv` through.
    pub fn admits(&self, adv: &Advertisement) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let uuids = adv.matchable_uuids();
        self.filter.iter().any(|f| uuids.contains(f.as_str()))
    }
}

/// The whole radio.
#[derive(Debug)]
pub struct World {
    /// The central adapter.
    pub central: Central,
    /// Peripheral adapters by name.
    pub peripherals: BTreeMap<String, Peripheral>,
    /// Live links by id.
    pub links: BTreeMap<u64, LinkState>,
    /// Next link id (also mixed into the link's RNG seed).
    pub next_link: u64,
    /// Counters.
    pub counters: Counters,
    /// Seed for link RNGs.
    pub seed: u64,
    /// Link parameters for new peripheral adapters.
    pub defaults: LinkParams,
    /// Drops armed with `org.hearth.Radio1.ArmLinkDrop`: peripheral adapter → the number of
    /// round trips its link completes before it is dropped. One-shot.
    pub armed_drops: BTreeMap<String, u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::Variant as Value;

    fn ov(v: Value<'_>) -> OwnedValue {
        OwnedValue::try_from(v).unwrap()
    }

    #[test]
    fn gatt_tree_links_children_to_parents() {
        let mut objects: ObjectTree = HashMap::new();
        let iface = |name: &str, props: Vec<(&str, OwnedValue)>| {
            let mut m = HashMap::new();
            m.insert(
                name.to_owned(),
                props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            );
            m
        };
        objects.insert(
            "/app/service0".into(),
            iface(
                SERVICE_IFACE,
                vec![
                    ("UUID", ov(Value::from("AAAA"))),
                    ("Primary", ov(true.into())),
                ],
            ),
        );
        let service_path = zbus::ObjectPath::try_from("/app/service0").unwrap();
        objects.insert(
            "/app/service0/char0".into(),
            iface(
                CHAR_IFACE,
                vec![
                    ("UUID", ov(Value::from("BBBB"))),
                    ("Service", ov(Value::from(service_path))),
                    ("Flags", ov(Value::from(vec!["write", "notify"]))),
                ],
            ),
        );
        // A characteristic whose service does not exist is dropped.
        let orphan_parent = zbus::ObjectPath::try_from("/app/nothing").unwrap();
        objects.insert(
            "/app/orphan".into(),
            iface(
                CHAR_IFACE,
                vec![
                    ("UUID", ov(Value::from("CCCC"))),
                    ("Service", ov(Value::from(orphan_parent))),
                ],
            ),
        );
        let app = GattApp::from_objects(":1.5", "/app", &objects);
        assert_eq!(app.services.len(), 1);
        assert_eq!(app.services[0].uuid, "aaaa");
        assert_eq!(app.services[0].characteristics.len(), 1);
        assert!(app.services[0].characteristics[0].can_notify());
    }

    #[test]
    fn filter_matches_service_data_keys() {
        let central = Central {
            name: "hci0".into(),
            address: Address([0; 6]),
            powered: true,
            discovering: true,
            filter: vec!["1234".into()],
            devices: BTreeMap::new(),
        };
        let mut adv = Advertisement::default();
        assert!(!central.admits(&adv));
        adv.service_data.insert("1234".into(), vec![1]);
        assert!(central.admits(&adv));
    }
}
