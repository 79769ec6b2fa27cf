//! The answer of an update check: per model, the newest published version, its notices in
//! every locale, and the image's signed length and hash.

use std::collections::BTreeMap;

use hearth_update_notice::{ImageMeta, Locale, Notice, TargetMeta, Version};
use serde::{Deserialize, Serialize};
use sigstore_tuf::{TargetFile, Targets};

use crate::UpdateError;

/// An image as the signed targets metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageTarget {
    /// The target name (`hearth-plug-1_0.2.0_image.bin`).
    pub name: String,
    pub length: u64,
    /// Hex SHA-256.
    pub sha256: String,
}

/// One published version of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub version: Version,
    pub security_counter: u64,
    pub security_fix: bool,
}

/// What is published for one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelUpdate {
    pub model: String,
    /// The newest version.
    pub newest: VersionSummary,
    /// The newest version's image.
    pub image: ImageTarget,
    /// The newest version's notices; English always, other locales as published.
    pub notices: BTreeMap<Locale, Notice>,
    /// Every published version, oldest first (the newest included).
    pub versions: Vec<VersionSummary>,
}

impl ModelUpdate {
    /// The notice in `locale`, or in English if there is none in it. Always `Some` for an
    /// answer from [`crate::UpdateClient`], which refuses a version without an English notice.
    #[must_use]
    pub fn notice(&self, locale: Locale) -> Option<&Notice> {
        self.notices
            .get(&locale)
            .or_else(|| self.notices.get(&Locale::En))
    }

    /// Whether the newest version is newer than `installed`.
    #[must_use]
    pub fn is_newer_than(&self, installed: Version) -> bool {
        self.newest.version > installed
    }

    /// Whether any version after `installed` fixes a security flaw (then the update as a
    /// whole is a security update, even if the newest version alone is a small fix).
    #[must_use]
    pub fn security_fix_since(&self, installed: Version) -> bool {
        self.versions
            .iter()
            .any(|v| v.version > installed && v.security_fix)
    }

    /// Checks what [`ModelUpdate`]'s invariants promise (an English notice; every notice
    /// valid and about this model and version), e.g. after reading one back from a file.
    pub(crate) fn check(&self) -> Result<(), UpdateError> {
        if !self.notices.contains_key(&Locale::En) {
            return Err(UpdateError::BadNotice(missing(Locale::En)));
        }
        for (locale, notice) in &self.notices {
            notice.validate().map_err(UpdateError::BadNotice)?;
            check_notice_is(notice, &self.model, self.newest.version, *locale)?;
        }
        Ok(())
    }
}

fn missing(locale: Locale) -> hearth_update_notice::NoticeError {
    hearth_update_notice::NoticeError {
        locale: Some(locale),
        field: "locale",
        problem: hearth_update_notice::Problem::NoNotice,
    }
}

/// Refuses a notice that is not about `model` `version` in `locale`.
pub(crate) fn check_notice_is(
    notice: &Notice,
    model: &str,
    version: Version,
    locale: Locale,
) -> Result<(), UpdateError> {
    let mismatch = |field: &'static str, expected: String, found: String| {
        UpdateError::BadNotice(hearth_update_notice::NoticeError {
            locale: Some(locale),
            field,
            problem: hearth_update_notice::Problem::Mismatch { expected, found },
        })
    };
    if notice.model != model {
        return Err(mismatch("model", model.to_owned(), notice.model.clone()));
    }
    if notice.version != version {
        return Err(mismatch(
            "version",
            version.to_string(),
            notice.version.to_string(),
        ));
    }
    if notice.locale != locale {
        return Err(mismatch(
            "locale",
            locale.tag().into(),
            notice.locale.tag().into(),
        ));
    }
    Ok(())
}

/// The answer of one check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpdateCheck {
    /// One entry per model with a published image, sorted by model id.
    pub models: Vec<ModelUpdate>,
}

impl UpdateCheck {
    /// What is published for `model`.
    #[must_use]
    pub fn model(&self, model: &str) -> Option<&ModelUpdate> {
        self.models.iter().find(|m| m.model == model)
    }

    /// The update for a device of `model` running `installed`, if a newer version exists.
    #[must_use]
    pub fn update_for(&self, model: &str, installed: Version) -> Option<&ModelUpdate> {
        self.model(model).filter(|m| m.is_newer_than(installed))
    }
}

/// Whether an answer was just verified or is the last verified one, shown because the
/// service could not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Freshness {
    /// Verified just now.
    Fresh,
    /// The service could not be reached; this is what was verified at `last_checked` (Unix
    /// seconds). Shown as "Last checked …", never as current.
    Offline { last_checked: u64 },
}

/// An answer with its freshness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub answer: UpdateCheck,
    /// When it was verified (Unix seconds).
    pub checked_at: u64,
    pub freshness: Freshness,
}

impl Checked {
    /// The Fluent message to show beside an answer that is not fresh, with its `date`
    /// argument (RFC 3339, UTC); `None` for a fresh answer.
    #[must_use]
    pub fn status_message(&self) -> Option<(&'static str, Vec<(String, String)>)> {
        match self.freshness {
            Freshness::Fresh => None,
            Freshness::Offline { last_checked } => Some((
                hearth_i18n::id!("updates-last-checked"),
                vec![("date".to_owned(), rfc3339(last_checked))],
            )),
        }
    }
}

fn rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| unix.to_string(), |t| t.to_string())
}

/// A published image and its entry.
pub(crate) struct Published<'a> {
    pub meta: ImageMeta,
    pub name: &'a str,
    pub file: &'a TargetFile,
}

/// The Hearth images in `targets`, grouped by model, oldest version first. Targets without
/// Hearth metadata are someone else's and ignored; one whose metadata names another target
/// is ignored too (logged), so a mislabelled entry cannot pose as another version.
pub(crate) fn images(targets: &Targets) -> BTreeMap<String, Vec<Published<'_>>> {
    let mut by_model: BTreeMap<String, Vec<Published<'_>>> = BTreeMap::new();
    for (name, file) in &targets.targets {
        match TargetMeta::from_custom(file.custom.as_ref()) {
            Some(Ok(TargetMeta::Image(meta))) if meta.target_name() == *name => {
                by_model
                    .entry(meta.model.clone())
                    .or_default()
                    .push(Published { meta, name, file });
            }
            Some(Ok(TargetMeta::Notice(_))) | None => {}
            Some(Ok(TargetMeta::Image(_))) => {
                tracing::warn!(%name, "image metadata names another target; ignored");
            }
            Some(Err(e)) => {
                tracing::warn!(%name, error = %e, "unreadable Hearth metadata; ignored")
            }
        }
    }
    for versions in by_model.values_mut() {
        versions.sort_by_key(|p| p.meta.version);
    }
    by_model
}

/// The image's hex SHA-256 from its entry.
pub(crate) fn image_target(name: &str, file: &TargetFile) -> Result<ImageTarget, UpdateError> {
    let sha256 = file
        .hashes
        .get("sha256")
        .cloned()
        .ok_or_else(|| UpdateError::Tampered {
            detail: format!("{name} has no SHA-256"),
        })?;
    Ok(ImageTarget {
        name: name.to_owned(),
        length: file.length,
        sha256,
    })
}
