//! The signed catalogue as the app reads it (`serde_json` into
//! `SignedCatalogue`, then `SignedEntry::verify` with the catalogue key), and
//! the canonical JSON (RFC 8785 subset) the signatures cover, on any bytes.
//!
//! Never panics. Canonical JSON: whatever encodes parses back to the same
//! value and is a fixed point. Signatures: an entry verifies only if it is
//! the one the maker signed (same JSON value, whatever its spacing, member
//! order or escapes), and then it decodes to exactly the signed model.
//! Inputs are raw bytes or byte edits of a genuine signed catalogue.
#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use hearth_vendor_api::canonical::to_canonical_json;
use hearth_vendor_api::{DeviceModel, SignedCatalogue, sign_entry};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

struct Genuine {
    key: SigningKey,
    model: DeviceModel,
    text: Vec<u8>,
    value: Value,
}

fn genuine() -> &'static Genuine {
    static GENUINE: OnceLock<Genuine> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let all = |t: &str| json!({"en": t, "de": t, "fr": t, "es": t});
        let model: DeviceModel = serde_json::from_value(json!({
            "model": "hearth-plug-1",
            "display_name": "Hearth Plug",
            "maker": "Hearth Devices",
            "updatable": true,
            "support": {"end_date": "2030-01-31", "policy": all("Updates until 2030.")},
            "sensors": [],
            "data_use": {"controller": "Hearth Devices", "personal_data": [], "statement": all("None.")},
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
        .expect("a valid model");
        let key = SigningKey::from_bytes(&[3; 32]);
        let catalogue = SignedCatalogue {
            entries: vec![sign_entry(&model, &key).expect("signs")],
        };
        let text = serde_json::to_vec(&catalogue).expect("serialises");
        let value = serde_json::from_slice(&text).expect("parses");
        Genuine {
            key,
            model,
            text,
            value,
        }
    })
}

fn edit(genuine: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut out = genuine.to_vec();
    // One to four edits (the first byte says how many): a run of many random
    // edits would almost never leave a message whose later checks matter.
    let Some((&count, edits)) = edits.split_first() else {
        return out;
    };
    for chunk in edits.chunks_exact(3).take(usize::from(count % 4) + 1) {
        let position = usize::from(u16::from_be_bytes([chunk[0], chunk[1]]));
        match (chunk[0] >> 6, out.len()) {
            (_, 0) => out.push(chunk[2]),
            (0, len) => out.insert(position % (len + 1), chunk[2]),
            (1, len) => {
                out.remove(position % len);
            }
            (_, len) => out[position % len] = chunk[2],
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let g = genuine();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        edit(&g.text, rest)
    };

    if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
        if let Ok(canonical) = to_canonical_json(&value) {
            let back: Value = serde_json::from_slice(&canonical).expect("canonical JSON parses");
            assert_eq!(back, value, "canonical JSON changed the value");
            assert_eq!(
                to_canonical_json(&back).expect("still canonicalisable"),
                canonical,
                "canonical JSON is not a fixed point"
            );
        }
        if value == g.value {
            let catalogue: SignedCatalogue =
                serde_json::from_value(value).expect("the genuine catalogue decodes");
            for entry in &catalogue.entries {
                match entry.verify(&g.key.verifying_key()) {
                    Ok(model) => assert_eq!(model, g.model),
                    Err(e) => panic!("the signed entry, spelt differently, was refused: {e:?}"),
                }
            }
        }
    }

    let Ok(catalogue) = serde_json::from_slice::<SignedCatalogue>(&bytes) else {
        return;
    };
    for entry in &catalogue.entries {
        if let Ok(model) = entry.verify(&g.key.verifying_key()) {
            assert_eq!(model, g.model, "an entry the maker never signed verified");
        }
    }
});
