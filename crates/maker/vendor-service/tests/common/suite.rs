//! The behaviour checks, run unchanged against SQLite and PostgreSQL.

use hearth_vendor_api::signature::{SignedCatalogue, SignedEntry};
use hearth_vendor_api::telemetry::{AnomalyList, ErrorBody, Health, PseudonymGrant};
use hearth_vendor_api::{DeviceModel, WireError};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row as _;

use super::{Harness, T0};

async fn get_json<T: serde::de::DeserializeOwned>(h: &Harness, path: &str) -> (StatusCode, T) {
    let r = h.client.get(h.url(path)).send().await.expect("request");
    let status = r.status();
    (status, r.json().await.expect("json body"))
}

async fn post(h: &Harness, base: &str, path: &str, body: &Value) -> reqwest::Response {
    h.client
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn pseudonym_at(h: &Harness, base: &str, model: &str, device: &str) -> PseudonymGrant {
    let r = post(
        h,
        base,
        "/v1/telemetry/pseudonym",
        &json!({"model": model, "device_id": device}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("grant")
}

async fn report(h: &Harness, base: &str, pseudonym: &str, fields: Value) -> reqwest::Response {
    post(
        h,
        base,
        "/v1/telemetry",
        &json!({"model": "hearth-plug-1", "pseudonym": pseudonym, "fields": fields}),
    )
    .await
}

async fn anomalies_at(h: &Harness, base: &str) -> AnomalyList {
    let r = h
        .client
        .get(format!("{base}/v1/anomalies"))
        .bearer_auth(&h.admin_token)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("anomaly list")
}

async fn count(h: &Harness, table: &str) -> i64 {
    let db = h.db().await;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"
    )))
    .fetch_one(&db)
    .await
    .expect("count");
    let n = row.try_get("n").expect("n");
    db.close().await;
    n
}

pub async fn health(h: &Harness) {
    let (status, health): (_, Health) = get_json(h, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health.status, "ok");
    let expected = if h.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(health.database, expected);
    assert_eq!(health.catalogue_entries, 2);
}

pub async fn catalogue_entries_verify(h: &Harness) {
    let (status, all): (_, SignedCatalogue) = get_json(h, "/v1/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    let models: Vec<DeviceModel> = all
        .entries
        .iter()
        .map(|e| e.verify(&h.catalogue_key).expect("entry verifies"))
        .collect();
    assert_eq!(models.len(), 2);

    let (status, plug): (_, SignedEntry) = get_json(h, "/v1/catalogue/hearth-plug-1").await;
    assert_eq!(status, StatusCode::OK);
    let plug = plug.verify(&h.catalogue_key).expect("plug verifies");
    assert!(plug.updatable);
    assert!(plug.field("pairing_failures").is_some());
    assert_eq!(plug.support.end_date.year(), 2031);

    let (_, sensor): (_, SignedEntry) = get_json(h, "/v1/catalogue/hearth-sensor-0").await;
    let sensor = sensor.verify(&h.catalogue_key).expect("sensor verifies");
    assert!(!sensor.updatable);
    let plan = sensor.non_updatable.expect("non-updatable section");
    for locale in ["en", "de", "fr", "es"] {
        assert!(plan.replacement_plan.contains_key(locale));
        assert!(sensor.support.policy.contains_key(locale));
    }

    let r = h
        .client
        .get(h.url("/v1/catalogue/no-such-model"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: ErrorBody = r.json().await.expect("error body");
    assert_eq!(body.code, "catalogue.unknown_model");
}

pub async fn tampered_entry_fails_verification(h: &Harness) {
    let text = h
        .client
        .get(h.url("/v1/catalogue/hearth-plug-1"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    // A proxy that re-serialises (reorders members, adds whitespace) changes no meaning.
    let value: Value = serde_json::from_str(&text).expect("json");
    let pretty = serde_json::to_string_pretty(&value).expect("pretty");
    let reformatted: SignedEntry = serde_json::from_str(&pretty).expect("entry");
    reformatted
        .verify(&h.catalogue_key)
        .expect("reformatting keeps the signature valid");

    // One that moves the end of support by a year does.
    let mut tampered: SignedEntry = serde_json::from_str(&text).expect("entry");
    tampered.entry["support"]["end_date"] = json!("2032-12-31");
    assert!(matches!(
        tampered.verify(&h.catalogue_key),
        Err(WireError::BadSignature)
    ));

    // So does one that quietly drops a telemetry field from the manifest.
    let mut dropped: SignedEntry = serde_json::from_str(&text).expect("entry");
    dropped.entry["telemetry"]
        .as_array_mut()
        .expect("telemetry array")
        .pop();
    assert!(matches!(
        dropped.verify(&h.catalogue_key),
        Err(WireError::BadSignature)
    ));

    // And a key other than the profile's is refused.
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    assert!(matches!(
        reformatted.verify(&other),
        Err(WireError::UnknownCatalogueKey)
    ));
}

pub async fn security_txt(h: &Harness) {
    let r = h
        .client
        .get(h.url("/.well-known/security.txt"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/plain; charset=utf-8")
    );
    let text = r.text().await.expect("body");
    let field = |name: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_owned)
            .collect()
    };
    assert!(field("Contact").iter().any(|c| c.starts_with("mailto:")));
    assert_eq!(
        field("Canonical"),
        vec![format!("{}/.well-known/security.txt", h.config.public_url)]
    );
    assert_eq!(
        field("Policy"),
        vec![format!("{}/security/policy", h.config.public_url)]
    );
    assert_eq!(
        field("Preferred-Languages"),
        vec!["en, de, fr, es".to_owned()]
    );
    let expires = field("Expires");
    assert_eq!(expires.len(), 1);
    let expires =
        time::OffsetDateTime::parse(&expires[0], &time::format_description::well_known::Rfc3339)
            .expect("RFC 3339 date")
            .unix_timestamp();
    assert!(expires > T0, "Expires lies in the future");
    assert!(
        expires - T0 < 365 * 86_400,
        "Expires is less than a year ahead"
    );

    // Computed from the clock, not frozen at start.
    h.clock.advance(86_400);
    let later = h
        .client
        .get(h.url("/.well-known/security.txt"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(!later.contains(&format!("Expires: {}", field("Expires")[0])));

    let policy = h
        .client
        .get(h.url("/security/policy"))
        .send()
        .await
        .expect("request");
    assert_eq!(policy.status(), StatusCode::OK);
}

pub async fn undeclared_field_rejected_and_not_stored(h: &Harness) {
    let grant = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0001").await;
    let r = report(
        h,
        &h.base,
        &grant.pseudonym,
        json!({"pairing_failures": 1, "wifi_ssid": "Home"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: ErrorBody = r.json().await.expect("error body");
    assert_eq!(body.code, "telemetry.undeclared_field");
    assert!(body.message.contains("wifi_ssid"));
    assert_eq!(count(h, "telemetry_reports").await, 0);
    assert_eq!(count(h, "telemetry_values").await, 0);

    // The same report without the undeclared field is accepted.
    let r = report(h, &h.base, &grant.pseudonym, json!({"pairing_failures": 1})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(count(h, "telemetry_values").await, 1);
}

pub async fn bad_requests_are_refused_with_codes(h: &Harness) {
    let grant = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0002").await;
    let cases = [
        (
            json!({"model": "hearth-plug-1", "pseudonym": grant.pseudonym, "fields": {"pairing_failures": -3}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "telemetry.invalid_value",
        ),
        (
            json!({"model": "hearth-plug-1", "pseudonym": "0123456789abcdef0123456789abcdef", "fields": {"pairing_failures": 1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "telemetry.unknown_pseudonym",
        ),
        (
            json!({"model": "hearth-plug-1", "pseudonym": grant.pseudonym, "fields": {"pairing_failures": 1}, "ip": "10.0.0.1"}),
            StatusCode::BAD_REQUEST,
            "request.malformed_body",
        ),
        (
            json!({"model": "hearth-sensor-0", "pseudonym": grant.pseudonym, "fields": {"pairing_failures": 1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "telemetry.unknown_pseudonym",
        ),
    ];
    for (body, status, code) in cases {
        let r = post(h, &h.base, "/v1/telemetry", &body).await;
        assert_eq!(r.status(), status, "{body}");
        let err: ErrorBody = r.json().await.expect("error body");
        assert_eq!(err.code, code, "{body}");
    }
    let huge = "x".repeat(hearth_vendor_service::routes::MAX_BODY + 1);
    let r = h
        .client
        .post(h.url("/v1/telemetry"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(h, "telemetry_reports").await, 0);
}

pub async fn pseudonyms_rotate(h: &Harness) {
    let period = h.config.telemetry.pseudonym_period_secs;
    let first = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0003").await;
    let again = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0003").await;
    assert_eq!(first.pseudonym, again.pseudonym, "stable within a period");
    let other = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0004").await;
    assert_ne!(first.pseudonym, other.pseudonym, "distinct per device");

    // The first second of the next period.
    h.clock
        .set(u64::try_from((first.period + 1) * period).expect("after 1970"));
    let next = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0003").await;
    assert_eq!(next.period, first.period + 1);
    assert_ne!(next.pseudonym, first.pseudonym, "rotates with the period");
    // The old key is erased once the new one exists: the old pseudonym can no longer be
    // recomputed from a device id.
    assert_eq!(count(h, "period_keys").await, 1);

    // Within the grace time the old pseudonym is still accepted, after it not.
    let r = report(h, &h.base, &first.pseudonym, json!({"uptime_hours": 5})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    h.clock
        .set(u64::try_from(first.valid_until + 1).expect("after 1970"));
    let r = report(h, &h.base, &first.pseudonym, json!({"uptime_hours": 6})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = report(h, &h.base, &next.pseudonym, json!({"uptime_hours": 6})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

pub async fn failed_pairing_burst_is_flagged(h: &Harness) {
    let attacked = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0005").await;
    let quiet = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0006").await;
    for _ in 0..3 {
        let r = report(
            h,
            &h.base,
            &attacked.pseudonym,
            json!({"pairing_failures": 4}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        h.clock.advance(60);
    }
    let r = report(h, &h.base, &quiet.pseudonym, json!({"pairing_failures": 2})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = report(
        h,
        &h.base,
        &quiet.pseudonym,
        json!({"integrity_failures": 1}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let list = anomalies_at(h, &h.base).await;
    let burst: Vec<_> = list
        .anomalies
        .iter()
        .filter(|a| a.kind == hearth_vendor_api::catalogue::AnomalySignal::FailedPairing)
        .collect();
    assert_eq!(burst.len(), 1, "{list:?}");
    assert_eq!(burst[0].pseudonym, attacked.pseudonym);
    assert_eq!(burst[0].total, 12);
    assert_eq!(burst[0].reports, 3);
    assert!(list.anomalies.iter().any(|a| {
        a.kind == hearth_vendor_api::catalogue::AnomalySignal::IntegrityFailure
            && a.pseudonym == quiet.pseudonym
    }));

    // Outside the window the burst is history.
    h.clock
        .advance(u64::try_from(h.config.telemetry.anomaly_window_secs + 1).expect("positive"));
    assert!(anomalies_at(h, &h.base).await.anomalies.is_empty());

    // The examination is for the vendor only.
    let r = h
        .client
        .get(h.url("/v1/anomalies"))
        .bearer_auth("not-the-token")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = h
        .client
        .get(h.url("/v1/anomalies"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

pub async fn no_ip_address_is_stored(h: &Harness) {
    let grant = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0007").await;
    let r = report(
        h,
        &h.base,
        &grant.pseudonym,
        json!({"firmware_version": "1.0.3", "pairing_failures": 0}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let db = h.db().await;
    for (table, columns) in [
        ("period_keys", "wrapped_hex"),
        ("pseudonyms", "pseudonym || ' ' || model"),
        (
            "telemetry_reports",
            "id || ' ' || model || ' ' || pseudonym",
        ),
        (
            "telemetry_values",
            "name || ' ' || COALESCE(text_value, '')",
        ),
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {columns} AS t FROM {table}"
        )))
        .fetch_all(&db)
        .await
        .expect("select");
        assert!(!rows.is_empty(), "{table} has rows");
        for row in rows {
            let text: String = row.try_get("t").expect("text");
            assert!(!text.contains("127.0.0.1"), "{table}: {text}");
            assert!(
                !text.contains("plug-0007"),
                "{table} holds the device id: {text}"
            );
        }
    }
    db.close().await;
}

pub async fn retried_report_is_stored_once(h: &Harness) {
    let grant = pseudonym_at(h, &h.base, "hearth-plug-1", "plug-0008").await;
    let body = json!({
        "model": "hearth-plug-1",
        "pseudonym": grant.pseudonym,
        "fields": {"pairing_failures": 6}
    });
    let send = |key: &'static str| {
        h.client
            .post(h.url("/v1/telemetry"))
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = send("4f1c2a9e-retry-key").await.expect("request");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: hearth_vendor_api::telemetry::TelemetryAccepted =
        first.json().await.expect("accepted");
    let again = send("4f1c2a9e-retry-key").await.expect("request");
    assert_eq!(again.status(), StatusCode::OK);
    let again: hearth_vendor_api::telemetry::TelemetryAccepted =
        again.json().await.expect("accepted");
    assert_eq!(first.report_id, again.report_id);
    assert_eq!(count(h, "telemetry_reports").await, 1);

    let bad = send("no spaces allowed").await.expect("request");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let err: ErrorBody = bad.json().await.expect("error body");
    assert_eq!(err.code, "request.invalid_idempotency_key");
    assert_eq!(count(h, "telemetry_reports").await, 1);
}
