//! The body decoders of `POST /v1/telemetry/pseudonym` and `POST /v1/telemetry`, then the
//! manifest check, on any bytes under any of a few content types: never panic, accept only
//! JSON objects sent as JSON, and let through only values the manifest allows — printable
//! text within its length, integers within their bounds, declared fields once each.
//!
//! Inputs that are not a report rarely get past the shape checks, so the target also wraps
//! the input's JSON value (if any) as the `fields` of a well-formed report of each shipped
//! model, which reaches the manifest check without a corpus.
#![no_main]

use std::sync::OnceLock;

use hearth_vendor_api::DeviceModel;
use hearth_vendor_api::catalogue::FieldKind;
use hearth_vendor_service::{decode, intake, text};
use http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const CONTENT_TYPES: [Option<&str>; 5] = [
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    Some("application/json; charset=latin1"),
    None,
];

/// The models the service ships (`catalogue/`).
fn models() -> &'static [DeviceModel] {
    static MODELS: OnceLock<Vec<DeviceModel>> = OnceLock::new();
    MODELS.get_or_init(|| {
        [
            include_str!("../../catalogue/hearth-plug-1.toml"),
            include_str!("../../catalogue/hearth-sensor-0.toml"),
        ]
        .iter()
        .map(|text| toml::from_str(text).expect("shipped entry parses"))
        .collect()
    })
}

fn headers(content_type: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(t) = content_type {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(t).expect("valid"),
        );
    }
    headers
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| t.starts_with("application/json") && !t.contains("latin1"))
}

/// Decodes a report and checks every row the manifest check lets through.
fn report(headers: &HeaderMap, json_type: bool, body: &[u8]) {
    let Ok(report) = decode::telemetry_report(headers, body) else {
        return;
    };
    assert!(json_type, "a report read under another content type");
    assert_eq!(
        body.trim_ascii_start().first(),
        Some(&b'{'),
        "a report read from a non-object"
    );
    let Some(model) = models().iter().find(|m| m.model == report.model) else {
        return;
    };
    let Ok(rows) = intake::validate_report(model, &report, 0) else {
        return;
    };
    assert_eq!(rows.len(), report.fields.len());
    for row in &rows {
        let field = model
            .field(&row.name)
            .expect("only declared fields are stored");
        match (&field.value, &row.int_value, &row.text_value) {
            (FieldKind::Integer { min, max }, Some(i), None) => {
                assert!((*min..=*max).contains(i), "{} = {i}", row.name);
            }
            (FieldKind::Text { max_len }, None, Some(s)) => {
                assert!(s.chars().count() <= *max_len as usize);
                assert!(text::is_printable_text(s), "{:?} stored as printable", s);
            }
            (FieldKind::Boolean, Some(0 | 1), None) => {}
            other => panic!("{} stored as {other:?}", row.name),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let headers = headers(content_type);
    let json_type = is_json(content_type);

    if let Ok(request) = decode::pseudonym_request(&headers, body) {
        assert!(json_type);
        let id = request.device_id.as_bytes();
        assert!((1..=128).contains(&id.len()) && id.iter().all(u8::is_ascii_graphic));
    }
    report(&headers, json_type, body);

    let Ok(fields) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    for model in models() {
        let wrapped = json!({
            "model": model.model,
            "pseudonym": "0123456789abcdef0123456789abcdef",
            "fields": fields,
        });
        let bytes = serde_json::to_vec(&wrapped).expect("a Value serialises");
        report(&headers, json_type, &bytes);
    }
});
