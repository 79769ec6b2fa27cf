//! The TUF metadata this publisher writes (TUF specification 1.0.31, §4), its canonical form
//! and its signatures.
//!
//! Signatures cover the OLPC canonical JSON of `signed` (the securesystemslib encoding every
//! TUF client verifies), made with Ed25519 (`"keytype": "ed25519", "scheme": "ed25519"`, the
//! public key hex-encoded). A key id is the hex SHA-256 of the canonical key object (§4.2).
//! Expiry times are whole seconds, `YYYY-MM-DDTHH:MM:SSZ`: python-tuf and go-tuf parse them
//! strictly and refuse fractions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::PublishError;

/// The TUF specification version written into every role.
pub const SPEC_VERSION: &str = "1.0.31";

/// A public key as TUF writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    pub keytype: String,
    pub scheme: String,
    pub keyval: KeyVal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVal {
    /// The raw 32-byte Ed25519 public key, hex.
    pub public: String,
}

impl PublicKey {
    /// An Ed25519 key from its 32 raw bytes.
    #[must_use]
    pub fn ed25519(raw: &[u8]) -> Self {
        Self {
            keytype: "ed25519".into(),
            scheme: "ed25519".into(),
            keyval: KeyVal {
                public: hex::encode(raw),
            },
        }
    }

    /// The key id: hex SHA-256 of the canonical JSON of the key object (TUF §4.2).
    #[must_use]
    pub fn key_id(&self) -> String {
        // A key object always serializes: it is three strings.
        let bytes = canonical(self).unwrap_or_default();
        sha256_hex(&bytes)
    }
}

/// The keys and threshold of one role in root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKeys {
    pub keyids: Vec<String>,
    pub threshold: u32,
}

/// One signature over the canonical `signed` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub keyid: String,
    /// Ed25519 signature, hex.
    pub sig: String,
}

/// A signed metadata file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signed<T> {
    pub signed: T,
    pub signatures: Vec<Signature>,
}

/// `root.json` (TUF §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    #[serde(rename = "_type")]
    pub kind: String,
    pub spec_version: String,
    pub consistent_snapshot: bool,
    pub version: u64,
    pub expires: String,
    pub keys: BTreeMap<String, PublicKey>,
    pub roles: BTreeMap<String, RoleKeys>,
}

/// One target's entry in `targets.json` (TUF §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFile {
    pub length: u64,
    pub hashes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
}

/// `targets.json` (TUF §4.5), without delegations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(rename = "_type")]
    pub kind: String,
    pub spec_version: String,
    pub version: u64,
    pub expires: String,
    pub targets: BTreeMap<String, TargetFile>,
}

/// A metadata file pinned by snapshot or timestamp (TUF §4.4, §4.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaFile {
    pub version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<BTreeMap<String, String>>,
}

impl MetaFile {
    /// A pin of `bytes` at `version`, with its length and SHA-256.
    #[must_use]
    pub fn of(version: u64, bytes: &[u8]) -> Self {
        Self {
            version,
            length: Some(bytes.len() as u64),
            hashes: Some(BTreeMap::from([("sha256".to_owned(), sha256_hex(bytes))])),
        }
    }

    /// Whether `bytes` are what this pin names (length and every hash we can compute).
    #[must_use]
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.length.is_none_or(|l| l == bytes.len() as u64)
            && self.hashes.as_ref().is_none_or(|h| {
                h.get("sha256")
                    .is_some_and(|want| want.eq_ignore_ascii_case(&sha256_hex(bytes)))
            })
    }
}

/// `snapshot.json` and `timestamp.json` have the same shape (TUF §4.4, §4.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaRole {
    #[serde(rename = "_type")]
    pub kind: String,
    pub spec_version: String,
    pub version: u64,
    pub expires: String,
    pub meta: BTreeMap<String, MetaFile>,
}

/// OLPC canonical JSON: what TUF signatures cover.
///
/// # Errors
/// [`PublishError::Encode`] if the value holds a float (canonical JSON has integers only).
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, PublishError> {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, olpc_cjson::CanonicalFormatter::new());
    value
        .serialize(&mut ser)
        .map_err(|e| PublishError::Encode(e.to_string()))?;
    Ok(out)
}

/// The bytes of a metadata file as written: pretty JSON and a final newline (clients verify
/// the canonical form of `signed`, not the file's layout).
///
/// # Errors
/// [`PublishError::Encode`] (never for these types).
pub fn file_bytes<T: Serialize>(md: &Signed<T>) -> Result<Vec<u8>, PublishError> {
    let mut bytes =
        serde_json::to_vec_pretty(md).map_err(|e| PublishError::Encode(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Hex SHA-256.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

const TUF_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// A TUF expiry: whole seconds in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
///
/// # Errors
/// [`PublishError::Time`] for a time beyond year 9999.
pub fn tuf_time(unix: u64) -> Result<String, PublishError> {
    let bad = || PublishError::Time(unix.to_string());
    let secs = i64::try_from(unix).map_err(|_| bad())?;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| bad())?
        .format(TUF_TIME)
        .map_err(|_| bad())
}

/// Reads a TUF expiry back as Unix seconds.
///
/// # Errors
/// [`PublishError::Corrupt`] if it is not in the form [`tuf_time`] writes.
pub fn parse_tuf_time(text: &str) -> Result<u64, PublishError> {
    let parsed = time::PrimitiveDateTime::parse(text, TUF_TIME).map_err(|_| {
        PublishError::Corrupt(format!("expiry {text:?} is not YYYY-MM-DDTHH:MM:SSZ"))
    })?;
    u64::try_from(parsed.assume_utc().unix_timestamp())
        .map_err(|_| PublishError::Corrupt(format!("expiry {text:?} is before 1970")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_are_whole_seconds_in_utc_and_read_back() {
        assert_eq!(tuf_time(0).expect("time"), "1970-01-01T00:00:00Z");
        assert_eq!(
            tuf_time(1_893_456_000).expect("time"),
            "2030-01-01T00:00:00Z"
        );
        assert_eq!(
            parse_tuf_time("2030-01-01T00:00:00Z").expect("parse"),
            1_893_456_000
        );
        assert!(parse_tuf_time("2030-01-01T00:00:00.5Z").is_err());
        assert!(tuf_time(u64::MAX).is_err());
    }

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let key = PublicKey::ed25519(&[0xab; 32]);
        let text = String::from_utf8(canonical(&key).expect("canonical")).expect("utf-8");
        assert_eq!(
            text,
            format!(
                r#"{{"keytype":"ed25519","keyval":{{"public":"{}"}},"scheme":"ed25519"}}"#,
                "ab".repeat(32)
            )
        );
        assert_eq!(key.key_id(), sha256_hex(text.as_bytes()));
    }
}
