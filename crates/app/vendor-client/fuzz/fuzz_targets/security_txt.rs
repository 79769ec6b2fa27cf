//! `parse_security_txt` (RFC 9116) on any bytes, as the app reads the
//! vendor's `/.well-known/security.txt`.
//!
//! Never panics; what it accepts has a contact and an expiry, every value is
//! trimmed and on one line, and every value comes from the file; CRLF line
//! ends (which RFC 9116 allows) read the same as LF.
//!
//! Inputs are raw bytes, or lines whose field names the input picks from
//! RFC 9116's (in any letter case), so the fuzzer reaches accepted files
//! without having to guess the word `Contact`.
#![no_main]

use hearth_vendor_client::parse_security_txt;
use libfuzzer_sys::fuzz_target;

fn check_value(value: &str, text: &str) {
    assert_eq!(value, value.trim(), "untrimmed value {value:?}");
    assert!(!value.contains('\n'), "a value spans lines: {value:?}");
    assert!(text.contains(value), "a value not in the file: {value:?}");
}

const FIELDS: [&str; 8] = [
    "Contact",
    "Expires",
    "Policy",
    "Preferred-Languages",
    "Canonical",
    "Encryption",
    "Acknowledgments",
    "# Contact",
];

/// A file of lines `<field>:<input>`, field and letter case from each line's first byte.
fn structured(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in input.split(|b| *b == b'\n') {
        let Some((&pick, value)) = line.split_first() else {
            continue;
        };
        let field = FIELDS[usize::from(pick) % FIELDS.len()];
        out.extend(field.bytes().map(|b| {
            if pick & 0x80 != 0 {
                b.to_ascii_lowercase()
            } else {
                b
            }
        }));
        out.push(b':');
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let data = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        structured(rest)
    };
    let Ok(contact) = parse_security_txt(&data) else {
        return;
    };
    let text = std::str::from_utf8(&data).expect("accepted text is UTF-8");
    assert!(!contact.contacts.is_empty(), "accepted without a contact");
    assert!(!contact.expires.is_empty(), "accepted without an expiry");
    contact.contacts.iter().for_each(|c| check_value(c, text));
    check_value(&contact.expires, text);
    contact.policy.iter().for_each(|p| check_value(p, text));
    contact.canonical.iter().for_each(|c| check_value(c, text));
    contact
        .preferred_languages
        .iter()
        .for_each(|l| check_value(l, text));
    if !text.contains('\r') {
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(
            parse_security_txt(crlf.as_bytes()).ok(),
            Some(contact),
            "CRLF reads differently"
        );
    }
});
