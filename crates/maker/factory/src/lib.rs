//! The factory tool's library: vendor key creation, identity minting and labels.
//!
//! ETSI EN 303 645 4.1-1 (v2.1.1 5.1-1): every device leaves the factory with
//! its own random setup code (never derived from serial, MAC or model; never
//! repeated in an output folder), its SPAKE2+ verifier instead of the code,
//! and an identity key certified by the vendor's device CA (attestation).
//! The binary `hearth-factory` is a thin clap layer over this crate.

pub mod error;
pub mod files;
pub mod label;
pub mod mint;
pub mod os_rng;
pub mod registry;
pub mod vendor;

pub use error::FactoryError;
