//! The one error type of the publisher, each variant with a stable code for the service's
//! logs and command line.

use std::path::{Path, PathBuf};

use hearth_update_notice::{NoticeError, Version};

use crate::Role;

/// Why a publishing operation was refused. Nothing is written when an operation fails
/// before its first write; the writes themselves are ordered so that a failure part-way
/// leaves the repository as it was for clients (the timestamp is written last).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error("key file {path} has mode {mode:o}; only its owner may read it (chmod 600)")]
    KeyPermissions { path: PathBuf, mode: u32 },
    #[error("{role} needs {threshold} valid signatures, {found} of the keys given are its keys")]
    NotEnoughSigners {
        role: Role,
        found: usize,
        threshold: u32,
    },
    #[error("keys for {role}: {reason}")]
    BadRoleKeys { role: Role, reason: String },
    #[error("{0:?} is not a flat target name ([A-Za-z0-9._-], no leading '.')")]
    BadTargetName(String),
    #[error("{0:?} is not a model id ([a-z0-9-], at most 64)")]
    BadModel(String),
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error(
        "{0} is not a notice file: a notice folder holds en.json, de.json, fr.json and es.json"
    )]
    UnexpectedNoticeFile(PathBuf),
    #[error("the image is {found} bytes; it must be from 1 to {max}")]
    ImageSize { found: u64, max: u64 },
    #[error("{model} {version} is already published")]
    AlreadyPublished { model: String, version: Version },
    #[error("{model} {version} is not published")]
    NotPublished { model: String, version: Version },
    #[error(
        "security counter {counter} of {model} {version} is out of order with {other} (counter {other_counter})"
    )]
    CounterOrder {
        model: String,
        version: Version,
        counter: u64,
        other: Version,
        other_counter: u64,
    },
    #[error("there is no repository in {0} (run init first)")]
    NotInitialised(PathBuf),
    #[error("{0} already holds a repository")]
    AlreadyInitialised(PathBuf),
    #[error("the repository is inconsistent: {0}")]
    Corrupt(String),
    #[error("cannot encode metadata: {0}")]
    Encode(String),
    #[error("time {0} cannot be written as a TUF expiry")]
    Time(String),
}

impl PublishError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Stable machine code for logs and the command line.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "publish.io",
            Self::KeyFile { .. } => "publish.key_file",
            Self::KeyPermissions { .. } => "publish.key_permissions",
            Self::NotEnoughSigners { .. } => "publish.not_enough_signers",
            Self::BadRoleKeys { .. } => "publish.bad_role_keys",
            Self::BadTargetName(_) => "publish.bad_target_name",
            Self::BadModel(_) => "publish.bad_model",
            Self::Notice(_) | Self::UnexpectedNoticeFile(_) => "publish.notice",
            Self::ImageSize { .. } => "publish.image_size",
            Self::AlreadyPublished { .. } => "publish.already_published",
            Self::NotPublished { .. } => "publish.not_published",
            Self::CounterOrder { .. } => "publish.security_counter",
            Self::NotInitialised(_) => "publish.not_initialised",
            Self::AlreadyInitialised(_) => "publish.already_initialised",
            Self::Corrupt(_) => "publish.corrupt",
            Self::Encode(_) => "publish.encode",
            Self::Time(_) => "publish.time",
        }
    }
}
