//! Messages through the btleplug transport and the pipe on the simulated radio: a 10 KiB
//! message round-trips through the framing at MTU 247; a link dropped by the radio mid-exchange
//! is a typed `Disconnected`; reconnecting (fresh discovery and subscription) works again; a
//! device without the Hearth service is `ServiceMissing`; Bluetooth turned off while connected
//! ends the link as `BluetoothOff`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use hearth_ble::{
    BleError, BtleplugConfig, BtleplugTransport, Connection, NoEvents, Pipe, PipeConfig, Transport,
};
use hearth_protocol::setup_code::{Discriminator, DiscriminatorHint};

const SCAN: Duration = Duration::from_secs(5);
const CONNECT: Duration = Duration::from_secs(10);
const TEN_KIB: usize = 10 * 1024;

fn full(value: u16) -> DiscriminatorHint {
    DiscriminatorHint::Full(Discriminator::new(value).expect("12 bits"))
}

fn pipe_config() -> PipeConfig {
    PipeConfig {
        request_timeout: Duration::from_secs(20),
        ..PipeConfig::default()
    }
}

#[test]
fn messages_round_trip_survive_a_dropped_link_and_reconnect() {
    with_radio(async |radio| {
        let mut device = EchoDevice::start("hci1", 0x2a5, Gatt::Hearth).await;
        let _impostor = EchoDevice::start("hci2", 0x3b6, Gatt::Other).await;
        let transport = within(
            "transport",
            BtleplugTransport::new(BtleplugConfig::default()),
        )
        .await
        .expect("transport");
        let found = within("find", transport.find(full(0x2a5), SCAN))
            .await
            .expect("found");

        // 1. Connect; MTU; one 10 KiB message each way.
        let conn = within("connect", transport.connect(&found.id, CONNECT))
            .await
            .expect("connect");
        assert_eq!(conn.mtu(), 247);
        let pipe = Pipe::open(conn, pipe_config(), NoEvents).expect("pipe");
        radio.control.reset_counters().await.expect("reset");
        let sent = message(TEN_KIB, 1);
        let started = Instant::now();
        let answer = within("10 KiB echo", pipe.request(sent.clone()))
            .await
            .expect("answer");
        let took = started.elapsed();
        assert_eq!(answer, sent);
        let counters = radio.control.counters().await.expect("counters");
        println!(
            "10 KiB echo at MTU 247 in {took:?}: round_trips={} writes={} notifications={} \
             bytes_to_peripheral={} bytes_to_central={}",
            counters["round_trips"],
            counters["writes"],
            counters["notifications"],
            counters["bytes_to_peripheral"],
            counters["bytes_to_central"],
        );
        // 10 KiB in segments of at most 244 bytes: at least 42 each way.
        assert!(counters["writes"] >= 42 && counters["notifications"] >= 42);
        assert!(counters["bytes_to_peripheral"] >= TEN_KIB as u64);
        assert!(counters["bytes_to_central"] >= TEN_KIB as u64);
        within("close", pipe.close()).await.expect("close");
        // Drain what the device counted so far.
        while device.segments.try_recv().is_ok() {}

        // 2. The radio drops the link mid-exchange.
        let conn = within("reconnect", transport.connect(&found.id, CONNECT))
            .await
            .expect("connect");
        let pipe = Arc::new(Pipe::open(conn, pipe_config(), NoEvents).expect("pipe"));
        let request = tokio::spawn({
            let pipe = pipe.clone();
            async move { pipe.request(message(TEN_KIB, 2)).await }
        });
        device.wait_segments(5).await;
        assert_eq!(radio.control.drop_link("hci1").await.expect("drop"), 1);
        let lost = within("request on a dropped link", request)
            .await
            .expect("request task");
        assert_eq!(lost, Err(BleError::Disconnected));
        assert_eq!(
            within("pipe end", pipe.ended()).await,
            BleError::Disconnected
        );

        // 3. Reconnect: fresh discovery, notification stream and subscription.
        let conn = within(
            "connect after the drop",
            transport.connect(&found.id, CONNECT),
        )
        .await
        .expect("connect");
        let pipe = Pipe::open(conn, pipe_config(), NoEvents).expect("pipe");
        for salt in [3, 4] {
            let sent = message(TEN_KIB / 4, salt);
            let answer = within("echo after reconnect", pipe.request(sent.clone()))
                .await
                .expect("answer");
            assert_eq!(answer, sent);
        }
        within("close", pipe.close()).await.expect("close");

        // 4. Something that advertises like a Hearth device but does not serve our service.
        let impostor = within("find impostor", transport.find(full(0x3b6), SCAN))
            .await
            .expect("found");
        let refused = within("connect impostor", transport.connect(&impostor.id, CONNECT)).await;
        assert_eq!(refused.map(|_| ()), Err(BleError::ServiceMissing));

        // 5. The user turns Bluetooth off while connected: the link ends as "Bluetooth off".
        let conn = within(
            "connect before power-off",
            transport.connect(&found.id, CONNECT),
        )
        .await
        .expect("connect");
        let pipe = Pipe::open(conn, pipe_config(), NoEvents).expect("pipe");
        radio
            .control
            .set_powered("hci0", false)
            .await
            .expect("central off");
        assert_eq!(
            within("pipe end", pipe.ended()).await,
            BleError::BluetoothOff
        );
        assert_eq!(
            within("request while off", pipe.request(vec![1])).await,
            Err(BleError::BluetoothOff)
        );

        let counters = radio.control.counters().await.expect("counters");
        println!(
            "after drop and reconnect: connects={} disconnects={} link_losses={} links={}",
            counters["connects"],
            counters["disconnects"],
            counters["link_losses"],
            radio.control.link_count().await.expect("links"),
        );
        assert_eq!(counters["link_losses"], 1, "power-off is not a link loss");
        assert_eq!(radio.control.link_count().await.expect("links"), 0);
    });
}
