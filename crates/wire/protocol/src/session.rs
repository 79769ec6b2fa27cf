//! The encrypted session after pairing or an owner handshake (ETSI EN 303 645
//! provisions 4.5-1 and 4.5-2): ChaCha20-Poly1305 (RFC 8439) with one key per
//! direction from HKDF-SHA256 (RFC 5869) and counter nonces.
//!
//! # Frame
//! ```text
//! counter (8 bytes, big-endian) || ciphertext || tag (16 bytes)
//! nonce = direction (4 bytes BE: 1 app→device, 2 device→app) || counter
//! AAD   = "hearth/session/v1" || direction (1 byte) || counter
//! ```
//! Each side sends with counter 0, 1, 2, … and accepts only the next counter
//! it expects, after the tag checks out: an authentic frame with an older
//! counter is a replay, one with a newer counter means frames were reordered
//! or dropped. Every rejected frame counts; after [`MAX_FAILURES`] the
//! session is [`SessionState::Closed`] and refuses everything, so an
//! attacker cannot keep probing it.

use std::fmt;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::spake2::PakeKey;

/// Rejected frames tolerated before the session closes.
pub const MAX_FAILURES: u32 = 5;
/// Largest plaintext a frame may carry.
pub const MAX_PLAINTEXT: usize = 64 * 1024;
/// Bytes a frame adds to its plaintext: counter and tag.
pub const FRAME_OVERHEAD: usize = COUNTER_LEN + TAG_LEN;

const COUNTER_LEN: usize = 8;
const TAG_LEN: usize = 16;
const AAD_LABEL: &[u8] = b"hearth/session/v1";
const KDF_SALT_PAKE: &[u8] = b"hearth/session/v1/pake";
const INFO_APP_TO_DEVICE: &[u8] = b"hearth/session/v1 app->device";
const INFO_DEVICE_TO_APP: &[u8] = b"hearth/session/v1 device->app";

/// Which end of the link this session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The companion app (SPAKE2+ prover, handshake initiator).
    App,
    /// The device.
    Device,
}

/// The direction a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// App to device.
    AppToDevice,
    /// Device to app.
    DeviceToApp,
}

impl Direction {
    fn id(self) -> u8 {
        match self {
            Self::AppToDevice => 1,
            Self::DeviceToApp => 2,
        }
    }
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Too short to hold a counter and a tag.
    #[error("the frame is truncated")]
    Truncated,
    /// The tag does not verify: altered, forged, or for another session.
    #[error("the frame failed authentication")]
    Forged,
    /// An authentic frame seen before.
    #[error("frame {counter} was replayed (expected {expected})")]
    Replayed {
        /// The frame's counter.
        counter: u64,
        /// The counter expected next.
        expected: u64,
    },
    /// An authentic frame from further ahead: earlier frames were dropped or
    /// reordered.
    #[error("frame {counter} arrived out of order (expected {expected})")]
    OutOfOrder {
        /// The frame's counter.
        counter: u64,
        /// The counter expected next.
        expected: u64,
    },
    /// A plaintext or frame over the size bound.
    #[error("the frame exceeds {MAX_PLAINTEXT} bytes of payload")]
    TooLarge,
    /// The send counter is used up; a new session is needed.
    #[error("the session's counter is exhausted")]
    CounterExhausted,
    /// The session closed after too many rejected frames, or was closed.
    #[error("the session is closed")]
    Closed,
}

impl SessionError {
    /// A stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Truncated => "session.truncated",
            Self::Forged => "session.forged",
            Self::Replayed { .. } => "session.replayed",
            Self::OutOfOrder { .. } => "session.out_of_order",
            Self::TooLarge => "session.too_large",
            Self::CounterExhausted => "session.counter_exhausted",
            Self::Closed => "session.closed",
        }
    }
}

/// Whether the session still works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Seals and opens frames.
    Open,
    /// Refuses everything.
    Closed,
}

/// How many frames of each kind were refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RejectionCounts {
    /// [`SessionError::Truncated`].
    pub truncated: u32,
    /// [`SessionError::Forged`].
    pub forged: u32,
    /// [`SessionError::Replayed`].
    pub replayed: u32,
    /// [`SessionError::OutOfOrder`].
    pub out_of_order: u32,
    /// [`SessionError::TooLarge`].
    pub too_large: u32,
}

impl RejectionCounts {
    /// All refusals together.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.truncated
            .saturating_add(self.forged)
            .saturating_add(self.replayed)
            .saturating_add(self.out_of_order)
            .saturating_add(self.too_large)
    }
}

/// One direction's key and counter.
struct Half {
    cipher: ChaCha20Poly1305,
    direction: Direction,
    next: u64,
}

impl Half {
    fn new(key: &[u8; 32], direction: Direction) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(*key)),
            direction,
            next: 0,
        }
    }

    fn nonce(&self, counter: u64) -> Nonce {
        let mut nonce = [0u8; 12];
        nonce[3] = self.direction.id();
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        Nonce::from(nonce)
    }

    fn aad(&self, counter: u64) -> [u8; AAD_LABEL.len() + 1 + COUNTER_LEN] {
        let mut aad = [0u8; AAD_LABEL.len() + 1 + COUNTER_LEN];
        aad[..AAD_LABEL.len()].copy_from_slice(AAD_LABEL);
        aad[AAD_LABEL.len()] = self.direction.id();
        aad[AAD_LABEL.len() + 1..].copy_from_slice(&counter.to_be_bytes());
        aad
    }
}

/// An authenticated, encrypted, replay-protected channel over any byte
/// transport. Build one with [`from_pake`](Self::from_pake) after pairing
/// or [`from_shared_secret`](Self::from_shared_secret) after a handshake.
pub struct SecureSession {
    send: Half,
    receive: Half,
    state: SessionState,
    rejected: RejectionCounts,
}

impl fmt::Debug for SecureSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureSession")
            .field("state", &self.state)
            .field("sent", &self.send.next)
            .field("received", &self.receive.next)
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

impl SecureSession {
    /// Keys from SPAKE2+'s `K_shared`: HKDF-SHA256 with salt
    /// `"hearth/session/v1/pake"` and one label per direction.
    #[must_use]
    pub fn from_pake(key: &PakeKey, role: Role) -> Self {
        Self::from_shared_secret(key.as_bytes(), KDF_SALT_PAKE, role)
    }

    /// Keys from any shared secret: HKDF-SHA256(salt, ikm), expanded with
    /// `"hearth/session/v1 app->device"` and `"… device->app"`. The owner
    /// handshake passes its transcript hash as the salt.
    #[must_use]
    pub fn from_shared_secret(ikm: &[u8], salt: &[u8], role: Role) -> Self {
        let kdf = Hkdf::<Sha256>::new(Some(salt), ikm);
        let mut app_to_device = Zeroizing::new([0u8; 32]);
        let mut device_to_app = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF's 255 * 32 limit, so expand cannot fail.
        let _ = kdf.expand(INFO_APP_TO_DEVICE, &mut app_to_device[..]);
        let _ = kdf.expand(INFO_DEVICE_TO_APP, &mut device_to_app[..]);
        let outbound = Half::new(&app_to_device, Direction::AppToDevice);
        let inbound = Half::new(&device_to_app, Direction::DeviceToApp);
        let (send, receive) = match role {
            Role::App => (outbound, inbound),
            Role::Device => (inbound, outbound),
        };
        Self {
            send,
            receive,
            state: SessionState::Open,
            rejected: RejectionCounts::default(),
        }
    }

    /// Encrypts `plaintext` into the next frame.
    ///
    /// # Errors
    /// [`SessionError::Closed`], [`SessionError::TooLarge`] above
    /// [`MAX_PLAINTEXT`], [`SessionError::CounterExhausted`] after 2^64 − 1 frames.
    pub fn seal(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, SessionError> {
        if self.state == SessionState::Closed {
            return Err(SessionError::Closed);
        }
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(SessionError::TooLarge);
        }
        let counter = self.send.next;
        let next = counter
            .checked_add(1)
            .ok_or(SessionError::CounterExhausted)?;
        let aad = self.send.aad(counter);
        let ciphertext = self
            .send
            .cipher
            .encrypt(
                &self.send.nonce(counter),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SessionError::TooLarge)?;
        self.send.next = next;
        let mut frame = Vec::with_capacity(COUNTER_LEN + ciphertext.len());
        frame.extend_from_slice(&counter.to_be_bytes());
        frame.extend_from_slice(&ciphertext);
        Ok(frame)
    }

    /// Authenticates and decrypts the peer's next frame.
    ///
    /// # Errors
    /// [`SessionError::Truncated`], [`SessionError::TooLarge`],
    /// [`SessionError::Forged`], [`SessionError::Replayed`],
    /// [`SessionError::OutOfOrder`] (each counted; the session closes at
    /// [`MAX_FAILURES`]), and [`SessionError::Closed`].
    pub fn open(&mut self, frame: &[u8]) -> Result<Vec<u8>, SessionError> {
        if self.state == SessionState::Closed {
            return Err(SessionError::Closed);
        }
        let result = self.open_inner(frame);
        if let Err(error) = &result {
            self.count(error);
        }
        result
    }

    fn open_inner(&mut self, frame: &[u8]) -> Result<Vec<u8>, SessionError> {
        if frame.len() < FRAME_OVERHEAD {
            return Err(SessionError::Truncated);
        }
        if frame.len() > FRAME_OVERHEAD + MAX_PLAINTEXT {
            return Err(SessionError::TooLarge);
        }
        let (counter, ciphertext) = frame
            .split_first_chunk::<COUNTER_LEN>()
            .ok_or(SessionError::Truncated)?;
        let counter = u64::from_be_bytes(*counter);
        let aad = self.receive.aad(counter);
        // Authenticate before judging the counter, so only genuine frames
        // are ever called replays.
        let plaintext = self
            .receive
            .cipher
            .decrypt(
                &self.receive.nonce(counter),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SessionError::Forged)?;
        let expected = self.receive.next;
        if counter < expected {
            return Err(SessionError::Replayed { counter, expected });
        }
        if counter > expected {
            return Err(SessionError::OutOfOrder { counter, expected });
        }
        self.receive.next = expected.checked_add(1).ok_or(SessionError::Closed)?;
        Ok(plaintext)
    }

    fn count(&mut self, error: &SessionError) {
        let slot = match error {
            SessionError::Truncated => &mut self.rejected.truncated,
            SessionError::Forged => &mut self.rejected.forged,
            SessionError::Replayed { .. } => &mut self.rejected.replayed,
            SessionError::OutOfOrder { .. } => &mut self.rejected.out_of_order,
            SessionError::TooLarge => &mut self.rejected.too_large,
            SessionError::CounterExhausted | SessionError::Closed => return,
        };
        *slot = slot.saturating_add(1);
        if self.rejected.total() >= MAX_FAILURES {
            self.state = SessionState::Closed;
        }
    }

    /// Closes the session; it refuses everything afterwards.
    pub fn close(&mut self) {
        self.state = SessionState::Closed;
    }

    /// Open or closed.
    #[must_use]
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Refused frames so far, by kind.
    #[must_use]
    pub fn rejections(&self) -> RejectionCounts {
        self.rejected
    }
}
