//! GATT framing: round trips through two links, windowing, and every typed
//! rejection of a malformed segment stream.

use hearth_protocol::frame::{FrameConfig, FrameError, Link, Reassembler, Segmenter};
use proptest::prelude::*;

fn config(mtu: usize, window: u8) -> FrameConfig {
    FrameConfig::new(mtu, window, FrameConfig::DEFAULT_MAX_MESSAGE_LEN).unwrap()
}

/// Statistics of one transfer between two links.
#[derive(Debug, Default)]
struct Transfer {
    delivered: Vec<Vec<u8>>,
    data_segments: usize,
    bare_acks: usize,
}

/// Move segments both ways until both links are idle, in bursts: one side
/// sends all the window allows, then the other side reads them and answers.
fn pump(sender: &mut Link, receiver: &mut Link) -> Transfer {
    let mut transfer = Transfer::default();
    for _ in 0..100_000 {
        let mut moved = false;
        while let Some(segment) = sender.poll_transmit() {
            moved = true;
            transfer.data_segments += 1;
            if let Some(message) = receiver.receive(&segment).unwrap() {
                transfer.delivered.push(message);
            }
        }
        while let Some(segment) = receiver.poll_transmit() {
            moved = true;
            if segment.len() == 2 {
                transfer.bare_acks += 1;
            }
            assert_eq!(sender.receive(&segment).unwrap(), None);
        }
        if !moved {
            break;
        }
    }
    assert!(
        sender.is_idle(),
        "sender still has data or unacked segments"
    );
    transfer
}

#[test]
fn single_small_message_is_one_segment() {
    let (mut app, mut device) = (Link::new(config(23, 4)), Link::new(config(23, 4)));
    app.send(b"hello".to_vec()).unwrap();
    let segment = app.poll_transmit().unwrap();
    // flags START|END, seq 0, total length 5 LE, payload.
    assert_eq!(segment, [0x05, 0, 5, 0, 0, 0, b'h', b'e', b'l', b'l', b'o']);
    assert_eq!(device.receive(&segment).unwrap(), Some(b"hello".to_vec()));
    // The end of a message makes an ack due at once.
    assert_eq!(device.poll_transmit(), Some(vec![0x08, 0]));
}

#[test]
fn ack_piggybacks_on_the_response() {
    let (mut app, mut device) = (Link::new(config(23, 4)), Link::new(config(23, 4)));
    app.send(b"request".to_vec()).unwrap();
    let request = app.poll_transmit().unwrap();
    device.receive(&request).unwrap().unwrap();
    device.send(b"response".to_vec()).unwrap();
    let response = device.poll_transmit().unwrap();
    assert_eq!(
        response[0],
        0x08 | 0x05,
        "ack flag on the response's start segment"
    );
    assert_eq!(response[1], 0, "acks the request's segment 0");
    assert_eq!(app.receive(&response).unwrap(), Some(b"response".to_vec()));
    assert!(app.is_idle());
}

#[test]
fn bulk_transfer_needs_an_ack_only_per_half_window() {
    let (mut app, mut device) = (Link::new(config(247, 6)), Link::new(config(247, 6)));
    let image: Vec<u8> = (0..64 * 1024).map(|i| (i * 31 % 251) as u8).collect();
    app.send(image.clone()).unwrap();
    let transfer = pump(&mut app, &mut device);
    assert_eq!(transfer.delivered, vec![image]);
    let ratio = transfer.data_segments as f64 / transfer.bare_acks as f64;
    println!(
        "64 KiB at MTU 247, window 6: {} segments, {} acks ({ratio:.1} segments per ack)",
        transfer.data_segments, transfer.bare_acks
    );
    assert!(ratio >= 2.9, "acks every 3 segments, got {ratio}");
}

#[test]
fn window_stops_the_sender_until_acked() {
    let mut segmenter = Segmenter::new(config(23, 4));
    segmenter.push_message(vec![7; 200]).unwrap();
    let sent: Vec<_> = std::iter::from_fn(|| segmenter.next_segment(None)).collect();
    assert_eq!(sent.len(), 4);
    assert_eq!(segmenter.in_flight(), 4);
    segmenter.on_ack(1).unwrap();
    assert_eq!(segmenter.in_flight(), 2);
    assert_eq!(sent[1][1], 1, "second segment has seq 1");
    assert!(segmenter.next_segment(None).is_some());
    assert_eq!(segmenter.on_ack(9), Err(FrameError::InvalidAck { ack: 9 }));
    assert_eq!(
        segmenter.on_ack(1),
        Err(FrameError::InvalidAck { ack: 1 }),
        "already acked"
    );
}

#[test]
fn sequence_numbers_wrap_across_messages() {
    let (mut app, mut device) = (Link::new(config(23, 8)), Link::new(config(23, 8)));
    let messages: Vec<Vec<u8>> = (0..300u16).map(|i| i.to_le_bytes().repeat(10)).collect();
    for message in &messages {
        app.send(message.clone()).unwrap();
    }
    let transfer = pump(&mut app, &mut device);
    assert!(transfer.data_segments > 256);
    assert_eq!(transfer.delivered, messages);
}

fn reassembler() -> Reassembler {
    Reassembler::new(config(23, 4))
}

fn err(segments: &[&[u8]]) -> FrameError {
    let mut reassembler = reassembler();
    for segment in segments {
        if let Err(error) = reassembler.push(segment) {
            return error;
        }
    }
    panic!("all segments accepted");
}

#[test]
fn rejects_malformed_segments_with_typed_errors() {
    assert_eq!(err(&[&[]]), FrameError::Truncated { len: 0 });
    assert_eq!(err(&[&[0x01, 0, 5, 0]]), FrameError::Truncated { len: 4 });
    assert_eq!(err(&[&[0x00]]), FrameError::InvalidFlags { flags: 0 });
    assert_eq!(err(&[&[0x03, 0]]), FrameError::InvalidFlags { flags: 3 });
    assert_eq!(err(&[&[0x41, 0]]), FrameError::InvalidFlags { flags: 0x41 });
    assert_eq!(
        err(&[&[0x08, 0, 9]]),
        FrameError::TrailingBytes { count: 1 }
    );
    assert_eq!(err(&[&[0x02, 0, 1]]), FrameError::ContinueWithoutStart);
    assert_eq!(err(&[&[0x04, 0, 1]]), FrameError::ContinueWithoutStart);
    assert_eq!(
        err(&[&[0x05; 21]]),
        FrameError::SegmentTooLong { len: 21, max: 20 }
    );
    assert_eq!(
        err(&[&[0x01, 0, 0, 0, 2, 0, 1]]),
        FrameError::MessageTooLarge {
            len: 131_072,
            max: 65_536
        }
    );
    assert_eq!(err(&[&[0x01, 0, 10, 0, 0, 0]]), FrameError::EmptySegment);
}

#[test]
fn rejects_bad_lengths() {
    // Declared 3, end flag on 2 bytes.
    assert_eq!(
        err(&[&[0x05, 0, 3, 0, 0, 0, 1, 2]]),
        FrameError::LengthMismatch {
            declared: 3,
            received: 2
        }
    );
    // Trailing bytes beyond the declared length.
    assert_eq!(
        err(&[&[0x01, 0, 2, 0, 0, 0, 1], &[0x04, 1, 2, 3]]),
        FrameError::LengthMismatch {
            declared: 2,
            received: 3
        }
    );
    // Declared length reached without the end flag.
    assert_eq!(
        err(&[&[0x01, 0, 1, 0, 0, 0, 1]]),
        FrameError::LengthMismatch {
            declared: 1,
            received: 1
        }
    );
    assert_eq!(
        err(&[&[0x01, 0, 9, 0, 0, 0, 1], &[0x01, 1, 9, 0, 0, 0, 1]]),
        FrameError::StartDuringMessage
    );
}

#[test]
fn rejects_out_of_order_segments() {
    let start: &[u8] = &[0x01, 0, 9, 0, 0, 0, 1];
    assert_eq!(
        err(&[start, start]),
        FrameError::Duplicate {
            expected: 1,
            got: 0
        }
    );
    assert_eq!(
        err(&[start, &[0x02, 2, 1]]),
        FrameError::Gap {
            expected: 1,
            got: 2
        }
    );
    assert_eq!(
        err(&[start, &[0x02, 100, 1]]),
        FrameError::OutOfWindow {
            expected: 1,
            got: 100
        }
    );
}

#[test]
fn rejects_a_peer_that_ignores_the_window() {
    let mut reassembler = reassembler();
    reassembler.push(&[0x01, 0, 9, 0, 0, 0, 1]).unwrap();
    for seq in 1..4 {
        reassembler.push(&[0x02, seq, 1]).unwrap();
    }
    assert_eq!(
        reassembler.push(&[0x02, 4, 1]),
        Err(FrameError::WindowExceeded { window: 4 })
    );
    // After we ack, the peer may go on.
    let mut reassembler = Reassembler::new(config(23, 4));
    reassembler.push(&[0x01, 0, 9, 0, 0, 0, 1]).unwrap();
    for seq in 1..4 {
        reassembler.push(&[0x02, seq, 1]).unwrap();
    }
    assert_eq!(reassembler.take_ack(), Some(3));
    reassembler.push(&[0x02, 4, 1]).unwrap();
}

#[test]
fn config_is_validated() {
    assert_eq!(
        FrameConfig::with_mtu(22),
        Err(FrameError::InvalidMtu { mtu: 22 })
    );
    assert_eq!(
        FrameConfig::new(23, 0, 10),
        Err(FrameError::InvalidWindow { window: 0 })
    );
    assert_eq!(
        FrameConfig::new(23, 128, 10),
        Err(FrameError::InvalidWindow { window: 128 })
    );
    let mut segmenter = Segmenter::new(FrameConfig::new(23, 4, 10).unwrap());
    assert_eq!(
        segmenter.push_message(vec![0; 11]),
        Err(FrameError::MessageTooLarge { len: 11, max: 10 })
    );
}

proptest! {
    #[test]
    fn any_messages_round_trip(
        messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..2000), 1..8),
        mtu in 23usize..=517,
        window in 1u8..=16,
    ) {
        let (mut app, mut device) = (Link::new(config(mtu, window)), Link::new(config(mtu, window)));
        for message in &messages {
            app.send(message.clone()).unwrap();
        }
        let transfer = pump(&mut app, &mut device);
        prop_assert_eq!(transfer.delivered, messages);
    }

    #[test]
    fn segments_never_exceed_the_att_payload_or_window(
        len in 0usize..5000, mtu in 23usize..=517, window in 1u8..=16,
    ) {
        let mut segmenter = Segmenter::new(config(mtu, window));
        segmenter.push_message(vec![1; len]).unwrap();
        let mut count = 0;
        while let Some(segment) = segmenter.next_segment(Some(0)) {
            prop_assert!(segment.len() <= mtu - 3);
            count += 1;
        }
        prop_assert!(count <= usize::from(window));
        prop_assert_eq!(segmenter.in_flight() as usize, count);
    }

    #[test]
    fn arbitrary_segments_never_panic(
        segments in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..40),
    ) {
        let mut link = Link::new(config(23, 4));
        for segment in &segments {
            let _ = link.receive(segment);
            let _ = link.poll_transmit();
        }
    }
}
