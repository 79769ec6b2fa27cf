//! One GATT connection through btleplug, and the task that watches it.

use std::sync::Arc;

use btleplug::api::{
    Central as _, CentralEvent, CentralState, CharPropFlags, Characteristic, Peripheral as _,
    ValueNotification, WriteType,
};
use btleplug::platform::{Adapter, Peripheral, PeripheralId};
use futures_util::{Stream, StreamExt};
use hearth_protocol::gatt::{NOTIFY_UUID, WRITE_UUID};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::{BtleplugConfig, LinkState, WriteKind, service_uuid};
use crate::error::BleError;
use crate::transport::Connection;

/// A connected Hearth device: its write characteristic and the notified segments.
#[derive(Debug)]
pub struct BtleplugConnection {
    peripheral: Peripheral,
    write_characteristic: Characteristic,
    write_type: WriteType,
    mtu: u16,
    config: BtleplugConfig,
    incoming: mpsc::Receiver<Vec<u8>>,
    state: LinkState,
    watcher: Option<JoinHandle<()>>,
}

fn gatt(step: &str) -> impl FnOnce(btleplug::Error) -> BleError + '_ {
    move |e| BleError::Gatt(format!("{step}: {e}"))
}

/// Connect, discover, find the Hearth characteristics, take the notification stream, then
/// subscribe — in that order, on every connect (a reconnect gets fresh GATT objects).
pub(super) async fn establish(
    adapter: Adapter,
    peripheral: Peripheral,
    events: broadcast::Receiver<CentralEvent>,
    config: BtleplugConfig,
) -> Result<BtleplugConnection, BleError> {
    peripheral
        .connect()
        .await
        .map_err(|e| BleError::ConnectFailed {
            detail: e.to_string(),
        })?;
    peripheral
        .discover_services()
        .await
        .map_err(gatt("discover services"))?;
    let service = peripheral
        .services()
        .into_iter()
        .find(|s| s.uuid == service_uuid())
        .ok_or(BleError::ServiceMissing)?;
    let characteristic = |uuid: u128| {
        service
            .characteristics
            .iter()
            .find(|c| c.uuid == Uuid::from_u128(uuid))
            .cloned()
            .ok_or(BleError::ServiceMissing)
    };
    let write_characteristic = characteristic(WRITE_UUID)?;
    let notify_characteristic = characteristic(NOTIFY_UUID)?;
    let without_response = write_characteristic
        .properties
        .contains(CharPropFlags::WRITE_WITHOUT_RESPONSE);
    let write_type = match config.write_kind {
        WriteKind::Command if without_response => WriteType::WithoutResponse,
        WriteKind::Command | WriteKind::Request => WriteType::WithResponse,
    };
    let mtu = peripheral.mtu();
    // Taken after discovery (values are matched against discovered characteristics) and
    // before subscribing (so the first notification cannot be missed).
    let notifications = peripheral
        .notifications()
        .await
        .map_err(gatt("notification stream"))?;
    peripheral
        .subscribe(&notify_characteristic)
        .await
        .map_err(gatt("subscribe"))?;
    let state: LinkState = Arc::new(watch::Sender::new(None));
    let (incoming_tx, incoming) = mpsc::channel(config.incoming_capacity.max(1));
    let watcher = tokio::spawn(watch_link(Watch {
        adapter,
        peripheral: peripheral.clone(),
        id: peripheral.id(),
        notify: notify_characteristic.uuid,
        notifications,
        events,
        incoming: incoming_tx,
        state: state.clone(),
    }));
    tracing::debug!(mtu, ?write_type, "connected");
    Ok(BtleplugConnection {
        peripheral,
        write_characteristic,
        write_type,
        mtu,
        config,
        incoming,
        state,
        watcher: Some(watcher),
    })
}

struct Watch<S> {
    adapter: Adapter,
    peripheral: Peripheral,
    id: PeripheralId,
    notify: Uuid,
    notifications: S,
    events: broadcast::Receiver<CentralEvent>,
    incoming: mpsc::Sender<Vec<u8>>,
    state: LinkState,
}

fn lose(state: &watch::Sender<Option<BleError>>, why: BleError) {
    state.send_if_modified(|s| {
        if s.is_some() {
            return false;
        }
        *s = Some(why);
        true
    });
}

/// Forwards notified segments and turns the central's events into the link's end. Owns the
/// bluez-async notification stream, so the stream is dropped here, on the runtime.
async fn watch_link<S>(mut w: Watch<S>)
where
    S: Stream<Item = ValueNotification> + Unpin + Send,
{
    let mut ended = w.state.subscribe();
    loop {
        tokio::select! {
            biased;
            // Segments that arrived before a loss are forwarded before the loss is reported.
            value = w.notifications.next() => match value {
                Some(value) if value.uuid == w.notify => {
                    if w.incoming.send(value.value).await.is_err() {
                        break;
                    }
                }
                Some(_) => {}
                None => {
                    lose(&w.state, BleError::Disconnected);
                    break;
                }
            },
            event = w.events.recv() => match event {
                Ok(CentralEvent::DeviceDisconnected(id)) if id == w.id => {
                    // A late event from an earlier link of the same device must not end this
                    // one: ask the stack.
                    if !w.peripheral.is_connected().await.unwrap_or(false) {
                        lose(&w.state, why_lost(&w.adapter).await);
                        break;
                    }
                }
                Ok(CentralEvent::StateUpdate(CentralState::PoweredOff)) => {
                    lose(&w.state, BleError::BluetoothOff);
                    break;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "connection missed adapter events");
                    if !w.peripheral.is_connected().await.unwrap_or(false) {
                        lose(&w.state, BleError::Disconnected);
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => {
                    lose(&w.state, BleError::NoAdapter {
                        detail: "the Bluetooth service went away".into(),
                    });
                    break;
                }
            },
            // Ended by the app.
            () = async { let _ = ended.wait_for(Option::is_some).await; } => break,
        }
    }
}

/// A link that went down because the user turned Bluetooth off is reported as such: the
/// adapter's state flips before its links are reported lost (BlueZ and the radio alike).
async fn why_lost(adapter: &Adapter) -> BleError {
    match adapter.adapter_state().await {
        Ok(CentralState::PoweredOff) => BleError::BluetoothOff,
        _ => BleError::Disconnected,
    }
}

impl BtleplugConnection {
    fn current(&self) -> Option<BleError> {
        self.state.borrow().clone()
    }

    /// A write failed: if the link is going down, say so; otherwise it is a GATT error.
    async fn explain(&self, error: btleplug::Error) -> BleError {
        let mut state = self.state.subscribe();
        let lost = tokio::time::timeout(
            self.config.disconnect_grace,
            state.wait_for(Option::is_some),
        )
        .await
        .ok()
        .and_then(|why| why.ok().map(|why| why.clone()));
        if let Some(why) = lost {
            return why.unwrap_or(BleError::Disconnected);
        }
        if !self.peripheral.is_connected().await.unwrap_or(false) {
            lose(&self.state, BleError::Disconnected);
            return BleError::Disconnected;
        }
        BleError::Gatt(format!("write: {error}"))
    }
}

impl Connection for BtleplugConnection {
    fn mtu(&self) -> u16 {
        self.mtu
    }

    async fn write(&self, segment: &[u8]) -> Result<(), BleError> {
        if let Some(why) = self.current() {
            return Err(why);
        }
        let written = tokio::time::timeout(
            self.config.io_timeout,
            self.peripheral
                .write(&self.write_characteristic, segment, self.write_type),
        )
        .await;
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.explain(error).await),
            Err(_) => Err(BleError::Timeout {
                what: "a GATT write",
                after: self.config.io_timeout,
            }),
        }
    }

    async fn recv(&mut self) -> Result<Vec<u8>, BleError> {
        let mut state = self.state.subscribe();
        tokio::select! {
            biased;
            Some(segment) = self.incoming.recv() => Ok(segment),
            _ = state.wait_for(Option::is_some) => match self.incoming.try_recv() {
                Ok(segment) => Ok(segment),
                Err(_) => Err(self.current().unwrap_or(BleError::Disconnected)),
            },
        }
    }

    async fn disconnect(&mut self) -> Result<(), BleError> {
        let was_up = self.current().is_none();
        lose(&self.state, BleError::Disconnected);
        if let Some(watcher) = self.watcher.take()
            && let Err(e) = watcher.await
        {
            tracing::error!(error = %e, "connection watcher ended abnormally");
        }
        if !was_up {
            return Ok(());
        }
        match tokio::time::timeout(self.config.io_timeout, self.peripheral.disconnect()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(BleError::Gatt(format!("disconnect: {e}"))),
            Err(_) => Err(BleError::Timeout {
                what: "disconnecting",
                after: self.config.io_timeout,
            }),
        }
    }

    fn closed(&self) -> impl Future<Output = BleError> + Send + 'static {
        let mut state = self.state.subscribe();
        async move {
            match state.wait_for(Option::is_some).await {
                Ok(why) => why.clone().unwrap_or(BleError::Disconnected),
                Err(_) => BleError::Disconnected,
            }
        }
    }
}

impl Drop for BtleplugConnection {
    fn drop(&mut self) {
        let was_up = self.current().is_none();
        // The watcher sees this and ends, dropping the notification stream on the runtime.
        lose(&self.state, BleError::Disconnected);
        if was_up && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let peripheral = self.peripheral.clone();
            let limit = self.config.io_timeout;
            runtime.spawn(async move {
                let _ = tokio::time::timeout(limit, peripheral.disconnect()).await;
            });
        }
    }
}
