//! The test world (see `world.rs`) plus the flows over btleplug in it.

#![allow(dead_code, clippy::missing_panics_doc)]

mod world;

pub use world::*;

use hearth_ble::{BtleplugConfig, BtleplugTransport};
use hearth_core::folders::AppFolders;
use hearth_flows::{FlowConfig, Flows, SystemClock, VendorRoot, WifiCredentials};
use hearth_protocol::message::Passphrase;

/// The flows as the app runs them: btleplug, keyutils, SQLite under the world's home.
pub async fn flows(world: &World) -> Flows<BtleplugTransport> {
    let transport = within(
        "transport",
        BtleplugTransport::new(BtleplugConfig::default()),
    )
    .await
    .expect("btleplug on the radio");
    let keystore = world.keystore.clone();
    Flows::new(
        transport,
        &AppFolders::under(&world.home),
        keystore,
        Box::new(SystemClock),
        Box::new(rand::rand_core::UnwrapErr(rand::rngs::SysRng)),
        FlowConfig::default(),
    )
    .await
    .expect("flows")
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
