//! Hearth's setup and control flows, with no tauri: what the app window and the `hearth` CLI
//! both run.
//!
//! - [`Flows::pair`]: a label's setup code to a paired, remembered, online device, reporting
//!   each [`Step`]; a fresh per-device owner key goes to the OS keyring and to the device,
//!   never to the database (EN 303 645 provisions 4.1-1, 4.4-1, 4.12-1).
//! - [`Flows::connect_owner`]: later sessions with the owner key, no setup code (4.5-1).
//! - [`Flows::set_plug`], [`Flows::read_temperature`], [`Flows::set_wifi`] (fix a wrong
//!   passphrase without a reset), [`Flows::forget`] (factory-reset the device, then delete
//!   the key and the row).
//!
//! - [`before_pairing`]: the rule that a model without security updates ahead is set up only
//!   after the person has seen its support period and said yes (4.3-4, 4.3-8), for the window
//!   and the CLI alike.
//! - [`companion`]: what the app window drives, one module per feature.
//!
//! Every failure is a [`FlowError`] with a stable code in the one table
//! ([`hearth_core::ErrorCode`]). Time and randomness are injected ([`Clock`], the RNG given to
//! [`Flows::new`]).

pub mod before_pairing;
pub mod companion;
mod context;
mod control;
mod error;
pub mod label;
mod owner;
mod pair;
mod progress;
mod vendor;

pub use context::{Clock, FlowConfig, Flows, SystemClock};
pub use control::{DeviceStatus, ForgetOutcome};
pub use error::FlowError;
pub use owner::OwnerSession;
pub use pair::{AlwaysProceed, BoxFuture, ModelGate, PairedDevice, WifiCredentials};
pub use progress::Step;
pub use vendor::VendorRoot;
