//! The frame `Link` fed arbitrary segments (each prefixed by one length
//! byte) never panics; and a message of any length up to the real 64 KiB
//! limit (`FrameConfig::DEFAULT_MAX_MESSAGE_LEN`), sent through a pair of
//! links at an MTU and window taken from the input, arrives unchanged, while
//! one byte more is refused before anything is sent.
//!
//! The honest message's length comes from two input bytes and its content
//! repeats the input, so messages of tens of kilobytes are fuzzed without
//! inputs that large.
#![no_main]

use hearth_protocol::frame::{FrameConfig, FrameError, Link};
use libfuzzer_sys::fuzz_target;

const MAX: usize = FrameConfig::DEFAULT_MAX_MESSAGE_LEN;

fuzz_target!(|data: &[u8]| {
    let [selector, len_hi, len_lo, rest @ ..] = data else {
        return;
    };
    let mtu = 23 + usize::from(selector & 0x3f) * 7;
    let window = 1 + (selector >> 6) * 3;
    let config = FrameConfig::new(mtu, window, MAX).expect("valid config");

    // Hostile segments.
    let mut link = Link::new(config);
    let mut input = rest;
    while let Some((&len, tail)) = input.split_first() {
        let (segment, tail) = tail.split_at(usize::from(len).min(tail.len()));
        if let Ok(Some(message)) = link.receive(segment) {
            assert!(message.len() <= MAX, "reassembled past the limit");
        }
        let _ = link.poll_transmit();
        input = tail;
    }

    // Honest peers: 0 to 64 KiB (the top length byte's high bit selects the
    // largest sizes, so the limit itself is reached often).
    let len = if len_hi & 0x80 != 0 {
        MAX - usize::from(*len_lo)
    } else {
        usize::from(u16::from_be_bytes([*len_hi, *len_lo]))
    };
    let message: Vec<u8> = rest.iter().copied().cycle().take(len).collect();
    let (mut app, mut device) = (Link::new(config), Link::new(config));
    let mut too_long = message.clone();
    too_long.resize(MAX + 1, 0);
    assert!(matches!(
        app.send(too_long),
        Err(FrameError::MessageTooLarge { .. })
    ));
    assert!(app.is_idle(), "a refused message left segments queued");
    app.send(message.clone()).expect("within the limit");
    let mut delivered = None;
    // Bounded: every pass moves at least one segment, and 64 KiB at the
    // smallest MTU is about 3,300 segments.
    for _ in 0..100_000 {
        let mut moved = false;
        while let Some(segment) = app.poll_transmit() {
            moved = true;
            assert!(segment.len() <= mtu - 3, "segment over the ATT payload");
            if let Some(m) = device.receive(&segment).expect("honest segment") {
                assert!(delivered.is_none(), "delivered twice");
                delivered = Some(m);
            }
        }
        while let Some(segment) = device.poll_transmit() {
            moved = true;
            app.receive(&segment).expect("honest ack");
        }
        if !moved {
            break;
        }
    }
    assert_eq!(delivered, Some(message));
    assert!(app.is_idle());
});
