//! What can go wrong with the keyring, one variant per thing the UI says
//! differently.

use std::fmt;

use crate::backend::Backend;

/// Why an owner key could not be stored, loaded or deleted.
///
/// No variant carries secret bytes, and no message quotes them: the
/// keyring crates' own errors can hold raw secret data
/// (`keyring_core::Error::BadDataFormat`), so they are reduced to a plain
/// reason before they reach this type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeystoreError {
    /// The keyring answered and holds no owner key for this device.
    #[error("no owner key is stored for device {device_id:?}")]
    NotFound {
        /// The device asked for.
        device_id: String,
    },
    /// The keyring cannot be reached or does not exist here (no Secret
    /// Service on the session bus, no session keyring, a store that is not
    /// built for this platform). Nothing was stored or read.
    #[error("the {backend} keyring is not available: {reason}")]
    Unavailable {
        /// The backend that was tried.
        backend: Backend,
        /// A plain reason, from the platform.
        reason: String,
    },
    /// The keyring is there but refused: locked, the unlock prompt was
    /// dismissed, or the OS denied access.
    #[error("the {backend} keyring refused access (locked or denied): {reason}")]
    AccessDenied {
        /// The backend that refused.
        backend: Backend,
        /// A plain reason, from the platform.
        reason: String,
    },
    /// An entry exists for the device but is not an owner key this crate
    /// wrote (wrong length or format version).
    #[error("the keyring entry for device {device_id:?} is damaged: {problem}")]
    Corrupt {
        /// The device whose entry is damaged.
        device_id: String,
        /// What is wrong with it (never the bytes themselves).
        problem: CorruptProblem,
    },
    /// Several keyring items match the device's entry, so which one is the
    /// owner key is unclear; nothing was read.
    #[error("{count} keyring entries match device {device_id:?}")]
    Ambiguous {
        /// The device asked for.
        device_id: String,
        /// How many items matched.
        count: usize,
    },
    /// The device id cannot name a keyring entry.
    #[error("the device id cannot name a keyring entry: {reason}")]
    InvalidDeviceId {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `HEARTH_KEYRING` (or a parsed name) names no backend.
    #[error("unknown keyring backend {name:?}; expected one of: {expected}")]
    UnknownBackend {
        /// The name given (cut to 64 characters).
        name: String,
        /// The names this build accepts.
        expected: &'static str,
    },
    /// Any other failure reported by the platform store.
    #[error("the {backend} keyring failed: {reason}")]
    Platform {
        /// The backend that failed.
        backend: Backend,
        /// A plain reason, from the platform.
        reason: String,
    },
}

/// What is wrong with a damaged entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptProblem {
    /// Not the length of an owner-key record.
    WrongLength {
        /// Bytes found.
        actual: usize,
    },
    /// A format version this build does not know.
    UnknownVersion(u8),
    /// The store says the item's data is malformed.
    Unreadable,
}

impl fmt::Display for CorruptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { actual } => {
                write!(f, "{actual} bytes, {} expected", crate::secret::RECORD_LEN)
            }
            Self::UnknownVersion(v) => write!(f, "unknown format version {v}"),
            Self::Unreadable => f.write_str("the store could not decode the item"),
        }
    }
}

impl KeystoreError {
    /// A stable machine code for the UI (which maps it to a Fluent message)
    /// and for logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "keystore.not_found",
            Self::Unavailable { .. } => "keystore.unavailable",
            Self::AccessDenied { .. } => "keystore.access_denied",
            Self::Corrupt { .. } => "keystore.corrupt",
            Self::Ambiguous { .. } => "keystore.ambiguous",
            Self::InvalidDeviceId { .. } => "keystore.invalid_device_id",
            Self::UnknownBackend { .. } => "keystore.unknown_backend",
            Self::Platform { .. } => "keystore.platform",
        }
    }

    /// Maps a keyring-core error for an operation on `device_id`.
    ///
    /// The raw bytes some variants carry are dropped here, unread.
    pub(crate) fn from_store(backend: Backend, device_id: &str, err: keyring_core::Error) -> Self {
        use keyring_core::Error as E;
        match err {
            E::NoEntry => Self::NotFound {
                device_id: device_id.to_owned(),
            },
            E::NoStorageAccess(source) => Self::AccessDenied {
                backend,
                reason: source.to_string(),
            },
            E::BadDataFormat(_, _) | E::BadEncoding(_) => Self::Corrupt {
                device_id: device_id.to_owned(),
                problem: CorruptProblem::Unreadable,
            },
            E::Ambiguous(entries) => Self::Ambiguous {
                device_id: device_id.to_owned(),
                count: entries.len(),
            },
            E::NoDefaultStore | E::NotSupportedByStore(_) => Self::Unavailable {
                backend,
                reason: err.to_string(),
            },
            E::PlatformFailure(source) => Self::Platform {
                backend,
                reason: source.to_string(),
            },
            // BadStoreFormat, TooLong, Invalid and future variants: none
            // carries secret data, so their own text is safe to keep.
            other => Self::Platform {
                backend,
                reason: other.to_string(),
            },
        }
    }

    /// Maps a failure to open a store: whatever the platform said, nothing
    /// can be stored, so it is `Unavailable` (or `AccessDenied`).
    pub(crate) fn from_open(backend: Backend, err: keyring_core::Error) -> Self {
        use keyring_core::Error as E;
        match err {
            E::NoStorageAccess(source) => Self::AccessDenied {
                backend,
                reason: source.to_string(),
            },
            E::PlatformFailure(source) => Self::Unavailable {
                backend,
                reason: source.to_string(),
            },
            other => Self::Unavailable {
                backend,
                reason: other.to_string(),
            },
        }
    }
}
