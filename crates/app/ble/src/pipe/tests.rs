//! The pipe against an in-memory link and a device that speaks the framing with the
//! protocol crate's own `Link` (so window violations surface as the device's errors).

use std::time::Duration;

use hearth_protocol::frame::{FrameConfig, FrameError, Link};
use proptest::prelude::*;

use super::*;
use crate::memory::{self, MemoryPeer};

const MTU: u16 = 23;

/// Messages starting with `E` are events in these tests.
struct LeadingE;

impl Classify for LeadingE {
    fn is_event(&self, message: &[u8]) -> bool {
        message.first() == Some(&b'E')
    }
}

fn frame(mtu: u16) -> FrameConfig {
    FrameConfig::with_mtu(usize::from(mtu)).expect("valid MTU")
}

/// A device that answers each message with `answer(message)` (a list of messages to notify,
/// in order). Returns how many messages it received, or the framing error it saw.
fn spawn_device(
    mut peer: MemoryPeer,
    mtu: u16,
    answer: impl Fn(Vec<u8>) -> Vec<Vec<u8>> + Send + 'static,
) -> tokio::task::JoinHandle<Result<usize, FrameError>> {
    tokio::spawn(async move {
        let mut link = Link::new(frame(mtu));
        let mut received = 0;
        while let Some(segment) = peer.next_write().await {
            if let Some(message) = link.receive(&segment)? {
                received += 1;
                for out in answer(message) {
                    link.send(out)?;
                }
            }
            while let Some(out) = link.poll_transmit() {
                if peer.notify(out).is_err() {
                    return Ok(received);
                }
            }
        }
        Ok(received)
    })
}

fn reversed(mut message: Vec<u8>) -> Vec<Vec<u8>> {
    message.reverse();
    vec![message]
}

fn open(conn: memory::MemoryConnection, timeout: Duration) -> Pipe {
    let config = PipeConfig {
        request_timeout: timeout,
        ..PipeConfig::default()
    };
    Pipe::open(conn, config, LeadingE).expect("pipe")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any message up to 12 KiB survives segmentation, the window and reassembly both ways,
    /// several in a row (so sequence numbers wrap), at small and large MTUs.
    #[test]
    fn messages_round_trip(
        sizes in proptest::collection::vec(0usize..12_000, 1..4),
        mtu in prop_oneof![Just(23u16), Just(185), Just(247), Just(517)],
        seed: u8,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let (conn, peer) = memory::link(mtu);
            let device = spawn_device(peer, mtu, reversed);
            let pipe = open(conn, Duration::from_secs(30));
            for (i, size) in sizes.iter().enumerate() {
                // Never starts with `E`, so never mistaken for an event.
                let message: Vec<u8> = (0..*size)
                    .map(|j| (j as u8).wrapping_mul(31).wrapping_add(seed).wrapping_add(i as u8) | 1)
                    .map(|b| if b == b'E' { b'F' } else { b })
                    .collect();
                let mut expected = message.clone();
                expected.reverse();
                let answer = pipe.request(message).await.expect("answer");
                prop_assert_eq!(answer, expected);
            }
            pipe.close().await.expect("close");
            prop_assert_eq!(device.await.expect("device task"), Ok(sizes.len()));
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn device_events_go_to_the_event_channel_even_during_a_request() {
    let (conn, peer) = memory::link(MTU);
    let device = spawn_device(peer, MTU, |message| {
        vec![b"Ebefore".to_vec(), message, b"Eafter".to_vec()]
    });
    let mut pipe = open(conn, Duration::from_secs(30));
    assert_eq!(
        pipe.request(b"hello world, segmented".to_vec()).await,
        Ok(b"hello world, segmented".to_vec())
    );
    assert_eq!(pipe.next_event().await, Some(b"Ebefore".to_vec()));
    assert_eq!(pipe.next_event().await, Some(b"Eafter".to_vec()));
    pipe.close().await.expect("close");
    assert_eq!(device.await.expect("device"), Ok(1));
}

#[tokio::test(start_paused = true)]
async fn a_silent_device_times_out_and_the_pipe_closes() {
    let (conn, peer) = memory::link(MTU);
    let device = spawn_device(peer, MTU, |_| vec![]);
    let pipe = open(conn, Duration::from_secs(5));
    let started = Instant::now();
    let err = pipe
        .request(b"anyone?".to_vec())
        .await
        .expect_err("no answer");
    assert_eq!(err.code(), "ble.timeout");
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(pipe.ended().await.code(), "ble.timeout");
    assert_eq!(
        pipe.request(b"again".to_vec()).await.map_err(|e| e.code()),
        Err("ble.timeout"),
        "a timed-out pipe stays closed"
    );
    assert_eq!(device.await.expect("device"), Ok(1), "the link was dropped");
}

#[tokio::test(start_paused = true)]
async fn the_window_stops_the_sender_until_the_device_acks() {
    let (conn, mut peer) = memory::link(MTU);
    let pipe = open(conn, Duration::from_secs(60));
    let request = tokio::spawn(async move {
        let answer = pipe.request(vec![7; 400]).await;
        (pipe, answer)
    });
    let mut device = hearth_protocol::frame::Reassembler::new(frame(MTU));
    let window = FrameConfig::DEFAULT_WINDOW;
    for _ in 0..window {
        let segment = peer.next_write().await.expect("segment");
        assert_eq!(device.push(&segment), Ok(None));
    }
    assert!(
        tokio::time::timeout(Duration::from_secs(1), peer.next_write())
            .await
            .is_err(),
        "no segment beyond the window before an ack"
    );
    let ack = device.take_ack().expect("ack due");
    peer.notify(vec![0x08, ack]).expect("ack");
    let more = peer.next_write().await.expect("sending resumes");
    assert_eq!(device.push(&more), Ok(None));
    peer.drop_link(BleError::Disconnected);
    let (_pipe, answer) = request.await.expect("request task");
    assert_eq!(answer, Err(BleError::Disconnected));
}

#[tokio::test]
async fn a_lost_link_fails_every_waiting_request() {
    let (conn, mut peer) = memory::link(MTU);
    let pipe = std::sync::Arc::new(open(conn, Duration::from_secs(30)));
    let first = tokio::spawn({
        let pipe = pipe.clone();
        async move { pipe.request(vec![1; 100]).await }
    });
    let second = tokio::spawn({
        let pipe = pipe.clone();
        async move { pipe.request(vec![2; 100]).await }
    });
    // Mid-exchange: some of a request is on the air.
    peer.next_write().await.expect("first segment");
    peer.drop_link(BleError::Disconnected);
    assert_eq!(first.await.expect("task"), Err(BleError::Disconnected));
    assert_eq!(second.await.expect("task"), Err(BleError::Disconnected));
    assert_eq!(pipe.error(), Some(BleError::Disconnected));
}

#[tokio::test]
async fn broken_framing_from_the_device_ends_the_pipe() {
    let (conn, mut peer) = memory::link(MTU);
    let pipe = open(conn, Duration::from_secs(30));
    let request = tokio::spawn(async move { pipe.request(b"hi".to_vec()).await });
    peer.next_write().await.expect("request");
    // CONTINUE without START.
    peer.notify(vec![0x02, 0, 1, 2]).expect("notify");
    assert_eq!(
        request.await.expect("task"),
        Err(BleError::Framing(FrameError::ContinueWithoutStart))
    );
    assert_eq!(peer.next_write().await, None, "the app dropped the link");
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_the_pipe_stays_usable() {
    let (conn, peer) = memory::link(MTU);
    let device = spawn_device(peer, MTU, reversed);
    let pipe = open(conn, Duration::from_secs(30));
    let too_big = vec![0; FrameConfig::DEFAULT_MAX_MESSAGE_LEN + 1];
    assert_eq!(
        pipe.request(too_big).await.map_err(|e| e.code()),
        Err("ble.framing")
    );
    assert_eq!(pipe.request(vec![1, 2]).await, Ok(vec![2, 1]));
    pipe.close().await.expect("close");
    assert_eq!(device.await.expect("device"), Ok(1));
}

#[tokio::test]
async fn dropping_the_pipe_disconnects() {
    let (conn, mut peer) = memory::link(MTU);
    let pipe = open(conn, Duration::from_secs(30));
    drop(pipe);
    assert_eq!(peer.next_write().await, None);
    assert_eq!(peer.notify(vec![1]), Err(BleError::Disconnected));
}

#[test]
fn hearth_messages_classify_events_by_their_tag() {
    use hearth_protocol::message::{Envelope, Event, WifiStatus};
    let classify = HearthMessages::default();
    let event = message::encode(&Envelope::new(
        0,
        Event::WifiStatus(WifiStatus::Joined {
            ssid: "home".into(),
        }),
    ))
    .expect("encode");
    assert!(classify.is_event(&event));
    assert!(!classify.is_event(b"not cbor"));
}
