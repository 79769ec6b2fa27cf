//! The device-model catalogue as served: loaded from TOML files, validated, signed once at start.
//!
//! Entries are immutable while the service runs, so every instance signs the same files with the
//! same key and serves byte-identical answers; nothing here is state another instance needs.

use std::collections::BTreeMap;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};
use hearth_vendor_api::DeviceModel;
use hearth_vendor_api::signature::{SignedCatalogue, SignedEntry, sign_entry};
use zeroize::Zeroizing;

use crate::error::StartError;

/// The catalogue shipped with the crate; `init` copies it next to the config.
pub const SHIPPED_CATALOGUE: [(&str, &str); 2] = [
    (
        "hearth-plug-1.toml",
        include_str!("../catalogue/hearth-plug-1.toml"),
    ),
    (
        "hearth-sensor-0.toml",
        include_str!("../catalogue/hearth-sensor-0.toml"),
    ),
];

/// Largest catalogue file read.
const MAX_ENTRY_FILE: u64 = 256 * 1024;

/// The catalogue signing key (Ed25519); zeroised on drop by `ed25519-dalek`.
pub struct CatalogueKey(SigningKey);

impl std::fmt::Debug for CatalogueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogueKey(<redacted>)")
    }
}

impl CatalogueKey {
    /// Reads the hex seed written by `init`.
    ///
    /// # Errors
    /// [`StartError::Io`] if unreadable, [`StartError::CatalogueKey`] if not 64 hex digits.
    pub fn load(path: &Path) -> Result<Self, StartError> {
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| StartError::io(path, e))?);
        let mut seed = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), seed.as_mut())
            .map_err(|_| StartError::CatalogueKey("expected 64 hex digits".into()))?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.0.verifying_key()
    }
}

/// One served entry: the typed model (for telemetry checks) and its signed form.
#[derive(Debug, Clone)]
pub struct CatalogueItem {
    pub model: DeviceModel,
    pub signed: SignedEntry,
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    items: BTreeMap<String, CatalogueItem>,
}

impl Catalogue {
    /// Loads every `*.toml` in `dir`, validates and signs it.
    ///
    /// # Errors
    /// [`StartError::Catalogue`] naming the file and the rule it breaks (also for a duplicate
    /// model id or a file name that does not match the model id).
    pub fn load(dir: &Path, key: &CatalogueKey) -> Result<Self, StartError> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| StartError::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut catalogue = Self::default();
        for path in paths {
            let invalid = |message: String| StartError::Catalogue {
                path: path.display().to_string(),
                message,
            };
            let size = std::fs::metadata(&path)
                .map_err(|e| StartError::io(&path, e))?
                .len();
            if size > MAX_ENTRY_FILE {
                return Err(invalid("file is larger than 256 KiB".into()));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| StartError::io(&path, e))?;
            let model: DeviceModel = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
            if path.file_stem().and_then(|s| s.to_str()) != Some(model.model.as_str()) {
                return Err(invalid(format!(
                    "file name does not match model id {:?}",
                    model.model
                )));
            }
            catalogue.insert(model, key).map_err(invalid)?;
        }
        Ok(catalogue)
    }

    /// Adds one entry (validated and signed).
    ///
    /// # Errors
    /// A message naming the broken rule or the duplicate id.
    pub fn insert(&mut self, model: DeviceModel, key: &CatalogueKey) -> Result<(), String> {
        let signed = sign_entry(&model, &key.0).map_err(|e| e.to_string())?;
        if self.items.contains_key(&model.model) {
            return Err(format!("model {:?} is defined twice", model.model));
        }
        self.items
            .insert(model.model.clone(), CatalogueItem { model, signed });
        Ok(())
    }

    pub fn get(&self, model: &str) -> Option<&CatalogueItem> {
        self.items.get(model)
    }

    pub fn models(&self) -> impl Iterator<Item = &DeviceModel> {
        self.items.values().map(|i| &i.model)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn signed(&self) -> SignedCatalogue {
        SignedCatalogue {
            entries: self.items.values().map(|i| i.signed.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CatalogueKey {
        CatalogueKey(SigningKey::from_bytes(&[7u8; 32]))
    }

    #[test]
    fn shipped_entries_validate_and_verify() {
        let key = key();
        let mut catalogue = Catalogue::default();
        for (_, text) in SHIPPED_CATALOGUE {
            let model: DeviceModel = toml::from_str(text).expect("shipped entry parses");
            catalogue
                .insert(model, &key)
                .expect("shipped entry is valid");
        }
        let plug = catalogue.get("hearth-plug-1").expect("plug present");
        assert!(plug.model.updatable);
        let sensor = catalogue.get("hearth-sensor-0").expect("sensor present");
        assert!(!sensor.model.updatable);
        for item in catalogue.signed().entries {
            item.verify(&key.verifying_key()).expect("verifies");
        }
    }

    #[test]
    fn duplicate_model_is_refused() {
        let key = key();
        let mut catalogue = Catalogue::default();
        let model: DeviceModel = toml::from_str(SHIPPED_CATALOGUE[0].1).expect("parses");
        catalogue.insert(model.clone(), &key).expect("first insert");
        assert!(catalogue.insert(model, &key).is_err());
    }

    #[test]
    fn non_updatable_model_without_plan_is_refused() {
        let key = key();
        let mut model: DeviceModel = toml::from_str(SHIPPED_CATALOGUE[1].1).expect("parses");
        model.non_updatable = None;
        assert!(Catalogue::default().insert(model, &key).is_err());
    }
}
