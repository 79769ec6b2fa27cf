//! Starting the radio on a bus: build the objects, own `org.bluez`, follow peers leaving.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::StreamExt;
use zbus::fdo::{RequestNameFlags, RequestNameReply};
use zbus::{Connection, MatchRule, MessageStream};

use crate::air::LinkParams;
use crate::central::CentralAdapter;
use crate::control::{CONTROL_PATH, RadioControl};
use crate::core::Core;
use crate::error::RadioError;
use crate::names;
use crate::world::{Central, Counters, World};

/// How the radio starts.
#[derive(Clone, Debug)]
pub struct RadioConfig {
    /// Seed for every link's loss RNG; the same seed and the same traffic give the same run.
    pub seed: u64,
    /// Peripheral adapters created at start (`hci1` ..= `hciN`); more via `AddPeripheralAdapter`.
    pub peripheral_adapters: u8,
    /// Link parameters for peripheral adapters until changed with `SetLinkParameters`.
    pub link: LinkParams,
}

impl Default for RadioConfig {
    fn default() -> Self {
        Self {
            seed: 0x4845_4152_5448,
            peripheral_adapters: 2,
            link: LinkParams::default(),
        }
    }
}

/// A running radio. Dropping it leaves the tasks running until the bus goes away; call
/// [`Radio::stop`] to release `org.bluez` first.
#[derive(Debug)]
pub struct Radio {
    core: Arc<Core>,
    watcher: tokio::task::JoinHandle<()>,
}

impl Radio {
    /// Connects to the bus at `address`, publishes the adapters and the control object, and
    /// takes the name `org.bluez`.
    ///
    /// # Errors
    /// [`RadioError::InvalidLinkParameter`] for bad defaults, [`RadioError::DBus`] if the bus is
    /// unreachable, [`RadioError::NameTaken`] if `org.bluez` already has an owner.
    pub async fn serve(address: &str, config: RadioConfig) -> Result<Self, RadioError> {
        config.link.validate()?;
        let conn = zbus::connection::Builder::address(address).build().await?;
        let world = World {
            central: Central {
                name: names::adapter_name(0),
                address: names::adapter_address(0),
                powered: true,
                discovering: false,
                filter: vec![],
                devices: BTreeMap::new(),
            },
            peripherals: BTreeMap::new(),
            links: BTreeMap::new(),
            next_link: 1,
            counters: Counters::default(),
            seed: config.seed,
            defaults: config.link,
            armed_drops: BTreeMap::new(),
        };
        let core = Arc::new(Core::new(conn.clone(), world));
        let server = conn.object_server();
        server.at("/", zbus::fdo::ObjectManager).await?;
        server
            .at(
                names::adapter_path(&names::adapter_name(0)).as_str(),
                CentralAdapter::new(core.clone()),
            )
            .await?;
        for _ in 0..config.peripheral_adapters {
            core.add_peripheral_adapter().await?;
        }
        server
            .at(CONTROL_PATH, RadioControl::new(core.clone()))
            .await?;

        // Subscribe before owning the name, so no peer can register and leave unnoticed.
        let rule = MatchRule::builder()
            .msg_type(zbus::message::Type::Signal)
            .sender("org.freedesktop.DBus")
            .interface("org.freedesktop.DBus")
            .member("NameOwnerChanged")
            .build()?;
        let mut stream = MessageStream::for_match_rule(rule, &conn, None).await?;
        let watcher_core = core.clone();
        let watcher = tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let Ok((name, _old, new)) = msg.body().deserialize::<(String, String, String)>()
                else {
                    continue;
                };
                if name.starts_with(':') && new.is_empty() {
                    watcher_core.owner_gone(&name).await;
                }
            }
        });

        let reply = conn
            .request_name_with_flags("org.bluez", RequestNameFlags::DO_NOT_QUEUE)
            .await?;
        if reply != RequestNameReply::PrimaryOwner {
            watcher.abort();
            return Err(RadioError::NameTaken);
        }
        tracing::info!(address, "radio serving org.bluez");
        Ok(Self { core, watcher })
    }

    /// The connection the radio serves on.
    pub fn connection(&self) -> &Connection {
        &self.core.conn
    }

    /// Counters so far.
    pub fn counters(&self) -> Counters {
        self.core.world().counters
    }

    /// Releases `org.bluez` and stops following the bus.
    ///
    /// # Errors
    /// [`RadioError::DBus`] if the name could not be released.
    pub async fn stop(self) -> Result<(), RadioError> {
        self.watcher.abort();
        self.core.conn.release_name("org.bluez").await?;
        Ok(())
    }
}
