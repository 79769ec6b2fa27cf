//! Sessions: round trips, replay, reorder, truncation, forgery, reflection,
//! the failure bound, and keys that differ per direction and per session.

use hearth_protocol::session::{
    FRAME_OVERHEAD, MAX_FAILURES, MAX_PLAINTEXT, Role, SecureSession, SessionError, SessionState,
};
use proptest::prelude::*;

fn pair(secret: &[u8]) -> (SecureSession, SecureSession) {
    (
        SecureSession::from_shared_secret(secret, b"salt", Role::App),
        SecureSession::from_shared_secret(secret, b"salt", Role::Device),
    )
}

#[test]
fn both_directions_round_trip_in_order() {
    let (mut app, mut device) = pair(&[7; 32]);
    for i in 0..10u8 {
        let frame = app.seal(&[i; 20]).unwrap();
        assert_eq!(frame.len(), 20 + FRAME_OVERHEAD);
        assert_eq!(device.open(&frame).unwrap(), vec![i; 20]);
        let reply = device.seal(&[i, i]).unwrap();
        assert_eq!(app.open(&reply).unwrap(), vec![i, i]);
    }
    assert_eq!(app.rejections().total(), 0);
}

#[test]
fn replay_is_rejected_and_counted() {
    let (mut app, mut device) = pair(&[7; 32]);
    let first = app.seal(b"unlock").unwrap();
    device.open(&first).unwrap();
    assert_eq!(
        device.open(&first).unwrap_err(),
        SessionError::Replayed {
            counter: 0,
            expected: 1
        }
    );
    assert_eq!(device.rejections().replayed, 1);
    // The session still works for the next genuine frame.
    let second = app.seal(b"lock").unwrap();
    assert_eq!(device.open(&second).unwrap(), b"lock");
}

#[test]
fn reordering_is_rejected_and_counted() {
    let (mut app, mut device) = pair(&[7; 32]);
    let first = app.seal(b"one").unwrap();
    let second = app.seal(b"two").unwrap();
    assert_eq!(
        device.open(&second).unwrap_err(),
        SessionError::OutOfOrder {
            counter: 1,
            expected: 0
        }
    );
    assert_eq!(device.open(&first).unwrap(), b"one");
    assert_eq!(device.open(&second).unwrap(), b"two");
    assert_eq!(device.rejections().out_of_order, 1);
}

#[test]
fn truncated_frames_are_rejected_and_counted() {
    let (mut app, mut device) = pair(&[7; 32]);
    let frame = app.seal(b"hello").unwrap();
    for cut in [0, 1, 8, FRAME_OVERHEAD - 1] {
        assert_eq!(
            device.open(&frame[..cut]).unwrap_err(),
            SessionError::Truncated
        );
    }
    assert_eq!(device.rejections().truncated, 4);
    // Cut but long enough to parse: the tag no longer matches.
    assert_eq!(
        device.open(&frame[..frame.len() - 1]).unwrap_err(),
        SessionError::Forged
    );
    assert_eq!(device.state(), SessionState::Closed);
}

#[test]
fn every_single_bit_flip_is_forged() {
    let frame = {
        let (mut app, _) = pair(&[9; 32]);
        app.seal(b"open the door").unwrap()
    };
    for at in 0..frame.len() {
        let (_, mut device) = pair(&[9; 32]);
        let mut tampered = frame.clone();
        tampered[at] ^= 0x01;
        assert_eq!(device.open(&tampered).unwrap_err(), SessionError::Forged);
        assert_eq!(device.open(&frame).unwrap(), b"open the door");
    }
}

#[test]
fn reflected_frames_and_other_sessions_are_forged() {
    let (mut app, mut device) = pair(&[7; 32]);
    let frame = app.seal(b"to device").unwrap();
    // The app's own frame bounced back at it uses the other direction's key.
    assert_eq!(app.open(&frame).unwrap_err(), SessionError::Forged);
    let (_, mut stranger) = pair(&[8; 32]);
    assert_eq!(stranger.open(&frame).unwrap_err(), SessionError::Forged);
    assert_eq!(device.open(&frame).unwrap(), b"to device");
}

#[test]
fn session_closes_after_the_failure_bound_and_refuses_everything() {
    let (mut app, mut device) = pair(&[7; 32]);
    let genuine = app.seal(b"genuine").unwrap();
    for i in 0..MAX_FAILURES {
        assert_eq!(device.state(), SessionState::Open, "after {i} failures");
        let mut forged = genuine.clone();
        forged[10] ^= 0xFF;
        assert_eq!(device.open(&forged).unwrap_err(), SessionError::Forged);
    }
    assert_eq!(device.state(), SessionState::Closed);
    assert_eq!(device.rejections().forged, MAX_FAILURES);
    assert_eq!(device.open(&genuine).unwrap_err(), SessionError::Closed);
    assert_eq!(device.seal(b"reply").unwrap_err(), SessionError::Closed);
    // Refusals once closed are not counted again.
    assert_eq!(device.rejections().total(), MAX_FAILURES);
}

#[test]
fn mixed_failures_share_one_bound() {
    let (mut app, mut device) = pair(&[7; 32]);
    let first = app.seal(b"1").unwrap();
    let second = app.seal(b"2").unwrap();
    device.open(&first).unwrap();
    device.open(&first).unwrap_err(); // replay
    device.open(&[0; 3]).unwrap_err(); // truncated
    let mut forged = second.clone();
    forged[9] ^= 1;
    device.open(&forged).unwrap_err(); // forged
    let third = app.seal(b"3").unwrap();
    device.open(&third).unwrap_err(); // out of order
    assert_eq!(device.state(), SessionState::Open);
    device.open(&first).unwrap_err(); // replay: fifth failure
    assert_eq!(device.state(), SessionState::Closed);
    let counts = device.rejections();
    assert_eq!(
        (
            counts.replayed,
            counts.truncated,
            counts.forged,
            counts.out_of_order
        ),
        (2, 1, 1, 1)
    );
}

#[test]
fn oversized_payloads_are_refused() {
    let (mut app, mut device) = pair(&[7; 32]);
    assert_eq!(
        app.seal(&vec![0; MAX_PLAINTEXT + 1]).unwrap_err(),
        SessionError::TooLarge
    );
    assert_eq!(
        device
            .open(&vec![0; MAX_PLAINTEXT + FRAME_OVERHEAD + 1])
            .unwrap_err(),
        SessionError::TooLarge
    );
    assert!(app.seal(&vec![0; MAX_PLAINTEXT]).is_ok());
}

#[test]
fn explicit_close_refuses_everything() {
    let (mut app, _) = pair(&[7; 32]);
    app.close();
    assert_eq!(app.seal(b"x").unwrap_err(), SessionError::Closed);
    assert_eq!(app.open(&[0; 40]).unwrap_err(), SessionError::Closed);
}

proptest! {
    #[test]
    fn seal_open_round_trips(
        secret in proptest::collection::vec(any::<u8>(), 1..64),
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 1..8),
    ) {
        let (mut app, mut device) = pair(&secret);
        for message in &messages {
            let frame = app.seal(message).unwrap();
            prop_assert_eq!(&device.open(&frame).unwrap(), message);
            let frame = device.seal(message).unwrap();
            prop_assert_eq!(&app.open(&frame).unwrap(), message);
        }
    }

    #[test]
    fn open_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let (_, mut device) = pair(&[1; 32]);
        prop_assert!(device.open(&bytes).is_err());
    }
}
