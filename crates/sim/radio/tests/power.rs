//! Powering a peripheral off drops its link and makes it unreachable; powering it on again
//! lets the central reconnect. Both through the control interface and through bluer.

mod common;

use btleplug::api::{CentralEvent, Peripheral as _, WriteType};
use common::*;
use futures_util::StreamExt;

#[test]
fn power_cycle_of_the_peripheral() {
    with_radio(async |radio| {
        let device = EchoPeripheral::start("hci1").await;
        // Adapter settings a device process may make are kept and reported back.
        within("alias", device.adapter.set_alias("echo-1".into()))
            .await
            .expect("set alias");
        within("discoverable", device.adapter.set_discoverable(true))
            .await
            .expect("set discoverable");
        assert_eq!(
            within("alias", device.adapter.alias())
                .await
                .expect("alias"),
            "echo-1"
        );
        assert!(
            within("discoverable", device.adapter.is_discoverable())
                .await
                .expect("discoverable")
        );
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let id = peripheral.id();
        connect_and_subscribe(&peripheral).await;

        // Off from the control interface.
        radio
            .control
            .set_powered("hci1", false)
            .await
            .expect("power off");
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        assert!(
            within("connect while off", peripheral.connect())
                .await
                .is_err(),
            "nobody answers while off"
        );

        radio
            .control
            .set_powered("hci1", true)
            .await
            .expect("power on");
        let (write, _) = connect_and_subscribe(&peripheral).await;
        let mut notifications = within("notifications", peripheral.notifications())
            .await
            .expect("stream");
        within(
            "write",
            peripheral.write(&write, b"on", WriteType::WithResponse),
        )
        .await
        .expect("write");
        assert_eq!(
            within("echo", notifications.next())
                .await
                .expect("notification")
                .value,
            b"on"
        );

        // Off from the device itself (bluer sets Adapter1.Powered).
        within("bluer power off", device.adapter.set_powered(false))
            .await
            .expect("bluer power off");
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        assert!(
            !within("bluer sees powered", device.adapter.is_powered())
                .await
                .expect("powered")
        );
        within("bluer power on", device.adapter.set_powered(true))
            .await
            .expect("bluer power on");
        connect_and_subscribe(&peripheral).await;

        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["connects"], 3);
        assert_eq!(counters["disconnects"], 2);
        assert_eq!(counters["link_losses"], 0, "power off is not a link loss");
    });
}
