//! The one error type of this crate, each variant with a stable code for the UI.

use hearth_core::{CoreError, ErrorCode, ErrorDto};
use hearth_vendor_client::ClientError;

/// Why what the vendor publishes cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// `HEARTH_VENDOR_SERVICE` is not set: this app knows no vendor service.
    #[error("no vendor service is configured (set {env} to its client profile)")]
    NotConfigured {
        /// The environment variable that names the profile.
        env: &'static str,
    },
    /// The vendor-service profile cannot be read or is invalid.
    #[error("the vendor service profile {path} is unusable: {reason}")]
    ProfileInvalid { path: String, reason: String },
    /// The service cannot be reached (or is down) and nothing was cached before.
    #[error("the vendor service cannot be reached and nothing is cached: {reason}")]
    Unavailable { reason: String },
    /// The service's certificate is not from the vendor's CA, has expired, or names another
    /// host (EN 303 645 4.5-1). Never answered from the cache instead: the user must know.
    #[error("the vendor service was refused: {0}")]
    Untrusted(#[source] ClientError),
    /// The answer, or the saved copy, fails its signature or is not what the service sends.
    #[error("vendor data was refused: {0}")]
    Tampered(#[source] ClientError),
    /// The catalogue has no entry for the model.
    #[error("the vendor catalogue has no model {model:?}")]
    UnknownModel { model: String },
    /// The app database could not be read or written.
    #[error(transparent)]
    Cache(#[from] CoreError),
}

impl SupportError {
    /// The stable code for this error.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotConfigured { .. } => ErrorCode::SupportNotConfigured,
            Self::ProfileInvalid { .. } => ErrorCode::SupportProfileInvalid,
            Self::Unavailable { .. } => ErrorCode::SupportUnavailable,
            Self::Untrusted(_) => ErrorCode::SupportUntrusted,
            Self::Tampered(_) => ErrorCode::SupportTampered,
            Self::UnknownModel { .. } => ErrorCode::SupportUnknownModel,
            Self::Cache(e) => e.code(),
        }
    }

    /// Whether the answer (or the saved copy) was refused: never shown, never replaced by the
    /// saved copy.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Untrusted(_) | Self::Tampered(_))
    }

    /// The Fluent message that explains this error in plain words.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        self.code().message_id()
    }

    /// The message's arguments (never secrets or personal data).
    #[must_use]
    pub fn message_args(&self) -> Vec<(String, String)> {
        match self {
            Self::ProfileInvalid { path, .. } => vec![("path".to_owned(), path.clone())],
            Self::UnknownModel { model } => vec![("model".to_owned(), model.clone())],
            Self::Cache(e) => e.message_args(),
            _ => Vec::new(),
        }
    }

    /// The error as the UI receives it.
    #[must_use]
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto::with_args(self.code(), self.message_args())
    }

    /// Sorts a client failure of a fresh fetch. Transient failures are not errors here (the
    /// caller answers from the cache), so this is only called for the others.
    pub(crate) fn from_refusal(model: Option<&str>, error: ClientError) -> Self {
        match error {
            ClientError::CertificateNotTrusted
            | ClientError::CertificateExpired
            | ClientError::CertificateWrongName
            | ClientError::Tls(_) => Self::Untrusted(error),
            ClientError::Rejected { status: 404, .. } if model.is_some() => Self::UnknownModel {
                model: model.unwrap_or_default().to_owned(),
            },
            other => Self::Tampered(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_vendor_api::WireError;

    #[test]
    fn refusals_are_sorted_by_what_the_user_can_do() {
        let untrusted = SupportError::from_refusal(None, ClientError::CertificateNotTrusted);
        assert_eq!(untrusted.code(), ErrorCode::SupportUntrusted);
        assert!(untrusted.is_refusal());
        assert_eq!(untrusted.message_id(), "support-error-untrusted");
        let tampered = SupportError::from_refusal(None, ClientError::Wire(WireError::BadSignature));
        assert_eq!(tampered.message_id(), "support-error-tampered");
        assert_eq!(tampered.code(), ErrorCode::SupportTampered);
        assert!(tampered.is_refusal());
        let unknown = SupportError::from_refusal(
            Some("nope-1"),
            ClientError::Rejected {
                status: 404,
                code: "catalogue.unknown_model".into(),
                message: String::new(),
            },
        );
        assert_eq!(unknown.code(), ErrorCode::SupportUnknownModel);
        assert_eq!(
            unknown.to_dto().args,
            vec![("model".to_owned(), "nope-1".to_owned())]
        );
    }
}
