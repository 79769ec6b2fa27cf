//! The same seed loses the link at the same PDU: two runs of the radio, one after the other on
//! the same bus folder, with the same traffic, end after the same number of writes.

mod common;

use btleplug::api::{Peripheral as _, WriteType};
use common::*;
use hearth_radio::RadioConfig;

/// Writes until the link is lost (at most `limit`); returns how many reached the peripheral.
async fn writes_until_loss(dir: &std::path::Path, seed: u64, limit: u8) -> u64 {
    let radio = start_radio(
        dir,
        RadioConfig {
            seed,
            ..RadioConfig::default()
        },
    )
    .await;
    radio
        .control
        .set_link_parameters("hci1", 7_500, 247, 1000, 0.1)
        .await
        .expect("params");
    let device = EchoPeripheral::start("hci1").await;
    let mut app = AppCentral::start().await;
    let peripheral = app.discover().await;
    // Connecting and discovering services send no PDUs; only the writes draw from the RNG.
    within("connect", peripheral.connect())
        .await
        .expect("connect");
    within("discover", peripheral.discover_services())
        .await
        .expect("discover");
    let write = peripheral
        .characteristics()
        .into_iter()
        .find(|c| c.uuid == WRITE_CHAR)
        .expect("write characteristic");
    for i in 0..limit {
        if within(
            "write",
            peripheral.write(&write, &[i], WriteType::WithoutResponse),
        )
        .await
        .is_err()
        {
            break;
        }
    }
    let counters = radio.control.counters().await.expect("counters");
    drop((device, app, peripheral));
    radio.sim.down().await.expect("radio down");
    counters["writes"]
}

#[test]
fn the_same_seed_loses_the_link_after_the_same_writes() {
    with_bus_dir(async |dir| {
        const LIMIT: u8 = 200;
        let seed = RadioConfig::default().seed;
        let first = writes_until_loss(dir, seed, LIMIT).await;
        let second = writes_until_loss(dir, seed, LIMIT).await;
        println!("seed {seed:#x}: link lost after {first} writes, both runs");
        assert_eq!(first, second, "same seed, same traffic, same fate");
        assert!(
            first < u64::from(LIMIT),
            "at 10% per PDU the link is lost long before {LIMIT} writes"
        );
    });
}
