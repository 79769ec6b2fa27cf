//! Disconnects started by the peripheral reach the central: bluer disconnecting the central's
//! device object, and bluer withdrawing its GATT application.

mod common;

use btleplug::api::{CentralEvent, Peripheral as _, WriteType};
use common::*;

#[test]
fn peripheral_started_disconnects_reach_the_central() {
    with_radio(async |radio| {
        let mut device = EchoPeripheral::start("hci1").await;
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let id = peripheral.id();
        let (write, _) = connect_and_subscribe(&peripheral).await;

        // bluer learns the central's address from a write, then disconnects it.
        within(
            "write",
            peripheral.write(&write, b"hi", WriteType::WithResponse),
        )
        .await
        .expect("write");
        let (_, _, central) = within("write seen", device.writes.recv())
            .await
            .expect("write");
        let seen = within("bluer device", async { device.adapter.device(central) })
            .await
            .expect("device");
        assert!(
            within("bluer connected", seen.is_connected())
                .await
                .expect("connected")
        );
        within("bluer disconnect", seen.disconnect())
            .await
            .expect("disconnect");
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;

        // Reconnect, then the device withdraws its application.
        connect_and_subscribe(&peripheral).await;
        drop(device.app.take());
        app.wait_for("DeviceDisconnected after unregister", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        assert_eq!(radio.control.link_count().await.expect("links"), 0);
    });
}
