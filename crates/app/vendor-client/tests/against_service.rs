//! The client against the real vendor service over TLS on loopback, and against fakes (same
//! TLS set-up) that misbehave on purpose.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use axum_server::tls_rustls::RustlsConfig;
use hearth_testkit::in_process::InProcessVendor;
use hearth_vendor_api::WireError;
use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_api::telemetry::TelemetryReport;
use hearth_vendor_client::backoff::{JitterSource, RetryPolicy, Sleeper};
use hearth_vendor_client::{ClientError, ClientSettings, VendorClient};
use hearth_vendor_service::RunningServer;
use hearth_vendor_service::catalogue::{Catalogue, CatalogueKey};
use hearth_vendor_service::init::CA_COMMON_NAME;
use hearth_vendor_service::pki::DemoCa;
use serde_json::json;
use time::OffsetDateTime;

/// Records requested waits and returns at once: retries are tested without sleeping.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<Duration>>);

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().expect("lock").clone()
    }
}

impl Sleeper for Recorder {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.0.lock().expect("lock").push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A deterministic, spread-out sequence (SplitMix64).
struct SplitMix(u64);

impl JitterSource for SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// One vendor's set-up (`hearth-vendor init`: its own CA, catalogue key, certificate).
type Setup = InProcessVendor;

fn setup() -> Setup {
    InProcessVendor::init()
}

/// The real service on a loopback port the kernel picks.
async fn serve_real(s: &Setup) -> RunningServer {
    s.serve().await
}

/// A fake vendor with the set-up's certificate, serving `router`.
async fn serve_fake(s: &Setup, router: Router) -> (u16, axum_server::Handle<std::net::SocketAddr>) {
    let tls = hearth_vendor_service::server::tls_config(&s.config).expect("tls config");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(Arc::new(tls)))
        .expect("server")
        .handle(handle.clone());
    tokio::spawn(server.serve(router.into_make_service()));
    (port, handle)
}

fn settings() -> ClientSettings {
    // Generous: CI runs these beside many other tests on two cores.
    ClientSettings {
        connect_timeout: Duration::from_secs(20),
        request_timeout: Duration::from_secs(30),
        max_response_bytes: 64 * 1024,
        retry: RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
        },
    }
}

fn client(
    profile: &VendorProfile,
    port: u16,
    settings: ClientSettings,
) -> (VendorClient, Arc<Recorder>) {
    let mut profile = profile.clone();
    profile.service_url = format!("https://127.0.0.1:{port}");
    let recorder = Arc::new(Recorder::default());
    let client =
        VendorClient::with_jitter(&profile, settings, Box::new(SplitMix(7)), recorder.clone())
            .expect("client builds");
    (client, recorder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn talks_to_the_real_service() {
    let s = setup();
    let server = serve_real(&s).await;
    let (c, recorder) = client(&s.profile, server.local_addr.port(), settings());

    assert_eq!(c.health().await.expect("health").status, "ok");
    let models = c.catalogue().await.expect("catalogue");
    assert_eq!(models.len(), 2);
    let plug = c.catalogue_entry("hearth-plug-1").await.expect("entry");
    assert!(plug.updatable);
    let contact = c.security_contact().await.expect("security.txt");
    assert!(contact.contacts.iter().any(|c| c.starts_with("mailto:")));
    assert_eq!(contact.preferred_languages, vec!["en", "de", "fr", "es"]);

    let grant = c
        .pseudonym("hearth-plug-1", "plug-42")
        .await
        .expect("pseudonym");
    let mut report = TelemetryReport {
        model: "hearth-plug-1".into(),
        pseudonym: grant.pseudonym,
        fields: [("pairing_failures".to_owned(), json!(2))].into(),
    };
    let accepted = c.send_telemetry(&report).await.expect("accepted");
    assert_eq!(accepted.stored_fields, 1);
    report.fields.insert("location".into(), json!("kitchen"));
    // Only the refusals below are under test: on a loaded machine an earlier request
    // may time out and be retried, which is the client doing its job.
    let waits_before_refusals = recorder.waits().len();
    match c.send_telemetry(&report).await {
        Err(ClientError::Rejected {
            status: 422, code, ..
        }) => {
            assert_eq!(code, "telemetry.undeclared_field");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    match c.catalogue_entry("no-such-model").await {
        Err(ClientError::Rejected { status: 404, .. }) => {}
        other => panic!("expected 404, got {other:?}"),
    }
    assert_eq!(
        recorder.waits().len(),
        waits_before_refusals,
        "refusals are not retried"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_another_ca_is_refused() {
    let s = setup();
    let server = serve_real(&s).await;
    let now = OffsetDateTime::now_utc();
    let other = DemoCa::generate(
        "Someone Else CA",
        now - time::Duration::hours(1),
        now + time::Duration::days(30),
    )
    .expect("other CA");
    let mut profile = s.profile.clone();
    profile.ca_pem = other.cert_pem().to_owned();
    let (c, recorder) = client(&profile, server.local_addr.port(), settings());
    let err = c.health().await.expect_err("refused");
    assert!(matches!(err, ClientError::CertificateNotTrusted), "{err:?}");
    assert_eq!(err.code(), "vendor_client.certificate_not_trusted");
    assert!(
        recorder.waits().is_empty(),
        "a refused certificate is not retried"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_is_refused() {
    let s = setup();
    let dir = s.dir.path();
    let ca = DemoCa::from_pem(
        CA_COMMON_NAME,
        &std::fs::read_to_string(dir.join("ca.pem")).expect("ca"),
        &std::fs::read_to_string(dir.join("ca-key.pem")).expect("ca key"),
    )
    .expect("CA reloads");
    let now = OffsetDateTime::now_utc();
    let expired = ca
        .issue_server(
            &["localhost", "127.0.0.1"],
            now - time::Duration::days(30),
            now - time::Duration::days(1),
        )
        .expect("issue");
    std::fs::write(dir.join("server.pem"), &expired.cert_pem).expect("write cert");
    std::fs::write(dir.join("server-key.pem"), expired.key_pem.expose()).expect("write key");
    let server = serve_real(&s).await;
    let (c, _) = client(&s.profile, server.local_addr.port(), settings());
    let err = c.health().await.expect_err("refused");
    assert!(matches!(err, ClientError::CertificateExpired), "{err:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_catalogue_entry_is_refused() {
    let s = setup();
    let key = CatalogueKey::load(&s.config.catalogue.signing_key).expect("key");
    let catalogue = Catalogue::load(&s.config.catalogue.dir, &key).expect("catalogue");
    let mut entry = catalogue.get("hearth-plug-1").expect("plug").signed.clone();
    // A proxy extends the support period by two years.
    entry.entry["support"]["end_date"] = json!("2033-12-31");
    let body = serde_json::to_string(&entry).expect("json");
    let router = Router::new().route(
        "/v1/catalogue/hearth-plug-1",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let (port, handle) = serve_fake(&s, router).await;
    let (c, _) = client(&s.profile, port, settings());
    let err = c
        .catalogue_entry("hearth-plug-1")
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ClientError::Wire(WireError::BadSignature)),
        "{err:?}"
    );
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_responses_are_refused() {
    let s = setup();
    let router = Router::new()
        .route("/health", get(|| async { "x".repeat(1024 * 1024) }))
        .route(
            "/v1/catalogue",
            get(|| async { ([("content-type", "application/json")], r#"{"entries": 3}"#) }),
        )
        .route(
            "/v1/catalogue/hearth-plug-1",
            get(|| async { "<html>not json</html>" }),
        )
        .route("/.well-known/security.txt", get(|| async { "Hello\n" }));
    let (port, handle) = serve_fake(&s, router).await;
    let (c, recorder) = client(&s.profile, port, settings());
    assert!(matches!(
        c.health().await,
        Err(ClientError::ResponseTooLarge { limit: 65536 })
    ));
    assert!(matches!(
        c.catalogue().await,
        Err(ClientError::Malformed(_))
    ));
    assert!(matches!(
        c.catalogue_entry("hearth-plug-1").await,
        Err(ClientError::Malformed(_))
    ));
    assert!(matches!(
        c.security_contact().await,
        Err(ClientError::Malformed(_))
    ));
    assert!(recorder.waits().is_empty());
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_are_retried_with_capped_jittered_backoff() {
    let s = setup();
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let router = Router::new()
        .route(
            "/health",
            get(move || {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 2 {
                        (StatusCode::SERVICE_UNAVAILABLE, String::new())
                    } else {
                        (
                            StatusCode::OK,
                            r#"{"status":"ok","database":"sqlite","catalogue_entries":2}"#.into(),
                        )
                    }
                }
            }),
        )
        .route("/v1/catalogue", get(|| async { StatusCode::BAD_GATEWAY }));
    let (port, handle) = serve_fake(&s, router).await;
    let policy = settings().retry;

    let (c, recorder) = client(&s.profile, port, settings());
    assert_eq!(
        c.health().await.expect("third attempt succeeds").status,
        "ok"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let waits = recorder.waits();
    assert_eq!(waits.len(), 2);
    for (n, w) in waits.iter().enumerate() {
        assert!(
            *w <= policy.ceiling(u32::try_from(n).expect("small")),
            "wait {n} = {w:?}"
        );
    }

    let (c, recorder) = client(&s.profile, port, settings());
    assert!(matches!(
        c.catalogue().await,
        Err(ClientError::ServerUnavailable { status: 502 })
    ));
    let waits = recorder.waits();
    assert_eq!(waits.len(), 3, "max_attempts 4 means 3 waits");
    assert!(waits.iter().all(|w| *w <= policy.cap));
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out() {
    let s = setup();
    let router = Router::new().route("/health", get(std::future::pending::<String>));
    let (port, handle) = serve_fake(&s, router).await;
    let mut settings = settings();
    settings.request_timeout = Duration::from_millis(300);
    settings.retry.max_attempts = 2;
    let (c, recorder) = client(&s.profile, port, settings);
    let err = c.health().await.expect_err("times out");
    assert!(matches!(err, ClientError::Timeout), "{err:?}");
    assert_eq!(recorder.waits().len(), 1, "a timeout is retried");
    handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_report_keeps_its_idempotency_key() {
    let s = setup();
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = keys.clone();
    let router = Router::new().route(
        "/v1/telemetry",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let mut keys = seen.lock().expect("lock");
                keys.push(key);
                if keys.len() == 1 {
                    (StatusCode::SERVICE_UNAVAILABLE, String::new())
                } else {
                    (
                        StatusCode::CREATED,
                        r#"{"report_id":"r1","stored_fields":1}"#.to_owned(),
                    )
                }
            }
        }),
    );
    let (port, handle) = serve_fake(&s, router).await;
    let (c, recorder) = client(&s.profile, port, settings());
    let report = TelemetryReport {
        model: "hearth-plug-1".into(),
        pseudonym: "0".repeat(32),
        fields: [("pairing_failures".to_owned(), json!(1))].into(),
    };
    c.send_telemetry(&report).await.expect("accepted on retry");
    let keys = keys.lock().expect("lock").clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].len(), 32);
    assert_eq!(keys[0], keys[1], "the retry repeats the key");
    assert_eq!(recorder.waits().len(), 1);
    handle.shutdown();
}
