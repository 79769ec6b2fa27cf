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
    /// Personal data the model or the service processes, one item per entry in plain words
    /// (may be empty). Each item needs English; the app falls back to it for other locales.
    pub personal_data: Vec<Localized>,
    /// What is done with it, by whom, for what, in every [`REQUIRED_LOCALES`] locale.
    pub statement: Localized,
}

/// One field of the telemetry manifest (EN 303 645 4.10-1..3 [5.10, 6-5]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryField {
    /// `[a-z][a-z0-9_]{0,47}`, unique within the manifest.
    pub name: String,
    /// What the value is, in plain words. Needs English, like every per-field text.
    pub description: Localized,
    /// Why the vendor collects it.
    pub purpose: Localized,
    /// Who receives it (the team or company, not a person).
    pub recipient: Localized,
    pub retention_days: u32,
    pub personal: bool,
    /// How the value is minimised or anonymised before and after it leaves the device.
    pub anonymisation: Localized,
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
        for (i, item) in self.data_use.personal_data.iter().enumerate() {
            require_english(&format!("data_use.personal_data[{i}]"), item)?;
        }
        for s in &self.sensors {
            require_english(&format!("sensor {:?} description", s.kind), &s.description)?;
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
            for (what, text) in [
                ("description", &f.description),
                ("purpose", &f.purpose),
                ("recipient", &f.recipient),
                ("anonymisation", &f.anonymisation),
            ] {
                require_english(&format!("telemetry field {:?}: {what}", f.name), text)?;
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

/// English is present, and no locale's text is blank or too long (a blank translation would
/// show an empty line instead of falling back to English).
fn require_english(what: &str, text: &Localized) -> Result<(), WireError> {
    let bad = |why: String| Err(WireError::InvalidCatalogueEntry(format!("{what} {why}")));
    if !text.contains_key("en") {
        return bad("lacks a text in locale \"en\"".into());
    }
    for (locale, t) in text {
        if t.trim().is_empty() || t.len() > MAX_TEXT {
            return bad(format!("is empty or too long in locale {locale:?}"));
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn all(text: &str) -> Value {
        json!({"en": text, "de": format!("{text} (de)"), "fr": format!("{text} (fr)"), "es": format!("{text} (es)")})
    }

    fn entry() -> Value {
        json!({
            "model": "test-plug-1",
            "display_name": "Test Plug",
            "maker": "Test Maker",
            "updatable": true,
            "support": {"end_date": "2030-01-31", "policy": all("Updates until 2030.")},
            "sensors": [{"kind": "temperature", "unit": "°C", "description": all("Heat.")}],
            "data_use": {
                "controller": "Test Maker",
                "personal_data": [all("When you switch it.")],
                "statement": all("Stays with you."),
            },
            "telemetry": [{
                "name": "pairing_failures",
                "description": all("Failed pairings."),
                "purpose": all("Detect guessing."),
                "recipient": all("Security team"),
                "retention_days": 30,
                "personal": false,
                "anonymisation": all("Count only."),
                "value": {"type": "integer", "min": 0, "max": 100},
                "signal": "failed_pairing"
            }]
        })
    }

    fn model(entry: Value) -> DeviceModel {
        serde_json::from_value(entry).expect("parses")
    }

    /// The rule the entry breaks, or `None` when it is valid.
    fn broken_rule(entry: Value) -> Option<String> {
        match model(entry).validate() {
            Ok(()) => None,
            Err(WireError::InvalidCatalogueEntry(why)) => Some(why),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn a_complete_entry_is_valid() {
        assert_eq!(broken_rule(entry()), None);
        let mut no_personal_data = entry();
        no_personal_data["data_use"]["personal_data"] = json!([]);
        assert_eq!(broken_rule(no_personal_data), None);
    }

    #[test]
    fn every_telemetry_text_is_localized() {
        let field = model(entry()).telemetry.remove(0);
        for text in [
            &field.description,
            &field.purpose,
            &field.recipient,
            &field.anonymisation,
        ] {
            assert_eq!(
                text.keys().map(String::as_str).collect::<Vec<_>>(),
                ["de", "en", "es", "fr"]
            );
        }
        assert_eq!(field.purpose["de"], "Detect guessing. (de)");
    }

    #[test]
    fn a_plain_string_where_text_per_locale_is_expected_does_not_parse() {
        for pointer in ["purpose", "recipient", "anonymisation"] {
            let mut e = entry();
            e["telemetry"][0][pointer] = json!("English only");
            assert!(
                serde_json::from_value::<DeviceModel>(e).is_err(),
                "{pointer} as a plain string"
            );
        }
        let mut e = entry();
        e["data_use"]["personal_data"] = json!(["English only"]);
        assert!(serde_json::from_value::<DeviceModel>(e).is_err());
    }

    #[test]
    fn telemetry_texts_need_english() {
        for what in ["description", "purpose", "recipient", "anonymisation"] {
            let mut e = entry();
            e["telemetry"][0][what]
                .as_object_mut()
                .expect("object")
                .remove("en");
            let why = broken_rule(e).unwrap_or_else(|| panic!("{what} without English"));
            assert!(
                why.contains(what) && why.contains("\"en\""),
                "{what}: {why}"
            );
        }
    }

    #[test]
    fn personal_data_and_sensor_descriptions_need_english() {
        let mut e = entry();
        e["data_use"]["personal_data"] = json!([all("One."), {"de": "Nur Deutsch."}]);
        let why = broken_rule(e).expect("item without English");
        assert!(why.contains("personal_data[1]"), "{why}");

        let mut e = entry();
        e["sensors"][0]["description"] = json!({"fr": "Chaleur."});
        let why = broken_rule(e).expect("sensor without English");
        assert!(why.contains("sensor \"temperature\""), "{why}");
    }

    #[test]
    fn a_blank_or_overlong_translation_is_refused() {
        let too_long = "x".repeat(MAX_TEXT + 1);
        for (text, locale) in [(" ", "de"), ("", "es"), (too_long.as_str(), "fr")] {
            for pointer in [
                "/telemetry/0/purpose",
                "/telemetry/0/recipient",
                "/telemetry/0/anonymisation",
                "/telemetry/0/description",
                "/data_use/personal_data/0",
                "/sensors/0/description",
            ] {
                let mut e = entry();
                e.pointer_mut(pointer).expect("pointer")[locale] = json!(text);
                let why = broken_rule(e)
                    .unwrap_or_else(|| panic!("{pointer} with {locale:?} = {text:?}"));
                assert!(why.contains(&format!("{locale:?}")), "{pointer}: {why}");
            }
        }
        // At the limit is still fine.
        let mut e = entry();
        e["telemetry"][0]["purpose"]["fr"] = json!("x".repeat(MAX_TEXT));
        assert_eq!(broken_rule(e), None);
    }

    #[test]
    fn promises_still_need_every_required_locale() {
        let mut e = entry();
        e["data_use"]["statement"]
            .as_object_mut()
            .expect("object")
            .remove("es");
        let why = broken_rule(e).expect("statement without Spanish");
        assert!(why.contains("data_use.statement"), "{why}");
    }
}
