//! A bluer peripheral on the radio (or on real BlueZ) that echoes every write to its notify
//! characteristic, advertising service data and manufacturer data. Runs until ctrl-c.
//!
//! ```sh
//! export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/tmp/hearth-radio/system_bus_socket
//! cargo run -p hearth-radio --example echo_peripheral -- hci1
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use bluer::adv::Advertisement;
use bluer::gatt::local::{
    Application, Characteristic, CharacteristicNotifier, CharacteristicNotify,
    CharacteristicNotifyMethod, CharacteristicWrite, CharacteristicWriteMethod, Service,
};
use tokio::sync::{Mutex, mpsc};
use uuid::Uuid;

const SERVICE: Uuid = Uuid::from_u128(0x6865_6172_7468_0001_8000_0000_0000_0001);
const WRITE_CHAR: Uuid = Uuid::from_u128(0x6865_6172_7468_0002_8000_0000_0000_0001);
const NOTIFY_CHAR: Uuid = Uuid::from_u128(0x6865_6172_7468_0003_8000_0000_0000_0001);

#[tokio::main]
async fn main() -> bluer::Result<()> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "hci1".into());
    let session = bluer::Session::new().await?;
    let adapter = session.adapter(&name)?;
    adapter.set_powered(true).await?;

    let notifier: Arc<Mutex<Option<CharacteristicNotifier>>> = Arc::new(Mutex::new(None));
    let (echo_tx, mut echo_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let echo = notifier.clone();
    tokio::spawn(async move {
        while let Some(value) = echo_rx.recv().await {
            if let Some(n) = echo.lock().await.as_mut() {
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
                            println!(
                                "write of {} bytes from {} (mtu {})",
                                value.len(),
                                req.device_address,
                                req.mtu
                            );
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
                            Box::pin(async move { *store.lock().await = Some(n) })
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
    let _app = adapter.serve_gatt_application(app).await?;
    let _adv = adapter
        .advertise(Advertisement {
            service_uuids: [SERVICE].into(),
            service_data: BTreeMap::from([(SERVICE, vec![1])]),
            manufacturer_data: BTreeMap::from([(0xFFFF, vec![0xCA, 0xFE])]),
            local_name: Some("hearth-echo".into()),
            discoverable: Some(true),
            ..Default::default()
        })
        .await?;
    println!(
        "echoing on {name} ({}); ctrl-c to stop",
        adapter.address().await?
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
