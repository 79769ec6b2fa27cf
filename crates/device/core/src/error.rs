//! Failures of the device core itself (as opposed to refusals it sends to the app).

use crate::state::StateError;

/// Why the device core could not produce an answer.
///
/// Refusals the app should see (wrong code, lockout, not authorised …) are
/// not errors here: they are encoded as `Response::Error` and returned as
/// bytes. A `DeviceError` means the core must not answer at all — above all
/// [`DeviceError::State`] when a brute-force counter could not be persisted:
/// answering then would let a power cut erase the attempt (EN 303 645 v2.1.1 5.1-5).
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// Loading or persisting the state failed; the request was not answered.
    #[error(transparent)]
    State(#[from] StateError),
    /// The device's own identity is unusable (corrupted verifier or key).
    #[error("the device identity is unusable: {0}")]
    BadIdentity(&'static str),
    /// An answer could not be encoded or sealed.
    #[error("could not encode the answer: {0}")]
    Encode(String),
}

impl DeviceError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::State(e) => e.code(),
            Self::BadIdentity(_) => "device_bad_identity",
            Self::Encode(_) => "device_encode",
        }
    }
}
