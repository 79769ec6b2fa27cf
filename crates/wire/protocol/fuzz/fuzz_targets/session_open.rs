//! `SecureSession::open` on any frames never panics, never accepts a frame
//! the peer did not seal, and opens the peer's genuine frames in order even
//! after hostile ones (until the failure limit closes the session).
#![no_main]

use hearth_protocol::session::{Role, SecureSession, SessionState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = [7u8; 32];
    let mut device = SecureSession::from_shared_secret(&key, b"fuzz", Role::Device);
    let mut app = SecureSession::from_shared_secret(&key, b"fuzz", Role::App);

    // Hostile frames, each prefixed by a 2-byte length.
    let mut input = data;
    while let Some((len, tail)) = input.split_first_chunk::<2>() {
        let len = usize::from(u16::from_le_bytes(*len));
        let (frame, tail) = tail.split_at(len.min(tail.len()));
        assert!(
            app.open(frame).is_err(),
            "a frame the device never sealed was accepted"
        );
        input = tail;
    }

    // A genuine frame now opens only if the session is still open.
    let frame = device.seal(data).expect("within the plaintext limit");
    match app.state() {
        SessionState::Open => assert_eq!(app.open(&frame).expect("genuine frame"), data),
        SessionState::Closed => assert!(app.open(&frame).is_err()),
    }
});
