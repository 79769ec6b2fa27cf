//! Wire types of the Hearth vendor service, shared by the service and the app.
//!
//! The vendor service builds its answers from these types and the app and the CLI read them back
//! with the same types, so both sides agree on the catalogue schema, the canonical encoding and
//! the signature by construction.

pub mod canonical;
pub mod catalogue;
pub mod error;
pub mod profile;
pub mod signature;
pub mod telemetry;

pub use catalogue::DeviceModel;
pub use error::WireError;
pub use signature::{SignedCatalogue, SignedEntry, sign_entry};
