//! The secrets the owner gives the device during pairing.

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::codec::decode_value;
use super::values::{validate_name, validate_wifi};
use super::{Limits, MessageError, Passphrase, Role};

/// What the owner gives the device during pairing; travels only sealed under
/// the new session key (provision 4.5-2: credentials are encrypted in transit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioning {
    /// 1 to 32 bytes (IEEE 802.11 SSID).
    pub wifi_ssid: String,
    /// Empty (open network), 8 to 63 printable ASCII characters, or 64 hex
    /// digits (IEEE 802.11i PSK).
    pub wifi_passphrase: Passphrase,
    /// The owner's per-device Ed25519 public key.
    pub owner_public_key: [u8; 32],
    pub device_name: String,
    pub role: Role,
}

#[derive(Serialize)]
struct ProvisioningOut<'a> {
    wifi_ssid: &'a str,
    wifi_passphrase: &'a str,
    #[serde(with = "serde_bytes")]
    owner_public_key: &'a [u8; 32],
    device_name: &'a str,
    role: Role,
}

#[derive(Deserialize)]
struct ProvisioningIn {
    wifi_ssid: String,
    wifi_passphrase: String,
    #[serde(with = "serde_bytes")]
    owner_public_key: [u8; 32],
    device_name: String,
    role: Role,
}

impl Drop for ProvisioningIn {
    fn drop(&mut self) {
        self.wifi_passphrase.zeroize();
    }
}

impl Provisioning {
    /// The CBOR plaintext to seal. Wiped when dropped.
    ///
    /// # Errors
    /// [`MessageError::InvalidField`] if a field breaks its documented bounds.
    pub fn encode(&self) -> Result<Zeroizing<Vec<u8>>, MessageError> {
        self.validate()?;
        let out = ProvisioningOut {
            wifi_ssid: &self.wifi_ssid,
            wifi_passphrase: self.wifi_passphrase.expose(),
            owner_public_key: &self.owner_public_key,
            device_name: &self.device_name,
            role: self.role,
        };
        let mut bytes = Zeroizing::new(Vec::new());
        ciborium::into_writer(&out, &mut *bytes).map_err(|e| MessageError::Encode {
            reason: e.to_string(),
        })?;
        Ok(bytes)
    }

    /// Decode an opened provisioning plaintext.
    ///
    /// # Errors
    /// Any bound or syntax error of [`decode`], or an invalid field.
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, MessageError> {
        let value = decode_value(bytes, limits)?;
        let mut wire: ProvisioningIn = value.deserialized().map_err(MessageError::malformed)?;
        let provisioning = Self {
            wifi_ssid: std::mem::take(&mut wire.wifi_ssid),
            wifi_passphrase: Passphrase::new(std::mem::take(&mut wire.wifi_passphrase)),
            owner_public_key: wire.owner_public_key,
            device_name: std::mem::take(&mut wire.device_name),
            role: wire.role,
        };
        provisioning.validate()?;
        Ok(provisioning)
    }

    fn validate(&self) -> Result<(), MessageError> {
        validate_wifi(
            "wifi_ssid",
            "wifi_passphrase",
            &self.wifi_ssid,
            &self.wifi_passphrase,
        )?;
        validate_name("device_name", &self.device_name)
    }
}
