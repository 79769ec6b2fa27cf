//! Shared fixture for the radio's end-to-end tests: the bus and the radio from
//! `hearth-testkit`, and what is this crate's own: the real btleplug as central and the real
//! bluer as an echoing peripheral.
//!
//! btleplug and bluer find the bus only through `DBUS_SYSTEM_BUS_ADDRESS`, a process-wide
//! setting, so the process's bus is claimed once (`hearth_testkit::bus`) and every test binary
//! holds exactly one test.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use bluer::adv::{Advertisement, AdvertisementHandle};
use bluer::gatt::local::{
    Application, ApplicationHandle, Characteristic, CharacteristicNotifier, CharacteristicNotify,
    CharacteristicNotifyMethod, CharacteristicWrite, CharacteristicWriteMethod, Service,
};
use btleplug::api::{Central, CentralEvent, Manager as _, Peripheral as _, ScanFilter};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures_util::{Stream, StreamExt};
use hearth_radio::RadioConfig;
use tokio::sync::{Mutex, mpsc};
use uuid::Uuid;

pub const SERVICE: Uuid = Uuid::from_u128(0x6865_6172_7468_0001_8000_0000_0000_0001);
pub const WRITE_CHAR: Uuid = Uuid::from_u128(0x6865_6172_7468_0002_8000_0000_0000_0001);
pub const NOTIFY_CHAR: Uuid = Uuid::from_u128(0x6865_6172_7468_0003_8000_0000_0000_0001);
pub const COMPANY: u16 = 0xFFFF;
pub const SERVICE_DATA: &[u8] = &[0x01, 0x42, 0x07];
pub const MANUFACTURER_DATA: &[u8] = &[0xCA, 0xFE];
pub const LOCAL_NAME: &str = "hearth-echo";

pub use hearth_testkit::radio::RadioHandle as Radio;
pub use hearth_testkit::within;

/// Claims this process's bus for a socket in a fresh temp folder and runs `body` with that
/// folder on a new runtime; `body` starts (and stops) radios there itself.
pub fn with_bus_dir(body: impl AsyncFnOnce(&std::path::Path)) {
    // RUST_LOG=hearth_radio=debug shows what the radio does.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    hearth_testkit::bus::with_process_bus(body);
}

/// Starts the radio with `config` in `dir` and connects a control proxy.
pub async fn start_radio(dir: &std::path::Path, config: RadioConfig) -> Radio {
    Radio::up(dir, config).await.expect("radio up")
}

/// Runs `body` against a fresh private bus and radio, then tears both down.
pub fn with_radio(body: impl AsyncFnOnce(&Radio)) {
    with_bus_dir(async |dir| {
        let radio = start_radio(dir, RadioConfig::default()).await;
        body(&radio).await;
        radio.down().await.expect("radio down");
    });
}

/// A bluer peripheral that echoes every write to its notify characteristic.
pub struct EchoPeripheral {
    pub session: bluer::Session,
    pub adapter: bluer::Adapter,
    pub app: Option<ApplicationHandle>,
    pub adv: Option<AdvertisementHandle>,
    /// (value, mtu, central address) of every write received.
    pub writes: mpsc::UnboundedReceiver<(Vec<u8>, u16, bluer::Address)>,
}

impl EchoPeripheral {
    pub async fn start(adapter_name: &str) -> Self {
        let session = within("bluer session", bluer::Session::new())
            .await
            .expect("bluer session");
        let adapter = session.adapter(adapter_name).expect("bluer adapter");
        within("power on", adapter.set_powered(true))
            .await
            .expect("power on");
        let notifier: Arc<Mutex<Option<CharacteristicNotifier>>> = Arc::new(Mutex::new(None));
        let (echo_tx, mut echo_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let (writes_tx, writes) = mpsc::unbounded_channel();
        let echo_notifier = notifier.clone();
        tokio::spawn(async move {
            while let Some(value) = echo_rx.recv().await {
                if let Some(n) = echo_notifier.lock().await.as_mut() {
                    let _ = n.notify(value).await;
                }
            }
        });
        let store = notifier.clone();
        let app = Application {
            services: vec![Service {
                uuid: SERVICE,
                primary: true,
                characteristics: vec![
                    Characteristic {
                        uuid: WRITE_CHAR,
                        write: Some(CharacteristicWrite {
                            write: true,
                            write_without_response: true,
                            method: CharacteristicWriteMethod::Fun(Box::new(move |value, req| {
                                let _ =
                                    writes_tx.send((value.clone(), req.mtu, req.device_address));
                                let _ = echo_tx.send(value);
                                Box::pin(async { Ok(()) })
                            })),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    Characteristic {
                        uuid: NOTIFY_CHAR,
                        notify: Some(CharacteristicNotify {
                            notify: true,
                            method: CharacteristicNotifyMethod::Fun(Box::new(move |n| {
                                let store = store.clone();
                                Box::pin(async move {
                                    *store.lock().await = Some(n);
                                })
                            })),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let app = within("register app", adapter.serve_gatt_application(app))
            .await
            .expect("serve app");
        let adv = Advertisement {
            advertisement_type: bluer::adv::Type::Peripheral,
            service_uuids: [SERVICE].into(),
            service_data: BTreeMap::from([(SERVICE, SERVICE_DATA.to_vec())]),
            manufacturer_data: BTreeMap::from([(COMPANY, MANUFACTURER_DATA.to_vec())]),
            local_name: Some(LOCAL_NAME.into()),
            discoverable: Some(true),
            ..Default::default()
        };
        let adv = within("advertise", adapter.advertise(adv))
            .await
            .expect("advertise");
        Self {
            session,
            adapter,
            app: Some(app),
            adv: Some(adv),
            writes,
        }
    }
}

/// btleplug's view: the first adapter and its event stream.
pub struct AppCentral {
    pub manager: Manager,
    pub adapter: Adapter,
    pub events: std::pin::Pin<Box<dyn Stream<Item = CentralEvent> + Send>>,
}

impl AppCentral {
    pub async fn start() -> Self {
        let manager = within("btleplug manager", Manager::new())
            .await
            .expect("manager");
        let adapters = within("adapters", manager.adapters())
            .await
            .expect("adapters");
        assert_eq!(adapters.len(), 1, "btleplug sees only the central adapter");
        let adapter = adapters.into_iter().next().expect("one adapter");
        let events = within("events", adapter.events()).await.expect("events");
        Self {
            manager,
            adapter,
            events,
        }
    }

    /// Waits for an event matching `pick`.
    pub async fn wait_for<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&CentralEvent) -> Option<T>,
    ) -> T {
        within(what, async {
            loop {
                let event = self.events.next().await.expect("event stream ended");
                if let Some(v) = pick(&event) {
                    return v;
                }
            }
        })
        .await
    }

    /// Scans for [`SERVICE`] until the echo peripheral shows up with its advertisement.
    pub async fn discover(&mut self) -> Peripheral {
        within(
            "start scan",
            self.adapter.start_scan(ScanFilter {
                services: vec![SERVICE],
            }),
        )
        .await
        .expect("scan");
        let id: PeripheralId = self
            .wait_for("device discovered", |e| match e {
                CentralEvent::DeviceDiscovered(id) => Some(id.clone()),
                _ => None,
            })
            .await;
        within("peripheral", self.adapter.peripheral(&id))
            .await
            .expect("peripheral")
    }
}

/// Connects, discovers, subscribes to the notify characteristic.
pub async fn connect_and_subscribe(
    peripheral: &Peripheral,
) -> (btleplug::api::Characteristic, btleplug::api::Characteristic) {
    within("connect", peripheral.connect())
        .await
        .expect("connect");
    within("discover services", peripheral.discover_services())
        .await
        .expect("discover");
    let chars = peripheral.characteristics();
    let write = chars
        .iter()
        .find(|c| c.uuid == WRITE_CHAR)
        .cloned()
        .expect("write characteristic");
    let notify = chars
        .iter()
        .find(|c| c.uuid == NOTIFY_CHAR)
        .cloned()
        .expect("notify characteristic");
    within("subscribe", peripheral.subscribe(&notify))
        .await
        .expect("subscribe");
    (write, notify)
}
