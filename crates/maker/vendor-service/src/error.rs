//! Errors of the vendor service: start-up problems and API refusals.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hearth_vendor_api::telemetry::ErrorBody;

pub use crate::refusal::Refusal;

/// Why the service could not be initialised or started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Config { path: String, message: String },
    #[error("catalogue file {path} is invalid: {message}")]
    Catalogue { path: String, message: String },
    #[error("catalogue signing key is invalid: {0}")]
    CatalogueKey(String),
    #[error("TLS certificate or key is unusable: {0}")]
    Tls(String),
    #[error("certificate generation failed: {0}")]
    CertificateGeneration(#[from] rcgen::Error),
    #[error("database {url} is unreachable or unusable: {source}")]
    Database {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("directory {0} already holds a vendor set-up; refusing to overwrite it")]
    AlreadyInitialised(String),
    #[error("system random generator failed: {0}")]
    Random(String),
    #[error("pseudonym key wrapping failed: {0}")]
    KeyWrap(String),
}

impl StartError {
    /// Stable machine code for logs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "vendor.io",
            Self::Config { .. } => "vendor.config",
            Self::Catalogue { .. } => "vendor.catalogue",
            Self::CatalogueKey(_) => "vendor.catalogue_key",
            Self::Tls(_) => "vendor.tls",
            Self::CertificateGeneration(_) => "vendor.certificate_generation",
            Self::Database { .. } => "vendor.database",
            Self::Migration(_) => "vendor.migration",
            Self::AlreadyInitialised(_) => "vendor.already_initialised",
            Self::Random(_) => "vendor.random",
            Self::KeyWrap(_) => "vendor.key_wrap",
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A refused or failed API request; answered as `{code, message}` JSON.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no device model {0:?} in the catalogue")]
    UnknownModel(String),
    #[error("pseudonym is unknown, expired, or belongs to another model; request a new one")]
    UnknownPseudonym,
    #[error("a valid admin bearer token is required")]
    Unauthorized,
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the request body did not arrive in full within {0} ms")]
    BodyTimeout(u64),
    #[error("the request body could not be read")]
    BodyUnreadable,
    #[error("an HTTP/1.1 request needs exactly one Host header")]
    MissingHost,
    #[error("the request could not be answered in time; try again later")]
    Timeout,
    #[error("the path is not valid UTF-8 or not valid for this endpoint")]
    MalformedPath,
    #[error("no such endpoint")]
    NotFound,
    #[error("too many requests from this network; try again in {0} s")]
    RateLimited(u64),
    #[error(
        "this network has asked for too many new pseudonyms this period; pseudonyms already \
         issued still work; try again in {0} s"
    )]
    PseudonymQuota(u64),
    #[error("the service holds as many pseudonyms as it may; try again later")]
    Capacity,
    #[error(transparent)]
    Input(#[from] Refusal),
    #[error("storage failed")]
    Storage(#[from] sqlx::Error),
}

impl ApiError {
    /// Stable machine code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownModel(_) => "catalogue.unknown_model",
            Self::UnknownPseudonym => "telemetry.unknown_pseudonym",
            Self::Unauthorized => "auth.unauthorized",
            Self::TooLarge(_) => "request.too_large",
            Self::BodyTimeout(_) => "request.body_timeout",
            Self::BodyUnreadable => "request.body_unreadable",
            Self::MissingHost => "request.missing_host",
            Self::Timeout => "server.timeout",
            Self::MalformedPath => "request.malformed_path",
            Self::NotFound => "request.not_found",
            Self::RateLimited(_) => "request.rate_limited",
            Self::PseudonymQuota(_) => "telemetry.pseudonym_quota",
            Self::Capacity => "telemetry.capacity",
            Self::Input(refusal) => refusal.code(),
            Self::Storage(_) => "server.storage",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Input(refusal) => refusal.status(),
            Self::BodyUnreadable | Self::MissingHost | Self::MalformedPath => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound | Self::UnknownModel(_) => StatusCode::NOT_FOUND,
            Self::RateLimited(_) | Self::PseudonymQuota(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Capacity | Self::Timeout | Self::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnknownPseudonym => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Self::Storage(e) = &self {
            // The detail stays in the log; the client learns only that storage failed.
            tracing::error!(error = %e, "storage failure");
        }
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RateLimited(seconds) | Self::PseudonymQuota(seconds) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            _ => {}
        }
        response
    }
}

/// The safety net under every route: an error answer that is not already `{code, message}`
/// JSON — axum's own rejections, 405 for a known path, anything a layer produced — is turned
/// into one, keeping its status and headers (`Allow`, `Retry-After`). Errors that hyper answers
/// itself (a request head it cannot parse) never reach the router and stay body-less.
pub(crate) async fn typed_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 1024).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&detail);
    let message = match detail.trim() {
        "" => status.canonical_reason().unwrap_or("refused").to_owned(),
        text => text.chars().take(256).collect(),
    };
    let body = ErrorBody {
        code: code_for_status(status).to_owned(),
        message,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "request.bad_request",
        StatusCode::UNAUTHORIZED => "auth.unauthorized",
        StatusCode::NOT_FOUND => "request.not_found",
        StatusCode::METHOD_NOT_ALLOWED => "request.method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request.body_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "request.too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "request.unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "request.unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "request.rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "server.unavailable",
        s if s.is_client_error() => "request.refused",
        _ => "server.internal",
    }
}
