//! Device attestation: the app checks, before it sends the Wi-Fi passphrase
//! or an owner key, that the device it paired with was made by the vendor
//! and holds its identity key in this very session (ETSI EN 303 645
//! provisions 4.5-1 and 4.4-1; the factory side of 4.1-1).
//!
//! # Chain
//! vendor root key → device-CA certificate → device certificate. The app
//! knows only the root public key (from the vendor profile). All keys are
//! Ed25519 (RFC 8032); signatures are checked with `verify_strict`.
//!
//! # Encoding (CBOR, RFC 8949, definite lengths, canonical as ciborium writes it)
//! ```text
//! chain       = [ device-cert, device-ca-cert ]
//! certificate = [ tbs: bstr, signature: bstr .size 64 ]
//! tbs         = bstr .cbor [ version: 1, role: 1 (device-CA) / 2 (device),
//!                            serial: tstr, model: tstr,
//!                            subject_key: bstr .size 32, issuer_key_id: bstr .size 16,
//!                            not_before: uint, not_after: uint ]   ; unix seconds
//! signature   = Ed25519(issuer, "hearth/cert/v1" || tbs)
//! ```
//! The signature covers the exact `tbs` bytes, and decoding insists that
//! re-encoding gives those bytes back, so there is one encoding per
//! certificate. Chains over [`MAX_CHAIN_LEN`] bytes are refused unread.
//!
//! # Proof of possession
//! The device signs `"hearth/attestation/v1" || transcript_hash` with its
//! identity key, where `transcript_hash` is
//! [`crate::spake2::PakeContext::transcript_hash`] of the running pairing.
//!
//! # Files, by role
//! - `certificate.rs`: the certificate and chain format, decoding and
//!   re-encoding ([`Certificate`], [`encode_chain`]);
//! - `verify.rs`: what the app runs ([`verify_device`]);
//! - `key.rs`: Ed25519 keys and the proof of possession ([`IdentityKey`]);
//! - `issue.rs`, only with the `issuing` feature: what the factory runs
//!   (`VendorRoot`, `DeviceCa`). The app never enables that feature, so the
//!   code that signs certificates is not in the app's build.

mod certificate;
#[cfg(feature = "issuing")]
mod issue;
mod key;
mod verify;

pub use certificate::{CertRole, Certificate, Validity, encode_chain};
#[cfg(feature = "issuing")]
pub use issue::{DeviceCa, VendorRoot};
pub use key::IdentityKey;
pub(crate) use key::verify_signature;
pub use verify::{AttestedDevice, Expected, verify_device};

use sha2::{Digest, Sha256};

/// Largest certificate chain accepted, in bytes.
pub const MAX_CHAIN_LEN: usize = 4096;
/// The certificate format version.
pub const CERT_VERSION: u8 = 1;
/// Longest serial or model string in a certificate, in bytes.
pub const MAX_NAME_LEN: usize = 64;

const KEY_ID_DOMAIN: &[u8] = b"hearth/key-id/v1";

/// Why a chain or an attestation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    /// More than [`MAX_CHAIN_LEN`] bytes.
    #[error("the certificate chain is larger than {MAX_CHAIN_LEN} bytes")]
    ChainTooLarge,
    /// Not a chain in the expected CBOR form.
    #[error("the certificate chain is malformed")]
    Malformed,
    /// A certificate format this build does not know.
    #[error("certificate version {0} is not supported")]
    UnsupportedVersion(u64),
    /// The device-CA was not issued by the configured vendor root.
    #[error("the device was certified under another vendor's root")]
    ForeignRoot,
    /// The device certificate names another device-CA than the one in the chain.
    #[error("the device certificate was not issued by the device-CA in the chain")]
    WrongIssuer,
    /// A certificate signature does not verify.
    #[error("a certificate signature is invalid")]
    BadSignature,
    /// A certificate's validity ended before `now`.
    #[error("a certificate has expired")]
    Expired,
    /// A certificate's validity starts after `now`.
    #[error("a certificate is not valid yet")]
    NotYetValid,
    /// A device certificate where a device-CA belongs, or the reverse.
    #[error("a certificate has the wrong role for its place in the chain")]
    WrongRole,
    /// The device certificate names another model than expected.
    #[error("the device's model does not match")]
    ModelMismatch,
    /// The device certificate names another serial than expected.
    #[error("the device's serial number does not match")]
    SerialMismatch,
    /// The device's signature over this session's transcript does not verify.
    #[error("the device did not prove possession of its identity key")]
    ProofOfPossessionInvalid,
    /// A name over [`MAX_NAME_LEN`] bytes, or validity that ends before it starts, when issuing.
    #[error("the certificate fields are invalid")]
    InvalidFields,
}

impl AttestationError {
    /// A stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::ChainTooLarge => "attestation.chain_too_large",
            Self::Malformed => "attestation.malformed",
            Self::UnsupportedVersion(_) => "attestation.unsupported_version",
            Self::ForeignRoot => "attestation.foreign_root",
            Self::WrongIssuer => "attestation.wrong_issuer",
            Self::BadSignature => "attestation.bad_signature",
            Self::Expired => "attestation.expired",
            Self::NotYetValid => "attestation.not_yet_valid",
            Self::WrongRole => "attestation.wrong_role",
            Self::ModelMismatch => "attestation.model_mismatch",
            Self::SerialMismatch => "attestation.serial_mismatch",
            Self::ProofOfPossessionInvalid => "attestation.proof_of_possession_invalid",
            Self::InvalidFields => "attestation.invalid_fields",
        }
    }
}

/// A short public identifier of an Ed25519 public key:
/// `SHA-256("hearth/key-id/v1" || key)[..16]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 16]);

impl KeyId {
    /// The id of `public_key`.
    #[must_use]
    pub fn of(public_key: &[u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(KEY_ID_DOMAIN)
            .chain_update(public_key)
            .finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        Self(id)
    }
}
