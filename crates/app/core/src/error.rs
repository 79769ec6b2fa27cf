//! The one error type of the core. Its codes are in the one table ([`crate::codes`]).

pub use crate::codes::{ErrorCode, ErrorDto};

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
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::FolderCreate { .. } => ErrorCode::FolderCreate,
            Self::SettingsSave { .. } => ErrorCode::SettingsSave,
            Self::UnknownLanguage(_) => ErrorCode::UnknownLanguage,
            Self::Devices(_) | Self::Migrate(_) => ErrorCode::Database,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The Fluent message that explains this error in plain words.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        self.code().message_id()
    }

    /// The message's arguments (a path the app chose, never personal data).
    #[must_use]
    pub fn message_args(&self) -> Vec<(String, String)> {
        match self {
            Self::FolderCreate { path, .. } | Self::SettingsSave { path, .. } => {
                vec![("path".to_owned(), path.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// The error as the UI receives it.
    #[must_use]
    pub fn to_dto(&self) -> ErrorDto {
        ErrorDto::with_args(self.code(), self.message_args())
    }
}
