//! The radio's behaviour: hearing advertisements, making and breaking links, carrying GATT
//! requests and notifications across the air. The D-Bus objects in [`crate::central`],
//! [`crate::peripheral`] and [`crate::control`] are thin and call in here.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;
use zbus::{Connection, OwnedVariant as OwnedValue, Variant as Value};

use crate::central::RemoteDevice;
use crate::error::BluezError;
use crate::names::{self, Address};
use crate::peripheral::{AdvertisingRegistrar, GattRegistrar, PeripheralAdapter};
use crate::values;
use crate::world::{Advertisement, Peripheral, SeenDevice, World};

mod link;
mod registry;

pub(crate) use link::await_reply;

pub(crate) const DEVICE_IFACE: &str = "org.bluez.Device1";
pub(crate) const ADAPTER_IFACE: &str = "org.bluez.Adapter1";
pub(crate) const SERVICE_IFACE: &str = "org.bluez.GattService1";
pub(crate) const CHAR_IFACE: &str = "org.bluez.GattCharacteristic1";
pub(crate) const DESC_IFACE: &str = "org.bluez.GattDescriptor1";
const PROPERTIES_IFACE: &str = "org.freedesktop.DBus.Properties";
/// How long the radio waits for a peripheral process to answer a call.
const PEER_TIMEOUT: Duration = Duration::from_secs(10);
/// The Client Characteristic Configuration descriptor BlueZ adds to notifying characteristics.
const CCCD_UUID: &str = "00002902-0000-1000-8000-00805f9b34fb";

/// Why a link ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    /// The central called `Device1.Disconnect` (or removed the device).
    CentralRequest,
    /// The peripheral called `Device1.Disconnect` on its view of the central.
    PeripheralRequest,
    /// The loss model, or `org.hearth.Radio1.DropLink`.
    Loss,
    /// An adapter on either side was powered off.
    PowerOff,
    /// The peripheral process left the bus or unregistered its application.
    PeerGone,
}

/// Shared state plus the bus connection.
#[derive(Debug)]
pub struct Core {
    pub(crate) conn: Connection,
    world: Mutex<World>,
    /// Serialises connect and disconnect so that object paths of an old link are gone before a
    /// new link creates them again.
    topology: tokio::sync::Mutex<()>,
    /// Peer processes whose `PropertiesChanged` signals are being relayed.
    watched: Mutex<HashMap<String, tokio::task::AbortHandle>>,
}

impl Core {
    pub(crate) fn new(conn: Connection, world: World) -> Self {
        Self {
            conn,
            world: Mutex::new(world),
            topology: tokio::sync::Mutex::new(()),
            watched: Mutex::new(HashMap::new()),
        }
    }

    /// Locks the world. A panic elsewhere must not take the radio down, so poisoning is ignored:
    /// every critical section leaves the data consistent before anything can panic.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Emits `PropertiesChanged` on `path` for `iface`.
    pub(crate) async fn emit_changed(
        &self,
        path: &str,
        iface: &'static str,
        changed: Vec<(&str, Value<'_>)>,
    ) {
        if changed.is_empty() {
            return;
        }
        let result = async {
            let emitter = SignalEmitter::new(&self.conn, path)?;
            let changed: HashMap<&str, Value<'_>> = changed.into_iter().collect();
            zbus::fdo::Properties::properties_changed(
                &emitter,
                InterfaceName::from_static_str(iface)?,
                changed,
                Cow::Borrowed(&[]),
            )
            .await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(path, iface, error = %e, "could not emit PropertiesChanged");
        }
    }

    // ----- adapters -----------------------------------------------------------------------

    /// Creates the next peripheral adapter (`hciN`) and returns its name.
    pub(crate) async fn add_peripheral_adapter(self: &Arc<Self>) -> Result<String, zbus::Error> {
        let name = {
            let mut w = self.world();
            let index = (1..=u8::MAX)
                .find(|i| !w.peripherals.contains_key(&names::adapter_name(*i)))
                .ok_or_else(|| zbus::Error::Failure("no adapter index left".into()))?;
            let name = names::adapter_name(index);
            let params = w.defaults;
            w.peripherals.insert(
                name.clone(),
                Peripheral {
                    name: name.clone(),
                    address: names::adapter_address(index),
                    powered: true,
                    rssi: -60,
                    params,
                    advertisement: None,
                    app: None,
                    alias: None,
                    discoverable: false,
                    pairable: false,
                },
            );
            name
        };
        let path = names::adapter_path(&name);
        let server = self.conn.object_server();
        server
            .at(path.as_str(), PeripheralAdapter::new(self.clone(), &name))
            .await?;
        server
            .at(path.as_str(), GattRegistrar::new(self.clone(), &name))
            .await?;
        server
            .at(
                path.as_str(),
                AdvertisingRegistrar::new(self.clone(), &name),
            )
            .await?;
        Ok(name)
    }

    /// Powers the central adapter on or off; off ends discovery and every link.
    pub(crate) async fn set_central_powered(self: &Arc<Self>, on: bool) {
        let (path, links, was_discovering) = {
            let mut w = self.world();
            w.central.powered = on;
            let was = w.central.discovering;
            if !on {
                w.central.discovering = false;
            }
            let links: Vec<u64> = if on {
                vec![]
            } else {
                w.links.keys().copied().collect()
            };
            (names::adapter_path(&w.central.name), links, was && !on)
        };
        for id in links {
            self.disconnect(id, DropCause::PowerOff).await;
        }
        let mut changed = vec![("Powered", Value::from(on))];
        if was_discovering {
            changed.push(("Discovering", Value::from(false)));
        }
        self.emit_changed(&path, ADAPTER_IFACE, changed).await;
    }

    /// Powers a peripheral adapter on or off: off drops its links and silences its
    /// advertisement; on makes it heard again. Registrations survive, as in BlueZ.
    pub(crate) async fn set_peripheral_powered(self: &Arc<Self>, name: &str, on: bool) -> bool {
        let links = {
            let mut w = self.world();
            let Some(p) = w.peripherals.get_mut(name) else {
                return false;
            };
            p.powered = on;
            links_to(&w, name)
        };
        for id in links {
            self.disconnect(id, DropCause::PowerOff).await;
        }
        self.emit_changed(
            &names::adapter_path(name),
            ADAPTER_IFACE,
            vec![("Powered", Value::from(on))],
        )
        .await;
        if on {
            self.hear().await;
        }
        true
    }

    // ----- discovery ----------------------------------------------------------------------

    /// Starts discovery on the central adapter and hears what is advertising.
    pub(crate) async fn start_discovery(self: &Arc<Self>) -> Result<(), BluezError> {
        let path = {
            let mut w = self.world();
            if !w.central.powered {
                return Err(BluezError::NotReady("Resource Not Ready".into()));
            }
            w.central.discovering = true;
            names::adapter_path(&w.central.name)
        };
        self.emit_changed(
            &path,
            ADAPTER_IFACE,
            vec![("Discovering", Value::from(true))],
        )
        .await;
        self.hear().await;
        Ok(())
    }

    /// Stops discovery; devices already heard stay (BlueZ keeps them for a while too).
    pub(crate) async fn stop_discovery(&self) -> Result<(), BluezError> {
        let path = {
            let mut w = self.world();
            if !w.central.discovering {
                return Err(BluezError::Failed("No discovery started".into()));
            }
            w.central.discovering = false;
            names::adapter_path(&w.central.name)
        };
        self.emit_changed(
            &path,
            ADAPTER_IFACE,
            vec![("Discovering", Value::from(false))],
        )
        .await;
        Ok(())
    }

    /// Makes the central hear every powered, advertising peripheral its filter admits: new
    /// ones become `Device1` objects, changed ones get `PropertiesChanged`.
    pub(crate) async fn hear(self: &Arc<Self>) {
        let mut added = Vec::new();
        let mut changed = Vec::new();
        {
            let mut w = self.world();
            let w = &mut *w;
            if !(w.central.powered && w.central.discovering) {
                return;
            }
            for p in w.peripherals.values() {
                let Some(adv) = p.advertisement.as_ref().filter(|_| p.powered) else {
                    continue;
                };
                if !w.central.admits(adv) {
                    continue;
                }
                match w.central.devices.get_mut(&p.address) {
                    None => {
                        w.central.devices.insert(
                            p.address,
                            SeenDevice {
                                peripheral: p.name.clone(),
                                heard: adv.clone(),
                                rssi: p.rssi,
                                connected: false,
                                services_resolved: false,
                                gatt_uuids: vec![],
                                link: None,
                            },
                        );
                        added.push(p.address);
                    }
                    Some(d) => {
                        // DuplicateData: every hearing is reported, as BlueZ does with that filter.
                        d.heard = adv.clone();
                        d.rssi = p.rssi;
                        d.peripheral = p.name.clone();
                        changed.push((
                            names::device_path(&w.central.name, p.address),
                            advert_props(d),
                        ));
                    }
                }
            }
        }
        let central = self.world().central.name.clone();
        for address in added {
            let path = names::device_path(&central, address);
            if let Err(e) = self
                .conn
                .object_server()
                .at(path.as_str(), RemoteDevice::new(self.clone(), address))
                .await
            {
                tracing::warn!(%path, error = %e, "could not add device object");
            }
        }
        for (path, props) in changed {
            let props: Vec<(&str, Value<'_>)> = props
                .iter()
                .map(|(k, v)| (*k, Value::from(v.clone())))
                .collect();
            self.emit_changed(&path, DEVICE_IFACE, props).await;
        }
    }

    /// Forgets a device (`Adapter1.RemoveDevice`), disconnecting it first.
    pub(crate) async fn remove_device(
        self: &Arc<Self>,
        address: Address,
    ) -> Result<(), BluezError> {
        // Under the topology lock, so that no Connect to this device is half done meanwhile.
        let _topology = self.topology.lock().await;
        let link = {
            let w = self.world();
            w.central
                .devices
                .get(&address)
                .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?
                .link
        };
        if let Some(id) = link {
            self.teardown(id, DropCause::CentralRequest).await;
        }
        let path = {
            let mut w = self.world();
            w.central.devices.remove(&address);
            names::device_path(&w.central.name, address)
        };
        let _ = self
            .conn
            .object_server()
            .remove::<RemoteDevice, _>(path.as_str())
            .await;
        Ok(())
    }
}

/// Adds `iface` at `path`; logs and returns false if it could not.
async fn add<I: zbus::object_server::Interface>(
    server: &zbus::ObjectServer,
    path: &str,
    iface: I,
) -> bool {
    match server.at(path, iface).await {
        Ok(None) => true,
        Ok(Some(_)) => {
            tracing::warn!(path, "object already exists");
            false
        }
        Err(e) => {
            tracing::warn!(path, error = %e, "could not add object");
            false
        }
    }
}

fn links_to(w: &World, peripheral: &str) -> Vec<u64> {
    w.links
        .iter()
        .filter(|(_, l)| l.peripheral == peripheral)
        .map(|(id, _)| *id)
        .collect()
}

fn reachable<'w>(w: &'w World, name: &str) -> Result<&'w Peripheral, BluezError> {
    let p = w
        .peripherals
        .get(name)
        .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?;
    if !p.powered
        || !p
            .advertisement
            .as_ref()
            .is_some_and(Advertisement::connectable)
    {
        // What BlueZ reports when nobody answers the connection request.
        return Err(BluezError::Failed("le-connection-abort-by-local".into()));
    }
    Ok(p)
}

fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The advertising-derived `Device1` properties, as they go into `PropertiesChanged`.
pub(crate) fn advert_props(d: &SeenDevice) -> Vec<(&'static str, OwnedValue)> {
    let mut out = vec![("RSSI", OwnedValue::from(d.rssi))];
    if let Ok(v) = OwnedValue::try_from(Value::from(service_data(&d.heard))) {
        out.push(("ServiceData", v));
    }
    if let Ok(v) = OwnedValue::try_from(Value::from(manufacturer_data(&d.heard))) {
        out.push(("ManufacturerData", v));
    }
    if let Ok(v) = OwnedValue::try_from(Value::from(d.uuids())) {
        out.push(("UUIDs", v));
    }
    if let Some(tx) = d.heard.tx_power {
        out.push(("TxPower", OwnedValue::from(tx)));
    }
    out
}

/// `Device1.ServiceData` (`a{sv}`, each value `ay`).
pub(crate) fn service_data(adv: &Advertisement) -> HashMap<String, OwnedValue> {
    adv.service_data
        .iter()
        .filter_map(|(k, v)| values::owned_bytes(v).ok().map(|v| (k.clone(), v)))
        .collect()
}

/// `Device1.ManufacturerData` (`a{qv}`, each value `ay`) — not `a{sv}`, which bluez-async rejects.
pub(crate) fn manufacturer_data(adv: &Advertisement) -> HashMap<u16, OwnedValue> {
    adv.manufacturer_data
        .iter()
        .filter_map(|(k, v)| values::owned_bytes(v).ok().map(|v| (*k, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manufacturer_data_has_the_bluez_signature() {
        let mut adv = Advertisement::default();
        adv.manufacturer_data.insert(0xFFFF, vec![1, 2]);
        adv.service_data
            .insert("0000feed-0000-1000-8000-00805f9b34fb".into(), vec![3]);
        let m = Value::from(manufacturer_data(&adv));
        assert_eq!(m.value_signature().to_string(), "a{qv}");
        let s = Value::from(service_data(&adv));
        assert_eq!(s.value_signature().to_string(), "a{sv}");
        // And the bytes come back out as bytes.
        assert_eq!(values::u16_byte_map(&m, 10).get(&0xFFFF), Some(&vec![1, 2]));
    }
}
