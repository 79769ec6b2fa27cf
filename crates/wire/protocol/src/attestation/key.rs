//! Ed25519 keys (RFC 8032) and the device's proof of possession.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::CryptoRng;
use zeroize::Zeroizing;

use super::KeyId;

const ATTESTATION_DOMAIN: &[u8] = b"hearth/attestation/v1";

/// An Ed25519 signing key (vendor root, device-CA, device identity, or an
/// owner key). `Debug` prints `<redacted>`; the key is zeroized on drop
/// and never serialized.
#[derive(Clone)]
pub struct IdentityKey(SigningKey);

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityKey(<redacted>, public {:?})", self.key_id())
    }
}

impl IdentityKey {
    /// A fresh key from `rng` (the OS CSPRNG outside tests).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut secret = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut secret[..]);
        Self(SigningKey::from_bytes(&secret))
    }

    /// Restores a key from its 32 secret bytes (as stored).
    #[must_use]
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret))
    }

    /// The 32 secret bytes, for secure storage only.
    #[must_use]
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public key.
    #[must_use]
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// The public key's [`KeyId`].
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.public())
    }

    /// Signs `message` (callers add their own domain label).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }

    /// The device's proof of possession for a pairing run: a signature over
    /// `"hearth/attestation/v1" || transcript_hash`, sent in `Pake2`.
    #[must_use]
    pub fn sign_attestation(&self, transcript_hash: &[u8; 32]) -> [u8; 64] {
        self.sign(&attestation_message(transcript_hash))
    }
}

pub(super) fn attestation_message(transcript_hash: &[u8; 32]) -> Vec<u8> {
    let mut message = ATTESTATION_DOMAIN.to_vec();
    message.extend_from_slice(transcript_hash);
    message
}

/// Verifies an Ed25519 signature with the strict rules (no small-order or
/// non-canonical encodings).
pub(crate) fn verify_signature(public_key: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}
