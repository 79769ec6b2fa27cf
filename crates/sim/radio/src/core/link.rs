//! Links: connecting, mirroring the GATT database, carrying requests and notifications across
//! the air, disconnecting.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use zbus::names::InterfaceName;
use zbus::{ObjectPath, Variant as Value};

use super::registry::{call_peer, peer_error};
use super::{
    CCCD_UUID, CHAR_IFACE, Core, DESC_IFACE, DEVICE_IFACE, DropCause, SERVICE_IFACE, add, len64,
    links_to, reachable,
};
use crate::air::{Link, LinkParams};
use crate::error::BluezError;
use crate::mirror::{GattCharacteristicMirror, GattDescriptorMirror, GattServiceMirror};
use crate::names::{self, Address};
use crate::peripheral::PeerCentral;
use crate::world::{
    Downlink, GattApp, LinkState, MAX_ATTRIBUTE_LEN, MirroredCharacteristic, RemoteAttr, Uplink,
};

/// How long a disconnect waits for the peripheral to acknowledge `StopNotify`.
const STOP_NOTIFY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

impl Core {
    // ----- links --------------------------------------------------------------------------

    /// `Device1.Connect`: makes a link to the peripheral behind `address`, mirrors its GATT
    /// database under the device object, then reports `Connected` and `ServicesResolved`.
    ///
    /// # Errors
    /// `NotReady` when the central is off, `DoesNotExist` for an unknown device, `Failed` when the
    /// peripheral is off, not advertising or not connectable. Connecting a connected device
    /// succeeds; concurrent calls are serialised by the topology lock.
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
                    round_trips: 0,
                    doomed: false,
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
            w.central.devices.get_mut(&address).map(|d| {
                d.connected = true;
                d.services_resolved = true;
                d.gatt_uuids = gatt_uuids;
                d.uuids()
            })
        };
        let Some(uuids) = uuids else {
            // Cannot happen while RemoveDevice takes the topology lock; undo rather than leak.
            self.teardown(id, DropCause::CentralRequest).await;
            return Err(BluezError::DoesNotExist("Does Not Exist".into()));
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
                    &char_path,
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
        self.teardown(id, cause).await;
    }

    /// [`Core::disconnect`] for a caller that already holds the topology lock.
    pub(super) async fn teardown(self: &Arc<Self>, id: u64, cause: DropCause) {
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
        // Awaited under the topology lock, so that a quick reconnect's StartNotify cannot reach
        // the peripheral before this StopNotify. Best effort and short: the peripheral may be
        // the one that went away.
        let stops = state
            .characteristics
            .iter()
            .filter(|c| c.notifying)
            .map(|ch| {
                tokio::time::timeout(
                    STOP_NOTIFY_TIMEOUT,
                    call_peer(&self.conn, &ch.remote, "StopNotify", &()),
                )
            });
        for outcome in futures_util::future::join_all(stops).await {
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::debug!(link = id, error = %e, "StopNotify refused"),
                Err(_) => tracing::warn!(link = id, "StopNotify not answered in time"),
            }
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

    /// Arms a one-shot drop for peripheral adapter `name`: its link is dropped as a link loss
    /// (as [`Core::drop_links`] does) as soon as it has completed `after` round trips, counted
    /// from when the link came up or, for a link up now, from now. A link that ends earlier
    /// leaves the drop armed for the next one. Re-arming replaces the count.
    pub(crate) fn arm_link_drop(&self, name: &str, after: u32) {
        let mut w = self.world();
        w.armed_drops.insert(name.to_owned(), after);
        for link in w.links.values_mut().filter(|l| l.peripheral == name) {
            link.round_trips = 0;
        }
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
            Uplink::Drop => self.disconnect(id, DropCause::Loss).await,
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
        if self.world().links.get(&id).is_none_or(|l| l.doomed) {
            return;
        }
        if self.cross(id, note.value.len()).await.is_err() {
            return;
        }
        let (confirm, fire) = {
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
            let indicate_only =
                ch.flags.iter().any(|f| f == "indicate") && !ch.flags.iter().any(|f| f == "notify");
            let confirm = indicate_only.then(|| ch.remote.clone());
            let mut fire = false;
            if note.reply {
                w.counters.round_trips += 1;
                state.round_trips = state.round_trips.saturating_add(1);
                if w.armed_drops
                    .get(&state.peripheral)
                    .is_some_and(|after| state.round_trips >= *after)
                {
                    w.armed_drops.remove(&state.peripheral);
                    state.doomed = true;
                    // Queued before the central can see this notification, so the request in
                    // flight (the write whose response may still be on the air) completes, and
                    // any request the central sends after the notification finds the link gone.
                    fire = state.uplink.send(Uplink::Drop).is_ok();
                }
            }
            (confirm, fire)
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
        if fire {
            tracing::info!(link = id, "armed link drop fired");
        }
    }
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
