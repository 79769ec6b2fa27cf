//! Checks from the outside (issue 14): throttled routes, strict input, typed refusals, and a
//! security.txt whose every URL answers. Run unchanged against SQLite and PostgreSQL.

use hearth_vendor_api::telemetry::ErrorBody;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row as _;

use super::raw::wait_closed;
use super::{Harness, client_from};

const PLUG: &str = "hearth-plug-1";

async fn count(h: &Harness, table: &str) -> i64 {
    let db = h.db().await;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"
    )))
    .fetch_one(&db)
    .await
    .expect("count");
    db.close().await;
    row.try_get("n").expect("n")
}

async fn error_of(r: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = r.status();
    let content_type = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = r.text().await.expect("body");
    assert!(
        content_type.starts_with("application/json"),
        "HTTP {status} came as {content_type:?}: {text:?}"
    );
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("HTTP {status}: not an error body ({e}): {text:?}"));
    assert!(
        !body.code.is_empty() && !body.message.is_empty(),
        "{body:?}"
    );
    (status, body)
}

async fn grant(client: &reqwest::Client, h: &Harness, device: &str) -> reqwest::Response {
    client
        .post(h.url("/v1/telemetry/pseudonym"))
        .json(&json!({"model": PLUG, "device_id": device}))
        .send()
        .await
        .expect("request")
}

async fn pseudonym(h: &Harness, device: &str) -> String {
    let r = grant(&h.client, h, device).await;
    assert_eq!(r.status(), StatusCode::OK);
    let grant: Value = r.json().await.expect("grant");
    grant["pseudonym"].as_str().expect("pseudonym").to_owned()
}

async fn post_report(h: &Harness, body: &Value) -> reqwest::Response {
    h.client
        .post(h.url("/v1/telemetry"))
        .json(body)
        .send()
        .await
        .expect("request")
}

/// Pseudonyms cost a row each and need no credential: one client gets a burst and then 429
/// (with Retry-After) until its bucket refills, while another client is still served.
pub async fn pseudonym_issuance_is_rate_limited_per_client(h: &Harness) {
    let mut issued = 0;
    let refused = loop {
        let r = grant(&h.client, h, &format!("flood-{issued}")).await;
        if r.status() != StatusCode::OK {
            break r;
        }
        issued += 1;
        assert!(
            issued <= 200,
            "200 new pseudonyms from one client, none refused"
        );
    };
    assert!(
        refused.headers().contains_key(reqwest::header::RETRY_AFTER),
        "{:?}",
        refused.headers()
    );
    let (status, body) = error_of(refused).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body.code, "request.rate_limited");
    assert_eq!(count(h, "pseudonyms").await, issued);

    let neighbour = client_from(&h.ca_pem(), [127, 0, 0, 2].into());
    assert_eq!(
        grant(&neighbour, h, "neighbour").await.status(),
        StatusCode::OK
    );

    h.clock.advance(3600);
    assert_eq!(grant(&h.client, h, "later").await.status(), StatusCode::OK);
}

/// Wrong admin tokens lock the client out, the right one included, until the bucket refills.
pub async fn admin_tokens_are_throttled_and_exact(h: &Harness) {
    let anomalies = |token: String| {
        h.client
            .get(h.url("/v1/anomalies"))
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"))
            .send()
    };
    for spaced in [
        format!(" {}", h.admin_token),
        format!("{} ", h.admin_token),
        format!("{}\t", h.admin_token),
    ] {
        let (status, body) = error_of(anomalies(spaced).await.expect("request")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a token with spaces");
        assert_eq!(body.code, "auth.unauthorized");
    }
    // No token and a malformed query: the token is checked first.
    let r = h
        .client
        .get(h.url("/v1/anomalies?window_secs=abc"))
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(r).await.0, StatusCode::UNAUTHORIZED);

    let mut wrong = 0;
    loop {
        let r = anomalies(format!("{wrong:064x}")).await.expect("request");
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        wrong += 1;
        assert!(
            wrong <= 50,
            "50 wrong admin tokens from one client, none throttled"
        );
    }
    let (status, body) = error_of(anomalies(h.admin_token.clone()).await.expect("request")).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "right token while locked out"
    );
    assert_eq!(body.code, "request.rate_limited");

    h.clock.advance(3600);
    let r = anomalies(h.admin_token.clone()).await.expect("request");
    assert_eq!(r.status(), StatusCode::OK);
}

/// Text that a person cannot see, or that turns the text around, is not "printable".
pub async fn invisible_and_direction_characters_are_refused(h: &Harness) {
    let p = pseudonym(h, "plug-text").await;
    for sneaky in [
        "1.0\u{202E}3",
        "1.0\u{200B}",
        "1.0\u{2028}3",
        "\u{FEFF}1.0.3",
    ] {
        let r = post_report(
            h,
            &json!({"model": PLUG, "pseudonym": p, "fields": {"firmware_version": sneaky}}),
        )
        .await;
        let (status, body) = error_of(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{sneaky:?}");
        assert_eq!(body.code, "telemetry.invalid_value", "{sneaky:?}");
    }
    assert_eq!(count(h, "telemetry_reports").await, 0);
    let r = post_report(
        h,
        &json!({"model": PLUG, "pseudonym": p, "fields": {"firmware_version": "1.0.3-beta"}}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// Only a JSON object with the declared members, sent as `application/json`, is a report.
pub async fn only_json_objects_of_the_declared_type_are_read(h: &Harness) {
    let p = pseudonym(h, "plug-shape").await;
    let array = json!([PLUG, p, {"pairing_failures": 1}]);
    let (status, body) = error_of(post_report(h, &array).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body.code, "request.malformed_body");

    let duplicate = format!(
        r#"{{"model":"{PLUG}","pseudonym":"{p}","fields":{{"pairing_failures":1,"pairing_failures":900}}}}"#
    );
    let r = h
        .client
        .post(h.url("/v1/telemetry"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(duplicate)
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(r).await.1.code, "request.malformed_body");

    let report = json!({"model": PLUG, "pseudonym": p, "fields": {"pairing_failures": 1}});
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut r = h
            .client
            .post(h.url("/v1/telemetry"))
            .body(report.to_string());
        if let Some(t) = content_type {
            r = r.header(reqwest::header::CONTENT_TYPE, t);
        }
        let (status, body) = error_of(r.send().await.expect("request")).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(body.code, "request.unsupported_media_type");
    }
    assert_eq!(count(h, "telemetry_reports").await, 0);
    let r = h
        .client
        .post(h.url("/v1/telemetry"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(report.to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400 — as typed JSON.
pub async fn http11_without_host_is_refused(h: &Harness) {
    let mut tls = h
        .raw()
        .tls_sent(b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")
        .await
        .expect("sent");
    let answer = wait_closed(&mut tls, std::time::Duration::from_secs(10))
        .await
        .unwrap_or_else(|got| panic!("no answer: {}", String::from_utf8_lossy(&got)))
        .text();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let err: ErrorBody = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(err.code, "request.missing_host");
}

/// Every refusal — axum's own rejections, unknown routes and methods included — is the same
/// `{code, message}` JSON.
pub async fn every_refusal_is_typed_json(h: &Harness) {
    let c = &h.client;
    let huge = "x".repeat(hearth_vendor_service::routes::MAX_BODY + 1);
    let cases = [
        (c.get(h.url("/no/such/route")), StatusCode::NOT_FOUND),
        (
            c.delete(h.url("/v1/telemetry")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            c.get(h.url("/v1/telemetry/pseudonym")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            c.post(h.url("/v1/telemetry"))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(huge),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            c.get(h.url("/v1/catalogue/%FF%FE")),
            StatusCode::BAD_REQUEST,
        ),
        (
            c.get(h.url("/v1/anomalies?window_secs=abc"))
                .bearer_auth(&h.admin_token),
            StatusCode::BAD_REQUEST,
        ),
        (
            c.get(h.url("/v1/anomalies?window_secs=1&window_secs=2"))
                .bearer_auth(&h.admin_token),
            StatusCode::BAD_REQUEST,
        ),
        (
            c.post(h.url("/v1/telemetry/pseudonym"))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body("{\"model\": \"hearth-plug-1\", \"device_id\": "),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (request, expected) in cases {
        let request = request.build().expect("request builds");
        let what = format!("{} {}", request.method(), request.url());
        let (status, body) = error_of(c.execute(request).await.expect("request")).await;
        assert_eq!(status, expected, "{what}: {body:?}");
    }
}

/// Every URL that security.txt names answers (RFC 9116 §2.5.3: a Contact must reach someone).
pub async fn every_url_in_security_txt_answers(h: &Harness) {
    let text = h
        .client
        .get(h.url("/.well-known/security.txt"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let mut fetched = 0;
    for line in text.lines() {
        let Some((field, value)) = line.split_once(": ") else {
            continue;
        };
        if let Some(address) = value.strip_prefix("mailto:") {
            assert!(address.contains('@'), "{line}");
            continue;
        }
        if !value.starts_with("https://") {
            continue;
        }
        let path = value
            .strip_prefix(h.config.public_url.as_str())
            .unwrap_or_else(|| panic!("{field} points outside the service: {value}"));
        let r = h.client.get(h.url(path)).send().await.expect("request");
        assert_eq!(r.status(), StatusCode::OK, "{field}: {value}");
        let page = r.text().await.expect("page");
        assert!(!page.trim().is_empty(), "{field}: {value} is empty");
        fetched += 1;
    }
    assert!(fetched >= 3, "Contact, Policy and Canonical: {text}");
}

/// What an anonymous client can make the service store is bounded: new pseudonyms per client
/// and period, and pseudonyms in total. Asking again for an issued one always works.
pub async fn anonymous_storage_is_bounded(database_url: Option<String>) {
    let h = Harness::start_with(database_url, |config| {
        let limits = &mut config.limits;
        limits.rates.pseudonyms.burst = 1000;
        limits.new_pseudonyms_per_client = 3;
        limits.max_pseudonyms = 5;
    })
    .await;
    let first = pseudonym(&h, "a-1").await;
    pseudonym(&h, "a-2").await;
    pseudonym(&h, "a-3").await;
    let r = grant(&h.client, &h, "a-4").await;
    assert!(r.headers().contains_key(reqwest::header::RETRY_AFTER));
    let (status, body) = error_of(r).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body.code, "telemetry.pseudonym_quota");
    assert_eq!(
        pseudonym(&h, "a-1").await,
        first,
        "an issued one is answered again"
    );

    let other = client_from(&h.ca_pem(), [127, 0, 0, 2].into());
    for device in ["b-1", "b-2"] {
        assert_eq!(grant(&other, &h, device).await.status(), StatusCode::OK);
    }
    let (status, body) = error_of(grant(&other, &h, "b-3").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body.code, "telemetry.capacity");
    assert_eq!(count(&h, "pseudonyms").await, 5);

    // After the period and its grace time the old rows expire and make room; the per-client
    // count starts again.
    let period = h.config.telemetry.pseudonym_period_secs;
    let grace = h.config.telemetry.pseudonym_grace_secs;
    let next = (super::T0.div_euclid(period) + 1) * period + grace;
    h.clock.set(u64::try_from(next).expect("after 1970"));
    assert_eq!(grant(&other, &h, "b-3").await.status(), StatusCode::OK);
    for device in ["a-4", "a-5", "a-6"] {
        assert_eq!(grant(&h.client, &h, device).await.status(), StatusCode::OK);
    }
    assert_eq!(count(&h, "pseudonyms").await, 4);
    h.stop().await;
}

/// A throttled request is refused only after its body is read, so the answer is not lost to
/// a reset and an HTTP/1.1 connection stays usable: two refused requests on one connection.
pub async fn a_throttled_request_leaves_the_connection_usable() {
    let h = Harness::start_with(None, |config| {
        config.limits.rates.pseudonyms.burst = 1;
    })
    .await;
    assert_eq!(grant(&h.client, &h, "first").await.status(), StatusCode::OK);
    let body = r#"{"model":"hearth-plug-1","device_id":"again"}"#;
    let request = format!(
        "POST /v1/telemetry/pseudonym HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut tls = h
        .raw()
        .tls_sent(format!("{request}{request}").as_bytes())
        .await
        .expect("two requests sent");
    // Read until both answers are in, under a bound; the connection stays open after them.
    let mut answer = String::new();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    while answer.matches("request.rate_limited").count() < 2 {
        let left = std::time::Duration::from_secs(10).saturating_sub(started.elapsed());
        match tokio::time::timeout(left, tokio::io::AsyncReadExt::read(&mut tls, &mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
            other => panic!("after {answer:?}: {other:?}"),
        }
    }
    assert_eq!(answer.matches("HTTP/1.1 429").count(), 2, "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    h.stop().await;
}
