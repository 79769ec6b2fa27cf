//! Lists the Hearth devices in range through the system's Bluetooth stack (BlueZ, or the
//! simulated radio when `DBUS_SYSTEM_BUS_ADDRESS` points at it).
//!
//! ```sh
//! cargo run -p hearth-ble --example find_device -- 5      # listen for 5 seconds
//! ```

use std::time::Duration;

use hearth_ble::{BtleplugConfig, BtleplugTransport, ScanFilter, Transport};

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::process::ExitCode {
    let seconds = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let result = async {
        let transport = BtleplugTransport::new(BtleplugConfig::default()).await?;
        transport
            .scan(&ScanFilter::default(), Duration::from_secs(seconds))
            .await
    }
    .await;
    match result {
        Ok(devices) => {
            for d in &devices {
                println!(
                    "{}  discriminator {:03x}  pairing {}  owner {}  rssi {:?}  name {:?}",
                    d.id,
                    d.advertisement.discriminator,
                    if d.advertisement.pairing_open {
                        "open"
                    } else {
                        "closed"
                    },
                    if d.advertisement.has_owner {
                        "yes"
                    } else {
                        "no"
                    },
                    d.rssi,
                    d.name,
                );
            }
            println!("{} Hearth device(s) in {seconds} s", devices.len());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", e.code());
            std::process::ExitCode::FAILURE
        }
    }
}
