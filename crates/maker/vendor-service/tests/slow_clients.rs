//! Slow and hostile clients over real TLS on loopback (EN 303 645 4.9-1 resilience, 4.6
//! attack surface): the service lets go of connections that stall after the handshake, caps
//! what one client can hold, and keeps answering everyone else meanwhile.
//!
//! The limits are shortened in the config (1 s), so each test waits a second or two. Nothing
//! sleeps: every wait is for the server to close the connection or answer, under a bound.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::Harness;
use common::raw::{H2, HTTP1, RawClient, partial_post, wait_closed};
use hearth_vendor_api::telemetry::ErrorBody;
use hearth_vendor_service::Config;
use tokio::io::AsyncWriteExt as _;

/// The shortened timeouts of these tests.
const LIMIT: Duration = Duration::from_secs(1);
/// What the assertions allow beyond a limit on a loaded two-core machine.
const SLACK: Duration = Duration::from_millis(1500);
/// How long a test waits before it calls a connection held.
const BOUND: Duration = Duration::from_secs(8);

fn short_limits(config: &mut Config) {
    let ms = u64::try_from(LIMIT.as_millis()).expect("fits");
    let limits = &mut config.limits;
    limits.tls_handshake_ms = ms;
    limits.header_read_ms = ms;
    limits.body_read_ms = ms;
    limits.idle_ms = ms;
    limits.request_ms = 3 * ms;
}

async fn start(edit: impl FnOnce(&mut Config)) -> (Harness, RawClient) {
    let h = Harness::start_with(None, edit).await;
    let ca = std::fs::read_to_string(h.dir.path().join("ca.pem")).expect("CA readable");
    let raw = RawClient::new(&ca, h.server.local_addr);
    (h, raw)
}

async fn health_ok(h: &Harness) {
    let r = h.client.get(h.url("/health")).send().await.expect("health");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

fn error_code(response_text: &str) -> String {
    let body = response_text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body);
    serde_json::from_str::<ErrorBody>(body)
        .unwrap_or_else(|e| panic!("not an error body ({e}): {response_text}"))
        .code
}

fn held(what: &str, received: &[u8]) -> ! {
    panic!(
        "{what}: the connection was still open after {BOUND:?}; the server had sent {:?}",
        String::from_utf8_lossy(received)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_408_and_closed_on_http1() {
    let (h, raw) = start(short_limits).await;
    let mut stalled = raw
        .tls_sent(partial_post("/v1/telemetry", 1000).as_bytes())
        .await
        .expect("request sent");
    health_ok(&h).await;
    let closed = wait_closed(&mut stalled, BOUND)
        .await
        .unwrap_or_else(|got| held("declared 1000 body bytes, sent 10", &got));
    assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    let text = closed.text();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(error_code(&text), "request.body_timeout");
    health_ok(&h).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_408_on_http2() {
    let (h, raw) = start(short_limits).await;
    let tls = raw.tls(H2).await.expect("TLS with h2");
    let (send, connection) = h2::client::handshake(tls).await.expect("h2 handshake");
    let connection = tokio::spawn(connection);
    let mut send = send.ready().await.expect("h2 ready");
    let request = http::Request::post("https://localhost/v1/telemetry")
        .header("content-type", "application/json")
        .header("content-length", "1000")
        .body(())
        .expect("request");
    let (response, mut body) = send.send_request(request, false).expect("request sent");
    body.send_data(Bytes::from_static(b"{\"model\":\""), false)
        .expect("10 bytes sent");
    let started = Instant::now();
    let response = tokio::time::timeout(BOUND, response)
        .await
        .unwrap_or_else(|_| held("h2: declared 1000 body bytes, sent 10", b""))
        .expect("a response");
    assert!(started.elapsed() < LIMIT + SLACK, "{:?}", started.elapsed());
    assert_eq!(response.status(), http::StatusCode::REQUEST_TIMEOUT);
    let mut answer = response.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = answer.data().await {
        bytes.extend_from_slice(&chunk.expect("body chunk"));
    }
    let err: ErrorBody = serde_json::from_slice(&bytes).expect("error body");
    assert_eq!(err.code, "request.body_timeout");
    health_ok(&h).await;
    drop(send);
    connection.abort();
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_headers_are_closed() {
    let (h, raw) = start(short_limits).await;
    let mut stalled = raw
        .tls_sent(b"POST /v1/telemetry HTTP/1.1\r\nHost: localhost\r\nContent-")
        .await
        .expect("half a request sent");
    health_ok(&h).await;
    let closed = wait_closed(&mut stalled, BOUND)
        .await
        .unwrap_or_else(|got| held("half-sent headers", &got));
    assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_on_http1() {
    let (h, raw) = start(short_limits).await;
    let mut idle = raw
        .tls_sent(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("request sent");
    let closed = wait_closed(&mut idle, BOUND)
        .await
        .unwrap_or_else(|got| held("idle keep-alive", &got));
    assert!(
        closed.text().starts_with("HTTP/1.1 200"),
        "{}",
        closed.text()
    );
    assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_on_http2() {
    let (h, raw) = start(short_limits).await;
    let tls = raw.tls(H2).await.expect("TLS with h2");
    let (send, connection) = h2::client::handshake(tls).await.expect("h2 handshake");
    let mut connection = tokio::spawn(connection);
    let mut send = send.ready().await.expect("h2 ready");
    let request = http::Request::get("https://localhost/health")
        .body(())
        .expect("request");
    let (response, _) = send.send_request(request, true).expect("request sent");
    let response = response.await.expect("response");
    assert_eq!(response.status(), http::StatusCode::OK);
    let idle_since = Instant::now();
    // `send` stays alive, so only the server can end the connection.
    let _ended_by_server = tokio::time::timeout(BOUND, &mut connection)
        .await
        .unwrap_or_else(|_| held("idle h2", b""))
        .expect("connection task");
    assert!(
        idle_since.elapsed() < LIMIT + SLACK,
        "{:?}",
        idle_since.elapsed()
    );
    drop(send);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_without_a_request_and_tcp_without_a_handshake_are_closed() {
    let (h, raw) = start(short_limits).await;
    let mut silent = raw.tls(HTTP1).await.expect("TLS handshake");
    let mut mute = raw.tcp().await.expect("TCP connect");
    health_ok(&h).await;
    let closed = wait_closed(&mut silent, BOUND)
        .await
        .unwrap_or_else(|got| held("TLS, no request", &got));
    assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    let closed = wait_closed(&mut mute, BOUND)
        .await
        .unwrap_or_else(|got| held("TCP, no ClientHello", &got));
    assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    h.stop().await;
}

/// Waiting for the first request is bounded by the header timeout, not the longer idle one,
/// whichever protocol the client picked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_request_must_come_within_the_header_timeout() {
    let (h, raw) = start(|config| {
        short_limits(config);
        config.limits.idle_ms = 60_000;
    })
    .await;
    for alpn in [HTTP1, H2] {
        let mut silent = raw.tls(alpn).await.expect("TLS handshake");
        let closed = wait_closed(&mut silent, BOUND)
            .await
            .unwrap_or_else(|got| held("TLS, no request, long idle timeout", &got));
        assert!(closed.after < LIMIT + SLACK, "held for {:?}", closed.after);
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_413_at_once_without_100_continue() {
    let (h, raw) = start(short_limits).await;
    let head = format!(
        "POST /v1/telemetry HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        hearth_vendor_service::routes::MAX_BODY + 1
    );
    let mut waiting = raw.tls_sent(head.as_bytes()).await.expect("head sent");
    let started = Instant::now();
    let closed = wait_closed(&mut waiting, BOUND)
        .await
        .unwrap_or_else(|got| held("Expect: 100-continue with too large a body", &got));
    let text = closed.text();
    assert!(!text.contains("100 Continue"), "{text}");
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(error_code(&text), "request.too_large");
    assert!(started.elapsed() < SLACK, "{:?}", started.elapsed());
    h.stop().await;
}

/// A request whose handler cannot finish (the database is locked by the test) is answered
/// within the total request timeout instead of after the database's own busy timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_cannot_finish_is_answered_within_the_total_timeout() {
    let (h, _raw) = start(short_limits).await;
    let db = h.db().await;
    let mut lock = db.acquire().await.expect("connection");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut *lock)
        .await
        .expect("lock");
    let started = Instant::now();
    let r = h
        .client
        .post(h.url("/v1/telemetry/pseudonym"))
        .json(&serde_json::json!({"model": "hearth-plug-1", "device_id": "plug-1"}))
        .send()
        .await
        .expect("answered");
    let took = started.elapsed();
    assert_eq!(r.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let err: ErrorBody = r.json().await.expect("error body");
    assert_eq!(err.code, "server.timeout");
    assert!(took < 3 * LIMIT + SLACK, "answered after {took:?}");
    sqlx::query("ROLLBACK")
        .execute(&mut *lock)
        .await
        .expect("unlock");
    drop(lock);
    db.close().await;
    h.stop().await;
}

fn client(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

/// One client (127.0.0.2) holds its share and no more; all clients together hold the total;
/// a freed slot is usable again; another client is answered throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_client_and_in_total() {
    let (h, raw) = start(|config| {
        short_limits(config);
        // Held connections must outlive the test's steps.
        config.limits.idle_ms = 60_000;
        config.limits.max_connections = 6;
        config.limits.max_connections_per_client = 3;
    })
    .await;
    let greedy = raw.connecting_from(client(2));
    let mut held_by_greedy = Vec::new();
    for _ in 0..3 {
        held_by_greedy.push(greedy.tls(HTTP1).await.expect("within the client's share"));
    }
    let started = Instant::now();
    let refused = greedy.tls(HTTP1).await;
    assert!(
        refused.is_err(),
        "a 4th connection from one client was accepted"
    );
    assert!(started.elapsed() < SLACK, "{:?}", started.elapsed());
    health_ok(&h).await;

    let other = raw.connecting_from(client(3));
    let mut held_by_other = vec![other.tls(HTTP1).await.expect("another client's first")];
    held_by_other.push(other.tls(HTTP1).await.expect("another client's second"));
    // 3 + 1 (the reqwest client) + 2 = the total of 6.
    assert!(
        other.tls(HTTP1).await.is_err(),
        "a connection beyond the total was accepted"
    );

    for mut c in held_by_greedy.drain(..) {
        c.shutdown().await.expect("close");
    }
    let started = Instant::now();
    loop {
        if other.tls(HTTP1).await.is_ok() {
            break;
        }
        assert!(
            started.elapsed() < BOUND,
            "freed slots were not given back within {BOUND:?}"
        );
        tokio::task::yield_now().await;
    }
    drop(held_by_other);
    h.stop().await;
}
