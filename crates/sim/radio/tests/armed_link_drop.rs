//! A drop armed from the control interface fires exactly after the armed number of round
//! trips: the round trip that completes it arrives, nothing written after it reaches the
//! peripheral, the central is disconnected as by `DropLink`, and the drop does not fire again.
//! Arming with 0 or for an unknown adapter is refused.

mod common;

use btleplug::api::{CentralEvent, Peripheral as _, WriteType};
use btleplug::platform::Peripheral;
use common::*;
use futures_util::StreamExt;

/// Writes `value` with response and waits for its echo.
async fn exchange(
    peripheral: &Peripheral,
    write: &btleplug::api::Characteristic,
    notifications: &mut (impl futures_util::Stream<Item = btleplug::api::ValueNotification> + Unpin),
    value: &[u8],
) {
    within(
        "write",
        peripheral.write(write, value, WriteType::WithResponse),
    )
    .await
    .expect("write on a live link");
    let echo = within("echo", notifications.next())
        .await
        .expect("a notification");
    assert_eq!(echo.value, value);
}

/// Writes `value` after the armed round trip: the write fails and the central sees the link
/// go. Returns everything the peripheral received since the last call (none of it `value`).
async fn write_after_the_drop(
    app: &mut AppCentral,
    device: &mut EchoPeripheral,
    peripheral: &Peripheral,
    write: &btleplug::api::Characteristic,
    value: &[u8],
) -> Vec<Vec<u8>> {
    let id = peripheral.id();
    let err = within(
        "write after the armed round trip",
        peripheral.write(write, value, WriteType::WithResponse),
    )
    .await;
    assert!(err.is_err(), "the link is gone after the armed round trip");
    app.wait_for("DeviceDisconnected", |e| match e {
        CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
        _ => None,
    })
    .await;
    let mut seen = Vec::new();
    while let Ok((value, _, _)) = device.writes.try_recv() {
        seen.push(value);
    }
    seen
}

#[test]
fn an_armed_drop_fires_after_its_round_trips_and_only_once() {
    with_radio(async |radio| {
        let mut device = EchoPeripheral::start("hci1").await;

        let refused = radio
            .control
            .arm_link_drop("hci1", 0)
            .await
            .expect_err("0 round trips is refused");
        assert!(
            refused.to_string().contains("at least 1"),
            "a clear reason: {refused}"
        );
        let refused = radio
            .control
            .arm_link_drop("hci9", 1)
            .await
            .expect_err("an unknown adapter is refused");
        assert!(
            refused.to_string().contains("no peripheral adapter hci9"),
            "a clear reason: {refused}"
        );

        // Armed before the link exists: the next link counts from its start.
        radio.control.arm_link_drop("hci1", 2).await.expect("arm");
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let (write, _) = connect_and_subscribe(&peripheral).await;
        let mut notifications = within("notifications", peripheral.notifications())
            .await
            .expect("stream");

        // Round trip 1 is not the armed one: round trip 2 still goes through.
        exchange(&peripheral, &write, &mut notifications, b"one").await;
        exchange(&peripheral, &write, &mut notifications, b"two").await;
        // Round trip 2 completed it: the very next write never reaches the peripheral.
        let seen = write_after_the_drop(&mut app, &mut device, &peripheral, &write, b"three").await;
        assert_eq!(seen, [b"one".to_vec(), b"two".to_vec()]);
        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["round_trips"], 2);
        assert_eq!(counters["link_losses"], 1, "dropped as DropLink drops");
        assert_eq!(radio.control.link_count().await.expect("links"), 0);

        // One-shot: a new link carries on without a drop.
        let (write, _) = connect_and_subscribe(&peripheral).await;
        let mut notifications = within("notifications", peripheral.notifications())
            .await
            .expect("stream");
        for value in [b"a", b"b", b"c"] {
            exchange(&peripheral, &write, &mut notifications, value).await;
        }

        // Armed on a live link: counted from now, so after 3 earlier round trips arming with 1
        // lets exactly one more through.
        radio.control.arm_link_drop("hci1", 1).await.expect("arm");
        exchange(&peripheral, &write, &mut notifications, b"last").await;
        let seen = write_after_the_drop(&mut app, &mut device, &peripheral, &write, b"never").await;
        assert_eq!(
            seen,
            [
                b"a".to_vec(),
                b"b".to_vec(),
                b"c".to_vec(),
                b"last".to_vec()
            ]
        );
        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["round_trips"], 6);
        assert_eq!(counters["link_losses"], 2);
        assert_eq!(counters["connects"], 2);
    });
}
