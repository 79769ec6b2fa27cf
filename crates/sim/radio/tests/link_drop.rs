//! A link dropped from the control interface disconnects the central; reconnecting and
//! re-subscribing works, with fresh GATT objects.

mod common;

use btleplug::api::{CentralEvent, Peripheral as _, WriteType};
use common::*;
use futures_util::StreamExt;

#[test]
fn dropped_link_disconnects_and_reconnect_works() {
    with_radio(async |radio| {
        let _device = EchoPeripheral::start("hci1").await;
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let (write, _) = connect_and_subscribe(&peripheral).await;

        assert_eq!(radio.control.drop_link("hci1").await.expect("drop"), 1);
        let id = peripheral.id();
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        assert!(
            !within("is_connected", peripheral.is_connected())
                .await
                .expect("is_connected")
        );
        let err = within(
            "write on a dead link",
            peripheral.write(&write, b"x", WriteType::WithResponse),
        )
        .await;
        assert!(err.is_err(), "writing on a dropped link fails");

        for round in 0..2u8 {
            let (write, _) = connect_and_subscribe(&peripheral).await;
            let mut notifications = within("notifications", peripheral.notifications())
                .await
                .expect("stream");
            within(
                "write",
                peripheral.write(&write, &[round, 1, 2], WriteType::WithResponse),
            )
            .await
            .expect("write");
            let echo = within("echo after reconnect", notifications.next())
                .await
                .expect("notification");
            assert_eq!(echo.value, vec![round, 1, 2]);
            within("disconnect", peripheral.disconnect())
                .await
                .expect("disconnect");
            app.wait_for("DeviceDisconnected", |e| match e {
                CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
                _ => None,
            })
            .await;
        }

        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["connects"], 3);
        assert_eq!(counters["disconnects"], 3);
        assert_eq!(counters["link_losses"], 1);
        assert_eq!(counters["round_trips"], 2);
    });
}
