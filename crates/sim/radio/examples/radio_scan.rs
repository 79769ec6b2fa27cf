//! Lists what btleplug hears through the radio (or through real BlueZ): name, address, RSSI,
//! service data and manufacturer data, for a few seconds.
//!
//! ```sh
//! export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/tmp/hearth-radio/system_bus_socket
//! cargo run -p hearth-radio --example radio_scan -- 5
//! ```

use std::time::Duration;

use btleplug::api::{Central, CentralEvent, Manager as _, Peripheral as _, ScanFilter};
use btleplug::platform::Manager;
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let manager = Manager::new().await?;
    let adapter = manager
        .adapters()
        .await?
        .into_iter()
        .next()
        .ok_or("no Bluetooth adapter")?;
    let mut events = adapter.events().await?;
    adapter.start_scan(ScanFilter::default()).await?;
    let listen = async {
        while let Some(event) = events.next().await {
            if let CentralEvent::DeviceDiscovered(id) = event {
                let peripheral = adapter.peripheral(&id).await?;
                if let Some(p) = peripheral.properties().await? {
                    println!(
                        "{} {:?} rssi={:?} services={:?} service_data={:?} manufacturer_data={:?}",
                        p.address,
                        p.local_name,
                        p.rssi,
                        p.services,
                        p.service_data,
                        p.manufacturer_data
                    );
                }
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    // Scanning for a while is the point of this tool, not a synchronisation.
    if let Ok(result) = tokio::time::timeout(Duration::from_secs(seconds), listen).await {
        result?;
    }
    adapter.stop_scan().await?;
    Ok(())
}
