//! The vendor profile: what the app and the CLI need to talk to a maker's service.

use serde::{Deserialize, Serialize};

/// Written by `hearth-vendor init` as `vendor-profile.json`; a real maker ships its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorProfile {
    pub vendor_name: String,
    /// `https://…` base URL of the service.
    pub service_url: String,
    /// PEM of the only CA trusted for the service (EN 303 645 4.5-1).
    pub ca_pem: String,
    /// Hex Ed25519 public key that signs catalogue entries.
    pub catalogue_key: String,
}
