//! `org.hearth.Radio1` at `/org/hearth/radio`: fault injection and measurements for tests and
//! the demo. Adapter arguments are adapter names (`hci1`, …).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use zbus::{fdo, interface};

use crate::air::LinkParams;
use crate::core::Core;
use crate::world::Counters;

/// The control object's path.
pub const CONTROL_PATH: &str = "/org/hearth/radio";
/// The control interface's name.
pub const CONTROL_INTERFACE: &str = "org.hearth.Radio1";

/// The control interface.
#[derive(Debug)]
pub struct RadioControl {
    core: Arc<Core>,
}

impl RadioControl {
    pub(crate) fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    fn known(&self, adapter: &str) -> fdo::Result<()> {
        if self.core.world().peripherals.contains_key(adapter) {
            Ok(())
        } else {
            Err(fdo::Error::InvalidArgs(format!(
                "no peripheral adapter {adapter}"
            )))
        }
    }
}

#[interface(name = "org.hearth.Radio1")]
impl RadioControl {
    /// Creates a peripheral adapter for one more device process; returns its name.
    async fn add_peripheral_adapter(&self) -> fdo::Result<String> {
        self.core
            .add_peripheral_adapter()
            .await
            .map_err(|e| fdo::Error::Failed(e.to_string()))
    }

    /// Names of the peripheral adapters.
    fn peripheral_adapters(&self) -> Vec<String> {
        self.core.world().peripherals.keys().cloned().collect()
    }

    /// Drops the links to `adapter` as if the radio link were lost; returns how many.
    async fn drop_link(&self, adapter: &str) -> fdo::Result<u32> {
        self.known(adapter)?;
        Ok(self.core.drop_links(adapter).await)
    }

    /// Arms a one-shot drop: the link to `adapter` is dropped as `DropLink` drops it as soon
    /// as it has completed `after_round_trips` round trips (a notification the peripheral sent
    /// after a write reached it, as `Counters.round_trips` counts them), counted from when the
    /// link came up, or from now for a link that is up now. Nothing the central sends after
    /// that last notification reaches the peripheral. A link that ends earlier leaves the drop
    /// armed for the next link; it disarms when it fires. Arming again replaces the count.
    ///
    /// # Errors
    /// `InvalidArgs` for an unknown adapter or `after_round_trips` = 0 (use `DropLink`).
    fn arm_link_drop(&self, adapter: &str, after_round_trips: u32) -> fdo::Result<()> {
        self.known(adapter)?;
        if after_round_trips == 0 {
            return Err(fdo::Error::InvalidArgs(
                "after_round_trips must be at least 1; DropLink drops a link now".into(),
            ));
        }
        self.core.arm_link_drop(adapter, after_round_trips);
        Ok(())
    }

    /// Powers an adapter (`hci0` or a peripheral) on or off.
    async fn set_powered(&self, adapter: &str, powered: bool) -> fdo::Result<()> {
        if adapter == self.core.world().central.name {
            self.core.set_central_powered(powered).await;
            return Ok(());
        }
        self.known(adapter)?;
        self.core.set_peripheral_powered(adapter, powered).await;
        Ok(())
    }

    /// Sets the link parameters for `adapter`: new links use all of them; live links take the
    /// interval, capacity and loss from their next connection event (the MTU stays).
    async fn set_link_parameters(
        &self,
        adapter: &str,
        interval_us: u32,
        mtu: u16,
        bytes_per_event: u32,
        loss_per_pdu: f64,
    ) -> fdo::Result<()> {
        self.known(adapter)?;
        let params = LinkParams {
            interval: Duration::from_micros(u64::from(interval_us)),
            mtu,
            bytes_per_event,
            loss_per_pdu,
        };
        params
            .validate()
            .map_err(|e| fdo::Error::InvalidArgs(e.to_string()))?;
        let mut w = self.core.world();
        if let Some(p) = w.peripherals.get_mut(adapter) {
            p.params = params;
        }
        let now = tokio::time::Instant::now();
        for link in w.links.values_mut().filter(|l| l.peripheral == adapter) {
            link.air.update(params, now);
        }
        Ok(())
    }

    /// Sets the RSSI at which the central hears `adapter`.
    async fn set_rssi(&self, adapter: &str, rssi: i16) -> fdo::Result<()> {
        self.known(adapter)?;
        if let Some(p) = self.core.world().peripherals.get_mut(adapter) {
            p.rssi = rssi;
        }
        self.core.hear().await;
        Ok(())
    }

    /// Counters since start or the last reset: `round_trips`, `bytes_to_peripheral`,
    /// `bytes_to_central`, `writes`, `notifications`, `connects`, `disconnects`, `link_losses`.
    fn counters(&self) -> HashMap<String, u64> {
        self.core.world().counters.to_map()
    }

    /// Zeroes the counters.
    fn reset_counters(&self) {
        self.core.world().counters = Counters::default();
    }

    /// Number of live links.
    fn link_count(&self) -> u32 {
        u32::try_from(self.core.world().links.len()).unwrap_or(u32::MAX)
    }
}

/// Client side of [`RadioControl`], for tests, the demo and tools (`Radio1Proxy`).
#[zbus::proxy(
    interface = "org.hearth.Radio1",
    default_service = "org.bluez",
    default_path = "/org/hearth/radio"
)]
pub trait Radio1 {
    /// See [`RadioControl`].
    fn add_peripheral_adapter(&self) -> zbus::Result<String>;
    /// See [`RadioControl`].
    fn peripheral_adapters(&self) -> zbus::Result<Vec<String>>;
    /// See [`RadioControl`].
    fn drop_link(&self, adapter: &str) -> zbus::Result<u32>;
    /// See [`RadioControl`].
    fn arm_link_drop(&self, adapter: &str, after_round_trips: u32) -> zbus::Result<()>;
    /// See [`RadioControl`].
    fn set_powered(&self, adapter: &str, powered: bool) -> zbus::Result<()>;
    /// See [`RadioControl`].
    fn set_link_parameters(
        &self,
        adapter: &str,
        interval_us: u32,
        mtu: u16,
        bytes_per_event: u32,
        loss_per_pdu: f64,
    ) -> zbus::Result<()>;
    /// See [`RadioControl`].
    fn set_rssi(&self, adapter: &str, rssi: i16) -> zbus::Result<()>;
    /// See [`RadioControl`].
    fn counters(&self) -> zbus::Result<HashMap<String, u64>>;
    /// See [`RadioControl`].
    fn reset_counters(&self) -> zbus::Result<()>;
    /// See [`RadioControl`].
    fn link_count(&self) -> zbus::Result<u32>;
}
