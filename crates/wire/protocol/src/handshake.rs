//! Later connections without the setup code: an authenticated X25519
//! exchange (RFC 7748) in which the device signs the transcript with its
//! identity key and the app with the per-device owner key (ETSI EN 303 645
//! provisions 4.1-1, 4.5-1, 4.5-2).
//!
//! # Messages (one and a half round trips)
//! ```text
//! app    → OwnerHello  { owner_key_id (16), ephemeral (32), nonce (32) }
//! device → DeviceHello { ephemeral (32), nonce (32), signature (64) }
//! app    → OwnerAuth   { signature (64) }   (may travel with the first sealed frame)
//! ```
//! `th = SHA-256("hearth/owner-handshake/v1" || owner public key ||
//! owner_key_id || app ephemeral || app nonce || device identity key ||
//! device ephemeral || device nonce)`. The device signs
//! `"hearth/owner-handshake/v1/device" || th`, the owner signs
//! `"hearth/owner-handshake/v1/owner" || th`; the labels differ so neither
//! signature can be reflected as the other. Session keys come from
//! HKDF-SHA256 over the X25519 shared secret with `th` as salt (see
//! [`SecureSession::from_shared_secret`]). The device builds its session
//! only after the owner's signature checks out.

use std::fmt;

use rand::CryptoRng;
use sha2::{Digest, Sha256};
use x25519_dalek::{EphemeralSecret, PublicKey};
use zeroize::Zeroizing;

use crate::attestation::{IdentityKey, KeyId, verify_signature};
use crate::session::{Role, SecureSession};

const TRANSCRIPT_LABEL: &[u8] = b"hearth/owner-handshake/v1";
const DEVICE_LABEL: &[u8] = b"hearth/owner-handshake/v1/device";
const OWNER_LABEL: &[u8] = b"hearth/owner-handshake/v1/owner";

/// Why a handshake step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// A field of the wrong length.
    #[error("a handshake field has {actual} bytes, {expected} expected")]
    WrongLength {
        /// What the field needs.
        expected: usize,
        /// What arrived.
        actual: usize,
    },
    /// The owner key id does not belong to the owner key the device holds.
    #[error("the device does not know this owner")]
    UnknownOwner,
    /// The X25519 result is all zero: the peer sent a low-order point.
    #[error("the peer's ephemeral key is invalid")]
    WeakKeyExchange,
    /// The device's signature does not verify with its known identity key.
    #[error("the device's handshake signature is invalid")]
    DeviceSignatureInvalid,
    /// The owner's signature does not verify with the stored owner key.
    #[error("the owner's handshake signature is invalid")]
    OwnerSignatureInvalid,
}

impl HandshakeError {
    /// A stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "handshake.wrong_length",
            Self::UnknownOwner => "handshake.unknown_owner",
            Self::WeakKeyExchange => "handshake.weak_key_exchange",
            Self::DeviceSignatureInvalid => "handshake.device_signature_invalid",
            Self::OwnerSignatureInvalid => "handshake.owner_signature_invalid",
        }
    }
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], HandshakeError> {
    bytes.try_into().map_err(|_| HandshakeError::WrongLength {
        expected: N,
        actual: bytes.len(),
    })
}

/// The per-device owner credential the app generates at pairing: an Ed25519
/// key whose secret half lives in the OS keyring and whose public half the
/// device stores. `Debug` is redacted; zeroized on drop; not serializable.
#[derive(Clone)]
pub struct OwnerKey(IdentityKey);

impl fmt::Debug for OwnerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnerKey(<redacted>, id {:?})", self.key_id())
    }
}

impl OwnerKey {
    /// A fresh owner key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(IdentityKey::generate(rng))
    }

    /// Restores the key from the keyring's 32 bytes.
    #[must_use]
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self(IdentityKey::from_secret_bytes(secret))
    }

    /// The 32 secret bytes, for the keyring only.
    #[must_use]
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.0.secret_bytes()
    }

    /// The public key, sent to the device in `Provisioning`.
    #[must_use]
    pub fn public(&self) -> [u8; 32] {
        self.0.public()
    }

    /// The owner/user key id: a hash of the public key.
    #[must_use]
    pub fn key_id(&self) -> KeyId {
        self.0.key_id()
    }
}

/// App → device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerHello {
    /// [`OwnerKey::key_id`].
    pub owner_key_id: [u8; 16],
    /// The app's ephemeral X25519 public key.
    pub ephemeral: [u8; 32],
    /// 32 random bytes.
    pub nonce: [u8; 32],
}

impl OwnerHello {
    /// From the wire's byte fields.
    ///
    /// # Errors
    /// [`HandshakeError::WrongLength`].
    pub fn from_parts(
        owner_key_id: &[u8],
        ephemeral: &[u8],
        nonce: &[u8],
    ) -> Result<Self, HandshakeError> {
        Ok(Self {
            owner_key_id: fixed(owner_key_id)?,
            ephemeral: fixed(ephemeral)?,
            nonce: fixed(nonce)?,
        })
    }
}

/// Device → app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceHello {
    /// The device's ephemeral X25519 public key.
    pub ephemeral: [u8; 32],
    /// 32 random bytes.
    pub nonce: [u8; 32],
    /// The identity key's signature over the transcript.
    pub signature: [u8; 64],
}

impl DeviceHello {
    /// From the wire's byte fields.
    ///
    /// # Errors
    /// [`HandshakeError::WrongLength`].
    pub fn from_parts(
        ephemeral: &[u8],
        nonce: &[u8],
        signature: &[u8],
    ) -> Result<Self, HandshakeError> {
        Ok(Self {
            ephemeral: fixed(ephemeral)?,
            nonce: fixed(nonce)?,
            signature: fixed(signature)?,
        })
    }
}

/// App → device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerAuth {
    /// The owner key's signature over the transcript.
    pub signature: [u8; 64],
}

impl OwnerAuth {
    /// From the wire's byte field.
    ///
    /// # Errors
    /// [`HandshakeError::WrongLength`].
    pub fn from_bytes(signature: &[u8]) -> Result<Self, HandshakeError> {
        Ok(Self {
            signature: fixed(signature)?,
        })
    }
}

fn transcript_hash(
    owner_public: &[u8; 32],
    hello: &OwnerHello,
    device_identity: &[u8; 32],
    device_ephemeral: &[u8; 32],
    device_nonce: &[u8; 32],
) -> [u8; 32] {
    Sha256::new()
        .chain_update(TRANSCRIPT_LABEL)
        .chain_update(owner_public)
        .chain_update(hello.owner_key_id)
        .chain_update(hello.ephemeral)
        .chain_update(hello.nonce)
        .chain_update(device_identity)
        .chain_update(device_ephemeral)
        .chain_update(device_nonce)
        .finalize()
        .into()
}

fn labelled(label: &[u8], transcript: &[u8; 32]) -> Vec<u8> {
    let mut message = label.to_vec();
    message.extend_from_slice(transcript);
    message
}

fn agree(secret: EphemeralSecret, peer: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, HandshakeError> {
    let shared = secret.diffie_hellman(&PublicKey::from(*peer));
    if !shared.was_contributory() {
        return Err(HandshakeError::WeakKeyExchange);
    }
    Ok(Zeroizing::new(shared.to_bytes()))
}

/// The app's side, between `OwnerHello` and `DeviceHello`.
pub struct OwnerHandshake {
    owner: OwnerKey,
    device_identity: [u8; 32],
    ephemeral: EphemeralSecret,
    hello: OwnerHello,
}

impl fmt::Debug for OwnerHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnerHandshake(..)")
    }
}

impl OwnerHandshake {
    /// Starts a handshake with a device whose identity key the app
    /// remembered from attestation at pairing.
    pub fn start<R: CryptoRng + ?Sized>(
        owner: &OwnerKey,
        device_identity_key: &[u8; 32],
        rng: &mut R,
    ) -> (Self, OwnerHello) {
        let ephemeral = EphemeralSecret::random_from_rng(rng);
        let mut nonce = [0u8; 32];
        rng.fill_bytes(&mut nonce);
        let hello = OwnerHello {
            owner_key_id: owner.key_id().0,
            ephemeral: PublicKey::from(&ephemeral).to_bytes(),
            nonce,
        };
        let state = Self {
            owner: owner.clone(),
            device_identity: *device_identity_key,
            ephemeral,
            hello: hello.clone(),
        };
        (state, hello)
    }

    /// Checks the device's signature, then signs the transcript and opens
    /// the session.
    ///
    /// # Errors
    /// [`HandshakeError::DeviceSignatureInvalid`] (not the device paired
    /// with, or altered messages), [`HandshakeError::WeakKeyExchange`].
    pub fn finish(
        self,
        device_hello: &DeviceHello,
    ) -> Result<(OwnerAuth, SecureSession), HandshakeError> {
        let th = transcript_hash(
            &self.owner.public(),
            &self.hello,
            &self.device_identity,
            &device_hello.ephemeral,
            &device_hello.nonce,
        );
        if !verify_signature(
            &self.device_identity,
            &labelled(DEVICE_LABEL, &th),
            &device_hello.signature,
        ) {
            return Err(HandshakeError::DeviceSignatureInvalid);
        }
        let shared = agree(self.ephemeral, &device_hello.ephemeral)?;
        let auth = OwnerAuth {
            signature: self.owner.0.sign(&labelled(OWNER_LABEL, &th)),
        };
        Ok((
            auth,
            SecureSession::from_shared_secret(&shared[..], &th, Role::App),
        ))
    }
}

/// The device's side, between `DeviceHello` and `OwnerAuth`.
pub struct DeviceHandshake {
    owner_public: [u8; 32],
    transcript: [u8; 32],
    shared: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for DeviceHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceHandshake(..)")
    }
}

impl DeviceHandshake {
    /// Answers `OwnerHello`. The device looks `owner_key_id` up in its user
    /// store and passes the owner public key it holds for it.
    ///
    /// # Errors
    /// [`HandshakeError::UnknownOwner`] if the key does not match the id,
    /// [`HandshakeError::WeakKeyExchange`] for a low-order ephemeral key.
    pub fn respond<R: CryptoRng + ?Sized>(
        identity: &IdentityKey,
        owner_public_key: &[u8; 32],
        hello: &OwnerHello,
        rng: &mut R,
    ) -> Result<(Self, DeviceHello), HandshakeError> {
        if KeyId::of(owner_public_key).0 != hello.owner_key_id {
            return Err(HandshakeError::UnknownOwner);
        }
        let ephemeral = EphemeralSecret::random_from_rng(rng);
        let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
        let mut nonce = [0u8; 32];
        rng.fill_bytes(&mut nonce);
        let shared = agree(ephemeral, &hello.ephemeral)?;
        let transcript = transcript_hash(
            owner_public_key,
            hello,
            &identity.public(),
            &ephemeral_public,
            &nonce,
        );
        let reply = DeviceHello {
            ephemeral: ephemeral_public,
            nonce,
            signature: identity.sign(&labelled(DEVICE_LABEL, &transcript)),
        };
        Ok((
            Self {
                owner_public: *owner_public_key,
                transcript,
                shared,
            },
            reply,
        ))
    }

    /// Checks the owner's signature and only then opens the session.
    ///
    /// # Errors
    /// [`HandshakeError::OwnerSignatureInvalid`].
    pub fn finish(self, auth: &OwnerAuth) -> Result<SecureSession, HandshakeError> {
        if !verify_signature(
            &self.owner_public,
            &labelled(OWNER_LABEL, &self.transcript),
            &auth.signature,
        ) {
            return Err(HandshakeError::OwnerSignatureInvalid);
        }
        Ok(SecureSession::from_shared_secret(
            &self.shared[..],
            &self.transcript,
            Role::Device,
        ))
    }
}
