//! The simulated radio on its private bus, and the faults its control interface
//! (`org.hearth.Radio1`) injects.

use std::collections::BTreeSet;
use std::path::Path;

use futures_util::StreamExt;
use hearth_radio::control::Radio1Proxy;
use hearth_radio::{RadioConfig, Simulation, names};

use crate::{CENTRAL_ADAPTER, Error, fail, try_within};

/// A running bus with the radio on it, and a connection to its control interface.
#[derive(Debug)]
pub struct RadioHandle {
    /// The bus and the radio (stopped by [`RadioHandle::down`]).
    pub sim: Simulation,
    /// The radio's control interface, for anything the methods here do not wrap (counters,
    /// link parameters, RSSI).
    pub control: Radio1Proxy<'static>,
}

impl RadioHandle {
    /// Starts `dbus-daemon` with its socket in `dir` and the radio on it, and connects to the
    /// control interface by the bus's address (not the environment).
    ///
    /// # Errors
    /// The bus or the radio did not start, or the control interface did not answer, within
    /// [`crate::STEP`].
    pub async fn up(dir: &Path, config: RadioConfig) -> Result<Self, Error> {
        let sim = try_within("the radio", Simulation::up(dir, config))
            .await?
            .map_err(|e| fail(format!("the radio did not start: {e}")))?;
        let control = try_within("the radio's control interface", async {
            let conn = zbus::connection::Builder::address(sim.address())
                .build()
                .await?;
            Radio1Proxy::new(&conn).await
        })
        .await;
        match control {
            Ok(Ok(control)) => Ok(Self { sim, control }),
            Ok(Err(e)) => {
                let _ = sim.down().await;
                Err(fail(format!("the radio's control interface: {e}")))
            }
            Err(e) => {
                let _ = sim.down().await;
                Err(e)
            }
        }
    }

    /// The bus address (what `DBUS_SYSTEM_BUS_ADDRESS` must say for a process on this radio).
    pub fn address(&self) -> &str {
        self.sim.address()
    }

    /// Stops the radio, then the bus.
    ///
    /// # Errors
    /// The bus daemon could not be stopped.
    pub async fn down(self) -> Result<(), Error> {
        drop(self.control);
        try_within("the radio to stop", self.sim.down())
            .await?
            .map_err(|e| fail(format!("stopping the radio: {e}")))
    }

    /// Drops every link to `adapter` now, as a lost radio link; returns how many were up.
    ///
    /// # Errors
    /// An unknown adapter; the radio did not answer.
    pub async fn drop_link(&self, adapter: &str) -> Result<u32, Error> {
        try_within("DropLink", self.control.drop_link(adapter))
            .await?
            .map_err(|e| fail(format!("DropLink {adapter}: {e}")))
    }

    /// Arms a one-shot drop of the next link to `adapter` after `after_round_trips` (≥ 1)
    /// round trips (the radio's `ArmLinkDrop`).
    ///
    /// # Errors
    /// An unknown adapter or 0 round trips; the radio did not answer.
    pub async fn arm_link_drop(&self, adapter: &str, after_round_trips: u32) -> Result<(), Error> {
        try_within(
            "ArmLinkDrop",
            self.control.arm_link_drop(adapter, after_round_trips),
        )
        .await?
        .map_err(|e| fail(format!("ArmLinkDrop {adapter} {after_round_trips}: {e}")))
    }

    /// Switches `adapter`'s controller on or off (`hci0` is the app's Bluetooth).
    ///
    /// # Errors
    /// The radio refused or did not answer.
    pub async fn set_powered(&self, adapter: &str, on: bool) -> Result<(), Error> {
        try_within(
            &format!("SetPowered {adapter}"),
            self.control.set_powered(adapter, on),
        )
        .await?
        .map_err(|e| fail(format!("SetPowered {adapter} {on}: {e}")))
    }

    /// Scans on the central adapter until every one of `adapters` is heard advertising, then
    /// stops and forgets what it heard, leaving the central as it found it; returns the
    /// adapters heard, in the order given. Only while no app uses the central.
    ///
    /// # Errors
    /// A device is not heard within [`crate::STEP`]; the radio refused.
    pub async fn scan(&self, adapters: &[String]) -> Result<Vec<String>, Error> {
        let expected: Vec<(String, String)> = adapters
            .iter()
            .filter_map(|adapter| {
                let index = adapter.strip_prefix("hci")?.parse::<u8>().ok()?;
                Some((
                    adapter.clone(),
                    names::device_path(CENTRAL_ADAPTER, names::adapter_address(index)),
                ))
            })
            .collect();
        let conn = self.control.inner().connection();
        let dbus = |e: zbus::Error| fail(format!("scanning on the radio: {e}"));
        let objects = zbus::fdo::ObjectManagerProxy::new(conn, "org.bluez", "/")
            .await
            .map_err(dbus)?;
        // Subscribed before discovery starts, so no device is heard unseen.
        let mut added = objects.receive_interfaces_added().await.map_err(dbus)?;
        let adapter = zbus::Proxy::new(
            conn,
            "org.bluez",
            names::adapter_path(CENTRAL_ADAPTER),
            "org.bluez.Adapter1",
        )
        .await
        .map_err(dbus)?;
        adapter
            .call_method("StartDiscovery", &())
            .await
            .map_err(dbus)?;
        let mut heard: BTreeSet<String> = objects
            .get_managed_objects()
            .await
            .map_err(|e| dbus(e.into()))?
            .keys()
            .map(ToString::to_string)
            .collect();
        let all_heard =
            |heard: &BTreeSet<String>| expected.iter().all(|(_, path)| heard.contains(path));
        let waited = try_within("every device to be heard advertising", async {
            while !all_heard(&heard) {
                let Some(signal) = added.next().await else {
                    break;
                };
                if let Ok(args) = signal.args() {
                    heard.insert(args.object_path().to_string());
                }
            }
        })
        .await;
        let _ = adapter.call_method("StopDiscovery", &()).await;
        for (_, path) in expected.iter().filter(|(_, p)| heard.contains(p)) {
            if let Ok(path) = zbus::ObjectPath::try_from(path.as_str()) {
                let _ = adapter.call_method("RemoveDevice", &(path,)).await;
            }
        }
        waited?;
        if !all_heard(&heard) {
            return Err(fail(
                "the radio's object manager stopped before every device was heard",
            ));
        }
        Ok(expected.into_iter().map(|(adapter, _)| adapter).collect())
    }
}
