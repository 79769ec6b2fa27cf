//! The one error type of the core, and the shape in which errors reach the UI.

use serde::Serialize;
use ts_rs::TS;

/// A stable, closed set of error codes, exported to TypeScript. The UI never
/// matches on English text; it shows the Fluent message named by `message_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    SettingsSave,
    UnknownLanguage,
    DevicesLoad,
    FolderCreate,
    Internal,
    // The device flows (`hearth_flows::FlowError::to_dto`): each a thing the person holding
    // the device can act on differently.
    InvalidSetupCode,
    LabelPhoto,
    VendorProfile,
    InvalidWifi,
    BluetoothOff,
    NoAdapter,
    OutOfRange,
    CouldNotConnect,
    LinkLost,
    NotAHearthDevice,
    Bluetooth,
    WrongCode,
    LockedUntilButton,
    LockedOut,
    PairingWindowClosed,
    AlreadyOwned,
    NotGenuine,
    NotAuthorised,
    WifiWrongPassphrase,
    WifiNoNetwork,
    WifiNoAnswer,
    UnknownDevice,
    ForgetUnreachable,
    KeyringUnavailable,
    OwnerKeyMissing,
    Protocol,
    /// Another setup is already running in this app.
    Busy,
    /// The person chose not to set the device up once they saw its support period.
    Declined,
    /// Nobody answered the question a setup asked before pairing; nothing was sent.
    NoAnswer,
    // What the vendor publishes (`hearth_vendor_info::SupportError::to_dto`).
    /// No vendor service is configured (`HEARTH_VENDOR_SERVICE`), or its profile is unusable.
    SupportNotConfigured,
    /// The vendor service cannot be reached and nothing was saved earlier.
    SupportUnavailable,
    /// The answer (or the saved copy) failed a check: untrusted certificate, bad signature,
    /// malformed content. Never replaced by a saved copy.
    SupportRefused,
    /// The vendor publishes nothing about this model.
    SupportUnknownModel,
}

/// An error as the UI receives it: a code, the Fluent message to show, and the
/// message's arguments (never secrets or personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorDto {
    pub code: ErrorCode,
    pub message_id: String,
    pub args: Vec<(String, String)>,
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A folder Hearth needs could not be created.
    #[error("could not create {path}: {source}")]
    FolderCreate {
        path: String,
        source: std::io::Error,
    },
    /// The settings file could not be written.
    #[error("could not save settings to {path}: {source}")]
    SettingsSave {
        path: String,
        source: std::io::Error,
    },
    /// The UI asked for a language that does not ship.
    #[error("{0:?} is not a shipped language")]
    UnknownLanguage(String),
    /// The device database could not be opened or read.
    #[error("device database: {0}")]
    Devices(#[from] sqlx::Error),
    /// A defect inside Hearth (bundled data that does not parse, …).
    #[error("internal error: {0}")]
    Internal(String),
    /// The device database could not be brought up to date.
    #[error("device database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl CoreError {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::FolderCreate { .. } => ErrorCode::FolderCreate,
            Self::SettingsSave { .. } => ErrorCode::SettingsSave,
            Self::UnknownLanguage(_) => ErrorCode::UnknownLanguage,
            Self::Devices(_) | Self::Migrate(_) => ErrorCode::DevicesLoad,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The Fluent message that explains this error in plain words.
    pub fn message_id(&self) -> &'static str {
        match self.code() {
            ErrorCode::FolderCreate => hearth_i18n::id!("error-folder-create"),
            ErrorCode::SettingsSave => hearth_i18n::id!("error-settings-save"),
            ErrorCode::UnknownLanguage => hearth_i18n::id!("error-unknown-language"),
            ErrorCode::DevicesLoad => hearth_i18n::id!("error-devices-load"),
            // Core errors have only the codes above; the flows' codes have their own
            // messages, chosen by `FlowError::message_id`.
            _ => hearth_i18n::id!("error-internal"),
        }
    }

    /// The error as the UI receives it.
    pub fn to_dto(&self) -> ErrorDto {
        let args = match self {
            Self::FolderCreate { path, .. } | Self::SettingsSave { path, .. } => {
                vec![("path".to_owned(), path.clone())]
            }
            _ => Vec::new(),
        };
        ErrorDto {
            code: self.code(),
            message_id: self.message_id().to_owned(),
            args,
        }
    }
}
