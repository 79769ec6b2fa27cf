//! The radio's behaviour: hearing advertisements, making and breaking links, carrying GATT
//! requests and notifications across the air. The D-Bus objects in [`crate::central`],
//! [`crate::peripheral`] and [`crate::control`] are thin and call in here.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use zbus::names::InterfaceName;
use zbus::object_server::SignalEmitter;
use zbus::{Connection, MatchRule, MessageStream};
use zbus::{ObjectPath, OwnedObjectPath, OwnedVariant as OwnedValue, Variant as Value};

use crate::air::{Link, LinkParams};
use crate::central::{
    GattCharacteristicMirror, GattDescriptorMirror, GattServiceMirror, RemoteDevice,
};
use crate::error::BluezError;
use crate::names::{self, Address};
use crate::peripheral::{AdvertisingRegistrar, GattRegistrar, PeerCentral, PeripheralAdapter};
use crate::values;
use crate::world::{
    Advertisement, Downlink, GattApp, LinkState, MAX_ATTRIBUTE_LEN, MirroredCharacteristic,
    ObjectTree, Peripheral, RemoteAttr, SeenDevice, Uplink, World,
};

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
                                address: p.address,
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
        let link = {
            let w = self.world();
            w.central
                .devices
                .get(&address)
                .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?
                .link
        };
        if let Some(id) = link {
            self.disconnect(id, DropCause::CentralRequest).await;
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

    // ----- links --------------------------------------------------------------------------

    /// `Device1.Connect`: makes a link to the peripheral behind `address`, mirrors its GATT
    /// database under the device object, then reports `Connected` and `ServicesResolved`.
    ///
    /// # Errors
    /// `NotReady` when the central is off, `DoesNotExist` for an unknown device, `Failed` when the
    /// peripheral is off, not advertising or not connectable, `InProgress` during another connect.
    pub(crate) async fn connect(self: &Arc<Self>, address: Address) -> Result<(), BluezError> {
        let _topology = self.topology.lock().await;
        let (peripheral, params) = {
            let w = self.world();
            if !w.central.powered {
                return Err(BluezError::NotReady("Resource Not Ready".into()));
            }
            let d = w
                .central
                .devices
                .get(&address)
                .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?;
            if d.connected {
                return Ok(());
            }
            let p = reachable(&w, &d.peripheral)?;
            (p.name.clone(), p.params)
        };
        // Connection set-up takes one connection event (CONNECT_IND, then the first anchor).
        tokio::time::sleep(params.interval).await;
        let (uplink_tx, uplink_rx) = mpsc::unbounded_channel();
        let (downlink_tx, downlink_rx) = mpsc::unbounded_channel();
        let (id, device_path, central_address, app) = {
            let mut w = self.world();
            let app = reachable(&w, &peripheral)?.app.clone();
            let id = w.next_link;
            w.next_link += 1;
            // Each link draws from its own stream, fixed by the radio's seed and the link number.
            let seed = w.seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let device_path = names::device_path(&w.central.name, address);
            w.links.insert(
                id,
                LinkState {
                    peripheral: peripheral.clone(),
                    device: address,
                    air: Link::new(params, Instant::now(), seed),
                    characteristics: vec![],
                    objects: vec![],
                    awaiting_notification: false,
                    uplink: uplink_tx,
                    downlink: downlink_tx,
                },
            );
            if let Some(d) = w.central.devices.get_mut(&address) {
                d.link = Some(id);
            }
            (id, device_path, w.central.address, app)
        };
        tokio::spawn(run_uplink(self.clone(), id, uplink_rx));
        tokio::spawn(run_downlink(self.clone(), id, downlink_rx));

        let gatt_uuids = match &app {
            Some(app) => self.mirror_gatt(id, &device_path, app).await,
            None => vec![],
        };
        let peer_path = names::device_path(&peripheral, central_address);
        if let Err(e) = self
            .conn
            .object_server()
            .at(
                peer_path.as_str(),
                PeerCentral::new(self.clone(), id, central_address),
            )
            .await
        {
            tracing::warn!(path = %peer_path, error = %e, "could not add the peripheral's view of the central");
        }
        let uuids = {
            let mut w = self.world();
            w.counters.connects += 1;
            let Some(d) = w.central.devices.get_mut(&address) else {
                return Err(BluezError::Failed("device vanished".into()));
            };
            d.connected = true;
            d.services_resolved = true;
            d.gatt_uuids = gatt_uuids;
            d.uuids()
        };
        self.emit_changed(
            &device_path,
            DEVICE_IFACE,
            vec![("Connected", Value::from(true))],
        )
        .await;
        self.emit_changed(
            &device_path,
            DEVICE_IFACE,
            vec![
                ("UUIDs", Value::from(uuids)),
                ("ServicesResolved", Value::from(true)),
            ],
        )
        .await;
        tracing::info!(link = id, %peripheral, "connected");
        Ok(())
    }

    /// Creates `serviceXXXX/charYYYY/descZZZZ` objects for `app` under `device_path`, numbered
    /// like ATT handles; returns the primary service UUIDs.
    async fn mirror_gatt(
        self: &Arc<Self>,
        link: u64,
        device_path: &str,
        app: &GattApp,
    ) -> Vec<String> {
        let server = self.conn.object_server();
        let mut handle: u16 = 1;
        let mut objects = Vec::new();
        let mut characteristics = Vec::new();
        let mut uuids = Vec::new();
        for service in &app.services {
            let service_path = format!("{device_path}/service{handle:04x}");
            handle = handle.saturating_add(1);
            if service.primary {
                uuids.push(service.uuid.clone());
            }
            let mirror = GattServiceMirror::new(&service.uuid, service.primary, device_path);
            if add(server, &service_path, mirror).await {
                objects.push((service_path.clone(), SERVICE_IFACE));
            }
            for ch in &service.characteristics {
                let char_path = format!("{service_path}/char{handle:04x}");
                // Declaration and value handles.
                handle = handle.saturating_add(2);
                let remote = RemoteAttr {
                    owner: app.owner.clone(),
                    path: ch.path.clone(),
                    interface: CHAR_IFACE,
                };
                let mirror = GattCharacteristicMirror::new(
                    self.clone(),
                    link,
                    &ch.uuid,
                    &service_path,
                    &ch.flags,
                    remote.clone(),
                );
                if add(server, &char_path, mirror).await {
                    objects.push((char_path.clone(), CHAR_IFACE));
                }
                characteristics.push(MirroredCharacteristic {
                    path: char_path.clone(),
                    remote,
                    flags: ch.flags.clone(),
                    notifying: false,
                    value: vec![],
                });
                let mut descriptors: Vec<(String, Option<RemoteAttr>, Vec<String>)> = ch
                    .descriptors
                    .iter()
                    .map(|d| {
                        let remote = RemoteAttr {
                            owner: app.owner.clone(),
                            path: d.path.clone(),
                            interface: DESC_IFACE,
                        };
                        (d.uuid.clone(), Some(remote), d.flags.clone())
                    })
                    .collect();
                if ch.can_notify() && !ch.descriptors.iter().any(|d| d.uuid == CCCD_UUID) {
                    descriptors.push((
                        CCCD_UUID.to_owned(),
                        None,
                        vec!["read".into(), "write".into()],
                    ));
                }
                for (uuid, remote, flags) in descriptors {
                    let desc_path = format!("{char_path}/desc{handle:04x}");
                    handle = handle.saturating_add(1);
                    let mirror = GattDescriptorMirror::new(
                        self.clone(),
                        link,
                        &uuid,
                        &char_path,
                        &flags,
                        remote,
                    );
                    if add(server, &desc_path, mirror).await {
                        objects.push((desc_path, DESC_IFACE));
                    }
                }
            }
        }
        let mut w = self.world();
        if let Some(state) = w.links.get_mut(&link) {
            state.objects = objects;
            state.characteristics = characteristics;
        }
        uuids
    }

    /// Ends link `id`: stops the peripheral's notify sessions, removes the mirrored GATT objects
    /// and the peripheral's view of the central, then reports `ServicesResolved = false` and
    /// `Connected = false` on the central's device. Idempotent.
    pub(crate) async fn disconnect(self: &Arc<Self>, id: u64, cause: DropCause) {
        let _topology = self.topology.lock().await;
        let (state, device_path, peer_path) = {
            let mut w = self.world();
            let Some(state) = w.links.remove(&id) else {
                return;
            };
            w.counters.disconnects += 1;
            if cause == DropCause::Loss {
                w.counters.link_losses += 1;
            }
            if let Some(d) = w.central.devices.get_mut(&state.device) {
                d.connected = false;
                d.services_resolved = false;
                d.link = None;
            }
            let device_path = names::device_path(&w.central.name, state.device);
            let peer_path = names::device_path(&state.peripheral, w.central.address);
            (state, device_path, peer_path)
        };
        for ch in state.characteristics.iter().filter(|c| c.notifying) {
            let conn = self.conn.clone();
            let remote = ch.remote.clone();
            // Best effort: the peripheral may be the one that went away.
            tokio::spawn(async move {
                let _ = call_peer(&conn, &remote, "StopNotify", &()).await;
            });
        }
        let server = self.conn.object_server();
        for (path, iface) in state.objects.iter().rev() {
            if let Ok(name) = InterfaceName::from_static_str(iface) {
                let _ = server.remove_named(path.as_str(), name).await;
            }
        }
        let _ = server.remove::<PeerCentral, _>(peer_path.as_str()).await;
        self.emit_changed(
            &device_path,
            DEVICE_IFACE,
            vec![("ServicesResolved", Value::from(false))],
        )
        .await;
        self.emit_changed(
            &device_path,
            DEVICE_IFACE,
            vec![("Connected", Value::from(false))],
        )
        .await;
        tracing::info!(link = id, ?cause, peripheral = %state.peripheral, "disconnected");
    }

    /// Drops every link to peripheral adapter `name` as a link loss; returns how many.
    pub(crate) async fn drop_links(self: &Arc<Self>, name: &str) -> u32 {
        let links = links_to(&self.world(), name);
        for id in &links {
            self.disconnect(*id, DropCause::Loss).await;
        }
        u32::try_from(links.len()).unwrap_or(u32::MAX)
    }

    /// Queues a request for the peripheral on link `id`.
    pub(crate) fn send_uplink(&self, id: u64, request: Uplink) -> Result<(), BluezError> {
        let w = self.world();
        let state = w
            .links
            .get(&id)
            .ok_or_else(|| BluezError::NotConnected("Not connected".into()))?;
        state
            .uplink
            .send(request)
            .map_err(|_| BluezError::NotConnected("Not connected".into()))
    }

    /// Link `id`'s parameters, if it is up.
    pub(crate) fn link_params(&self, id: u64) -> Option<LinkParams> {
        self.world().links.get(&id).map(|l| *l.air.params())
    }

    /// Whether the mirrored characteristic at `path` on link `id` is subscribed.
    pub(crate) fn notifying(&self, id: u64, path: &str) -> bool {
        self.world()
            .links
            .get(&id)
            .and_then(|l| l.characteristics.iter().find(|c| c.path == path))
            .is_some_and(|c| c.notifying)
    }

    /// The last value seen on the mirrored characteristic at `path`.
    pub(crate) fn mirrored_value(&self, id: u64, path: &str) -> Vec<u8> {
        self.world()
            .links
            .get(&id)
            .and_then(|l| l.characteristics.iter().find(|c| c.path == path))
            .map(|c| c.value.clone())
            .unwrap_or_default()
    }

    /// Carries `payload` bytes across link `id` and waits until they are on the other side.
    /// If the loss model drops the link on the way, waits until then, disconnects, and errs.
    async fn cross(self: &Arc<Self>, id: u64, payload: usize) -> Result<(), BluezError> {
        let arrival = {
            let mut w = self.world();
            let state = w
                .links
                .get_mut(&id)
                .ok_or_else(|| BluezError::NotConnected("Not connected".into()))?;
            state.air.transmit(Instant::now(), payload)
        };
        match arrival {
            Ok(at) => {
                tokio::time::sleep_until(at).await;
                if self.world().links.contains_key(&id) {
                    Ok(())
                } else {
                    Err(BluezError::NotConnected("Not connected".into()))
                }
            }
            Err(lost) => {
                tokio::time::sleep_until(lost.at).await;
                self.disconnect(id, DropCause::Loss).await;
                Err(BluezError::Failed(
                    "Connection lost (supervision timeout)".into(),
                ))
            }
        }
    }

    /// The `device` and `mtu` options bluer requires on every GATT call (with `link: LE`).
    fn peer_options(&self, id: u64) -> Result<(String, u16), BluezError> {
        let w = self.world();
        let state = w
            .links
            .get(&id)
            .ok_or_else(|| BluezError::NotConnected("Not connected".into()))?;
        Ok((
            names::device_path(&state.peripheral, w.central.address),
            state.air.params().mtu,
        ))
    }

    async fn handle_uplink(self: &Arc<Self>, id: u64, request: Uplink) {
        match request {
            Uplink::Read {
                target,
                offset,
                reply,
            } => {
                let result = async {
                    self.cross(id, 2).await?;
                    let (device, mtu) = self.peer_options(id)?;
                    let options = gatt_options(&device, mtu, offset, None)?;
                    let reply = call_peer(&self.conn, &target, "ReadValue", &(options,)).await?;
                    let value: Vec<u8> = reply.body().deserialize().map_err(peer_error)?;
                    if value.len() > MAX_ATTRIBUTE_LEN {
                        return Err(BluezError::InvalidValueLength(
                            "peripheral answered too long a value".into(),
                        ));
                    }
                    self.cross(id, value.len()).await?;
                    self.world().counters.bytes_to_central += len64(value.len());
                    Ok(value)
                }
                .await;
                let _ = reply.send(result);
            }
            Uplink::Write {
                target,
                value,
                kind,
                offset,
                reply,
            } => {
                let result = async {
                    self.cross(id, value.len()).await?;
                    let (device, mtu) = self.peer_options(id)?;
                    {
                        let mut w = self.world();
                        w.counters.writes += 1;
                        w.counters.bytes_to_peripheral += len64(value.len());
                        // Set before the call: the peripheral may notify from inside WriteValue.
                        if let Some(state) = w.links.get_mut(&id) {
                            state.awaiting_notification = true;
                        }
                    }
                    let options = gatt_options(&device, mtu, offset, Some(&kind))?;
                    let outcome =
                        call_peer(&self.conn, &target, "WriteValue", &(value, options)).await;
                    if kind == "command" {
                        // Write without response: the central learns nothing of the outcome.
                        return Ok(());
                    }
                    outcome?;
                    self.cross(id, 0).await
                }
                .await;
                let _ = reply.send(result);
            }
            Uplink::Subscribe { mirror, on, reply } => {
                let result = self.subscribe(id, &mirror, on).await;
                let _ = reply.send(result);
            }
        }
    }

    async fn subscribe(
        self: &Arc<Self>,
        id: u64,
        mirror: &str,
        on: bool,
    ) -> Result<(), BluezError> {
        // A CCCD write: two bytes.
        self.cross(id, 2).await?;
        let remote = {
            let mut w = self.world();
            let state = w
                .links
                .get_mut(&id)
                .ok_or_else(|| BluezError::NotConnected("Not connected".into()))?;
            let ch = state
                .characteristics
                .iter_mut()
                .find(|c| c.path == mirror)
                .ok_or_else(|| BluezError::DoesNotExist("Does Not Exist".into()))?;
            if ch.notifying == on {
                return Ok(());
            }
            // Set before the call, so notifications sent from inside StartNotify are relayed.
            ch.notifying = on;
            ch.remote.clone()
        };
        let outcome = call_peer(
            &self.conn,
            &remote,
            if on { "StartNotify" } else { "StopNotify" },
            &(),
        )
        .await;
        if let Err(e) = outcome {
            if on {
                let mut w = self.world();
                if let Some(ch) = w
                    .links
                    .get_mut(&id)
                    .and_then(|s| s.characteristics.iter_mut().find(|c| c.path == mirror))
                {
                    ch.notifying = false;
                }
            }
            return Err(e);
        }
        self.emit_changed(mirror, CHAR_IFACE, vec![("Notifying", Value::from(on))])
            .await;
        Ok(())
    }

    async fn handle_downlink(self: &Arc<Self>, id: u64, note: Downlink) {
        if self.cross(id, note.value.len()).await.is_err() {
            return;
        }
        let confirm = {
            let mut w = self.world();
            let w = &mut *w;
            let Some(state) = w.links.get_mut(&id) else {
                return;
            };
            let Some(ch) = state
                .characteristics
                .iter_mut()
                .find(|c| c.path == note.mirror && c.notifying)
            else {
                return;
            };
            ch.value.clone_from(&note.value);
            w.counters.notifications += 1;
            w.counters.bytes_to_central += len64(note.value.len());
            if std::mem::take(&mut state.awaiting_notification) {
                w.counters.round_trips += 1;
            }
            let indicate_only =
                ch.flags.iter().any(|f| f == "indicate") && !ch.flags.iter().any(|f| f == "notify");
            indicate_only.then(|| ch.remote.clone())
        };
        self.emit_changed(
            &note.mirror,
            CHAR_IFACE,
            vec![("Value", Value::from(note.value))],
        )
        .await;
        if let Some(remote) = confirm {
            // An indication is confirmed by the central's stack once it has arrived.
            let conn = self.conn.clone();
            tokio::spawn(async move {
                let _ = call_peer(&conn, &remote, "Confirm", &()).await;
            });
        }
    }

    // ----- peripheral registrations -------------------------------------------------------

    /// `GattManager1.RegisterApplication`: reads the application's objects from `owner`.
    pub(crate) async fn register_app(
        self: &Arc<Self>,
        adapter: &str,
        owner: &str,
        path: &str,
    ) -> Result<(), BluezError> {
        {
            let w = self.world();
            let p = w
                .peripherals
                .get(adapter)
                .ok_or_else(|| BluezError::DoesNotExist("no such adapter".into()))?;
            if p.app.is_some() {
                return Err(BluezError::AlreadyExists("Already Exists".into()));
            }
        }
        let target = RemoteAttr {
            owner: owner.to_owned(),
            path: path.to_owned(),
            interface: "org.freedesktop.DBus.ObjectManager",
        };
        let reply = call_peer(&self.conn, &target, "GetManagedObjects", &()).await?;
        let objects: HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>> =
            reply.body().deserialize().map_err(peer_error)?;
        let tree: ObjectTree = objects
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let app = GattApp::from_objects(owner, path, &tree);
        if app.services.is_empty() {
            return Err(BluezError::Failed("No object received".into()));
        }
        self.watch(owner).await?;
        let mut w = self.world();
        let p = w
            .peripherals
            .get_mut(adapter)
            .ok_or_else(|| BluezError::DoesNotExist("no such adapter".into()))?;
        if p.app.is_some() {
            return Err(BluezError::AlreadyExists("Already Exists".into()));
        }
        tracing::info!(
            adapter,
            owner,
            services = app.services.len(),
            "GATT application registered"
        );
        p.app = Some(app);
        Ok(())
    }

    /// `GattManager1.UnregisterApplication`: links to the adapter are dropped with it.
    pub(crate) async fn unregister_app(
        self: &Arc<Self>,
        adapter: &str,
        owner: &str,
        path: &str,
    ) -> Result<(), BluezError> {
        let links = {
            let mut w = self.world();
            let p = w
                .peripherals
                .get_mut(adapter)
                .ok_or_else(|| BluezError::DoesNotExist("no such adapter".into()))?;
            if !p
                .app
                .as_ref()
                .is_some_and(|a| a.owner == owner && a.path == path)
            {
                return Err(BluezError::DoesNotExist("Does Not Exist".into()));
            }
            p.app = None;
            links_to(&w, adapter)
        };
        for id in links {
            self.disconnect(id, DropCause::PeerGone).await;
        }
        Ok(())
    }

    /// `LEAdvertisingManager1.RegisterAdvertisement`: reads `LEAdvertisement1` from `owner`.
    pub(crate) async fn register_advertisement(
        self: &Arc<Self>,
        adapter: &str,
        owner: &str,
        path: &str,
    ) -> Result<(), BluezError> {
        let target = RemoteAttr {
            owner: owner.to_owned(),
            path: path.to_owned(),
            interface: PROPERTIES_IFACE,
        };
        let reply = call_peer(
            &self.conn,
            &target,
            "GetAll",
            &("org.bluez.LEAdvertisement1",),
        )
        .await?;
        let props: HashMap<String, OwnedValue> = reply.body().deserialize().map_err(peer_error)?;
        let adv = Advertisement::from_properties(owner, path, &props);
        self.watch(owner).await?;
        {
            let mut w = self.world();
            let p = w
                .peripherals
                .get_mut(adapter)
                .ok_or_else(|| BluezError::DoesNotExist("no such adapter".into()))?;
            if p.advertisement.is_some() {
                return Err(BluezError::Failed("Maximum advertisements reached".into()));
            }
            tracing::info!(adapter, owner, ?adv, "advertising");
            p.advertisement = Some(adv);
        }
        self.hear().await;
        Ok(())
    }

    /// `LEAdvertisingManager1.UnregisterAdvertisement`.
    pub(crate) fn unregister_advertisement(
        &self,
        adapter: &str,
        owner: &str,
        path: &str,
    ) -> Result<(), BluezError> {
        let mut w = self.world();
        let p = w
            .peripherals
            .get_mut(adapter)
            .ok_or_else(|| BluezError::DoesNotExist("no such adapter".into()))?;
        if !p
            .advertisement
            .as_ref()
            .is_some_and(|a| a.owner == owner && a.path == path)
        {
            return Err(BluezError::DoesNotExist("Does Not Exist".into()));
        }
        p.advertisement = None;
        Ok(())
    }

    /// Relays `PropertiesChanged` signals of `owner` (a peripheral process) from now on.
    async fn watch(self: &Arc<Self>, owner: &str) -> Result<(), BluezError> {
        if self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(owner)
        {
            return Ok(());
        }
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender(owner)
            .interface(PROPERTIES_IFACE)
            .member("PropertiesChanged")
            .build()?;
        // Subscribed before returning, so nothing the peer sends after registering is missed.
        let mut stream = MessageStream::for_match_rule(rule, &self.conn, None).await?;
        let core = self.clone();
        let owner_name = owner.to_owned();
        let task = tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Some(path) = msg.header().path().map(ToString::to_string) else {
                    continue;
                };
                let Ok((iface, changed, _)) =
                    msg.body()
                        .deserialize::<(String, HashMap<String, OwnedValue>, Vec<String>)>()
                else {
                    continue;
                };
                if iface != CHAR_IFACE {
                    continue;
                }
                if let Some(value) =
                    values::get(&changed, "Value").and_then(|v| values::bytes(v, MAX_ATTRIBUTE_LEN))
                {
                    core.peer_notified(&owner_name, &path, value);
                }
            }
        });
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(previous) = watched.insert(owner.to_owned(), task.abort_handle()) {
            previous.abort();
        }
        Ok(())
    }

    /// A peripheral changed a characteristic value: queue it to every central subscribed to it,
    /// cut to the link's MTU as BlueZ does.
    fn peer_notified(&self, owner: &str, path: &str, value: Vec<u8>) {
        let w = self.world();
        for state in w.links.values() {
            let max = state.air.params().max_notification();
            for ch in state
                .characteristics
                .iter()
                .filter(|c| c.notifying && c.remote.owner == owner && c.remote.path == path)
            {
                let value = value.iter().copied().take(max).collect();
                let _ = state.downlink.send(Downlink {
                    mirror: ch.path.clone(),
                    value,
                });
            }
        }
    }

    /// A bus name went away: drop what it registered and its links.
    pub(crate) async fn owner_gone(self: &Arc<Self>, owner: &str) {
        if let Some(task) = self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(owner)
        {
            task.abort();
        }
        let links = {
            let mut w = self.world();
            let mut affected = BTreeSet::new();
            for p in w.peripherals.values_mut() {
                if p.advertisement.as_ref().is_some_and(|a| a.owner == owner) {
                    p.advertisement = None;
                }
                if p.app.as_ref().is_some_and(|a| a.owner == owner) {
                    p.app = None;
                    affected.insert(p.name.clone());
                }
            }
            affected
                .iter()
                .flat_map(|name| links_to(&w, name))
                .collect::<Vec<_>>()
        };
        for id in links {
            self.disconnect(id, DropCause::PeerGone).await;
        }
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

fn gatt_options<'a>(
    device: &'a str,
    mtu: u16,
    offset: u16,
    kind: Option<&'a str>,
) -> Result<HashMap<&'static str, Value<'a>>, BluezError> {
    let device = ObjectPath::try_from(device).map_err(|e| BluezError::Failed(e.to_string()))?;
    let mut options = HashMap::new();
    options.insert("device", Value::from(device));
    options.insert("mtu", Value::from(mtu));
    options.insert("link", Value::from("LE"));
    if offset != 0 {
        options.insert("offset", Value::from(offset));
    }
    if let Some(kind) = kind {
        options.insert("type", Value::from(kind));
    }
    Ok(options)
}

/// Calls `method` on a peer's object, with a timeout.
async fn call_peer<B>(
    conn: &Connection,
    target: &RemoteAttr,
    method: &str,
    body: &B,
) -> Result<zbus::Message, BluezError>
where
    B: zbus::export::serde::Serialize + zbus::DynamicType,
{
    let call = conn.call_method(
        Some(target.owner.as_str()),
        target.path.as_str(),
        Some(target.interface),
        method,
        body,
    );
    match tokio::time::timeout(PEER_TIMEOUT, call).await {
        Ok(Ok(reply)) => Ok(reply),
        Ok(Err(e)) => Err(peer_error(e)),
        Err(_) => Err(BluezError::Failed(format!(
            "peripheral did not answer {method} in time"
        ))),
    }
}

fn peer_error(e: zbus::Error) -> BluezError {
    match e {
        zbus::Error::MethodError(name, detail, _) => {
            BluezError::Failed(format!("{name}: {}", detail.unwrap_or_default()))
        }
        other => BluezError::Failed(other.to_string()),
    }
}

async fn run_uplink(core: Arc<Core>, id: u64, mut rx: mpsc::UnboundedReceiver<Uplink>) {
    while let Some(request) = rx.recv().await {
        core.handle_uplink(id, request).await;
    }
}

async fn run_downlink(core: Arc<Core>, id: u64, mut rx: mpsc::UnboundedReceiver<Downlink>) {
    while let Some(note) = rx.recv().await {
        core.handle_downlink(id, note).await;
    }
}

/// Waits for a reply to a queued uplink request.
pub(crate) async fn await_reply<T>(
    rx: oneshot::Receiver<Result<T, BluezError>>,
) -> Result<T, BluezError> {
    rx.await
        .unwrap_or_else(|_| Err(BluezError::NotConnected("Not connected".into())))
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
