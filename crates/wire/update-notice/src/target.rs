//! Flat TUF target names and the `custom` metadata each Hearth target carries.
//!
//! Names are flat (`[A-Za-z0-9._-]`, no `/`): with consistent snapshots a target is stored as
//! `<sha256>.<name>`, and tools disagree where the hash goes when the name has folders
//! (`tough` writes `<hash>.dir/name`, sigstore-tuf and python-tuf fetch `dir/<hash>.name`).
//! Model ids have no `_`, so `_` separates the parts unambiguously.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::locale::Locale;
use crate::version::Version;

/// Longest target name.
pub const MAX_TARGET_NAME: usize = 200;

/// The key under a target's `custom` object that holds [`TargetMeta`].
pub const CUSTOM_KEY: &str = "hearth";

/// Whether `name` is a flat target name: 1 to [`MAX_TARGET_NAME`] characters of
/// `[A-Za-z0-9._-]`, not starting with `.`.
#[must_use]
pub fn is_flat_target_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TARGET_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The target name of a model's image at `version`: `hearth-plug-1_0.2.0_image.bin`.
#[must_use]
pub fn image_target(model: &str, version: Version) -> String {
    format!("{model}_{version}_image.bin")
}

/// The target name of the notice in `locale`: `hearth-plug-1_0.2.0_notice_de.json`.
#[must_use]
pub fn notice_target(model: &str, version: Version, locale: Locale) -> String {
    format!("{model}_{version}_notice_{}.json", locale.tag())
}

/// What an image target is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMeta {
    pub model: String,
    pub version: Version,
    /// The image's security counter: a device never installs an image with a lower counter
    /// than the one it has confirmed (anti-rollback on the device, issue part 2).
    pub security_counter: u64,
    /// Whether this version fixes a security flaw (the notices say the same).
    pub security_fix: bool,
}

impl ImageMeta {
    /// The target name this image belongs under.
    #[must_use]
    pub fn target_name(&self) -> String {
        image_target(&self.model, self.version)
    }
}

/// What a notice target is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeMeta {
    pub model: String,
    pub version: Version,
    pub locale: Locale,
}

impl NoticeMeta {
    /// The target name this notice belongs under.
    #[must_use]
    pub fn target_name(&self) -> String {
        notice_target(&self.model, self.version, self.locale)
    }
}

/// The Hearth metadata of a target, under `custom.hearth` in the signed targets role.
/// Unknown extra fields are ignored, so later releases may add some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetMeta {
    Image(ImageMeta),
    Notice(NoticeMeta),
}

impl TargetMeta {
    /// The target name this metadata belongs under.
    #[must_use]
    pub fn target_name(&self) -> String {
        match self {
            TargetMeta::Image(m) => m.target_name(),
            TargetMeta::Notice(m) => m.target_name(),
        }
    }

    /// The value for the target's `custom` field: `{"hearth": {...}}`.
    #[must_use]
    pub fn to_custom(&self) -> Value {
        let mut custom = serde_json::Map::new();
        custom.insert(
            CUSTOM_KEY.to_owned(),
            serde_json::to_value(self).unwrap_or(Value::Null),
        );
        Value::Object(custom)
    }

    /// The Hearth metadata in a target's `custom` field: `None` if the target is not one of
    /// ours (no `hearth` key), `Some(Err)` if it is but cannot be read.
    #[must_use]
    pub fn from_custom(custom: Option<&Value>) -> Option<Result<TargetMeta, String>> {
        let ours = custom?.get(CUSTOM_KEY)?;
        Some(serde_json::from_value(ours.clone()).map_err(|e| e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_flat_and_metadata_names_its_own_target() {
        let v = Version::new(0, 2, 0);
        assert_eq!(
            image_target("hearth-plug-1", v),
            "hearth-plug-1_0.2.0_image.bin"
        );
        let notice = notice_target("hearth-plug-1", v, Locale::De);
        assert_eq!(notice, "hearth-plug-1_0.2.0_notice_de.json");
        assert!(is_flat_target_name(&notice));
        for bad in ["", ".hidden", "a/b", "a b", "ä", "..", &"x".repeat(201)] {
            assert!(!is_flat_target_name(bad), "{bad:?}");
        }
        let meta = TargetMeta::Notice(NoticeMeta {
            model: "hearth-plug-1".into(),
            version: v,
            locale: Locale::De,
        });
        let custom = meta.to_custom();
        assert_eq!(custom["hearth"]["kind"], "notice");
        assert_eq!(
            TargetMeta::from_custom(Some(&custom)),
            Some(Ok(meta.clone()))
        );
        assert_eq!(meta.target_name(), notice);
        assert_eq!(
            TargetMeta::from_custom(Some(&serde_json::json!({"other": 1}))),
            None
        );
        assert!(matches!(
            TargetMeta::from_custom(Some(&serde_json::json!({"hearth": {"kind": "cake"}}))),
            Some(Err(_))
        ));
    }
}
