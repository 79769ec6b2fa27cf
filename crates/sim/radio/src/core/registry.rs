//! Peripheral registrations: GATT applications, advertisements, relaying a peer's
//! notifications, and forgetting a peer that leaves the bus.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, PoisonError};

use futures_util::StreamExt;
use zbus::{Connection, MatchRule, MessageStream, OwnedObjectPath, OwnedVariant as OwnedValue};

use super::{CHAR_IFACE, Core, DropCause, PEER_TIMEOUT, PROPERTIES_IFACE, links_to};
use crate::error::BluezError;
use crate::values;
use crate::world::{Advertisement, Downlink, GattApp, MAX_ATTRIBUTE_LEN, ObjectTree, RemoteAttr};

impl Core {
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
        let mut w = self.world();
        for state in w.links.values_mut() {
            let max = state.air.params().max_notification();
            let mut reply = None;
            for ch in state
                .characteristics
                .iter()
                .filter(|c| c.notifying && c.remote.owner == owner && c.remote.path == path)
            {
                let reply = *reply.get_or_insert(std::mem::take(&mut state.awaiting_notification));
                let value = value.iter().copied().take(max).collect();
                let _ = state.downlink.send(Downlink {
                    mirror: ch.path.clone(),
                    value,
                    reply,
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

/// Calls `method` on a peer's object, with a timeout.
pub(super) async fn call_peer<B>(
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
        Err(_) => {
            tracing::warn!(method, owner = %target.owner, path = %target.path, "peer call timed out");
            Err(BluezError::Failed(format!(
                "peripheral did not answer {method} in time"
            )))
        }
    }
}

pub(super) fn peer_error(e: zbus::Error) -> BluezError {
    match e {
        zbus::Error::MethodError(name, detail, _) => {
            BluezError::Failed(format!("{name}: {}", detail.unwrap_or_default()))
        }
        other => BluezError::Failed(other.to_string()),
    }
}
