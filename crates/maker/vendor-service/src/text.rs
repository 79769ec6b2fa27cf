//! What "printable" means for text the service accepts and later shows to the vendor (EN 303
//! 645 4.13-1): characters a person can see, and the plain space.
//!
//! Refused: controls (Cc), format characters (Cf — zero-width spaces and joiners, the byte
//! order mark, and the bidirectional overrides and isolates that turn text around, the
//! "Trojan Source" characters of CVE-2021-42574), line and paragraph separators (Zl, Zp), every
//! space but U+0020 (Zs), private-use, surrogate and unassigned code points, and the
//! default-ignorable characters that Unicode files under letters or marks (Hangul fillers,
//! variation selectors, the combining grapheme joiner: UAX #44 `Default_Ignorable_Code_Point`).

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

/// Whether `c` is a visible character or the plain space.
pub fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let visible = !matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned
    );
    visible && !is_hidden_letter_or_mark(c)
}

/// Default-ignorable code points outside Cf: they render as nothing.
fn is_hidden_letter_or_mark(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFA0}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Whether all of `s` is printable.
pub fn is_printable_text(s: &str) -> bool {
    s.chars().all(is_printable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_in_any_script_passes() {
        for s in [
            "1.0.3-beta",
            "Küche",
            "Überprüfung",
            "客厅",
            "اختبار",
            "e\u{301}",
            "€ 5 ½",
        ] {
            assert!(is_printable_text(s), "{s:?}");
        }
    }

    #[test]
    fn invisible_direction_and_separator_characters_are_refused() {
        for c in [
            '\u{0}',
            '\n',
            '\t',
            '\u{7F}',
            '\u{85}',
            '\u{AD}',
            '\u{A0}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{2028}',
            '\u{2029}',
            '\u{2060}',
            '\u{3000}',
            '\u{FEFF}',
            '\u{E000}',
            '\u{FFFF}',
            '\u{FE0F}',
            '\u{3164}',
            '\u{E0041}',
            '\u{10FFFF}',
        ] {
            assert!(!is_printable(c), "U+{:04X}", c as u32);
        }
    }
}
