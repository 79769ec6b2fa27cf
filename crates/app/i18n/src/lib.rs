//! Hearth's messages in every shipped language, from the one set of Fluent files
//! under `locales/` that the web UI reads too.
//!
//! English (`en`) is the source language and the fallback. Both sides use the same
//! Fluent options (`locales/fluent.json`), so a message renders the same in Rust and
//! in the UI. Code refers to message ids only through [`id!`] (Rust) or `t(..)` (UI),
//! which lets the catalogue test find every id in use.

use std::collections::BTreeSet;

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use serde::Deserialize;
use unic_langid::LanguageIdentifier;

include!(concat!(env!("OUT_DIR"), "/sources.rs"));

/// The source language, and the fallback for anything not negotiated.
pub const SOURCE_LANGUAGE: &str = "en";

/// Marks a string literal as a message id, so the catalogue test can find it.
#[macro_export]
macro_rules! id {
    ($id:literal) => {
        $id
    };
}

/// Options that must be the same in Rust and in the UI (`locales/fluent.json`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FluentOptions {
    /// Whether placeables are wrapped in Unicode isolation marks.
    pub use_isolating: bool,
}

/// The options both sides read.
pub fn fluent_options() -> Result<FluentOptions, I18nError> {
    serde_json::from_str(include_str!("../../../../locales/fluent.json"))
        .map_err(|e| I18nError::Options(e.to_string()))
}

/// Why the catalogue could not be loaded. These are build defects (the catalogue
/// test catches them), never user errors.
#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    /// A `.ftl` file has a syntax error.
    #[error("locales/{lang}/{file} does not parse: {detail}")]
    Parse {
        lang: String,
        file: String,
        detail: String,
    },
    /// Two files of one locale define the same id.
    #[error("locales/{lang} defines a message twice: {detail}")]
    Duplicate { lang: String, detail: String },
    /// `locales/fluent.json` is malformed.
    #[error("locales/fluent.json is malformed: {0}")]
    Options(String),
    /// A language tag in the file tree is not a valid BCP 47 tag.
    #[error("{0:?} is not a language tag")]
    Tag(String),
}

/// Every language that ships, source language first.
pub fn languages() -> Vec<&'static str> {
    let mut langs: Vec<&'static str> = SOURCES.iter().map(|(lang, _, _)| *lang).collect();
    langs.dedup();
    langs.sort_by_key(|l| (*l != SOURCE_LANGUAGE, *l));
    langs
}

/// Picks the best shipped language for the user's preferences (most preferred
/// first, BCP 47 tags such as `de-AT` or POSIX ones such as `de_AT.UTF-8`),
/// falling back to English.
pub fn negotiate<S: AsRef<str>>(requested: &[S]) -> &'static str {
    let requested: Vec<LanguageIdentifier> = requested
        .iter()
        .filter_map(|tag| {
            let tag = tag.as_ref();
            let tag = tag
                .split(['.', '@'])
                .next()
                .unwrap_or(tag)
                .replace('_', "-");
            tag.parse().ok()
        })
        .collect();
    let available: Vec<LanguageIdentifier> =
        languages().iter().filter_map(|l| l.parse().ok()).collect();
    let default: LanguageIdentifier = SOURCE_LANGUAGE.parse().expect("en is a valid tag");
    let chosen = negotiate_languages(
        &requested,
        &available,
        Some(&default),
        NegotiationStrategy::Lookup,
    );
    let chosen = chosen.first().map(|l| l.to_string());
    languages()
        .into_iter()
        .find(|l| Some(*l) == chosen.as_deref())
        .unwrap_or(SOURCE_LANGUAGE)
}

/// The language the operating system asks for, negotiated against what ships.
pub fn system_language() -> &'static str {
    negotiate(&sys_locale::get_locales().collect::<Vec<_>>())
}

/// The message ids one locale defines (terms, which start with `-`, excluded).
pub fn message_ids(lang: &str) -> Result<BTreeSet<String>, I18nError> {
    let mut ids = BTreeSet::new();
    for (l, file, source) in SOURCES.iter().filter(|(l, _, _)| *l == lang) {
        let resource = parse(l, file, source)?;
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.insert(m.id.name.to_owned());
            }
        }
    }
    Ok(ids)
}

fn parse(lang: &str, file: &str, source: &str) -> Result<FluentResource, I18nError> {
    FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| I18nError::Parse {
        lang: lang.to_owned(),
        file: file.to_owned(),
        detail: format!("{errors:?}"),
    })
}

fn bundle(lang: &str, options: FluentOptions) -> Result<FluentBundle<FluentResource>, I18nError> {
    let tag: LanguageIdentifier = lang.parse().map_err(|_| I18nError::Tag(lang.to_owned()))?;
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    bundle.set_use_isolating(options.use_isolating);
    for (l, file, source) in SOURCES.iter().filter(|(l, _, _)| *l == lang) {
        bundle
            .add_resource(parse(l, file, source)?)
            .map_err(|errors| I18nError::Duplicate {
                lang: lang.to_owned(),
                detail: format!("{errors:?}"),
            })?;
    }
    Ok(bundle)
}

/// Formats messages in one language, falling back to English for any id the
/// language lacks (the catalogue test keeps that from happening in a release).
pub struct Localizer {
    language: &'static str,
    bundles: Vec<FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localizer")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Localizer {
    /// A localizer for `language`, which must be one of [`languages`]; anything
    /// else is negotiated first.
    pub fn new(language: &str) -> Result<Self, I18nError> {
        let language = negotiate(&[language]);
        let options = fluent_options()?;
        let mut bundles = vec![bundle(language, options)?];
        if language != SOURCE_LANGUAGE {
            bundles.push(bundle(SOURCE_LANGUAGE, options)?);
        }
        Ok(Self { language, bundles })
    }

    /// The language this localizer formats in.
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// The message `id` with no arguments.
    pub fn t(&self, id: &str) -> String {
        self.t_args(id, &[])
    }

    /// The message `id` with named arguments. An id no locale defines comes back
    /// as the id itself, so the defect is visible rather than a blank.
    pub fn t_args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        for bundle in &self.bundles {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_regional_and_posix_tags_to_shipped_languages() {
        assert_eq!(negotiate(&["de-AT"]), "de");
        assert_eq!(negotiate(&["fr_CA.UTF-8"]), "fr");
        assert_eq!(negotiate(&["es-MX", "en"]), "es");
        assert_eq!(negotiate(&["ja-JP", "de"]), "de");
    }

    #[test]
    fn falls_back_to_english() {
        assert_eq!(negotiate(&["ja-JP"]), "en");
        assert_eq!(negotiate::<&str>(&[]), "en");
        assert_eq!(negotiate(&["not a tag!"]), "en");
    }

    #[test]
    fn formats_in_the_chosen_language_with_arguments() {
        let de = Localizer::new("de").expect("catalogue loads");
        let en = Localizer::new("en").expect("catalogue loads");
        assert_eq!(de.language(), "de");
        let args = [("model", FluentValue::from("hearth-plug-1"))];
        let (de_text, en_text) = (
            de.t_args(id!("home-device-model"), &args),
            en.t_args(id!("home-device-model"), &args),
        );
        assert_eq!(en_text, "Model: hearth-plug-1", "no isolation marks");
        assert!(de_text.contains("hearth-plug-1"));
        assert_ne!(de_text, en_text, "German must not silently be English");
    }

    #[test]
    fn an_unknown_id_shows_itself() {
        let en = Localizer::new("en").expect("catalogue loads");
        assert_eq!(en.t("no-such-message"), "no-such-message");
    }

    #[test]
    fn ships_four_languages_source_first() {
        assert_eq!(languages(), vec!["en", "de", "es", "fr"]);
    }
}
