//! Starting and stopping the HTTPS server (axum on axum-server, rustls with the ring provider).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::catalogue::{Catalogue, CatalogueKey};
use crate::clock::Clock;
use crate::config::Config;
use crate::connection::Gate;
use crate::db::{Database, redact_url};
use crate::error::StartError;
use crate::limits::Limits;
use crate::period_key::PeriodKeys;
use crate::routes::{AppState, router};

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct ServeOptions {
    /// `postgres://…` or `sqlite:…`; the config's SQLite file when `None`.
    pub database_url: Option<String>,
    /// Overrides the config's `listen`; port 0 picks a free port.
    pub bind: Option<SocketAddr>,
    pub clock: Arc<dyn Clock>,
}

/// A started server; stop it with [`RunningServer::shutdown`].
#[derive(Debug)]
pub struct RunningServer {
    pub local_addr: SocketAddr,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    db: Database,
}

/// Builds the TLS config: TLS 1.2/1.3 from rustls' safe defaults on the ring provider, ALPN h2
/// and http/1.1 (EN 303 645 4.5-1).
///
/// # Errors
/// [`StartError::Tls`] if the certificate or key files are unusable.
pub fn tls_config(config: &Config) -> Result<rustls::ServerConfig, StartError> {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(&config.tls.server_cert)
            .map_err(|e| StartError::Tls(format!("{}: {e}", config.tls.server_cert.display())))?
            .collect::<Result<_, _>>()
            .map_err(|e| StartError::Tls(format!("{}: {e}", config.tls.server_cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(&config.tls.server_key)
        .map_err(|e| StartError::Tls(format!("{}: {e}", config.tls.server_key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| StartError::Tls(e.to_string()))?;
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

/// Opens storage, loads and signs the catalogue, binds and starts serving.
///
/// # Errors
/// Any [`StartError`]: bad files, unreachable database, failed migration, address in use.
pub async fn start(config: Config, options: ServeOptions) -> Result<RunningServer, StartError> {
    let tls = tls_config(&config)?;
    let key = CatalogueKey::load(&config.catalogue.signing_key)?;
    let catalogue = Catalogue::load(&config.catalogue.dir, &key)?;
    let url = options
        .database_url
        .clone()
        .unwrap_or_else(|| config.default_database_url());
    if url.starts_with("sqlite:") {
        crate::files::prepare_sqlite(&config.data_dir, &url)?;
    }
    crate::files::restrict_secret(&config.tls.server_key)?;
    crate::files::restrict_secret(&config.catalogue.signing_key)?;
    let db = Database::open(&url).await?;
    let period_keys = PeriodKeys::open(&config.telemetry.period_key_wrap, &db).await?;
    let bind = options.bind.unwrap_or(config.listen);
    let listener = std::net::TcpListener::bind(bind)
        .map_err(|e| StartError::io(std::path::Path::new(&bind.to_string()), e))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| StartError::io(std::path::Path::new(&bind.to_string()), e))?;
    tracing::info!(
        %local_addr,
        database = %redact_url(&url),
        backend = db.backend().name(),
        catalogue_entries = catalogue.len(),
        catalogue_key = %hex::encode(key.verifying_key().as_bytes()),
        "vendor service listening"
    );
    let limits = config.limits.clone();
    let app = router(AppState::new(
        config,
        db.clone(),
        catalogue,
        period_keys,
        options.clock,
    ));
    let handle = Handle::new();
    // The gate runs before TLS: refused connections cost no handshake.
    let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(Arc::new(tls)))
        .handshake_timeout(limits.tls_handshake())
        .acceptor(Gate::new(&limits));
    let mut server = axum_server::from_tcp(listener)
        .map_err(|e| StartError::io(std::path::Path::new(&local_addr.to_string()), e))?
        .acceptor(acceptor)
        .first_request_timeout(limits.header_read())
        .handle(handle.clone());
    bound_protocols(server.http_builder(), &limits);
    let task = tokio::spawn(server.serve(app.into_make_service_with_connect_info::<SocketAddr>()));
    Ok(RunningServer {
        local_addr,
        handle,
        task,
        db,
    })
}

/// hyper's own bounds: the HTTP/1.1 header timeout, and buffers and streams small enough that
/// `max_connections` of them fit in memory. A request body is capped separately (`MAX_BODY`).
fn bound_protocols(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    limits: &Limits,
) {
    builder
        .http1()
        .header_read_timeout(limits.header_read())
        .max_buf_size(64 * 1024);
    builder
        .http2()
        .max_concurrent_streams(32)
        .max_header_list_size(32 * 1024);
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish (at most 10 s), closes the
    /// database pool.
    pub async fn shutdown(self) {
        self.handle.graceful_shutdown(Some(DRAIN_TIMEOUT));
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "server stopped with an error"),
            Err(e) => tracing::error!(error = %e, "server task failed"),
        }
        self.db.close().await;
        tracing::info!("vendor service stopped");
    }
}

/// Watches for ctrl-c or SIGTERM from the moment it is called (not from its first poll), and
/// resolves on either: called before [`start`], a SIGTERM that arrives right after the ready
/// line shuts the service down gracefully instead of killing it. Needs a tokio runtime.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let watched = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    async move {
        match watched {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => tracing::info!("ctrl-c received, shutting down"),
                    _ = term.recv() => tracing::info!("SIGTERM received, shutting down"),
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot listen for ctrl-c or SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    }
}
