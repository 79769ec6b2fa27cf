//! Test harness: a fresh `init` in a temp folder, the real server on a loopback port over real
//! TLS, and a reqwest client (rustls on ring) that trusts only that folder's CA.

#![allow(dead_code)]

pub mod hardening;
pub mod keys;
pub mod postgres;
pub mod raw;
pub mod suite;

use std::sync::Arc;

use ed25519_dalek::VerifyingKey;
use hearth_vendor_service::clock::ManualClock;
use hearth_vendor_service::init::{InitOptions, VendorProfile, init};
use hearth_vendor_service::{Config, RunningServer, ServeOptions, start};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use sqlx::AnyPool;

/// 2027-01-15T08:00:00Z: the service's notion of "now" in tests (TLS validity uses the real
/// clock, which the certificates from `init` cover).
pub const T0: i64 = 1_800_000_000;

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub server: RunningServer,
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub catalogue_key: VerifyingKey,
    pub admin_token: String,
    pub database_url: String,
}

/// A reqwest client that trusts exactly one CA (PEM).
pub fn client_trusting(ca_pem: &str) -> reqwest::Client {
    client_builder(ca_pem).build().expect("client builds")
}

/// Like [`client_trusting`], connecting from another loopback address: another client.
pub fn client_from(ca_pem: &str, local: std::net::IpAddr) -> reqwest::Client {
    client_builder(ca_pem)
        .local_address(local)
        .build()
        .expect("client builds")
}

fn client_builder(ca_pem: &str) -> reqwest::ClientBuilder {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.expect("CA PEM parses"))
            .expect("CA is a valid trust anchor");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(std::time::Duration::from_secs(20))
}

impl Harness {
    /// Fresh set-up and server; SQLite in the temp folder unless `database_url` is given.
    pub async fn start(database_url: Option<String>) -> Self {
        Self::start_with(database_url, |_| {}).await
    }

    /// Like [`Harness::start`], with the config changed by `edit` before the server starts.
    pub async fn start_with(database_url: Option<String>, edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("hearth-vendor-test-")
            .tempdir()
            .expect("temp dir");
        let out = init(
            dir.path(),
            &InitOptions::demo(time::OffsetDateTime::now_utc()),
        )
        .expect("init succeeds");
        let mut config = Config::load(&out.config_path).expect("config loads");
        edit(&mut config);
        Self::serve(dir, config, database_url).await
    }

    /// A server on an existing set-up (after [`RunningServer::shutdown`] of an earlier one).
    pub async fn restart(dir: tempfile::TempDir, config: Config) -> Self {
        Self::serve(dir, config, None).await
    }

    async fn serve(dir: tempfile::TempDir, config: Config, database_url: Option<String>) -> Self {
        let database_url = database_url.unwrap_or_else(|| config.default_database_url());
        let clock = Arc::new(ManualClock::new(u64::try_from(T0).expect("after 1970")));
        let server = start(
            config.clone(),
            ServeOptions {
                database_url: Some(database_url.clone()),
                bind: Some(([127, 0, 0, 1], 0).into()),
                clock: clock.clone(),
            },
        )
        .await
        .expect("server starts");
        let profile: VendorProfile = serde_json::from_slice(
            &std::fs::read(dir.path().join("vendor-profile.json")).expect("profile readable"),
        )
        .expect("profile parses");
        let mut key = [0u8; 32];
        hex::decode_to_slice(&profile.catalogue_key, &mut key).expect("key hex");
        let catalogue_key = VerifyingKey::from_bytes(&key).expect("valid key");
        let admin_token = std::fs::read_to_string(dir.path().join("admin-token"))
            .expect("token readable")
            .trim()
            .to_owned();
        let base = format!("https://127.0.0.1:{}", server.local_addr.port());
        Self {
            client: client_trusting(&profile.ca_pem),
            dir,
            config,
            server,
            base,
            clock,
            catalogue_key,
            admin_token,
            database_url,
        }
    }

    /// A second instance with the same config, database and clock (as behind a load balancer).
    pub async fn another_instance(&self) -> (RunningServer, String) {
        let server = start(
            self.config.clone(),
            ServeOptions {
                database_url: Some(self.database_url.clone()),
                bind: Some(([127, 0, 0, 1], 0).into()),
                clock: self.clock.clone(),
            },
        )
        .await
        .expect("second instance starts");
        let base = format!("https://127.0.0.1:{}", server.local_addr.port());
        (server, base)
    }

    pub fn ca_pem(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ca.pem")).expect("CA readable")
    }

    /// Raw TLS connections to this server (clients that misbehave on purpose).
    pub fn raw(&self) -> raw::RawClient {
        raw::RawClient::new(&self.ca_pem(), self.server.local_addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }

    /// Direct access to the database, to check what was (not) stored.
    pub async fn db(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.database_url)
            .await
            .expect("test connects to the database")
    }
}
