//! The locales every notice is published in.

use serde::{Deserialize, Serialize};

/// A shipped locale. Every release carries a notice in each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    De,
    Fr,
    Es,
}

impl Locale {
    /// Every locale, English (the fallback) first.
    pub const ALL: [Locale; 4] = [Locale::En, Locale::De, Locale::Fr, Locale::Es];

    /// The BCP 47 tag, as used in file and target names.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
        }
    }

    /// The locale with exactly this tag.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The shipped locale for a requested language tag (`de-CH` → German), English for any
    /// language that is not shipped.
    #[must_use]
    pub fn negotiate(requested: &str) -> Locale {
        let primary = requested
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Locale::from_tag(&primary).unwrap_or(Locale::En)
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_tag_finds_its_language_and_anything_else_is_english() {
        assert_eq!(Locale::negotiate("de-CH"), Locale::De);
        assert_eq!(Locale::negotiate("FR_ca"), Locale::Fr);
        assert_eq!(Locale::negotiate("es"), Locale::Es);
        assert_eq!(Locale::negotiate("pt-BR"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::from_tag("DE"), None);
    }
}
