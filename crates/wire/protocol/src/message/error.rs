//! Why a message could not be encoded or decoded.

use std::fmt;

use super::PROTOCOL_VERSION;

/// Why a message could not be encoded or decoded. Each variant has a stable
/// machine code ([`MessageError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("message is {len} bytes, more than the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("message ends in the middle of a CBOR item")]
    Truncated,
    #[error("{count} bytes follow the end of the message")]
    TrailingBytes { count: usize },
    #[error("CBOR syntax error at byte {offset}")]
    Syntax { offset: usize },
    #[error("message nests deeper than {max} levels")]
    TooDeep { max: usize },
    #[error("a {kind} of {len} exceeds the limit of {max}")]
    OutOfBounds {
        kind: &'static str,
        len: usize,
        max: usize,
    },
    #[error("protocol version {got} is not supported (this side speaks {PROTOCOL_VERSION})")]
    UnsupportedVersion { got: u64 },
    #[error("unknown message `{tag}`")]
    UnknownMessage { tag: String },
    #[error("malformed message: {reason}")]
    Malformed { reason: String },
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        field: &'static str,
        reason: &'static str,
    },
    #[error("message could not be encoded: {reason}")]
    Encode { reason: String },
}

impl MessageError {
    /// A stable code for the UI and logs; never changes once released.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "message.too_large",
            Self::Truncated => "message.truncated",
            Self::TrailingBytes { .. } => "message.trailing_bytes",
            Self::Syntax { .. } => "message.syntax",
            Self::TooDeep { .. } => "message.too_deep",
            Self::OutOfBounds { .. } => "message.out_of_bounds",
            Self::UnsupportedVersion { .. } => "message.unsupported_version",
            Self::UnknownMessage { .. } => "message.unknown",
            Self::Malformed { .. } => "message.malformed",
            Self::InvalidField { .. } => "message.invalid_field",
            Self::Encode { .. } => "message.encode",
        }
    }

    pub(super) fn malformed(reason: impl fmt::Display) -> Self {
        Self::Malformed {
            reason: reason.to_string(),
        }
    }

    pub(super) fn invalid(field: &'static str, reason: &'static str) -> Self {
        Self::InvalidField { field, reason }
    }
}
