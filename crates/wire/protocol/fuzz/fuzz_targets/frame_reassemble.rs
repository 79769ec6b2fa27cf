//! The frame `Link` fed arbitrary segments (each prefixed by one length
//! byte) never panics; and any input, sent as a message through a pair of
//! links at an MTU and window taken from the input, arrives unchanged.
#![no_main]

use hearth_protocol::frame::{FrameConfig, Link};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mtu = 23 + usize::from(selector & 0x3f) * 7;
    let window = 1 + (selector >> 6) * 3;
    let config = FrameConfig::new(mtu, window, 4096).expect("valid config");

    // Hostile segments.
    let mut link = Link::new(config);
    let mut input = rest;
    while let Some((&len, tail)) = input.split_first() {
        let (segment, tail) = tail.split_at(usize::from(len).min(tail.len()));
        let _ = link.receive(segment);
        let _ = link.poll_transmit();
        input = tail;
    }

    // Honest peers: the input itself as a message.
    let message = rest.get(..rest.len().min(4096)).unwrap_or_default().to_vec();
    let (mut app, mut device) = (Link::new(config), Link::new(config));
    app.send(message.clone()).expect("within the limit");
    let mut delivered = None;
    for _ in 0..10_000 {
        let mut moved = false;
        while let Some(segment) = app.poll_transmit() {
            moved = true;
            if let Some(m) = device.receive(&segment).expect("honest segment") {
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
