//! Reading loosely typed D-Bus values (`v`, `a{sv}`) from peers without trusting their shape:
//! every accessor returns `None` on a type mismatch instead of panicking (EN 303 645 5.13-1).

use std::collections::{BTreeMap, HashMap};

use zbus::{OwnedVariant as OwnedValue, Variant as Value};

/// Unwraps nested variants (`v` holding `v` holding …), at most a few levels deep.
fn peel<'a, 'b>(mut value: &'b Value<'a>) -> &'b Value<'a> {
    for _ in 0..4 {
        match value {
            Value::Variant(inner) => value = inner,
            _ => break,
        }
    }
    value
}

/// A string (`s`).
pub fn string(value: &Value<'_>) -> Option<String> {
    match peel(value) {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// An object path (`o`), or a string holding one.
pub fn path(value: &Value<'_>) -> Option<String> {
    match peel(value) {
        Value::ObjectPath(p) => Some(p.to_string()),
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

/// A boolean (`b`).
pub fn boolean(value: &Value<'_>) -> Option<bool> {
    match peel(value) {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// A signed 16-bit integer (`n`).
pub fn int16(value: &Value<'_>) -> Option<i16> {
    match peel(value) {
        Value::I16(n) => Some(*n),
        _ => None,
    }
}

/// A list of strings (`as`).
pub fn strings(value: &Value<'_>) -> Option<Vec<String>> {
    match peel(value) {
        Value::Array(items) => items.inner().iter().map(string).collect(),
        _ => None,
    }
}

/// A byte array (`ay`), at most `limit` bytes.
pub fn bytes(value: &Value<'_>, limit: usize) -> Option<Vec<u8>> {
    match peel(value) {
        Value::Array(items) if items.len() <= limit => items
            .inner()
            .iter()
            .map(|item| match item {
                Value::U8(b) => Some(*b),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// `a{sv}` whose values are byte arrays (ServiceData), keys lower-cased; bad entries skipped.
pub fn string_byte_map(value: &Value<'_>, limit: usize) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Value::Dict(dict) = peel(value) {
        for (k, v) in dict.iter() {
            if let (Some(k), Some(v)) = (string(k), bytes(v, limit)) {
                out.insert(k.to_ascii_lowercase(), v);
            }
        }
    }
    out
}

/// `a{qv}` whose values are byte arrays (ManufacturerData); bad entries skipped.
pub fn u16_byte_map(value: &Value<'_>, limit: usize) -> BTreeMap<u16, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Value::Dict(dict) = peel(value) {
        for (k, v) in dict.iter() {
            if let (Value::U16(k), Some(v)) = (peel(k), bytes(v, limit)) {
                out.insert(*k, v);
            }
        }
    }
    out
}

/// Looks up `key` in an `a{sv}` map.
pub fn get<'m>(map: &'m HashMap<String, OwnedValue>, key: &str) -> Option<&'m Value<'static>> {
    map.get(key).map(|v| &**v)
}

/// A byte array as an owned variant (`v` holding `ay`).
///
/// # Errors
/// Never in practice: only values holding file descriptors fail to convert.
pub fn owned_bytes(bytes: &[u8]) -> zbus::Result<OwnedValue> {
    OwnedValue::try_from(Value::from(bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_give_none() {
        let v = Value::from(5u32);
        assert_eq!(string(&v), None);
        assert_eq!(bytes(&v, 10), None);
        assert_eq!(strings(&Value::from(vec![1u8, 2])), None);
        assert_eq!(
            bytes(&Value::from(vec![1u8, 2, 3]), 2),
            None,
            "over the limit"
        );
        assert_eq!(
            bytes(&Value::Variant(Box::new(Value::from(vec![1u8]))), 2),
            Some(vec![1])
        );
    }
}
