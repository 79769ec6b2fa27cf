//! The world of the update client's tests: a repository published with `hearth-publish`
//! from the demo releases, served over HTTPS (rustls, a CA made with rcgen) or plain HTTP on
//! 127.0.0.1 at a port the server bound itself, and an injected clock.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::get;
use hearth_clock::ManualClock;
use hearth_publish::{Publisher, Release, Roles, Signer, Signers, demo};
use hearth_updates::{Limits, Source, Tls, UpdateClient, UpdateSettings};

/// 2030-01-01T00:00:00Z.
pub const T0: u64 = 1_893_456_000;
pub const HOUR: u64 = 3_600;
pub const DAY: u64 = 86_400;

/// The vendor's keys (in a real set-up: the root, targets and snapshot keys offline).
pub struct Keys {
    pub root: Vec<Signer>,
    pub targets: Signer,
    pub snapshot: Signer,
    pub timestamp: Signer,
}

impl Keys {
    pub fn signers(&self) -> Signers<'_> {
        Signers {
            targets: std::slice::from_ref(leak(&self.targets)),
            snapshot: std::slice::from_ref(leak(&self.snapshot)),
            timestamp: std::slice::from_ref(leak(&self.timestamp)),
        }
    }
}

/// A `&'a Signer` in a place that lives as long as the signer's owner is borrowed.
fn leak(signer: &Signer) -> &&Signer {
    Box::leak(Box::new(signer))
}

/// A published repository in a temporary folder.
pub struct Vendor {
    pub tmp: tempfile::TempDir,
    pub repo: PathBuf,
    pub keys_dir: PathBuf,
    pub keys: Keys,
    pub publisher: Publisher,
    pub bootstrap_root: Vec<u8>,
}

pub fn demo_releases() -> Vec<Release> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../maker/publish/demo");
    demo::releases(&root).expect("the demo releases load")
}

impl Vendor {
    /// A repository initialised at `T0`, nothing published.
    pub fn empty() -> Self {
        Self::empty_at(T0)
    }

    pub fn empty_at(now: u64) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let repo = tmp.path().join("repo");
        let keys_dir = tmp.path().join("keys");
        let k = |name: &str| Signer::generate(&keys_dir.join(name)).expect("key");
        let keys = Keys {
            root: vec![k("root-1.pk8"), k("root-2.pk8"), k("root-3.pk8")],
            targets: k("targets.pk8"),
            snapshot: k("snapshot.pk8"),
            timestamp: k("timestamp.pk8"),
        };
        let publisher = Publisher::new(&repo);
        let roles = Roles::standard(
            [
                keys.root[0].public(),
                keys.root[1].public(),
                keys.root[2].public(),
            ],
            keys.targets.public(),
            keys.snapshot.public(),
            keys.timestamp.public(),
        );
        publisher
            .init(&roles, &[&keys.root[0], &keys.root[1]], keys.signers(), now)
            .expect("init");
        let bootstrap_root = publisher.trusted_root().expect("root");
        Self {
            tmp,
            repo,
            keys_dir,
            keys,
            publisher,
            bootstrap_root,
        }
    }

    /// A repository with the demo's 0.2.0 published at `T0`.
    pub fn with_0_2_0() -> Self {
        let vendor = Self::empty();
        vendor.publish(&demo_releases()[0], T0);
        vendor
    }

    pub fn publish(&self, release: &Release, now: u64) {
        self.publisher
            .publish(release, self.keys.signers(), now)
            .expect("publish");
    }

    /// The file of target `name` as served.
    pub fn blob(&self, name: &str) -> PathBuf {
        let targets = current_targets(&self.repo);
        let sha = targets["signed"]["targets"][name]["hashes"]["sha256"]
            .as_str()
            .expect("a published target")
            .to_owned();
        self.repo.join("targets").join(format!("{sha}.{name}"))
    }

    /// A fresh folder for a client's store.
    pub fn store(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

/// The current targets metadata as JSON.
pub fn current_targets(repo: &Path) -> serde_json::Value {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(repo.join(name)).expect("read")).expect("json")
    };
    let ts = read("timestamp.json");
    let sv = ts["signed"]["meta"]["snapshot.json"]["version"]
        .as_u64()
        .expect("pin");
    let sn = read(&format!("{sv}.snapshot.json"));
    let tv = sn["signed"]["meta"]["targets.json"]["version"]
        .as_u64()
        .expect("pin");
    read(&format!("{tv}.targets.json"))
}

/// A test CA and the server's certificate for 127.0.0.1.
pub struct Pki {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

pub fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("CA");
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .expect("leaf params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).expect("key der");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .expect("server config");
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Pki {
        ca_pem: ca_cert.pem(),
        server: Arc::new(server),
    }
}

#[derive(Clone)]
struct Served {
    root: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
}

/// A static file server for a repository folder at `/tuf/`.
pub struct Server {
    /// `https://127.0.0.1:PORT/tuf` or `http://…`.
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

impl Server {
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }

    /// Stops answering: new connections are refused from here on.
    pub async fn stop(self) {
        self.handle.shutdown();
        // Waits for the listener to close, not a fixed time.
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            while tokio::net::TcpStream::connect(self.base_addr())
                .await
                .is_ok()
            {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(closed.is_ok(), "the server stops within 10 s");
    }

    fn base_addr(&self) -> String {
        let rest = self.base.split("://").nth(1).expect("scheme");
        rest.split('/').next().expect("authority").to_owned()
    }
}

async fn file(
    State(served): State<Served>,
    UrlPath(path): UrlPath<String>,
) -> (StatusCode, Vec<u8>) {
    served.requests.lock().expect("lock").push(path.clone());
    // Never the lock file, temporary files or anything outside the folder.
    if path.split('/').any(|p| p.is_empty() || p.starts_with('.')) {
        return (StatusCode::NOT_FOUND, Vec::new());
    }
    match tokio::fs::read(served.root.join(&path)).await {
        Ok(bytes) => (StatusCode::OK, bytes),
        Err(_) => (StatusCode::NOT_FOUND, Vec::new()),
    }
}

/// Serves `root` over HTTPS with `tls` (or plain HTTP with `None`) on 127.0.0.1, on a port
/// the listener bound itself.
pub fn serve(root: &Path, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let served = Served {
        root: root.to_owned(),
        requests: requests.clone(),
    };
    let router = Router::new()
        .route("/tuf/{*path}", get(file))
        .with_state(served);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let handle = axum_server::Handle::new();
    let scheme = match tls {
        Some(tls) => {
            let server = axum_server::from_tcp_rustls(
                listener,
                axum_server::tls_rustls::RustlsConfig::from_config(tls),
            )
            .expect("server")
            .handle(handle.clone());
            tokio::spawn(server.serve(router.into_make_service()));
            "https"
        }
        None => {
            let server = axum_server::from_tcp(listener)
                .expect("server")
                .handle(handle.clone());
            tokio::spawn(server.serve(router.into_make_service()));
            "http"
        }
    };
    Server {
        base: format!("{scheme}://127.0.0.1:{port}/tuf"),
        requests,
        handle,
    }
}

/// An app client of `vendor`'s repository at `server`, trusting `ca_pem`, with its store in
/// `store` and time from `clock`.
pub fn client(
    vendor: &Vendor,
    server: &Server,
    ca_pem: &str,
    store: &Path,
    clock: &ManualClock,
    limits: Limits,
) -> Result<UpdateClient, hearth_updates::UpdateError> {
    let mut source = Source::under(&server.base, Tls::PinnedCa(ca_pem.to_owned()));
    // Generous: CI runs these beside many other tests on two cores.
    source.connect_timeout = Duration::from_secs(20);
    source.request_timeout = Duration::from_secs(30);
    UpdateClient::open(
        UpdateSettings {
            source,
            bootstrap_root: vendor.bootstrap_root.clone(),
            store_dir: store.to_owned(),
            limits,
        },
        Arc::new(clock.clone()),
    )
}
