//! The test world (see `world.rs`) plus the flows over btleplug in it.

#![allow(dead_code, clippy::missing_panics_doc)]

mod world;

pub use world::*;

use hearth_ble::BtleplugTransport;
use hearth_core::folders::AppFolders;
use hearth_flows::{Flows, VendorRoot, WifiCredentials};
use hearth_protocol::message::Passphrase;

/// The flows as the app runs them: btleplug, keyutils, SQLite under the world's home.
pub async fn flows(world: &World) -> Flows<BtleplugTransport> {
    let database = hearth_core::Database::open(&AppFolders::under(&world.home).data)
        .await
        .expect("the app database");
    within(
        "flows on the radio",
        Flows::on_system_bluetooth(&database, world.keystore.clone()),
    )
    .await
    .expect("btleplug on the radio")
}

pub fn vendor(world: &World) -> VendorRoot {
    VendorRoot::load(&world.profile).expect("vendor profile")
}

pub fn home_wifi() -> WifiCredentials {
    WifiCredentials {
        ssid: SSID.into(),
        passphrase: Passphrase::new(WIFI_PASS.into()),
    }
}
