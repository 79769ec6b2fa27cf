//! The factory tool's errors, one enum with a stable machine code per variant.

use std::path::PathBuf;

/// What went wrong while creating vendor keys or minting identities.
#[derive(Debug, thiserror::Error)]
pub enum FactoryError {
    /// This passcode was already issued by this output folder's registry (EN 303 645 4.1-1:
    /// every device's code must be unique).
    #[error("passcode already issued to serial {existing_serial}")]
    DuplicatePasscode {
        /// Serial that already holds the passcode.
        existing_serial: String,
    },
    /// This serial number was already issued by this output folder's registry.
    #[error("serial number {0} already issued")]
    DuplicateSerial(String),
    /// The registry file is damaged; nothing was minted.
    #[error("registry {path} is damaged at line {line}: {reason}")]
    RegistryCorrupted {
        /// Registry file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The CSPRNG kept producing passcodes already issued (the code space is nearly exhausted).
    #[error("could not find an unused passcode after {0} draws")]
    CodeSpaceExhausted(u32),
    /// Model names are 1 to 32 characters of `A-Z a-z 0-9 - _`.
    #[error("model name {0:?} is not 1 to 32 characters of letters, digits, '-' or '_'")]
    InvalidModel(String),
    /// Vendor names are 1 to 64 printable characters.
    #[error("vendor name must be 1 to 64 printable characters")]
    InvalidVendorName,
    /// `init-vendor` refuses to overwrite an existing vendor folder.
    #[error("{0} already holds vendor keys; refusing to overwrite them")]
    VendorExists(PathBuf),
    /// A vendor key or certificate file is missing or malformed.
    #[error("vendor file {path} is unusable: {reason}")]
    BadVendorFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The identity folder for a serial already exists.
    #[error("identity folder {0} already exists")]
    IdentityExists(PathBuf),
    /// Deriving the SPAKE2+ verifier failed.
    #[error("SPAKE2+ verifier: {0}")]
    Verifier(#[from] hearth_protocol::spake2::Spake2Error),
    /// Issuing a certificate failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// Rendering the QR label failed.
    #[error("label rendering failed: {0}")]
    Label(String),
    /// Encoding the device bundle failed.
    #[error("device bundle: {0}")]
    Bundle(#[from] hearth_device::state::StateError),
    /// A file operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl FactoryError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::DuplicatePasscode { .. } => "factory_duplicate_passcode",
            Self::DuplicateSerial(_) => "factory_duplicate_serial",
            Self::RegistryCorrupted { .. } => "factory_registry_corrupted",
            Self::CodeSpaceExhausted(_) => "factory_code_space_exhausted",
            Self::InvalidModel(_) => "factory_invalid_model",
            Self::InvalidVendorName => "factory_invalid_vendor_name",
            Self::VendorExists(_) => "factory_vendor_exists",
            Self::BadVendorFile { .. } => "factory_bad_vendor_file",
            Self::IdentityExists(_) => "factory_identity_exists",
            Self::Verifier(_) => "factory_verifier",
            Self::Certificate(_) => "factory_certificate",
            Self::Label(_) => "factory_label",
            Self::Bundle(_) => "factory_bundle",
            Self::Io { .. } => "factory_io",
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
