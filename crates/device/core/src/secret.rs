//! A wrapper for secret bytes held by the device (identity key, SPAKE2+ `w0`,
//! Wi-Fi passphrase).
//!
//! ETSI EN 303 645 4.4-1 (secure storage of sensitive parameters): secrets are
//! zeroised when dropped, print as `<redacted>`, and do not implement
//! `Serialize`. The only way to persist one is the explicit
//! [`serde_exposed`] adapter used by the device's own state record.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secret bytes: zeroised on drop, redacted in `Debug`, never serialised by accident.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps bytes that must stay secret.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret itself; callers must not log or copy it further than needed.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of secret bytes (not secret itself).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no secret bytes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Serde adapter used only by the persisted device state (`#[serde(with = ...)]`):
/// the state file is the device's simulated flash, the one place secrets must be written.
pub mod serde_exposed {
    use super::SecretBytes;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the secret as a CBOR byte string.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    pub fn serialize<S: Serializer>(
        secret: &SecretBytes,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(secret.expose())
    }

    /// Reads a secret written by [`serialize`].
    ///
    /// # Errors
    /// Whatever the deserializer reports.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SecretBytes, D::Error> {
        let buf = serde_bytes::ByteBuf::deserialize(deserializer)?;
        Ok(SecretBytes::new(buf.into_vec()))
    }
}
