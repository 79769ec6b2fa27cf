//! Why a request's input was refused: the errors of the pure decoders ([`crate::decode`],
//! [`crate::intake`]), each with a stable code and HTTP status. Kept apart from the server's
//! `ApiError` (which wraps it) so the decoders build without the server, for the fuzz targets.

use http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("request body is not valid JSON for this endpoint: {0}")]
    MalformedBody(String),
    #[error("the body must be JSON, sent with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("device id must be 1 to 128 printable ASCII characters")]
    InvalidDeviceId,
    #[error("Idempotency-Key must be 1 to 64 of A-Z a-z 0-9 - _")]
    InvalidIdempotencyKey,
    #[error("the query string is not valid for this endpoint")]
    MalformedQuery,
    #[error("query parameter {0:?} is out of range")]
    InvalidQuery(&'static str),
    #[error("the report carries no fields")]
    EmptyReport,
    #[error("field {field:?} is not in the telemetry manifest of model {model:?}")]
    UndeclaredField { model: String, field: String },
    #[error("field {field:?} has a value the manifest does not allow: {reason}")]
    InvalidValue { field: String, reason: String },
}

impl Refusal {
    /// Stable machine code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedBody(_) => "request.malformed_body",
            Self::UnsupportedMediaType => "request.unsupported_media_type",
            Self::InvalidDeviceId => "telemetry.invalid_device_id",
            Self::InvalidIdempotencyKey => "request.invalid_idempotency_key",
            Self::MalformedQuery => "request.malformed_query",
            Self::InvalidQuery(_) => "request.invalid_query",
            Self::EmptyReport => "telemetry.empty_report",
            Self::UndeclaredField { .. } => "telemetry.undeclared_field",
            Self::InvalidValue { .. } => "telemetry.invalid_value",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedBody(_)
            | Self::InvalidIdempotencyKey
            | Self::MalformedQuery
            | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidDeviceId
            | Self::EmptyReport
            | Self::UndeclaredField { .. }
            | Self::InvalidValue { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}
