//! Plain printable text: what a notice may contain.
//!
//! A notice is shown to a person as it is, so it must not carry anything that changes how the
//! text around it reads (bidirectional controls, CVE-2021-42574 "Trojan Source"), hides
//! characters (zero-width and other invisible format characters, tag characters, variation
//! selectors), breaks lines or the terminal (control characters), or renders as nothing
//! predictable (private use, noncharacters, unusual spaces).

/// Why a text is not plain printable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextFault {
    Empty,
    /// Starts or ends with a space, or has two spaces in a row.
    Spacing,
    /// A character that is not allowed, as its code point.
    Character(u32),
}

/// Whether `c` is allowed in a notice.
fn allowed(c: char) -> bool {
    let cp = u32::from(c);
    if c.is_control() {
        return false;
    }
    // Spaces: the plain space, the no-break space and the narrow no-break space (French
    // typography before ":" and ";"); no other width of space.
    if c.is_whitespace() {
        return matches!(cp, 0x20 | 0xA0 | 0x202F);
    }
    !matches!(cp,
        // soft hyphen, combining grapheme joiner, Hangul fillers, Khmer inherent vowels
        0xAD | 0x34F | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x3164 | 0xFFA0
        // Arabic letter mark, Mongolian selectors and vowel separator
        | 0x61C | 0x180B..=0x180F
        // zero-width space/joiners, LRM/RLM, bidi embeddings and overrides
        | 0x200B..=0x200F | 0x202A..=0x202E
        // word joiner, invisible operators, bidi isolates, deprecated format characters
        | 0x2060..=0x206F
        // variation selectors, byte order mark, interlinear annotation, specials
        | 0xFE00..=0xFE0F | 0xFEFF | 0xFFF0..=0xFFFB
        // noncharacters
        | 0xFDD0..=0xFDEF
        // musical symbol format characters
        | 0x1D173..=0x1D17A
        // private use
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        // tag characters and variation selectors supplement
        | 0xE0000..=0xE0FFF
    ) && (cp & 0xFFFE) != 0xFFFE
}

/// Checks that `text` is plain printable text.
pub(crate) fn check(text: &str) -> Result<(), TextFault> {
    if text.is_empty() {
        return Err(TextFault::Empty);
    }
    if let Some(bad) = text.chars().find(|&c| !allowed(c)) {
        return Err(TextFault::Character(u32::from(bad)));
    }
    if text.starts_with(' ') || text.ends_with(' ') || text.contains("  ") {
        return Err(TextFault::Spacing);
    }
    Ok(())
}

/// Sentences in `text`: sentence marks (`.`, `!`, `?`, `…`) followed by a space or the end.
pub(crate) fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            matches!(c, '.' | '!' | '?' | '…')
                && chars
                    .get(i + 1)
                    .is_none_or(|n| n.is_whitespace() || matches!(n, '"' | '»' | '”' | ')'))
                && !chars
                    .get(i + 1)
                    .is_some_and(|n| matches!(n, '.' | '!' | '?'))
        })
        .count()
}

/// Whether `text` ends as a sentence does.
pub(crate) fn ends_a_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '»', '”', ')'])
        .ends_with(['.', '!', '?', '…'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_in_every_shipped_script_passes() {
        for ok in [
            "Fixes a flaw in pairing.",
            "Behebt einen Fehler beim Koppeln – schnell & sicher.",
            "Corrige une faille\u{202F}: la prise redémarre.",
            "Corrige un fallo. ¿Por qué importa? ¡Mucho!",
            "Temperature 21 °C, 100 %",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn controls_bidi_invisible_and_odd_spacing_are_refused() {
        for (bad, fault) in [
            ("", TextFault::Empty),
            ("two\nlines", TextFault::Character(0x0A)),
            ("tab\there", TextFault::Character(0x09)),
            ("safe\u{202E}evil", TextFault::Character(0x202E)),
            ("isolate\u{2066}x", TextFault::Character(0x2066)),
            ("zero\u{200B}width", TextFault::Character(0x200B)),
            ("bom\u{FEFF}", TextFault::Character(0xFEFF)),
            ("soft\u{AD}hyphen", TextFault::Character(0xAD)),
            ("tag\u{E0041}", TextFault::Character(0xE0041)),
            ("private\u{E000}", TextFault::Character(0xE000)),
            ("em\u{2003}space", TextFault::Character(0x2003)),
            ("nonchar\u{FFFE}", TextFault::Character(0xFFFE)),
            (" leading", TextFault::Spacing),
            ("trailing ", TextFault::Spacing),
            ("double  space", TextFault::Spacing),
        ] {
            assert_eq!(check(bad), Err(fault), "{bad:?}");
        }
    }

    #[test]
    fn sentences_are_counted_by_their_ends_not_by_dots_in_versions() {
        assert_eq!(sentences("Fixes 0.2.0 pairing."), 1);
        assert_eq!(sentences("One. Two! Three?"), 3);
        assert_eq!(sentences("Wait... really?"), 2);
        assert_eq!(sentences("No end"), 0);
        assert!(ends_a_sentence("Done.\u{201D}"));
        assert!(!ends_a_sentence("Not done"));
    }
}
