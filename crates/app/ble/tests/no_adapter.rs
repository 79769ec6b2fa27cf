//! A system bus with no Bluetooth service on it (a bare dbus-daemon): `NoAdapter`, quickly.

mod common;

use std::time::{Duration, Instant};

use common::*;
use hearth_ble::{BtleplugConfig, BtleplugTransport};
use hearth_radio::bus::PrivateBus;

#[test]
fn a_bus_without_bluez_means_no_adapter() {
    hearth_testkit::bus::with_process_bus(async |dir| {
        let address = hearth_radio::bus::socket_address(dir).expect("address");
        let bus = PrivateBus::start(dir).await.expect("bare bus");
        assert_eq!(bus.address().split(',').next(), Some(address.as_str()));
        let config = BtleplugConfig {
            io_timeout: Duration::from_secs(10),
            ..BtleplugConfig::default()
        };
        let started = Instant::now();
        let result = within("transport", BtleplugTransport::new(config)).await;
        let err = result.expect_err("no adapter on a bare bus");
        assert_eq!(err.code(), "ble.no_adapter", "{err}");
        assert!(
            started.elapsed() < config.io_timeout,
            "reported at once, not after a timeout"
        );
        bus.stop().await.expect("bus stop");
    });
}
