//! Hearth vendor service: the maker's side of ETSI EN 303 645 for Hearth devices.
//!
//! - signed device-model catalogue: support period, non-updatable rationale, data use,
//!   telemetry manifest (4.3-4, 4.3-8, 4.3-9, 4.8-1, 4.10-1..3) — [`catalogue`],
//! - `/.well-known/security.txt` per RFC 9116 (4.2-1) — [`security_txt`],
//! - telemetry intake under rotating pseudonyms, manifest fields only, no IP addresses —
//!   [`pseudonym`], [`intake`]; period keys wrapped at rest — [`period_key`]; anomaly
//!   examination (4.10-1) — [`anomaly`],
//! - strict input (4.13-1) — [`decode`], [`text`]; rate limits and bounded anonymous storage
//!   — [`throttle`]; private files (4.4-1) — [`files`],
//! - HTTPS only, rustls on ring (4.5-1) — [`server`]; every connection and request bounded in
//!   time and number, so slow or greedy clients cannot hold the service (4.9-1) —
//!   [`limits`], [`connection`]; SQLite or PostgreSQL — [`db`].
//!
//! Without the default `server` feature only the pure request decoders build ([`decode`],
//! [`text`], [`intake`], [`refusal`]): what the fuzz targets in `fuzz/` link.

pub mod decode;
pub mod intake;
pub mod refusal;
pub mod text;

/// Declares the modules that need the `server` feature.
macro_rules! server_modules {
    ($($vis:vis mod $name:ident;)*) => {
        $(
            #[cfg(feature = "server")]
            $vis mod $name;
        )*
    };
}

server_modules! {
    mod admission;
    pub mod anomaly;
    pub mod catalogue;
    pub mod client;
    pub mod clock;
    pub mod config;
    pub mod connection;
    pub mod db;
    pub mod error;
    pub mod files;
    pub mod init;
    pub mod limits;
    pub mod period_key;
    pub mod pki;
    pub mod pseudonym;
    pub mod routes;
    pub mod secret;
    pub mod security_txt;
    pub mod server;
    pub mod throttle;
}

#[cfg(feature = "server")]
pub use config::Config;
#[cfg(feature = "server")]
pub use error::{ApiError, StartError};
#[cfg(feature = "server")]
pub use server::{RunningServer, ServeOptions, start};
