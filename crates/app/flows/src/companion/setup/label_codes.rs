//! The stable codes of [`LabelError`], kept apart from the decoder so that `label.rs` builds on
//! its own in the label-photo fuzz target (`crates/app/flows/fuzz`) without the app core.

use hearth_core::ErrorCode;

use crate::label::LabelError;

impl LabelError {
    /// The stable code, with its Fluent message in the one table.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::FileTooLarge { .. } => ErrorCode::LabelFileTooLarge,
            Self::TooManyPixels { .. } => ErrorCode::LabelTooManyPixels,
            Self::NotAnImage { .. } => ErrorCode::LabelNotAnImage,
            Self::UnsupportedFormat { .. } => ErrorCode::LabelUnsupportedFormat,
            Self::NoCodeFound => ErrorCode::LabelNoCodeFound,
            Self::ForeignCode => ErrorCode::LabelForeignCode,
            Self::DamagedCode(_) => ErrorCode::LabelDamagedCode,
        }
    }

    /// The Fluent message that explains this error to a person.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        self.code().message_id()
    }
}
