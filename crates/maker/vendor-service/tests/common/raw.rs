//! Raw TLS clients that misbehave on purpose — they stall mid-request, never send one, or hold
//! connections open — so tests can see when the server lets go. Real TCP on loopback, real
//! rustls (ring) trusting only the set-up's CA; no HTTP library in between, so nothing is sent
//! that the test did not write.
//!
//! Shared with `examples/slow_clients.rs`, which measures the same things against a running
//! service.

#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

pub const HTTP1: &[u8] = b"http/1.1";
pub const H2: &[u8] = b"h2";

/// Opens connections to one server from one local address (any of 127.0.0.0/8 on loopback, so
/// a test can play several clients).
#[derive(Clone)]
pub struct RawClient {
    roots: Arc<rustls::RootCertStore>,
    server: SocketAddr,
    local: IpAddr,
}

impl RawClient {
    pub fn new(ca_pem: &str, server: SocketAddr) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots
                .add(cert.expect("CA PEM parses"))
                .expect("CA is a valid trust anchor");
        }
        Self {
            roots: Arc::new(roots),
            server,
            local: IpAddr::from([127, 0, 0, 1]),
        }
    }

    /// The same server, connecting from `local` (another loopback address is another client).
    pub fn connecting_from(&self, local: IpAddr) -> Self {
        Self {
            local,
            ..self.clone()
        }
    }

    /// A TCP connection that has sent nothing.
    pub async fn tcp(&self) -> std::io::Result<TcpStream> {
        let socket = match self.local {
            IpAddr::V4(_) => TcpSocket::new_v4()?,
            IpAddr::V6(_) => TcpSocket::new_v6()?,
        };
        socket.bind(SocketAddr::new(self.local, 0))?;
        socket.connect(self.server).await
    }

    /// A finished TLS handshake offering only `alpn`.
    pub async fn tls(&self, alpn: &[u8]) -> std::io::Result<TlsStream<TcpStream>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .with_root_certificates(self.roots.clone())
            .with_no_client_auth();
        config.alpn_protocols = vec![alpn.to_vec()];
        let tcp = self.tcp().await?;
        let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
        TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
    }

    /// A TLS connection that has sent `bytes` and then stalls.
    pub async fn tls_sent(&self, bytes: &[u8]) -> std::io::Result<TlsStream<TcpStream>> {
        let mut tls = self.tls(HTTP1).await?;
        tls.write_all(bytes).await?;
        tls.flush().await?;
        Ok(tls)
    }
}

/// How a stalled connection ended.
#[derive(Debug)]
pub struct Closed {
    /// From the call of [`wait_closed`] to the end of the stream.
    pub after: Duration,
    /// Everything the server sent before it closed.
    pub received: Vec<u8>,
}

impl Closed {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.received).into_owned()
    }
}

/// Reads until the server closes the connection (end of stream or an error such as a reset),
/// or `bound` passes. `Err` holds what was received when the bound passed with the connection
/// still open.
pub async fn wait_closed<S: AsyncRead + Unpin>(
    stream: &mut S,
    bound: Duration,
) -> Result<Closed, Vec<u8>> {
    let start = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = bound.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return Err(received),
            Ok(Ok(0) | Err(_)) => {
                return Ok(Closed {
                    after: start.elapsed(),
                    received,
                });
            }
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// Request headers and the first 10 bytes of a body that will never be sent in full.
pub fn partial_post(path: &str, declared: usize) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {declared}\r\n\r\n{{\"model\":\""
    )
}
