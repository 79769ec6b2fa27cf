//! The link model as the app feels it: a throughput ceiling and loss.

mod common;

use std::time::Instant;

use btleplug::api::{CentralEvent, Peripheral as _, WriteType};
use common::*;
use futures_util::StreamExt;

#[test]
fn throughput_has_a_ceiling_and_loss_drops_the_link() {
    with_radio(async |radio| {
        let _device = EchoPeripheral::start("hci1").await;
        // 7.5 ms events carrying 100 bytes: each 200-byte echo round trip needs
        // (200 + 7) * 2 bytes, i.e. at least 4 events, i.e. at least 22.5 ms after the first event.
        radio
            .control
            .set_link_parameters("hci1", 7_500, 247, 100, 0.0)
            .await
            .expect("params");
        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let id = peripheral.id();
        let (write, _) = connect_and_subscribe(&peripheral).await;
        let mut notifications = within("notifications", peripheral.notifications())
            .await
            .expect("stream");

        const ROUNDS: u32 = 20;
        let payload = vec![0xAB; 200];
        let start = Instant::now();
        for _ in 0..ROUNDS {
            within(
                "write",
                peripheral.write(&write, &payload, WriteType::WithoutResponse),
            )
            .await
            .expect("write");
            let echo = within("echo", notifications.next())
                .await
                .expect("notification");
            assert_eq!(echo.value.len(), 200);
        }
        let elapsed = start.elapsed();
        let floor = std::time::Duration::from_micros(7_500 * 3 * u64::from(ROUNDS));
        assert!(
            elapsed >= floor,
            "{ROUNDS} round trips took {elapsed:?}, below the model's floor {floor:?}"
        );
        let bytes = 2 * 200 * u64::from(ROUNDS);
        println!(
            "throughput: {ROUNDS} echo round trips of 200 B in {elapsed:?} = {:.1} kB/s payload, ceiling {:.1} kB/s",
            bytes as f64 / elapsed.as_secs_f64() / 1000.0,
            100.0 / 0.0075 / 1000.0
        );

        // Certain loss: the next event that carries data ends the link.
        radio
            .control
            .set_link_parameters("hci1", 7_500, 247, 100, 1.0)
            .await
            .expect("params");
        let result = within(
            "write into loss",
            peripheral.write(&write, b"lost", WriteType::WithResponse),
        )
        .await;
        assert!(result.is_err(), "a write on a link that is lost fails");
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["link_losses"], 1);
        assert_eq!(counters["round_trips"], u64::from(ROUNDS));
    });
}
