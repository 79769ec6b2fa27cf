//! Telemetry intake: a report is checked field by field against the model's manifest before
//! anything is written (EN 303 645 4.10-1..3, 4.13-1 input validation).

use hearth_vendor_api::DeviceModel;
use hearth_vendor_api::catalogue::FieldKind;
use hearth_vendor_api::telemetry::TelemetryReport;
use serde_json::Value;

use crate::refusal::Refusal;

const SECONDS_PER_DAY: i64 = 86_400;

/// One telemetry value as stored, with the expiry its manifest retention gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredValue {
    pub name: String,
    pub int_value: Option<i64>,
    pub text_value: Option<String>,
    pub expires_at: i64,
}

/// Turns a report into rows, or refuses it whole.
///
/// # Errors
/// [`Refusal::EmptyReport`], [`Refusal::UndeclaredField`] for a field the manifest does not
/// declare, [`Refusal::InvalidValue`] for a value of the wrong type or out of bounds.
pub fn validate_report(
    model: &DeviceModel,
    report: &TelemetryReport,
    now: i64,
) -> Result<Vec<StoredValue>, Refusal> {
    if report.fields.is_empty() {
        return Err(Refusal::EmptyReport);
    }
    // Undeclared fields are reported before bad values so the message names the real problem.
    if let Some(name) = report.fields.keys().find(|n| model.field(n).is_none()) {
        return Err(Refusal::UndeclaredField {
            model: model.model.clone(),
            field: truncate(name),
        });
    }
    let mut values = Vec::with_capacity(report.fields.len());
    for (name, value) in &report.fields {
        let Some(field) = model.field(name) else {
            continue;
        };
        let invalid = |reason: String| Refusal::InvalidValue {
            field: name.clone(),
            reason,
        };
        let (int_value, text_value) = match (&field.value, value) {
            (FieldKind::Integer { min, max }, Value::Number(n)) => match n.as_i64() {
                Some(i) if (*min..=*max).contains(&i) => (Some(i), None),
                _ => return Err(invalid(format!("expected an integer in {min}..={max}"))),
            },
            (FieldKind::Text { max_len }, Value::String(s)) => {
                if s.chars().count() > *max_len as usize || !crate::text::is_printable_text(s) {
                    return Err(invalid(format!(
                        "expected at most {max_len} printable characters"
                    )));
                }
                (None, Some(s.clone()))
            }
            (FieldKind::Boolean, Value::Bool(b)) => (Some(i64::from(*b)), None),
            (kind, _) => return Err(invalid(format!("expected {}", kind_name(kind)))),
        };
        values.push(StoredValue {
            name: name.clone(),
            int_value,
            text_value,
            expires_at: now.saturating_add(i64::from(field.retention_days) * SECONDS_PER_DAY),
        });
    }
    Ok(values)
}

fn kind_name(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Integer { .. } => "an integer",
        FieldKind::Text { .. } => "a string",
        FieldKind::Boolean => "true or false",
    }
}

/// Field names come from the client; keep them short in error messages.
fn truncate(name: &str) -> String {
    name.chars().take(64).collect()
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;
    use crate::catalogue::SHIPPED_CATALOGUE;
    use serde_json::json;

    fn plug() -> DeviceModel {
        toml::from_str(SHIPPED_CATALOGUE[0].1).expect("shipped entry parses")
    }

    fn report(fields: Value) -> TelemetryReport {
        serde_json::from_value(json!({
            "model": "hearth-plug-1",
            "pseudonym": "00000000000000000000000000000000",
            "fields": fields,
        }))
        .expect("report shape")
    }

    #[test]
    fn declared_fields_become_rows_with_their_retention() {
        let rows = validate_report(
            &plug(),
            &report(json!({"pairing_failures": 3, "firmware_version": "1.0.0"})),
            1000,
        )
        .expect("valid");
        assert_eq!(rows.len(), 2);
        let fw = rows
            .iter()
            .find(|r| r.name == "firmware_version")
            .expect("fw row");
        assert_eq!(fw.expires_at, 1000 + 90 * 86_400);
        assert_eq!(fw.text_value.as_deref(), Some("1.0.0"));
    }

    #[test]
    fn undeclared_field_is_refused_even_next_to_valid_ones() {
        let err = validate_report(
            &plug(),
            &report(json!({"pairing_failures": 3, "wifi_ssid": "home"})),
            0,
        )
        .expect_err("refused");
        assert_eq!(err.code(), "telemetry.undeclared_field");
        assert!(err.to_string().contains("wifi_ssid"));
    }

    #[test]
    fn out_of_range_wrong_type_and_floats_are_refused() {
        for fields in [
            json!({"pairing_failures": -1}),
            json!({"pairing_failures": "3"}),
            json!({"max_temperature_c": 21.5}),
            json!({"firmware_version": "x".repeat(33)}),
        ] {
            let err = validate_report(&plug(), &report(fields), 0).expect_err("refused");
            assert_eq!(err.code(), "telemetry.invalid_value");
        }
    }

    #[test]
    fn empty_report_is_refused() {
        let err = validate_report(&plug(), &report(json!({})), 0).expect_err("refused");
        assert_eq!(err.code(), "telemetry.empty_report");
    }
}
