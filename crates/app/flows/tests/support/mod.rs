//! The flows as the app runs them (btleplug in this process, the private keyring, SQLite under
//! the world's home) in the test world of `hearth-testkit`.

#![allow(dead_code, unused_imports, clippy::missing_panics_doc)]

pub use hearth_testkit::{Command, Device, WIFI_PASSPHRASE, WIFI_SSID, World, control, within};

use hearth_ble::BtleplugTransport;
use hearth_core::folders::AppFolders;
use hearth_flows::{Flows, VendorRoot, WifiCredentials};
use hearth_protocol::message::Passphrase;

/// The model the devices are minted as (one the vendor catalogue does not know: these tests
/// run without a vendor service).
pub const MODEL: &str = "PLUG";

/// Runs `body` in a world of `count` devices (not started: the test starts them) whose
/// Bluetooth the test drives in this process, then tears it down.
pub fn with_world(count: usize, body: impl AsyncFnOnce(&World)) {
    with_world_of(MODEL, count, body);
}

/// [`with_world`] with the devices minted as `model`.
pub fn with_world_of(model: &str, count: usize, body: impl AsyncFnOnce(&World)) {
    World::builder()
        .models(&vec![model; count])
        .start_devices(false)
        .in_process_bluetooth()
        .run(body);
}

/// The flows as the app runs them: btleplug, the world's keyring, SQLite under its home.
pub async fn flows(world: &World) -> Flows<BtleplugTransport> {
    let database = hearth_core::Database::open(&AppFolders::under(&world.home()).data)
        .await
        .expect("the app database");
    within(
        "flows on the radio",
        Flows::on_system_bluetooth(&database, world.keystore().clone()),
    )
    .await
    .expect("btleplug on the radio")
}

pub fn vendor(world: &World) -> VendorRoot {
    VendorRoot::load(world.vendor_profile()).expect("vendor profile")
}

pub fn home_wifi() -> WifiCredentials {
    WifiCredentials {
        ssid: WIFI_SSID.into(),
        passphrase: Passphrase::new(WIFI_PASSPHRASE.into()),
    }
}
