//! Scanning through the btleplug transport on the simulated radio: the right device among two
//! by discriminator (QR and manual-code forms), a powered-off device is "not found" within the
//! scan timeout and cannot be connected to, and a powered-off central is "Bluetooth off".

mod common;

use std::time::{Duration, Instant};

use common::*;
use hearth_ble::{BleError, BtleplugConfig, BtleplugTransport, ScanFilter, Transport};
use hearth_protocol::setup_code::{Discriminator, DiscriminatorHint};

const SCAN: Duration = Duration::from_secs(3);

fn full(value: u16) -> DiscriminatorHint {
    DiscriminatorHint::Full(Discriminator::new(value).expect("12 bits"))
}

#[test]
fn scan_finds_the_right_device_and_reports_absence_and_power() {
    with_radio(async |radio| {
        let _first = EchoDevice::start("hci1", 0x123, Gatt::Hearth).await;
        let _second = EchoDevice::start("hci2", 0xabc, Gatt::Hearth).await;
        let transport = within(
            "transport",
            BtleplugTransport::new(BtleplugConfig::default()),
        )
        .await
        .expect("transport");

        // QR code: all 12 bits.
        let found_abc = within("find 0xabc", transport.find(full(0xabc), SCAN))
            .await
            .expect("found");
        assert_eq!(found_abc.advertisement.discriminator, 0xabc);
        assert!(found_abc.advertisement.pairing_open);
        assert_eq!(found_abc.name.as_deref(), Some(local_name(0xabc).as_str()));
        assert_eq!(found_abc.rssi, Some(-60));

        // Manual code: the top 4 bits.
        let found = within(
            "find short 0x1",
            transport.find(DiscriminatorHint::Short(0x1), SCAN),
        )
        .await
        .expect("found");
        assert_eq!(found.advertisement.discriminator, 0x123);

        // Everything Hearth in range.
        let all = within("scan all", transport.scan(&ScanFilter::default(), SCAN))
            .await
            .expect("scan");
        let mut seen: Vec<u16> = all.iter().map(|d| d.advertisement.discriminator).collect();
        seen.sort_unstable();
        assert_eq!(seen, vec![0x123, 0xabc]);

        // A device seen earlier that stopped answering: the connection attempt is refused.
        let seen_earlier = found_abc.id.clone();

        // A code for a device that is not there.
        let started = Instant::now();
        let missing = within("find absent", transport.find(full(0x777), SCAN)).await;
        assert_eq!(missing, Err(BleError::DeviceNotFound));
        assert!(started.elapsed() >= SCAN, "listened for the whole timeout");

        // Out of range: the device is powered off; its old advertisement must not count.
        radio
            .control
            .set_powered("hci2", false)
            .await
            .expect("power off hci2");
        let started = Instant::now();
        let gone = within("find powered-off", transport.find(full(0xabc), SCAN)).await;
        let waited = started.elapsed();
        assert_eq!(gone.map_err(|e| e.code()), Err("ble.device_not_found"));
        assert!(
            waited >= SCAN && waited < SCAN + Duration::from_secs(5),
            "not found within the scan timeout ({waited:?})"
        );
        let refused = within(
            "connect to a silent device",
            transport.connect(&seen_earlier, SCAN),
        )
        .await;
        assert_eq!(
            refused.map(|_| ()).map_err(|e| e.code()),
            Err("ble.connect_failed")
        );
        let still_here = within("find 0x123", transport.find(full(0x123), SCAN))
            .await
            .expect("the other device is still heard");

        // The user turned Bluetooth off: reported, not silently turned back on.
        radio
            .control
            .set_powered("hci0", false)
            .await
            .expect("power off hci0");
        let off = within(
            "scan while off",
            transport.scan(&ScanFilter::default(), SCAN),
        )
        .await;
        assert_eq!(off, Err(BleError::BluetoothOff));
        let off = within("connect while off", transport.connect(&still_here.id, SCAN)).await;
        assert_eq!(off.map(|_| ()), Err(BleError::BluetoothOff));
        println!(
            "discovery: found 0xabc and 0x123 among two; absent device reported after {waited:?}"
        );
    });
}
