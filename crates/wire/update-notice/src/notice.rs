//! The plain-language notice of one update in one locale (EN 303 645 4.3-2, 4.3-5, 4.3-4).
//!
//! A notice is published as its own TUF target per image and locale, so it is signed and
//! versioned like the image it describes. The vendor's publisher refuses a release whose
//! notices do not pass [`NoticeSet::new`]; the app parses what it downloads with
//! [`Notice::from_json`] and checks it against the target it came from, so a notice that
//! slipped through is refused on the phone as well.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::locale::Locale;
use crate::text::{self, TextFault};
use crate::version::Version;

/// Longest "what it fixes", in characters (Unicode scalar values).
pub const FIXES_MAX_CHARS: usize = 255;
/// "What it fixes" is one or two sentences.
pub const FIXES_MAX_SENTENCES: usize = 2;
/// Longest "why it matters" text, in characters.
pub const WHY_MAX_CHARS: usize = 300;
/// "Why it matters" is at most three sentences.
pub const WHY_MAX_SENTENCES: usize = 3;
/// Longest "what pauses" text, in characters.
pub const PAUSES_MAX_CHARS: usize = 200;
/// "What pauses" is at most two sentences.
pub const PAUSES_MAX_SENTENCES: usize = 2;
/// Installing takes at least a minute and at most four hours, as announced.
pub const INSTALL_MINUTES: std::ops::RangeInclusive<u16> = 1..=240;

/// How serious the risk fixed is: the qualitative ratings of CVSS v3.1 (FIRST, §5), without
/// "none" — an update that fixes nothing has no notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Why the update matters: the risk it removes, and how serious it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhyItMatters {
    pub severity: Severity,
    /// The risk in plain words (at most [`WHY_MAX_CHARS`]).
    pub text: String,
}

/// What happens to the device while the update installs (EN 303 645 4.3-6: it should keep
/// its basic function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuringInstall {
    /// Whether the device keeps doing its job while the update is installed.
    pub keeps_working: bool,
    /// What pauses, and for how long (at most [`PAUSES_MAX_CHARS`]).
    pub pauses: String,
}

/// One update's notice in one locale. Every field is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The device model it is for (a catalogue model id).
    pub model: String,
    /// The version it installs.
    pub version: Version,
    /// The language of the texts.
    pub locale: Locale,
    /// Whether it fixes a security flaw (then it may be postponed for a limited time only).
    pub security_fix: bool,
    /// What it fixes, in one or two sentences (at most [`FIXES_MAX_CHARS`]).
    pub fixes: String,
    pub why_it_matters: WhyItMatters,
    /// How long installing takes, in minutes.
    pub install_minutes: u16,
    pub during_install: DuringInstall,
    /// The last day of the model's support period, `YYYY-MM-DD` (EN 303 645 4.3-4).
    pub support_until: String,
}

/// What is wrong with one field of a notice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the notice is not a JSON object: {0}")]
    NotJson(String),
    #[error("is missing")]
    Missing,
    #[error("{0:?} is not a notice field")]
    Unknown(String),
    #[error("has the wrong type: {0}")]
    WrongType(String),
    #[error("is empty")]
    Empty,
    #[error("is {found} characters long; at most {max} are allowed")]
    TooLong { max: usize, found: usize },
    #[error("has {found} sentences; at most {max} are allowed")]
    TooManySentences { max: usize, found: usize },
    #[error("does not end as a sentence does")]
    NotASentence,
    #[error("contains U+{0:04X}, which is not plain printable text")]
    Character(u32),
    #[error("starts or ends with a space, or has two spaces in a row")]
    Spacing,
    #[error("is {found}; it must be from {min} to {max}")]
    OutOfRange { min: u32, max: u32, found: u32 },
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    NotADate(String),
    #[error("is {found:?} where {expected:?} was expected")]
    Mismatch { expected: String, found: String },
    #[error("is {found:?} here but {english:?} in English; only the texts may differ")]
    Inconsistent { english: String, found: String },
    #[error("there is no notice in this locale")]
    NoNotice,
    #[error("there are two notices in this locale")]
    Duplicate,
}

/// A notice refused: which locale, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NoticeError {
    /// The locale of the notice, when known (from the file or the notice).
    pub locale: Option<Locale>,
    /// The field, dotted for nested ones (`why_it_matters.text`); `notice` for the whole.
    pub field: &'static str,
    pub problem: Problem,
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.locale {
            Some(l) => write!(f, "notice ({l}): {}: {}", self.field, self.problem),
            None => write!(f, "notice: {}: {}", self.field, self.problem),
        }
    }
}

fn refuse(locale: Option<Locale>, field: &'static str, problem: Problem) -> NoticeError {
    NoticeError {
        locale,
        field,
        problem,
    }
}

/// Takes the fields of a JSON object one by one, naming each one that is missing or wrong.
struct Fields {
    map: Map<String, Value>,
    locale: Option<Locale>,
}

impl Fields {
    fn take<T: DeserializeOwned>(
        &mut self,
        key: &str,
        field: &'static str,
    ) -> Result<T, NoticeError> {
        let value = self
            .map
            .remove(key)
            .ok_or_else(|| refuse(self.locale, field, Problem::Missing))?;
        serde_json::from_value(value)
            .map_err(|e| refuse(self.locale, field, Problem::WrongType(e.to_string())))
    }

    fn object(&mut self, key: &str, field: &'static str) -> Result<Fields, NoticeError> {
        Ok(Fields {
            map: self.take(key, field)?,
            locale: self.locale,
        })
    }

    fn done(self) -> Result<(), NoticeError> {
        match self.map.into_iter().next() {
            Some((key, _)) => Err(refuse(self.locale, "notice", Problem::Unknown(key))),
            None => Ok(()),
        }
    }
}

impl Notice {
    /// Parses and validates a notice. `locale` is the locale the notice is expected in (from
    /// its file or target name), used to name it in errors and checked against the notice's
    /// own `locale`.
    ///
    /// # Errors
    /// A [`NoticeError`] naming the first field that is missing, unknown, of the wrong type or
    /// not valid (see [`Notice::validate`]).
    pub fn from_json(bytes: &[u8], locale: Option<Locale>) -> Result<Notice, NoticeError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| refuse(locale, "notice", Problem::NotJson(e.to_string())))?;
        let Value::Object(map) = value else {
            return Err(refuse(
                locale,
                "notice",
                Problem::NotJson("not an object".into()),
            ));
        };
        let mut fields = Fields { map, locale };
        let own_locale: Locale = fields.take("locale", "locale")?;
        if let Some(expected) = locale.filter(|l| *l != own_locale) {
            return Err(refuse(
                locale,
                "locale",
                Problem::Mismatch {
                    expected: expected.tag().into(),
                    found: own_locale.tag().into(),
                },
            ));
        }
        fields.locale = Some(own_locale);
        let model = fields.take("model", "model")?;
        let version = fields.take("version", "version")?;
        let security_fix = fields.take("security_fix", "security_fix")?;
        let fixes = fields.take("fixes", "fixes")?;
        let mut why = fields.object("why_it_matters", "why_it_matters")?;
        let why_it_matters = WhyItMatters {
            severity: why.take("severity", "why_it_matters.severity")?,
            text: why.take("text", "why_it_matters.text")?,
        };
        why.done()?;
        let install_minutes = fields.take("install_minutes", "install_minutes")?;
        let mut during = fields.object("during_install", "during_install")?;
        let during_install = DuringInstall {
            keeps_working: during.take("keeps_working", "during_install.keeps_working")?,
            pauses: during.take("pauses", "during_install.pauses")?,
        };
        during.done()?;
        let support_until = fields.take("support_until", "support_until")?;
        fields.done()?;
        let notice = Notice {
            model,
            version,
            locale: own_locale,
            security_fix,
            fixes,
            why_it_matters,
            install_minutes,
            during_install,
            support_until,
        };
        notice.validate()?;
        Ok(notice)
    }

    /// The notice as published: pretty JSON with a final newline.
    ///
    /// # Errors
    /// Only if serialization fails, which it does not for these types.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Checks every field: texts are plain printable text within their length and sentence
    /// limits and end as sentences, the model is a model id, the install time is in
    /// [`INSTALL_MINUTES`], the support end is a real date.
    ///
    /// # Errors
    /// A [`NoticeError`] naming the first field that is not valid.
    pub fn validate(&self) -> Result<(), NoticeError> {
        let locale = Some(self.locale);
        if !hearth_vendor_api::catalogue::is_model_id(&self.model) {
            return Err(refuse(
                locale,
                "model",
                Problem::Mismatch {
                    expected: "a model id ([a-z0-9-], at most 64)".into(),
                    found: self.model.clone(),
                },
            ));
        }
        check_text(
            locale,
            "fixes",
            &self.fixes,
            FIXES_MAX_CHARS,
            FIXES_MAX_SENTENCES,
        )?;
        check_text(
            locale,
            "why_it_matters.text",
            &self.why_it_matters.text,
            WHY_MAX_CHARS,
            WHY_MAX_SENTENCES,
        )?;
        check_text(
            locale,
            "during_install.pauses",
            &self.during_install.pauses,
            PAUSES_MAX_CHARS,
            PAUSES_MAX_SENTENCES,
        )?;
        if !INSTALL_MINUTES.contains(&self.install_minutes) {
            return Err(refuse(
                locale,
                "install_minutes",
                Problem::OutOfRange {
                    min: u32::from(*INSTALL_MINUTES.start()),
                    max: u32::from(*INSTALL_MINUTES.end()),
                    found: u32::from(self.install_minutes),
                },
            ));
        }
        let date = time::macros::format_description!("[year]-[month]-[day]");
        if time::Date::parse(&self.support_until, date).is_err() {
            return Err(refuse(
                locale,
                "support_until",
                Problem::NotADate(self.support_until.clone()),
            ));
        }
        Ok(())
    }
}

fn check_text(
    locale: Option<Locale>,
    field: &'static str,
    text: &str,
    max_chars: usize,
    max_sentences: usize,
) -> Result<(), NoticeError> {
    let problem = |p| Err(refuse(locale, field, p));
    match text::check(text) {
        Err(TextFault::Empty) => return problem(Problem::Empty),
        Err(TextFault::Spacing) => return problem(Problem::Spacing),
        Err(TextFault::Character(cp)) => return problem(Problem::Character(cp)),
        Ok(()) => {}
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return problem(Problem::TooLong {
            max: max_chars,
            found: chars,
        });
    }
    if !text::ends_a_sentence(text) {
        return problem(Problem::NotASentence);
    }
    let sentences = text::sentences(text);
    if sentences > max_sentences {
        return problem(Problem::TooManySentences {
            max: max_sentences,
            found: sentences,
        });
    }
    Ok(())
}

/// The notices of one release, one per shipped locale, agreeing on everything but the texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSet {
    /// In the order of [`Locale::ALL`].
    notices: [Notice; 4],
}

impl NoticeSet {
    /// Gathers the notices of `model` `version`.
    ///
    /// # Errors
    /// A [`NoticeError`] if a locale has no notice or two, a notice is for another model or
    /// version, or one differs from the English notice in anything but its texts (security
    /// fix, severity, install time, whether the device keeps working, support end).
    pub fn new(
        model: &str,
        version: Version,
        notices: impl IntoIterator<Item = Notice>,
    ) -> Result<NoticeSet, NoticeError> {
        let mut by_locale = BTreeMap::new();
        for notice in notices {
            let locale = Some(notice.locale);
            notice.validate()?;
            if notice.model != model {
                return Err(refuse(
                    locale,
                    "model",
                    Problem::Mismatch {
                        expected: model.into(),
                        found: notice.model,
                    },
                ));
            }
            if notice.version != version {
                return Err(refuse(
                    locale,
                    "version",
                    Problem::Mismatch {
                        expected: version.to_string(),
                        found: notice.version.to_string(),
                    },
                ));
            }
            if by_locale.insert(notice.locale, notice).is_some() {
                return Err(refuse(locale, "locale", Problem::Duplicate));
            }
        }
        let mut take = |locale: Locale| {
            by_locale
                .remove(&locale)
                .ok_or_else(|| refuse(Some(locale), "locale", Problem::NoNotice))
        };
        let [en, de, fr, es] = Locale::ALL;
        let set = NoticeSet {
            notices: [take(en)?, take(de)?, take(fr)?, take(es)?],
        };
        let english = set.get(Locale::En);
        for notice in &set.notices {
            let differs = |field: &'static str, english: String, found: String| {
                if english == found {
                    Ok(())
                } else {
                    Err(refuse(
                        Some(notice.locale),
                        field,
                        Problem::Inconsistent { english, found },
                    ))
                }
            };
            differs(
                "security_fix",
                english.security_fix.to_string(),
                notice.security_fix.to_string(),
            )?;
            differs(
                "why_it_matters.severity",
                format!("{:?}", english.why_it_matters.severity),
                format!("{:?}", notice.why_it_matters.severity),
            )?;
            differs(
                "install_minutes",
                english.install_minutes.to_string(),
                notice.install_minutes.to_string(),
            )?;
            differs(
                "during_install.keeps_working",
                english.during_install.keeps_working.to_string(),
                notice.during_install.keeps_working.to_string(),
            )?;
            differs(
                "support_until",
                english.support_until.clone(),
                notice.support_until.clone(),
            )?;
        }
        Ok(set)
    }

    /// The notice in `locale` (every locale has one).
    #[must_use]
    pub fn get(&self, locale: Locale) -> &Notice {
        let index = match locale {
            Locale::En => 0,
            Locale::De => 1,
            Locale::Fr => 2,
            Locale::Es => 3,
        };
        &self.notices[index]
    }

    /// Whether the release fixes a security flaw (the same in every locale).
    #[must_use]
    pub fn security_fix(&self) -> bool {
        self.get(Locale::En).security_fix
    }

    /// Every notice, English first.
    pub fn iter(&self) -> impl Iterator<Item = &Notice> {
        self.notices.iter()
    }
}

#[cfg(test)]
mod tests;
