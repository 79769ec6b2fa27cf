//! The device-model catalogue: what a maker promises about each model.
//!
//! ETSI EN 303 645 provisions served by an entry:
//! - 4.3-4 / 4.3-9 [5.3-13]: the support period (end date and a plain-language policy),
//! - 4.3-8: for a model that cannot be updated, why, how to isolate it, and how it is replaced,
//! - 4.8-1 [6-1]: the data-use statement (what personal data, by whom, for what),
//! - 4.10-1..3 [5.10, 6-5]: the telemetry manifest (every field, purpose, recipient, retention,
//!   whether it is personal and how it is anonymised).
//!
//! Every entry is validated with [`DeviceModel::validate`] before it is signed or trusted.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::WireError;

/// Locales every user-facing promise must be written in.
pub const REQUIRED_LOCALES: [&str; 4] = ["en", "de", "fr", "es"];

/// Text per locale (BCP 47 primary language subtag → text).
pub type Localized = BTreeMap<String, String>;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// One device model as published by the maker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceModel {
    /// Stable identifier, `[a-z0-9-]{1,64}`, e.g. `hearth-plug-1`.
    pub model: String,
    pub display_name: String,
    pub maker: String,
    /// Whether the model's software can be updated (EN 303 645 4.3-8 when false).
    pub updatable: bool,
    pub support: SupportPeriod,
    /// Present exactly when `updatable` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_updatable: Option<NonUpdatable>,
    pub sensors: Vec<Sensor>,
    pub data_use: DataUse,
    /// The telemetry manifest: the only fields the vendor accepts from this model.
    pub telemetry: Vec<TelemetryField>,
}

/// How long the model receives security updates (EN 303 645 4.3-4, 4.3-9 [5.3-13]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportPeriod {
    /// Last day of security support (inclusive), ISO 8601 `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub end_date: time::Date,
    /// Short plain-language policy in every [`REQUIRED_LOCALES`] locale.
    pub policy: Localized,
}

/// Why a model cannot be updated and what the maker does about it (EN 303 645 4.3-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonUpdatable {
    pub rationale: Localized,
    pub replacement_plan: Localized,
    pub isolation_advice: Localized,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensor {
    /// What it measures, e.g. `temperature`.
    pub kind: String,
    /// Unit of its readings, e.g. `°C`.
    pub unit: String,
    pub description: Localized,
}

/// Data-use statement (EN 303 645 4.8-1 [6-1]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataUse {
    /// Who is responsible for the data (the controller).
    pub controller: String,
    /// Personal data the model or the service processes, in plain words (may be empty).
    pub personal_data: Vec<String>,
    /// What is done with it, by whom, for what, in every [`REQUIRED_LOCALES`] locale.
    pub statement: Localized,
}

/// One field of the telemetry manifest (EN 303 645 4.10-1..3 [5.10, 6-5]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryField {
    /// `[a-z][a-z0-9_]{0,47}`, unique within the manifest.
    pub name: String,
    pub description: Localized,
    pub purpose: String,
    pub recipient: String,
    pub retention_days: u32,
    pub personal: bool,
    /// How the value is minimised or anonymised before and after it leaves the device.
    pub anonymisation: String,
    pub value: FieldKind,
    /// Set when the vendor examines this field for anomalies (EN 303 645 4.10-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<AnomalySignal>,
}

/// Type and bounds of a telemetry value; anything else is refused at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    Integer { min: i64, max: i64 },
    Text { max_len: u32 },
    Boolean,
}

/// Security events devices count and report, examined by the vendor across reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalySignal {
    /// Failed pairing attempts (EN 303 645 4.1 lockout counter).
    FailedPairing,
    /// Firmware or storage integrity check failures (EN 303 645 4.7-1).
    IntegrityFailure,
}

/// Largest string accepted anywhere in an entry.
const MAX_TEXT: usize = 2000;

impl DeviceModel {
    /// Checks every invariant an app relies on.
    ///
    /// # Errors
    /// [`WireError::InvalidCatalogueEntry`] naming the first broken rule.
    pub fn validate(&self) -> Result<(), WireError> {
        let bad = |what: String| Err(WireError::InvalidCatalogueEntry(what));
        if !is_model_id(&self.model) {
            return bad(format!(
                "model id {:?} is not [a-z0-9-]{{1,64}}",
                self.model
            ));
        }
        for (what, text) in [
            ("display_name", &self.display_name),
            ("maker", &self.maker),
            ("data_use.controller", &self.data_use.controller),
        ] {
            if text.trim().is_empty() || text.len() > MAX_TEXT {
                return bad(format!("{what} is empty or too long"));
            }
        }
        require_all_locales("support.policy", &self.support.policy)?;
        require_all_locales("data_use.statement", &self.data_use.statement)?;
        match (self.updatable, &self.non_updatable) {
            (true, Some(_)) => return bad("an updatable model has a non_updatable section".into()),
            (false, None) => {
                return bad("a non-updatable model lacks rationale and replacement plan".into());
            }
            (false, Some(n)) => {
                require_all_locales("non_updatable.rationale", &n.rationale)?;
                require_all_locales("non_updatable.replacement_plan", &n.replacement_plan)?;
                require_all_locales("non_updatable.isolation_advice", &n.isolation_advice)?;
            }
            (true, None) => {}
        }
        for s in &self.sensors {
            require_english("sensor description", &s.description)?;
        }
        let mut names = BTreeSet::new();
        for f in &self.telemetry {
            if !is_field_name(&f.name) {
                return bad(format!(
                    "telemetry field {:?} is not [a-z][a-z0-9_]{{0,47}}",
                    f.name
                ));
            }
            if !names.insert(f.name.as_str()) {
                return bad(format!("telemetry field {:?} is declared twice", f.name));
            }
            require_english(&f.name, &f.description)?;
            for (what, text) in [
                ("purpose", &f.purpose),
                ("recipient", &f.recipient),
                ("anonymisation", &f.anonymisation),
            ] {
                if text.trim().is_empty() || text.len() > MAX_TEXT {
                    return bad(format!("telemetry field {:?}: {what} is empty", f.name));
                }
            }
            if f.retention_days == 0 {
                return bad(format!("telemetry field {:?}: retention is zero", f.name));
            }
            match f.value {
                FieldKind::Integer { min, max } if min > max => {
                    return bad(format!("telemetry field {:?}: min > max", f.name));
                }
                FieldKind::Text { max_len } if max_len == 0 || max_len as usize > MAX_TEXT => {
                    return bad(format!("telemetry field {:?}: bad max_len", f.name));
                }
                _ => {}
            }
            if f.signal.is_some() && !matches!(f.value, FieldKind::Integer { min: 0.., .. }) {
                return bad(format!(
                    "telemetry field {:?}: an anomaly signal must be a non-negative count",
                    f.name
                ));
            }
        }
        Ok(())
    }

    /// The manifest field called `name`, if declared.
    pub fn field(&self, name: &str) -> Option<&TelemetryField> {
        self.telemetry.iter().find(|f| f.name == name)
    }
}

fn require_all_locales(what: &str, text: &Localized) -> Result<(), WireError> {
    for locale in REQUIRED_LOCALES {
        match text.get(locale) {
            Some(t) if !t.trim().is_empty() && t.len() <= MAX_TEXT => {}
            _ => {
                return Err(WireError::InvalidCatalogueEntry(format!(
                    "{what} lacks a text in locale {locale:?}"
                )));
            }
        }
    }
    Ok(())
}

fn require_english(what: &str, text: &Localized) -> Result<(), WireError> {
    match text.get("en") {
        Some(t) if !t.trim().is_empty() && text.values().all(|t| t.len() <= MAX_TEXT) => Ok(()),
        _ => Err(WireError::InvalidCatalogueEntry(format!(
            "{what}: description lacks English text"
        ))),
    }
}

/// `[a-z0-9-]{1,64}`.
pub fn is_model_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `[a-z][a-z0-9_]{0,47}`.
pub fn is_field_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase())
        && s.len() <= 48
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
