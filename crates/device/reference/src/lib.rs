//! The reference device: a smart plug with a temperature sensor that speaks
//! Hearth's protocol as a real Bluetooth LE peripheral.
//!
//! The protocol logic lives in the sans-IO device core (`hearth-device`);
//! this crate adds the I/O around it: a bluer GATT application and
//! advertisement ([`ble`], laid out by [`gatt_app`]), GATT framing and the core's clock ([`plug`]), a
//! simulated Wi-Fi radio ([`wifi`]) and sensor ([`sensor`]), and a local
//! control socket standing in for the physical button and the power cord
//! ([`control`]); [`process`] runs the binary as a child for tests and tools.
//!
//! ETSI EN 303 645 provisions exercised end to end here: 4.1-1 (per-device
//! setup code, lockout surviving a power cut, button needed after lockout),
//! 4.5-1 (only sealed sessions control the plug), 4.12-1 (pairing and
//! provisioning in three round trips over real GATT).

pub mod ble;
pub mod clock;
pub mod control;
pub mod error;
pub mod gatt_app;
pub mod plug;
pub mod process;
pub mod sensor;
pub mod wifi;

pub use error::RefDeviceError;
