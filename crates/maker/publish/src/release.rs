//! A release to publish: one model's image at one version, its security counter, and its
//! notices in every locale (validated before anything is signed).

use std::fmt;
use std::path::Path;

use hearth_update_notice::{Locale, Notice, NoticeSet, Version};

use crate::PublishError;

/// One model's image at one version, with its notices.
#[derive(Clone)]
pub struct Release {
    pub model: String,
    pub version: Version,
    /// Never lower than an older version's (checked on publish).
    pub security_counter: u64,
    /// The image bytes, published as the image target.
    pub image: Vec<u8>,
    pub notices: NoticeSet,
}

impl fmt::Debug for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Release")
            .field("model", &self.model)
            .field("version", &self.version)
            .field("security_counter", &self.security_counter)
            .field("image_bytes", &self.image.len())
            .finish_non_exhaustive()
    }
}

impl Release {
    /// A release of `model` `version`.
    ///
    /// # Errors
    /// [`PublishError::BadModel`] for a model that is not a model id,
    /// [`PublishError::Notice`] if the notices are for another model or version.
    pub fn new(
        model: &str,
        version: Version,
        security_counter: u64,
        image: Vec<u8>,
        notices: NoticeSet,
    ) -> Result<Self, PublishError> {
        if !hearth_vendor_api::catalogue::is_model_id(model) {
            return Err(PublishError::BadModel(model.to_owned()));
        }
        // NoticeSet::new checks the notices agree with each other; here they must be this
        // release's.
        let notices = NoticeSet::new(model, version, notices.iter().cloned())?;
        Ok(Self {
            model: model.to_owned(),
            version,
            security_counter,
            image,
            notices,
        })
    }

    /// Reads a release: the image file and a notice folder with `en.json`, `de.json`,
    /// `fr.json` and `es.json`.
    ///
    /// # Errors
    /// [`PublishError::Io`] if a file cannot be read, [`PublishError::Notice`] naming the
    /// locale and field of the first notice that is missing or invalid,
    /// [`PublishError::UnexpectedNoticeFile`] for any other file in the folder.
    pub fn load(
        model: &str,
        version: Version,
        security_counter: u64,
        image: &Path,
        notice_dir: &Path,
    ) -> Result<Self, PublishError> {
        let bytes = std::fs::read(image).map_err(|e| PublishError::io(image, e))?;
        let notices = load_notices(notice_dir, model, version)?;
        Self::new(model, version, security_counter, bytes, notices)
    }
}

/// Reads and validates the notices in `dir` (`<locale>.json` for every shipped locale).
///
/// # Errors
/// As [`Release::load`].
pub fn load_notices(dir: &Path, model: &str, version: Version) -> Result<NoticeSet, PublishError> {
    let entries = std::fs::read_dir(dir).map_err(|e| PublishError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| PublishError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let known = name
            .strip_suffix(".json")
            .and_then(Locale::from_tag)
            .is_some();
        if !known {
            return Err(PublishError::UnexpectedNoticeFile(entry.path()));
        }
    }
    let mut notices = Vec::new();
    for locale in Locale::ALL {
        let path = dir.join(format!("{}.json", locale.tag()));
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PublishError::Notice(hearth_update_notice::NoticeError {
                    locale: Some(locale),
                    field: "locale",
                    problem: hearth_update_notice::Problem::NoNotice,
                }));
            }
            Err(e) => return Err(PublishError::io(&path, e)),
        };
        notices.push(Notice::from_json(&bytes, Some(locale))?);
    }
    Ok(NoticeSet::new(model, version, notices)?)
}
