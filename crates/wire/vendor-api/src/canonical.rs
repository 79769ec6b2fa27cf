//! Canonical JSON for signed catalogue entries.
//!
//! The encoding is RFC 8785 (JSON Canonicalization Scheme) restricted to the values a catalogue
//! entry holds: object members sorted by the UTF-16 code units of their names, no insignificant
//! whitespace, strings escaped as RFC 8785 §3.2.2.2 says (`"`, `\`, and control characters only;
//! `\b \t \n \f \r` in short form, the rest as lowercase `\u00xx`), and integers in plain decimal.
//! Floating-point numbers are refused rather than formatted, so two implementations can never
//! disagree on a number's text; catalogue entries carry none.
//!
//! A signer and a verifier in any language produce the same bytes from the same JSON value,
//! whatever order a cache, proxy or library wrote the members in.

use serde_json::Value;

use crate::error::WireError;

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Encodes `value` canonically.
///
/// # Errors
/// [`WireError::NotCanonicalisable`] for a floating-point number or nesting deeper than 32.
pub fn to_canonical_json(value: &Value) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out, 0)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), WireError> {
    if depth > MAX_DEPTH {
        return Err(WireError::NotCanonicalisable(
            "nesting deeper than 32 levels",
        ));
    }
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(WireError::NotCanonicalisable("floating-point number"));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            // RFC 8785 §3.2.3 orders by UTF-16 code units, not by bytes or chars.
            sorted.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (name, member)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(name, out);
                out.push(b':');
                write_value(member, out, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_and_whitespace_dropped() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, 2], "a": {"z": true, "y": null} }"#)
            .expect("valid json");
        let out = to_canonical_json(&v).expect("canonical");
        assert_eq!(out, br#"{"a":{"y":null,"z":true},"b":[1,2]}"#);
    }

    #[test]
    fn strings_escape_only_what_rfc8785_requires() {
        let v = json!({"s": "é/\u{1}\n\"\\"});
        let out = to_canonical_json(&v).expect("canonical");
        assert_eq!(out, "{\"s\":\"é/\\u0001\\n\\\"\\\\\"}".as_bytes());
    }

    #[test]
    fn floats_are_refused() {
        let v = json!({"t": 21.5});
        assert!(matches!(
            to_canonical_json(&v),
            Err(WireError::NotCanonicalisable(_))
        ));
    }

    #[test]
    fn sorting_uses_utf16_code_units() {
        // U+E000 sorts before U+10000 in UTF-16 (0xE000 < 0xD800 is false; surrogates 0xD800..)
        // so the supplementary character, encoded as 0xD800 0xDC00, comes first.
        let v = json!({"\u{e000}": 1, "\u{10000}": 2});
        let out = String::from_utf8(to_canonical_json(&v).expect("canonical")).expect("utf8");
        assert!(out.find('\u{10000}') < out.find('\u{e000}'));
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(".{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Canonical output is valid JSON for the same value, and canonicalising it again is a
        /// fixed point: what a verifier re-encodes is what the signer signed.
        #[test]
        fn round_trip_is_a_fixed_point(v in arb_json()) {
            let once = to_canonical_json(&v).expect("canonical");
            let parsed: Value = serde_json::from_slice(&once).expect("valid json");
            prop_assert_eq!(&parsed, &v);
            let twice = to_canonical_json(&parsed).expect("canonical");
            prop_assert_eq!(once, twice);
        }
    }
}
