//! Fetching the repository: our own `sigstore_tuf::Repository` over reqwest, so that every
//! fetch is bounded while it streams (a `max_length` the server cannot push past: TUF §5.2's
//! endless-data defence), failures keep their type (a foreign certificate is not "no
//! network"), and TLS is the vendor client's pinned-CA set-up.

use std::sync::Arc;
use std::time::Duration;

use hearth_vendor_client::ClientError;
use reqwest::{StatusCode, Url};
use sigstore_tuf::transport::{FetchFuture, Repository};

use crate::UpdateError;

/// How to reach the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// HTTPS, trusting only this CA (the vendor profile's `ca_pem`): the app and the CLI.
    PinnedCa(String),
    /// Plain HTTP to this machine only (127.0.0.1, ::1, localhost): the conformance client
    /// and benchmarks. Any other host is refused when the client is built.
    PlainLoopback,
}

/// Where the repository is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The metadata folder, e.g. `https://vendor.example/tuf/`.
    pub metadata_url: String,
    /// The targets folder, e.g. `https://vendor.example/tuf/targets/`.
    pub targets_url: String,
    pub tls: Tls,
    pub connect_timeout: Duration,
    /// Whole request, body included (slow-retrieval defence, TUF §5.2).
    pub request_timeout: Duration,
}

impl Source {
    /// The repository served under `base` (`…/tuf`): metadata there, targets in `targets/`.
    #[must_use]
    pub fn under(base: &str, tls: Tls) -> Self {
        let base = base.trim_end_matches('/');
        Self {
            metadata_url: format!("{base}/"),
            targets_url: format!("{base}/targets/"),
            tls,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A typed cause inside `sigstore_tuf::Error::Transport`, so the error mapping can tell a
/// capped metadata file from a lying target from a foreign certificate.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{name} is larger than {limit} bytes")]
    MetadataTooLarge { name: String, limit: u64 },
    #[error("{name} is longer than the {length} bytes its signed metadata gives")]
    TargetTooLong { name: String, length: u64 },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error(transparent)]
    Http(ClientError),
}

/// The repository over HTTP(S).
#[derive(Debug, Clone)]
pub struct HttpRepository {
    http: reqwest::Client,
    metadata: Url,
    targets: Url,
}

fn folder_url(text: &str, tls: &Tls) -> Result<Url, UpdateError> {
    let text = if text.ends_with('/') {
        text.to_owned()
    } else {
        format!("{text}/")
    };
    let url = Url::parse(&text)
        .map_err(|e| UpdateError::InvalidConfig(format!("{text:?} is not a URL: {e}")))?;
    let allowed = match tls {
        Tls::PinnedCa(_) => url.scheme() == "https",
        Tls::PlainLoopback => {
            url.scheme() == "http"
                && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        }
    };
    if !allowed {
        return Err(UpdateError::InvalidConfig(format!(
            "{url} is not allowed: HTTPS with the vendor's CA, or plain HTTP to this machine only"
        )));
    }
    Ok(url)
}

/// A client for plain HTTP to loopback. reqwest built with `rustls-no-provider` needs a TLS
/// configuration even for HTTP; this one trusts nothing.
fn plain_client(source: &Source) -> Result<reqwest::Client, UpdateError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| UpdateError::Internal(e.to_string()))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(source.connect_timeout)
        .timeout(source.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| UpdateError::Internal(e.to_string()))
}

/// Percent-encodes everything outside RFC 3986's unreserved set (sigstore-tuf hands over
/// paths unencoded; ours are flat, but a repository may list anything).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl HttpRepository {
    /// A repository reached as `source` says.
    ///
    /// # Errors
    /// [`UpdateError::InvalidConfig`] for a URL the TLS mode does not allow or an unusable CA.
    pub fn new(source: &Source) -> Result<Self, UpdateError> {
        let metadata = folder_url(&source.metadata_url, &source.tls)?;
        let targets = folder_url(&source.targets_url, &source.tls)?;
        let http = match &source.tls {
            Tls::PinnedCa(ca_pem) => hearth_vendor_client::pinned_https_client(
                ca_pem,
                source.connect_timeout,
                source.request_timeout,
            )
            .map_err(|e| UpdateError::InvalidConfig(e.to_string()))?,
            Tls::PlainLoopback => plain_client(source)?,
        };
        Ok(Self {
            http,
            metadata,
            targets,
        })
    }

    /// Fetches `name` under `base`, at most `max_length` bytes. `Ok(None)` for 404 and 403,
    /// which is how TUF's walk of the root chain ends.
    async fn get(
        &self,
        base: &Url,
        name: &str,
        max_length: u64,
        too_long: impl Fn() -> FetchError,
    ) -> sigstore_tuf::Result<Option<Vec<u8>>> {
        let failed = |e: FetchError| sigstore_tuf::Error::transport_with_source("fetch failed", e);
        let url = base.join(&encode_path(name)).map_err(|e| {
            sigstore_tuf::Error::transport_with_source(format!("bad path {name:?}"), e)
        })?;
        let http = |e: reqwest::Error| failed(FetchError::Http(ClientError::from_reqwest(&e)));
        let mut response = self.http.get(url.clone()).send().await.map_err(http)?;
        let status = response.status();
        if matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(failed(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            }));
        }
        if response.content_length().is_some_and(|n| n > max_length) {
            return Err(failed(too_long()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(http)? {
            if body.len() as u64 + chunk.len() as u64 > max_length {
                return Err(failed(too_long()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Some(body))
    }
}

impl Repository for HttpRepository {
    fn fetch_metadata<'a>(&'a self, name: &'a str, max_length: u64) -> FetchFuture<'a> {
        Box::pin(self.get(&self.metadata, name, max_length, move || {
            FetchError::MetadataTooLarge {
                name: name.to_owned(),
                limit: max_length,
            }
        }))
    }

    /// `max_length` is the target's signed length: a longer body is a lie.
    fn fetch_target<'a>(&'a self, path: &'a str, max_length: u64) -> FetchFuture<'a> {
        Box::pin(self.get(&self.targets, path, max_length, move || {
            FetchError::TargetTooLong {
                name: path.to_owned(),
                length: max_length,
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_this_machine_only_and_https_needs_the_pinned_ca() {
        let plain = |url: &str| HttpRepository::new(&Source::under(url, Tls::PlainLoopback));
        assert!(plain("http://127.0.0.1:8080/tuf").is_ok());
        assert!(plain("http://localhost:1/").is_ok());
        assert!(plain("http://[::1]:1/").is_ok());
        for bad in [
            "http://vendor.example/tuf",
            "https://127.0.0.1/tuf",
            "http://10.0.0.1/",
        ] {
            assert!(
                matches!(plain(bad), Err(UpdateError::InvalidConfig(_))),
                "{bad}"
            );
        }
        let pinned =
            |url: &str| HttpRepository::new(&Source::under(url, Tls::PinnedCa("not a pem".into())));
        assert!(matches!(
            pinned("http://127.0.0.1/"),
            Err(UpdateError::InvalidConfig(_))
        ));
        assert!(
            matches!(
                pinned("https://127.0.0.1/"),
                Err(UpdateError::InvalidConfig(_))
            ),
            "no CA"
        );
        assert_eq!(encode_path("a b/ü.json"), "a%20b/%C3%BC.json");
    }
}
