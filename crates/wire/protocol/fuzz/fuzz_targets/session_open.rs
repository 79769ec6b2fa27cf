//! `SecureSession::open` against a model of the session: any mix of hostile
//! frames, bit-flipped genuine frames, and the peer's genuine frames
//! delivered in any order, any number of times (replays, reordering).
//!
//! After every frame the session must agree with the model: the next genuine
//! frame in order opens to its plaintext; an older one is `Replayed`, a newer
//! one `OutOfOrder`; anything the peer did not seal is refused; every refusal
//! counts, and at `MAX_FAILURES` the session closes and refuses everything.
#![no_main]

use hearth_protocol::session::{MAX_FAILURES, Role, SecureSession, SessionError, SessionState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&count, mut ops)) = data.split_first() else {
        return;
    };
    // A key of this input's own: with one fixed key, a frame the peer sealed
    // in another run (which the fuzzer learns from comparisons) would be
    // genuine here too, where real sessions never share keys.
    let mut key = [7u8; 32];
    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    key[..8].copy_from_slice(&hash.to_le_bytes());
    let mut device = SecureSession::from_shared_secret(&key, b"fuzz", Role::Device);
    let mut app = SecureSession::from_shared_secret(&key, b"fuzz", Role::App);
    let count = usize::from(count % 8) + 1;
    let plaintexts: Vec<Vec<u8>> = (0..count)
        .map(|i| {
            let take = data.len().min(i * 9 % 41);
            let mut p = data[..take].to_vec();
            p.push(i as u8);
            p
        })
        .collect();
    let frames: Vec<Vec<u8>> = plaintexts
        .iter()
        .map(|p| device.seal(p).expect("within the plaintext limit"))
        .collect();

    // The model.
    let mut next = 0usize;
    let mut failures = 0u32;

    while let Some((&op, tail)) = ops.split_first() {
        ops = tail;
        let frame = match op >> 6 {
            0 | 1 => frames[usize::from(op) % count].clone(),
            2 => {
                let mut frame = frames[usize::from(op) % count].clone();
                let Some((&at, tail)) = ops.split_first() else {
                    break;
                };
                ops = tail;
                let at = usize::from(at) % frame.len();
                frame[at] ^= 1 << (op % 8);
                frame
            }
            _ => {
                let Some((&len, tail)) = ops.split_first() else {
                    break;
                };
                let (frame, tail) = tail.split_at(usize::from(len).min(tail.len()));
                ops = tail;
                frame.to_vec()
            }
        };
        let closed = failures >= MAX_FAILURES;
        let result = app.open(&frame);
        match frames.iter().position(|f| *f == frame) {
            _ if closed => assert_eq!(result, Err(SessionError::Closed)),
            Some(i) if i == next => {
                assert_eq!(
                    result.as_ref(),
                    Ok(&plaintexts[i]),
                    "genuine frame {i} in order"
                );
                next += 1;
            }
            Some(i) => {
                failures += 1;
                let (counter, expected) = (i as u64, next as u64);
                if i < next {
                    assert_eq!(result, Err(SessionError::Replayed { counter, expected }));
                } else {
                    assert_eq!(result, Err(SessionError::OutOfOrder { counter, expected }));
                }
            }
            None => {
                failures += 1;
                assert!(
                    result.is_err(),
                    "a frame the device never sealed was accepted"
                );
            }
        }
        assert_eq!(app.rejections().total(), failures.min(MAX_FAILURES));
        let state = if failures >= MAX_FAILURES {
            SessionState::Closed
        } else {
            SessionState::Open
        };
        assert_eq!(app.state(), state);
    }
});
