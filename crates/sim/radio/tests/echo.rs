//! A bluer peripheral advertises and echoes; btleplug scans, connects, writes and gets the echo.

mod common;

use btleplug::api::{Peripheral as _, WriteType};
use common::*;
use futures_util::StreamExt;

#[test]
fn central_write_comes_back_as_a_notification() {
    with_radio(async |radio| {
        let mut device = EchoPeripheral::start("hci1").await;
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;

        let props = within("properties", peripheral.properties())
            .await
            .expect("properties")
            .expect("some properties");
        assert_eq!(props.local_name.as_deref(), Some(LOCAL_NAME));
        assert_eq!(
            props.service_data.get(&SERVICE).map(Vec::as_slice),
            Some(SERVICE_DATA)
        );
        assert_eq!(
            props.manufacturer_data.get(&COMPANY).map(Vec::as_slice),
            Some(MANUFACTURER_DATA)
        );
        assert!(props.services.contains(&SERVICE));
        assert_eq!(props.rssi, Some(-60));

        // RSSI changes are heard while scanning.
        radio.control.set_rssi("hci1", -80).await.expect("rssi");
        let id = peripheral.id();
        let rssi = app
            .wait_for("RssiUpdate", |e| match e {
                btleplug::api::CentralEvent::RssiUpdate { id: d, rssi } if *d == id => Some(*rssi),
                _ => None,
            })
            .await;
        assert_eq!(rssi, -80);
        let props = within("properties", peripheral.properties())
            .await
            .expect("properties")
            .expect("some");
        assert_eq!(props.rssi, Some(-80));

        let (write, notify) = connect_and_subscribe(&peripheral).await;
        assert_eq!(peripheral.mtu(), 247, "the link's MTU reaches btleplug");
        let mut notifications = within("notifications", peripheral.notifications())
            .await
            .expect("stream");

        within(
            "write",
            peripheral.write(&write, b"ping", WriteType::WithResponse),
        )
        .await
        .expect("write");
        let echo = within("echo", notifications.next())
            .await
            .expect("a notification");
        assert_eq!(echo.uuid, notify.uuid);
        assert_eq!(echo.value, b"ping");

        let (value, mtu, central) = within("write seen by bluer", device.writes.recv())
            .await
            .expect("write");
        assert_eq!(value, b"ping");
        assert_eq!(mtu, 247);
        assert_eq!(central.to_string(), "00:48:52:00:00:00");

        // Without response too.
        within(
            "write command",
            peripheral.write(&write, b"pong", WriteType::WithoutResponse),
        )
        .await
        .expect("write");
        let echo = within("second echo", notifications.next())
            .await
            .expect("a notification");
        assert_eq!(echo.value, b"pong");

        // Round-trip time at the default link parameters (30 ms interval), for the record.
        const TIMED: u32 = 10;
        let start = std::time::Instant::now();
        for i in 0..TIMED {
            let value = [b't', u8::try_from(i).unwrap_or(0)];
            within(
                "timed write",
                peripheral.write(&write, &value, WriteType::WithResponse),
            )
            .await
            .expect("write");
            assert_eq!(
                within("timed echo", notifications.next())
                    .await
                    .expect("notification")
                    .value,
                value
            );
        }
        println!(
            "round trip at 30 ms interval: {:?} mean over {TIMED}",
            start.elapsed() / TIMED
        );

        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["round_trips"], 2 + u64::from(TIMED));
        assert_eq!(counters["writes"], 2 + u64::from(TIMED));
        assert_eq!(counters["notifications"], 2 + u64::from(TIMED));
        assert_eq!(counters["bytes_to_peripheral"], 8 + 2 * u64::from(TIMED));
        assert_eq!(counters["bytes_to_central"], 8 + 2 * u64::from(TIMED));
        assert_eq!(counters["connects"], 1);

        within("disconnect", peripheral.disconnect())
            .await
            .expect("disconnect");
        assert_eq!(radio.control.link_count().await.expect("links"), 0);

        // RemoveDevice forgets it: the object is gone from the tree.
        let conn = radio.control.inner().connection();
        let device =
            zbus::ObjectPath::try_from("/org/bluez/hci0/dev_00_48_52_00_00_01").expect("path");
        within(
            "RemoveDevice",
            conn.call_method(
                Some("org.bluez"),
                "/org/bluez/hci0",
                Some("org.bluez.Adapter1"),
                "RemoveDevice",
                &(device.clone(),),
            ),
        )
        .await
        .expect("RemoveDevice");
        let objects = within(
            "object manager",
            zbus::fdo::ObjectManagerProxy::new(conn, "org.bluez", "/"),
        )
        .await
        .expect("proxy");
        let tree = within("GetManagedObjects", objects.get_managed_objects())
            .await
            .expect("objects");
        assert!(
            !tree.keys().any(|p| p.as_str() == device.as_str()),
            "device removed"
        );
        assert!(
            tree.keys().any(|p| p.as_str() == "/org/bluez/hci0"),
            "adapter still there"
        );
    });
}
