//! Simulated Wi-Fi: the networks "in range" come from a file of SSID →
//! passphrase pairs, and joining checks the passphrase like a WPA2 4-way
//! handshake would — a wrong one is told apart from a missing network, so
//! the core can report a reason and the app can send a corrected passphrase.
//!
//! File format (TOML, or JSON when the name ends in `.json`):
//! ```toml
//! [networks]
//! home = "correct horse battery"
//! "Cafe Guest" = ""            # open network
//! ```
//!
//! Passphrases are held as [`SecretBytes`] (printed `<redacted>`, zeroised on
//! drop; EN 303 645 4.4-1) and never logged.

use crate::error::RefDeviceError;
use hearth_device::peripherals::{WifiJoin, WifiNetwork};
use hearth_device::secret::SecretBytes;
use std::collections::BTreeMap;
use std::path::Path;

/// Largest networks file accepted.
const MAX_FILE_LEN: u64 = 64 * 1024;
/// Largest SSID (IEEE 802.11: 32 octets).
const MAX_SSID_LEN: usize = 32;
/// Largest WPA2 passphrase (IEEE 802.11i: 63 characters).
const MAX_PASSPHRASE_LEN: usize = 63;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworksFile {
    networks: BTreeMap<String, FilePassphrase>,
}

/// A passphrase as parsed from the file, wiped when dropped.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct FilePassphrase(String);

impl Drop for FilePassphrase {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct SimulatedWifi {
    networks: BTreeMap<String, SecretBytes>,
}

impl SimulatedWifi {
    /// No networks in range.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a network in range.
    #[must_use]
    pub fn with_network(mut self, ssid: &str, passphrase: &str) -> Self {
        self.networks.insert(
            ssid.to_owned(),
            SecretBytes::new(passphrase.as_bytes().to_vec()),
        );
        self
    }

    /// The SSIDs in range (for logs; passphrases stay inside).
    pub fn ssids(&self) -> impl Iterator<Item = &str> {
        self.networks.keys().map(String::as_str)
    }

    /// Reads a networks file.
    ///
    /// # Errors
    /// [`RefDeviceError::WifiFile`] if the file cannot be read, is too large,
    /// does not parse, or names an SSID or passphrase longer than 802.11 allows.
    pub fn load(path: &Path) -> Result<Self, RefDeviceError> {
        let fail = |reason: String| RefDeviceError::WifiFile {
            path: path.to_owned(),
            reason,
        };
        let len = std::fs::metadata(path)
            .map_err(|e| fail(e.to_string()))?
            .len();
        if len > MAX_FILE_LEN {
            return Err(fail(format!("larger than {MAX_FILE_LEN} bytes")));
        }
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?,
        );
        let is_json = path.extension().is_some_and(|e| e == "json");
        // Parser messages can quote the offending line, which may hold a
        // passphrase, so only the position-free kind of error is kept.
        let file: NetworksFile = if is_json {
            serde_json::from_str(&text)
                .map_err(|e| fail(format!("invalid JSON at line {}", e.line())))?
        } else {
            toml::from_str(&text).map_err(|e| {
                fail(format!(
                    "invalid TOML{}",
                    e.span()
                        .map(|s| format!(" at byte {}", s.start))
                        .unwrap_or_default()
                ))
            })?
        };
        let mut wifi = Self::none();
        for (ssid, passphrase) in &file.networks {
            if ssid.is_empty() || ssid.len() > MAX_SSID_LEN {
                return Err(fail(format!("SSID {ssid:?} must be 1 to 32 bytes")));
            }
            if passphrase.0.len() > MAX_PASSPHRASE_LEN {
                return Err(fail(format!(
                    "the passphrase of {ssid:?} is longer than 63 characters"
                )));
            }
            wifi = wifi.with_network(ssid, &passphrase.0);
        }
        Ok(wifi)
    }
}

impl WifiNetwork for SimulatedWifi {
    fn join(&mut self, ssid: &str, passphrase: &[u8]) -> WifiJoin {
        let outcome = match self.networks.get(ssid) {
            None => WifiJoin::NoNetwork,
            Some(expected) if expected.expose() == passphrase => WifiJoin::Joined,
            Some(_) => WifiJoin::WrongPassphrase,
        };
        tracing::info!(ssid, ?outcome, "wifi join attempt");
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn toml_and_json_files_give_the_same_networks() {
        let dir = tempfile::tempdir().unwrap();
        let toml = write(
            dir.path(),
            "wifi.toml",
            "[networks]\nhome = \"correct horse\"\n\"Cafe Guest\" = \"\"\n",
        );
        let json = write(
            dir.path(),
            "wifi.json",
            r#"{"networks": {"home": "correct horse", "Cafe Guest": ""}}"#,
        );
        for path in [toml, json] {
            let mut wifi = SimulatedWifi::load(&path).unwrap();
            assert_eq!(wifi.ssids().collect::<Vec<_>>(), ["Cafe Guest", "home"]);
            assert_eq!(wifi.join("home", b"correct horse"), WifiJoin::Joined);
            assert_eq!(
                wifi.join("home", b"correct horsE"),
                WifiJoin::WrongPassphrase
            );
            assert_eq!(wifi.join("Cafe Guest", b""), WifiJoin::Joined);
            assert_eq!(wifi.join("office", b"correct horse"), WifiJoin::NoNetwork);
        }
    }

    #[test]
    fn a_wrong_passphrase_can_be_corrected_by_joining_again() {
        let mut wifi = SimulatedWifi::none().with_network("home", "right");
        assert_eq!(wifi.join("home", b"wrong"), WifiJoin::WrongPassphrase);
        assert_eq!(wifi.join("home", b"right"), WifiJoin::Joined);
    }

    #[test]
    fn bad_files_are_refused_without_echoing_passphrases() {
        let dir = tempfile::tempdir().unwrap();
        let long_ssid = write(
            dir.path(),
            "a.toml",
            &format!("[networks]\n{} = \"x\"\n", "s".repeat(33)),
        );
        let long_pass = write(
            dir.path(),
            "b.toml",
            &format!("[networks]\nhome = \"{}\"\n", "p".repeat(64)),
        );
        let broken = write(dir.path(), "c.toml", "[networks]\nhome = \"hunter2\n");
        for path in [long_ssid, long_pass, broken] {
            let error = SimulatedWifi::load(&path).unwrap_err();
            assert_eq!(error.code(), "refdevice_wifi_file");
            assert!(!error.to_string().contains("hunter2"));
            assert!(!error.to_string().contains("ppppp"));
        }
        assert!(SimulatedWifi::load(&dir.path().join("missing.toml")).is_err());
        assert!(
            !format!(
                "{:?}",
                SimulatedWifi::none().with_network("home", "hunter2")
            )
            .contains("hunter2")
        );
    }
}
