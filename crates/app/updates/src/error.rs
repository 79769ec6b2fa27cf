//! The one error type of the update client. Each variant is a different thing to tell the
//! person; [`UpdateError::code`] is a stable dotted code, [`UpdateError::message_id`] the
//! Fluent message that says it in plain words (`locales/*/updates.ftl`). The `Display` text
//! is for logs.

use hearth_update_notice::NoticeError;
use hearth_vendor_client::ClientError;

use crate::transport::FetchError;

/// Why an update check, notice or image failed. When one of these is returned nothing of
/// the failed answer is trusted: the store keeps only metadata that passed verification,
/// and the last verified answer is not replaced.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// Signed information is past its expiry: the service stopped re-signing, or someone
    /// replays old information to hide updates (freeze, TUF §5.4.4).
    #[error("the {role} information expired at {expires}")]
    Expired { role: String, expires: String },
    /// Information older than what was already seen (rollback, TUF §5.4.3, §5.5.5).
    #[error("rollback of {role}: version {offered} offered, {trusted} already trusted")]
    Rollback {
        role: String,
        trusted: u64,
        offered: u64,
    },
    /// Too few valid signatures by the keys the trusted root names.
    #[error("signature check failed: {detail}")]
    BadSignature { detail: String },
    /// A file whose length or hash differs from what the signed metadata says, or metadata
    /// that is not in the form TUF requires.
    #[error("tampered: {detail}")]
    Tampered { detail: String },
    /// The server's certificate is not from the vendor's CA, has expired, or names another
    /// host (EN 303 645 4.5-1).
    #[error("the update server is not trusted: {0}")]
    UntrustedServer(#[source] ClientError),
    /// A file larger than allowed: metadata over its cap, or an image larger than the
    /// device's update slot.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge { what: String, limit: u64 },
    /// No answer from the update service (no network, service down, timed out).
    #[error("the update service cannot be reached: {detail}")]
    Offline { detail: String },
    /// The repository lists no such target: never published, or revoked.
    #[error("{target} is not published (or was revoked)")]
    NotFound { target: String },
    /// A verified notice that breaks the notice rules (the vendor's mistake).
    #[error("the update notice is not valid: {0}")]
    BadNotice(#[source] NoticeError),
    /// The app's update folder cannot be read or written.
    #[error("update store {path}: {detail}")]
    Store { path: String, detail: String },
    /// The client was set up wrongly (URL, bootstrap root, certificate).
    #[error("update client settings: {0}")]
    InvalidConfig(String),
    /// A failure that is no one's input (a bug).
    #[error("update client: {0}")]
    Internal(String),
}

impl UpdateError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "updates.expired",
            Self::Rollback { .. } => "updates.rollback",
            Self::BadSignature { .. } => "updates.bad_signature",
            Self::Tampered { .. } => "updates.tampered",
            Self::UntrustedServer(_) => "updates.untrusted_server",
            Self::TooLarge { .. } => "updates.too_large",
            Self::Offline { .. } => "updates.offline",
            Self::NotFound { .. } => "updates.not_found",
            Self::BadNotice(_) => "updates.bad_notice",
            Self::Store { .. } => "updates.store",
            Self::InvalidConfig(_) => "updates.invalid_config",
            Self::Internal(_) => "updates.internal",
        }
    }

    /// The Fluent message that explains this error in plain words.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::Expired { .. } => hearth_i18n::id!("updates-error-expired"),
            Self::Rollback { .. } => hearth_i18n::id!("updates-error-rollback"),
            Self::BadSignature { .. } => hearth_i18n::id!("updates-error-bad-signature"),
            Self::Tampered { .. } => hearth_i18n::id!("updates-error-tampered"),
            Self::UntrustedServer(_) => hearth_i18n::id!("updates-error-untrusted-server"),
            Self::TooLarge { .. } => hearth_i18n::id!("updates-error-too-large"),
            Self::Offline { .. } => hearth_i18n::id!("updates-error-offline"),
            Self::NotFound { .. } => hearth_i18n::id!("updates-error-not-found"),
            Self::BadNotice(_) => hearth_i18n::id!("updates-error-bad-notice"),
            Self::Store { .. } => hearth_i18n::id!("updates-error-store"),
            Self::InvalidConfig(_) => hearth_i18n::id!("updates-error-invalid-config"),
            Self::Internal(_) => hearth_i18n::id!("updates-error-internal"),
        }
    }

    /// The message's arguments (never secrets or personal data).
    #[must_use]
    pub fn message_args(&self) -> Vec<(String, String)> {
        match self {
            Self::Store { path, .. } => vec![("path".to_owned(), path.clone())],
            _ => Vec::new(),
        }
    }

    /// Whether the service simply did not answer, so the last verified answer may be shown
    /// (marked with when it was checked). A refusal — a foreign certificate, a bad
    /// signature, expired or rolled-back information — is never answered from the cache.
    #[must_use]
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Offline { .. })
    }

    /// Sorts a failure of sigstore-tuf (whose error is `#[non_exhaustive]`).
    pub(crate) fn from_tuf(error: sigstore_tuf::Error) -> Self {
        use sigstore_tuf::Error as E;
        let detail = chain(&error);
        match error {
            E::Expired { role, expires } => Self::Expired {
                role,
                expires: expires.to_string(),
            },
            E::Rollback { role, trusted, new } => Self::Rollback {
                role,
                trusted,
                offered: new,
            },
            // A root N+1 file that is not version N+1 is a mix-and-match or rollback attempt.
            E::BadRootVersion { trusted, new } => Self::Rollback {
                role: "root".into(),
                trusted,
                offered: new,
            },
            E::ThresholdNotMet { .. }
            | E::DuplicateSignature { .. }
            | E::UnusableKey { .. }
            | E::UnsupportedScheme { .. } => Self::BadSignature { detail },
            E::IntegrityMismatch(_) | E::Malformed(_) | E::Json(_) | E::NonIntegerNumber => {
                Self::Tampered { detail }
            }
            E::TargetNotFound(target) => Self::NotFound { target },
            E::Io { context, source } => Self::Store {
                path: context,
                detail: source.to_string(),
            },
            E::Transport { source, message } => {
                match source
                    .as_deref()
                    .and_then(|s| s.downcast_ref::<FetchError>())
                {
                    Some(FetchError::MetadataTooLarge { name, limit }) => Self::TooLarge {
                        what: name.clone(),
                        limit: *limit,
                    },
                    // The body ran past the length the signed targets metadata gives.
                    Some(FetchError::TargetTooLong { .. }) => Self::Tampered { detail },
                    Some(FetchError::Http(e)) => Self::from_client(e, detail),
                    Some(FetchError::Status { .. }) => Self::Offline { detail },
                    // No cause: a file the metadata requires was missing (HTTP 404), or the
                    // root chain ran too long; the service did not give a usable answer.
                    None if message.contains("root rotations") => Self::Tampered { detail },
                    None => Self::Offline { detail },
                }
            }
            _ => Self::Internal(detail),
        }
    }

    fn from_client(error: &ClientError, detail: String) -> Self {
        match error {
            ClientError::CertificateNotTrusted
            | ClientError::CertificateExpired
            | ClientError::CertificateWrongName
            | ClientError::Tls(_) => Self::UntrustedServer(clone_client_error(error)),
            _ => Self::Offline { detail },
        }
    }
}

/// `ClientError` is not `Clone`; the certificate verdicts it carries here are.
fn clone_client_error(error: &ClientError) -> ClientError {
    match error {
        ClientError::CertificateNotTrusted => ClientError::CertificateNotTrusted,
        ClientError::CertificateExpired => ClientError::CertificateExpired,
        ClientError::CertificateWrongName => ClientError::CertificateWrongName,
        other => ClientError::Tls(other.to_string()),
    }
}

/// An error and its causes, for logs.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tuf_failure_gets_the_code_the_person_can_act_on() {
        let cases: Vec<(sigstore_tuf::Error, &str)> = vec![
            (
                sigstore_tuf::Error::Rollback {
                    role: "timestamp".into(),
                    trusted: 2,
                    new: 1,
                },
                "updates.rollback",
            ),
            (
                sigstore_tuf::Error::BadRootVersion { trusted: 2, new: 5 },
                "updates.rollback",
            ),
            (
                sigstore_tuf::Error::ThresholdNotMet {
                    role: "targets".into(),
                    found: 0,
                    threshold: 1,
                },
                "updates.bad_signature",
            ),
            (
                sigstore_tuf::Error::IntegrityMismatch("x: sha256 mismatch".into()),
                "updates.tampered",
            ),
            (
                sigstore_tuf::Error::TargetNotFound("x".into()),
                "updates.not_found",
            ),
            (
                sigstore_tuf::Error::transport("timestamp.json not found"),
                "updates.offline",
            ),
            (
                sigstore_tuf::Error::transport_with_source(
                    "fetch failed",
                    FetchError::MetadataTooLarge {
                        name: "timestamp.json".into(),
                        limit: 16,
                    },
                ),
                "updates.too_large",
            ),
            (
                sigstore_tuf::Error::transport_with_source(
                    "fetch failed",
                    FetchError::TargetTooLong {
                        name: "x".into(),
                        length: 3,
                    },
                ),
                "updates.tampered",
            ),
            (
                sigstore_tuf::Error::transport_with_source(
                    "fetch failed",
                    FetchError::Http(ClientError::CertificateNotTrusted),
                ),
                "updates.untrusted_server",
            ),
            (
                sigstore_tuf::Error::transport_with_source(
                    "fetch failed",
                    FetchError::Http(ClientError::Timeout),
                ),
                "updates.offline",
            ),
            (sigstore_tuf::Error::NotRefreshed, "updates.internal"),
        ];
        for (error, code) in cases {
            let shown = format!("{error}");
            let sorted = UpdateError::from_tuf(error);
            assert_eq!(sorted.code(), code, "{shown}");
            assert!(sorted.message_id().starts_with("updates-error-"));
            assert_eq!(sorted.is_offline(), code == "updates.offline");
        }
    }
}
