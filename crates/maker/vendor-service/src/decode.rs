//! Decoding of request input, strictly (EN 303 645 4.13-1): a body is read only as a JSON
//! object sent as `application/json`, with no unknown or repeated members; the admin token only
//! as exactly `Bearer <token>`; the query only with the parameters a route declares. Each
//! refusal is a [`Refusal`] with its own code. Pure functions on bytes and headers, so the
//! fuzz targets (`fuzz/`) drive them without a server.

use std::collections::BTreeMap;

use hearth_vendor_api::telemetry::{PseudonymRequest, TelemetryReport};
use http::{HeaderMap, header};
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::refusal::Refusal;

/// The body as `T`, if it is a JSON object sent as `application/json` (`charset=utf-8`
/// allowed).
///
/// # Errors
/// [`Refusal::UnsupportedMediaType`] for another or no `Content-Type`;
/// [`Refusal::MalformedBody`] for anything but an object of `T`'s members — serde would
/// otherwise also read a struct from a JSON array of its values.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Refusal> {
    if !is_json_media_type(headers) {
        return Err(Refusal::UnsupportedMediaType);
    }
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(Refusal::MalformedBody("expected a JSON object".into()));
    }
    serde_json::from_slice(body).map_err(|e| Refusal::MalformedBody(e.to_string()))
}

fn is_json_media_type(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|param| {
        param.split_once('=').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("charset")
                && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
    })
}

/// `POST /v1/telemetry/pseudonym`.
///
/// # Errors
/// As [`json_body`]; [`Refusal::InvalidDeviceId`] unless the id is 1 to 128 printable ASCII
/// characters.
pub fn pseudonym_request(headers: &HeaderMap, body: &[u8]) -> Result<PseudonymRequest, Refusal> {
    let request: PseudonymRequest = json_body(headers, body)?;
    let id = &request.device_id;
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Refusal::InvalidDeviceId);
    }
    Ok(request)
}

/// `POST /v1/telemetry`, before the manifest check ([`crate::intake::validate_report`]).
///
/// # Errors
/// As [`json_body`], and [`Refusal::MalformedBody`] for a field named twice (JSON parsers
/// disagree on which one wins, so the service takes neither).
pub fn telemetry_report(headers: &HeaderMap, body: &[u8]) -> Result<TelemetryReport, Refusal> {
    let report: ReportBody = json_body(headers, body)?;
    Ok(TelemetryReport {
        model: report.model,
        pseudonym: report.pseudonym,
        fields: report.fields.0,
    })
}

/// [`TelemetryReport`] with `fields` read by [`UniqueMembers`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    model: String,
    pseudonym: String,
    fields: UniqueMembers,
}

/// A JSON object whose member names are all different.
struct UniqueMembers(BTreeMap<String, Value>);

impl<'de> Deserialize<'de> for UniqueMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = UniqueMembers;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of fields, each named once")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueMembers, A::Error> {
                let mut fields = BTreeMap::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if fields.contains_key(&name) {
                        let shown: String = name.chars().take(64).collect();
                        return Err(serde::de::Error::custom(format!(
                            "field {shown:?} appears twice"
                        )));
                    }
                    fields.insert(name, value);
                }
                Ok(UniqueMembers(fields))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// The token of `Authorization: Bearer <token>` (RFC 6750 §2.1): one header, the scheme in
/// any case, one space, then a `b64token` — nothing around it. `None` for anything else, so a
/// token with spaces or tabs around it is not "trimmed into" the right one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    let (scheme, token) = value.to_str().ok()?.split_once(' ')?;
    let body = token.trim_end_matches('=');
    let b64token = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    (scheme.eq_ignore_ascii_case("bearer") && b64token).then_some(token)
}

/// `Idempotency-Key`: absent, or 1 to 64 of `[A-Za-z0-9_-]`.
///
/// # Errors
/// [`Refusal::InvalidIdempotencyKey`].
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    let mut values = headers.get_all("idempotency-key").iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| Refusal::InvalidIdempotencyKey)?;
    let valid = values.next().is_none()
        && !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(Some(key.to_owned()))
    } else {
        Err(Refusal::InvalidIdempotencyKey)
    }
}

/// Longest anomaly window a caller may ask for (30 days).
pub const MAX_WINDOW_SECS: i64 = 30 * 86_400;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnomalyQuery {
    window_secs: Option<i64>,
}

/// `GET /v1/anomalies[?window_secs=N]`: the window, `default` when not given.
///
/// # Errors
/// [`Refusal::MalformedQuery`] for another parameter, a repeated one or a non-integer;
/// [`Refusal::InvalidQuery`] for a window outside 1 s to 30 days.
pub fn anomaly_window(query: Option<&str>, default: i64) -> Result<i64, Refusal> {
    let query: AnomalyQuery =
        serde_urlencoded::from_str(query.unwrap_or("")).map_err(|_| Refusal::MalformedQuery)?;
    let window = query.window_secs.unwrap_or(default);
    if (1..=MAX_WINDOW_SECS).contains(&window) {
        Ok(window)
    } else {
        Err(Refusal::InvalidQuery("window_secs"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn json() -> HeaderMap {
        headers(&[("content-type", "application/json")])
    }

    #[test]
    fn only_json_media_types_are_read() {
        let body = br#"{"model":"m","device_id":"d"}"#;
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
        ] {
            let h = headers(&[("content-type", ok)]);
            assert!(pseudonym_request(&h, body).is_ok(), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/json; charset=latin1",
            "application/jsonx",
            "application/json; q=1",
        ] {
            let h = headers(&[("content-type", bad)]);
            assert_eq!(
                pseudonym_request(&h, body).expect_err(bad).code(),
                "request.unsupported_media_type"
            );
        }
        let none = HeaderMap::new();
        assert_eq!(
            pseudonym_request(&none, body).expect_err("none").code(),
            "request.unsupported_media_type"
        );
    }

    #[test]
    fn arrays_unknown_and_repeated_members_are_refused() {
        for body in [
            &br#"["hearth-plug-1","0123456789abcdef0123456789abcdef",{"uptime_hours":1}]"#[..],
            br#"{"model":"m","pseudonym":"p","fields":{"a":1,"a":2}}"#,
            br#"{"model":"m","pseudonym":"p","fields":{},"ip":"10.0.0.1"}"#,
            br#"{"model":"m","model":"n","pseudonym":"p","fields":{}}"#,
            b"",
        ] {
            let err = telemetry_report(&json(), body).expect_err("refused");
            assert_eq!(
                err.code(),
                "request.malformed_body",
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let ok = telemetry_report(
            &json(),
            br#" {"model":"m","pseudonym":"p","fields":{"a":1}}"#,
        )
        .expect("an object");
        assert_eq!(ok.fields.len(), 1);
    }

    #[test]
    fn bearer_tokens_are_taken_exactly() {
        assert_eq!(
            bearer_token(&headers(&[("authorization", "Bearer abc-._~+/==")])),
            Some("abc-._~+/==")
        );
        assert_eq!(
            bearer_token(&headers(&[("authorization", "bearer abc")])),
            Some("abc")
        );
        for bad in [
            "Bearer  abc",
            "Bearer abc ",
            "Bearer\tabc",
            "Bearer abc\t",
            "Bearer ",
            "Basic abc",
            "Bearer a b",
            "Bearer =",
        ] {
            assert_eq!(
                bearer_token(&headers(&[("authorization", bad)])),
                None,
                "{bad:?}"
            );
        }
        let two = headers(&[
            ("authorization", "Bearer abc"),
            ("authorization", "Bearer abc"),
        ]);
        assert_eq!(bearer_token(&two), None);
    }

    #[test]
    fn the_anomaly_query_takes_one_integer_parameter() {
        assert_eq!(anomaly_window(None, 900).expect("default"), 900);
        assert_eq!(
            anomaly_window(Some("window_secs=60"), 900).expect("given"),
            60
        );
        for bad in [
            "window_secs=abc",
            "window_secs=1&window_secs=2",
            "other=1",
            "window_secs=1.5",
        ] {
            assert_eq!(
                anomaly_window(Some(bad), 900).expect_err(bad).code(),
                "request.malformed_query"
            );
        }
        for out in ["window_secs=0", "window_secs=2592001"] {
            assert_eq!(
                anomaly_window(Some(out), 900).expect_err(out).code(),
                "request.invalid_query"
            );
        }
    }
}
