//! The device side of Hearth's protocol, with no I/O: a state machine that
//! takes request bytes and the time, and returns response bytes.
//!
//! ETSI EN 303 645 provisions served here: 4.1-1 / v2.1.1 5.1-1 and 5.1-5
//! (unique setup code per device, brute-force protection that survives a
//! restart, reset to the device's own code), 4.4-1 (secrets stored atomically
//! and redacted), 4.11-1 (per-user data and per-user deletion).
//!
//! The reference device binary wraps this core with BLE, a real clock, a real
//! Wi-Fi interface and a sensor; tests drive it directly.

pub mod core;
pub mod error;
pub mod lockout;
pub mod peripherals;
pub mod secret;
pub mod state;
pub mod storage;
pub mod users;

pub use crate::core::{DeviceCore, Peripherals};
pub use crate::error::DeviceError;
