//! The protocol Hearth and a device speak, with no I/O: bytes in, bytes out.
//!
//! Serves ETSI EN 303 645 provisions 4.1-1 (unique per-device setup codes, no
//! universal default password), 4.5-1/4.5-2 (authenticated, encrypted
//! communication) and 4.13-1 (every decoder is bounded and never panics).

pub mod attestation;
pub mod frame;
pub mod gatt;
pub mod handshake;
pub mod message;
pub mod pairing;
pub mod session;
pub mod setup_code;
pub mod spake2;
