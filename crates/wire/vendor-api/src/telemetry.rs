//! Telemetry, pseudonym and anomaly messages (EN 303 645 4.10-1..3 [5.10, 6-5]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/telemetry/pseudonym`: ask for this period's pseudonym of a device.
///
/// The service answers with an HMAC of the device id under a key that exists only for the
/// current period; it stores neither the device id nor the mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymRequest {
    pub model: String,
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymGrant {
    /// 32 lowercase hex digits.
    pub pseudonym: String,
    /// Rotation period the pseudonym belongs to (seconds since the epoch / period length).
    pub period: i64,
    /// Unix time after which the pseudonym is refused; ask for a new one then.
    pub valid_until: i64,
}

/// `POST /v1/telemetry`: one report of manifest fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryReport {
    pub model: String,
    pub pseudonym: String,
    /// Only fields the model's telemetry manifest declares.
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryAccepted {
    pub report_id: String,
    pub stored_fields: u32,
}

/// `GET /v1/anomalies`: what the vendor's examination of reports found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyList {
    /// Start of the examined window (unix seconds, inclusive).
    pub window_start: i64,
    /// End of the examined window (unix seconds, inclusive).
    pub window_end: i64,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anomaly {
    pub kind: crate::catalogue::AnomalySignal,
    pub model: String,
    pub pseudonym: String,
    /// Sum of the signal field over the reports in the window.
    pub total: i64,
    /// Threshold that `total` reached.
    pub threshold: i64,
    pub reports: i64,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// Body of every error answer: a stable machine code and an English message for logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub status: String,
    pub database: String,
    pub catalogue_entries: u32,
}
