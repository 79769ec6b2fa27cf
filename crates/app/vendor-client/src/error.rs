//! Errors of the vendor client, each with a stable code for the UI.

use hearth_vendor_api::WireError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("vendor profile or client settings are invalid: {0}")]
    InvalidConfig(String),
    #[error("the vendor service's certificate is not issued by the vendor's CA")]
    CertificateNotTrusted,
    #[error("the vendor service's certificate has expired or is not yet valid")]
    CertificateExpired,
    #[error("the vendor service's certificate is not valid for this address")]
    CertificateWrongName,
    #[error("secure connection to the vendor service failed: {0}")]
    Tls(String),
    #[error("the vendor service did not answer in time")]
    Timeout,
    #[error("cannot reach the vendor service: {0}")]
    Unreachable(String),
    #[error("the vendor service is unavailable (HTTP {status})")]
    ServerUnavailable { status: u16 },
    #[error("the vendor service refused the request (HTTP {status}, {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the response is larger than {limit} bytes")]
    ResponseTooLarge { limit: usize },
    #[error("the response is not what the vendor service should send: {0}")]
    Malformed(String),
    #[error(transparent)]
    Wire(#[from] WireError),
}

impl ClientError {
    /// Stable machine code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig(_) => "vendor_client.invalid_config",
            Self::CertificateNotTrusted => "vendor_client.certificate_not_trusted",
            Self::CertificateExpired => "vendor_client.certificate_expired",
            Self::CertificateWrongName => "vendor_client.certificate_wrong_name",
            Self::Tls(_) => "vendor_client.tls",
            Self::Timeout => "vendor_client.timeout",
            Self::Unreachable(_) => "vendor_client.unreachable",
            Self::ServerUnavailable { .. } => "vendor_client.server_unavailable",
            Self::Rejected { .. } => "vendor_client.rejected",
            Self::ResponseTooLarge { .. } => "vendor_client.response_too_large",
            Self::Malformed(_) => "vendor_client.malformed",
            Self::Wire(e) => e.code(),
        }
    }

    /// Whether trying again later may help: outages and timeouts, never a refused certificate
    /// or a bad answer.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::Unreachable(_) | Self::ServerUnavailable { .. }
        )
    }

    /// Classifies a reqwest failure, finding a rustls certificate verdict in its source chain.
    #[must_use]
    pub fn from_reqwest(err: &reqwest::Error) -> Self {
        if let Some(tls) = find_rustls_error(err) {
            use rustls::CertificateError as C;
            return match tls {
                rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
                    Self::CertificateNotTrusted
                }
                rustls::Error::InvalidCertificate(
                    C::Expired
                    | C::ExpiredContext { .. }
                    | C::NotValidYet
                    | C::NotValidYetContext { .. },
                ) => Self::CertificateExpired,
                rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ) => Self::CertificateWrongName,
                other => Self::Tls(other.to_string()),
            };
        }
        if err.is_timeout() {
            Self::Timeout
        } else if err.is_connect() || err.is_request() {
            Self::Unreachable(chain(err))
        } else {
            Self::Malformed(chain(err))
        }
    }
}

fn find_rustls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    search_rustls(err, 0)
}

/// Walks the source chain, and into wrapped `io::Error`s, whose `source()` skips the error they
/// wrap (tokio-rustls wraps the rustls error in an io::Error that hyper wraps in another).
fn search_rustls<'a>(
    err: &'a (dyn std::error::Error + 'static),
    depth: usize,
) -> Option<&'a rustls::Error> {
    if depth > 16 {
        return None;
    }
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        let inner: &(dyn std::error::Error + 'static) = inner;
        if let Some(tls) = search_rustls(inner, depth + 1) {
            return Some(tls);
        }
    }
    err.source().and_then(|s| search_rustls(s, depth + 1))
}

fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut current = err.source();
    while let Some(e) = current {
        out.push_str(": ");
        out.push_str(&e.to_string());
        current = e.source();
    }
    out
}
