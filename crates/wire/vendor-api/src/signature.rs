//! Catalogue entries signed with the maker's catalogue key (Ed25519, RFC 8032).
//!
//! The signed message is the domain label [`ENTRY_DOMAIN`] followed by the entry's canonical JSON
//! ([`crate::canonical`]). Any change to the entry by a cache or proxy — even reordering members
//! or spacing — leaves the canonical bytes the same only if the meaning is the same, and any change
//! of meaning breaks the signature. Verification uses `verify_strict` (no malleable signatures).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::canonical::to_canonical_json;
use crate::catalogue::DeviceModel;
use crate::error::WireError;

/// Domain separation so a catalogue signature can never be replayed as another kind of message.
pub const ENTRY_DOMAIN: &[u8] = b"hearth-catalogue-entry/v1\n";

/// Name of the only algorithm accepted.
pub const ALGORITHM: &str = "ed25519";

/// What `GET /v1/catalogue/{model}` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedEntry {
    /// The entry as JSON; verified before it is turned into a [`DeviceModel`].
    pub entry: Value,
    pub signature: EntrySignature,
}

/// What `GET /v1/catalogue` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCatalogue {
    pub entries: Vec<SignedEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySignature {
    /// Always [`ALGORITHM`].
    pub algorithm: String,
    /// [`key_id`] of the signing key, so a rotated key is recognised.
    pub key_id: String,
    /// Standard base64 of the 64-byte signature.
    pub value: String,
}

/// Short identifier of a catalogue key: hex of the first 8 bytes of SHA-256 of the public key.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..8])
}

/// Signs a validated entry.
///
/// # Errors
/// [`WireError::InvalidCatalogueEntry`] if the entry breaks a catalogue rule, or
/// [`WireError::NotCanonicalisable`] (cannot happen for a [`DeviceModel`], which holds no floats).
pub fn sign_entry(model: &DeviceModel, key: &SigningKey) -> Result<SignedEntry, WireError> {
    model.validate()?;
    let entry = serde_json::to_value(model).map_err(|e| WireError::Malformed(e.to_string()))?;
    let message = signed_message(&entry)?;
    let signature = key.sign(&message);
    Ok(SignedEntry {
        entry,
        signature: EntrySignature {
            algorithm: ALGORITHM.to_owned(),
            key_id: key_id(&key.verifying_key()),
            value: BASE64.encode(signature.to_bytes()),
        },
    })
}

impl SignedEntry {
    /// Checks the signature with the catalogue key from the vendor profile, then decodes and
    /// validates the entry.
    ///
    /// # Errors
    /// [`WireError::UnknownSignatureAlgorithm`], [`WireError::UnknownCatalogueKey`],
    /// [`WireError::BadSignature`] when the entry was altered or signed by another key,
    /// [`WireError::Malformed`] / [`WireError::InvalidCatalogueEntry`] for a signed but unusable
    /// entry.
    pub fn verify(&self, key: &VerifyingKey) -> Result<DeviceModel, WireError> {
        if self.signature.algorithm != ALGORITHM {
            return Err(WireError::UnknownSignatureAlgorithm);
        }
        if self.signature.key_id != key_id(key) {
            return Err(WireError::UnknownCatalogueKey);
        }
        let bytes = BASE64
            .decode(self.signature.value.as_bytes())
            .map_err(|_| WireError::BadSignature)?;
        let signature = Signature::from_slice(&bytes).map_err(|_| WireError::BadSignature)?;
        let message = signed_message(&self.entry)?;
        key.verify_strict(&message, &signature)
            .map_err(|_| WireError::BadSignature)?;
        let model: DeviceModel = serde_json::from_value(self.entry.clone())
            .map_err(|e| WireError::Malformed(e.to_string()))?;
        model.validate()?;
        Ok(model)
    }
}

fn signed_message(entry: &Value) -> Result<Vec<u8>, WireError> {
    let canonical = to_canonical_json(entry)?;
    let mut message = Vec::with_capacity(ENTRY_DOMAIN.len() + canonical.len());
    message.extend_from_slice(ENTRY_DOMAIN);
    message.extend_from_slice(&canonical);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn model() -> DeviceModel {
        let all = |t: &str| json!({"en": t, "de": t, "fr": t, "es": t});
        serde_json::from_value(json!({
            "model": "test-plug-1",
            "display_name": "Test Plug",
            "maker": "Test Maker",
            "updatable": true,
            "support": {"end_date": "2030-01-31", "policy": all("Updates until 2030.")},
            "sensors": [],
            "data_use": {"controller": "Test Maker", "personal_data": [], "statement": all("None.")},
            "telemetry": [{
                "name": "pairing_failures",
                "description": {"en": "Failed pairings."},
                "purpose": {"en": "Detect guessing."},
                "recipient": {"en": "Security team"},
                "retention_days": 30,
                "personal": false,
                "anonymisation": {"en": "Count only."},
                "value": {"type": "integer", "min": 0, "max": 100},
                "signal": "failed_pairing"
            }]
        }))
        .expect("valid model")
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[3u8; 32])
    }

    #[test]
    fn signed_entry_verifies_and_survives_reserialisation() {
        let signed = sign_entry(&model(), &key()).expect("signs");
        let text = serde_json::to_string_pretty(&signed).expect("json");
        let back: SignedEntry = serde_json::from_str(&text).expect("parses");
        assert_eq!(
            back.verify(&key().verifying_key()).expect("verifies"),
            model()
        );
    }

    #[test]
    fn wrong_algorithm_and_garbage_signature_are_refused() {
        let mut signed = sign_entry(&model(), &key()).expect("signs");
        signed.signature.value = "AAAA".into();
        assert!(matches!(
            signed.verify(&key().verifying_key()),
            Err(WireError::BadSignature)
        ));
        signed.signature.algorithm = "rsa".into();
        assert!(matches!(
            signed.verify(&key().verifying_key()),
            Err(WireError::UnknownSignatureAlgorithm)
        ));
    }

    proptest! {
        /// Whatever a proxy writes into the display name, the signature only holds if it wrote
        /// back the original.
        #[test]
        fn any_change_of_content_breaks_the_signature(name in ".{0,40}") {
            let mut signed = sign_entry(&model(), &key()).expect("signs");
            signed.entry["display_name"] = json!(name.clone());
            let verdict = signed.verify(&key().verifying_key());
            if name == "Test Plug" {
                prop_assert!(verdict.is_ok());
            } else {
                prop_assert!(matches!(verdict, Err(WireError::BadSignature)));
            }
        }
    }
}
