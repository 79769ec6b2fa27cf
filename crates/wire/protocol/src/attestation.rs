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

use std::fmt;

use ciborium::Value;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Largest certificate chain accepted, in bytes.
pub const MAX_CHAIN_LEN: usize = 4096;
/// The certificate format version.
pub const CERT_VERSION: u8 = 1;
/// Longest serial or model string in a certificate, in bytes.
pub const MAX_NAME_LEN: usize = 64;

const CERT_DOMAIN: &[u8] = b"hearth/cert/v1";
const ATTESTATION_DOMAIN: &[u8] = b"hearth/attestation/v1";
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

fn attestation_message(transcript_hash: &[u8; 32]) -> Vec<u8> {
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

/// What a certificate vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertRole {
    /// A vendor's intermediate that certifies devices.
    DeviceCa,
    /// One device's identity key.
    Device,
}

impl CertRole {
    fn number(self) -> u64 {
        match self {
            Self::DeviceCa => 1,
            Self::Device => 2,
        }
    }

    fn from_number(number: u64) -> Option<Self> {
        match number {
            1 => Some(Self::DeviceCa),
            2 => Some(Self::Device),
            _ => None,
        }
    }
}

/// When a certificate is valid, in unix seconds, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// First valid second.
    pub not_before: u64,
    /// Last valid second.
    pub not_after: u64,
}

/// A decoded, not yet verified certificate. Read-only: the fields always
/// describe the signed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    role: CertRole,
    serial: String,
    model: String,
    subject_key: [u8; 32],
    issuer_key_id: KeyId,
    validity: Validity,
    tbs: Vec<u8>,
    signature: [u8; 64],
}

impl Certificate {
    /// Device-CA or device.
    #[must_use]
    pub fn role(&self) -> CertRole {
        self.role
    }

    /// The subject's serial number (for a device-CA, its name).
    #[must_use]
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The device model (empty for a device-CA).
    #[must_use]
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The certified Ed25519 public key.
    #[must_use]
    pub fn subject_key(&self) -> &[u8; 32] {
        &self.subject_key
    }

    /// [`KeyId`] of the issuer's public key.
    #[must_use]
    pub fn issuer_key_id(&self) -> KeyId {
        self.issuer_key_id
    }

    /// Validity period.
    #[must_use]
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// The CBOR encoding (`[tbs, signature]`).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.to_value())
    }

    fn to_value(&self) -> Value {
        Value::Array(vec![
            Value::Bytes(self.tbs.clone()),
            Value::Bytes(self.signature.to_vec()),
        ])
    }

    /// Decodes one certificate (no signature or validity checks).
    ///
    /// # Errors
    /// [`AttestationError::ChainTooLarge`], [`AttestationError::Malformed`],
    /// [`AttestationError::UnsupportedVersion`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AttestationError> {
        if bytes.len() > MAX_CHAIN_LEN {
            return Err(AttestationError::ChainTooLarge);
        }
        Self::from_value(decode_canonical(bytes)?)
    }

    fn from_value(value: Value) -> Result<Self, AttestationError> {
        let malformed = AttestationError::Malformed;
        let [tbs, signature] = array::<2>(value)?;
        let (Value::Bytes(tbs), Value::Bytes(signature)) = (tbs, signature) else {
            return Err(malformed);
        };
        let signature: [u8; 64] = signature.try_into().map_err(|_| malformed.clone())?;
        let [
            version,
            role,
            serial,
            model,
            subject,
            issuer,
            not_before,
            not_after,
        ] = array::<8>(decode_canonical(&tbs)?)?;
        let version = uint(&version)?;
        if version != u64::from(CERT_VERSION) {
            return Err(AttestationError::UnsupportedVersion(version));
        }
        let role = CertRole::from_number(uint(&role)?).ok_or(malformed.clone())?;
        let (Value::Text(serial), Value::Text(model)) = (serial, model) else {
            return Err(malformed);
        };
        if serial.len() > MAX_NAME_LEN || model.len() > MAX_NAME_LEN {
            return Err(malformed);
        }
        let (Value::Bytes(subject), Value::Bytes(issuer)) = (subject, issuer) else {
            return Err(malformed);
        };
        Ok(Self {
            role,
            serial,
            model,
            subject_key: subject.try_into().map_err(|_| malformed.clone())?,
            issuer_key_id: KeyId(issuer.try_into().map_err(|_| malformed.clone())?),
            validity: Validity {
                not_before: uint(&not_before)?,
                not_after: uint(&not_after)?,
            },
            tbs,
            signature,
        })
    }

    fn check_signature(&self, issuer_key: &[u8; 32]) -> Result<(), AttestationError> {
        if verify_signature(issuer_key, &signed_message(&self.tbs), &self.signature) {
            Ok(())
        } else {
            Err(AttestationError::BadSignature)
        }
    }

    fn check_validity(&self, now: u64) -> Result<(), AttestationError> {
        if now < self.validity.not_before {
            return Err(AttestationError::NotYetValid);
        }
        if now > self.validity.not_after {
            return Err(AttestationError::Expired);
        }
        Ok(())
    }
}

fn signed_message(tbs: &[u8]) -> Vec<u8> {
    let mut message = CERT_DOMAIN.to_vec();
    message.extend_from_slice(tbs);
    message
}

fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain values into a Vec cannot fail.
    let _ = ciborium::into_writer(value, &mut out);
    out
}

/// Decodes `bytes` as one CBOR item and insists that re-encoding gives the
/// same bytes: no trailing data, no alternative encodings.
fn decode_canonical(bytes: &[u8]) -> Result<Value, AttestationError> {
    let value: Value = ciborium::from_reader(bytes).map_err(|_| AttestationError::Malformed)?;
    if encode(&value) != bytes {
        return Err(AttestationError::Malformed);
    }
    Ok(value)
}

fn array<const N: usize>(value: Value) -> Result<[Value; N], AttestationError> {
    let Value::Array(items) = value else {
        return Err(AttestationError::Malformed);
    };
    items.try_into().map_err(|_| AttestationError::Malformed)
}

fn uint(value: &Value) -> Result<u64, AttestationError> {
    let Value::Integer(integer) = value else {
        return Err(AttestationError::Malformed);
    };
    u64::try_from(*integer).map_err(|_| AttestationError::Malformed)
}

fn issue(
    issuer: &IdentityKey,
    role: CertRole,
    subject_key: &[u8; 32],
    serial: &str,
    model: &str,
    validity: Validity,
) -> Result<Certificate, AttestationError> {
    if serial.len() > MAX_NAME_LEN
        || model.len() > MAX_NAME_LEN
        || validity.not_after < validity.not_before
    {
        return Err(AttestationError::InvalidFields);
    }
    let issuer_key_id = issuer.key_id();
    let tbs = encode(&Value::Array(vec![
        Value::Integer(u64::from(CERT_VERSION).into()),
        Value::Integer(role.number().into()),
        Value::Text(serial.to_owned()),
        Value::Text(model.to_owned()),
        Value::Bytes(subject_key.to_vec()),
        Value::Bytes(issuer_key_id.0.to_vec()),
        Value::Integer(validity.not_before.into()),
        Value::Integer(validity.not_after.into()),
    ]));
    let signature = issuer.sign(&signed_message(&tbs));
    Ok(Certificate {
        role,
        serial: serial.to_owned(),
        model: model.to_owned(),
        subject_key: *subject_key,
        issuer_key_id,
        validity,
        tbs,
        signature,
    })
}

/// The vendor's root signing key, kept offline by the maker; the app is
/// configured with [`public_key`](Self::public_key).
#[derive(Debug, Clone)]
pub struct VendorRoot(IdentityKey);

impl VendorRoot {
    /// A fresh root key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(IdentityKey::generate(rng))
    }

    /// Wraps a stored root key.
    #[must_use]
    pub fn from_key(key: IdentityKey) -> Self {
        Self(key)
    }

    /// The signing key, for storage.
    #[must_use]
    pub fn key(&self) -> &IdentityKey {
        &self.0
    }

    /// The root public key the app trusts.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.0.public()
    }

    /// Certifies a device-CA key.
    ///
    /// # Errors
    /// [`AttestationError::InvalidFields`] for a name over [`MAX_NAME_LEN`]
    /// bytes or validity that ends before it starts.
    pub fn issue_device_ca(
        &self,
        ca_public_key: &[u8; 32],
        name: &str,
        validity: Validity,
    ) -> Result<Certificate, AttestationError> {
        issue(
            &self.0,
            CertRole::DeviceCa,
            ca_public_key,
            name,
            "",
            validity,
        )
    }
}

/// A device-CA: its key and the certificate the root gave it.
#[derive(Debug, Clone)]
pub struct DeviceCa {
    key: IdentityKey,
    certificate: Certificate,
}

impl DeviceCa {
    /// Pairs a key with its certificate.
    ///
    /// # Errors
    /// [`AttestationError::WrongRole`] if the certificate is not a device-CA
    /// certificate for this key.
    pub fn new(key: IdentityKey, certificate: Certificate) -> Result<Self, AttestationError> {
        if certificate.role != CertRole::DeviceCa || certificate.subject_key != key.public() {
            return Err(AttestationError::WrongRole);
        }
        Ok(Self { key, certificate })
    }

    /// The device-CA's own certificate.
    #[must_use]
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The signing key, for storage.
    #[must_use]
    pub fn key(&self) -> &IdentityKey {
        &self.key
    }

    /// Certifies one device's identity key.
    ///
    /// # Errors
    /// [`AttestationError::InvalidFields`] as for [`VendorRoot::issue_device_ca`].
    pub fn issue_device_certificate(
        &self,
        device_public_key: &[u8; 32],
        model: &str,
        serial: &str,
        validity: Validity,
    ) -> Result<Certificate, AttestationError> {
        issue(
            &self.key,
            CertRole::Device,
            device_public_key,
            serial,
            model,
            validity,
        )
    }

    /// The chain a device stores and sends in `Pake2`:
    /// `[device_certificate, this CA's certificate]`.
    #[must_use]
    pub fn chain_for(&self, device_certificate: &Certificate) -> Vec<u8> {
        encode_chain(device_certificate, &self.certificate)
    }
}

/// Encodes `[device, device_ca]`.
#[must_use]
pub fn encode_chain(device: &Certificate, device_ca: &Certificate) -> Vec<u8> {
    encode(&Value::Array(vec![device.to_value(), device_ca.to_value()]))
}

/// What the app may check the device against; `None` skips a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The model the user chose or the advertisement announced.
    pub model: Option<&'a str>,
    /// The serial from `PairingParamsResponse`.
    pub serial: Option<&'a str>,
}

/// A device whose chain and proof of possession checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedDevice {
    /// Model from the device certificate.
    pub model: String,
    /// Serial from the device certificate.
    pub serial: String,
    /// The device's identity key: remember it to check later handshakes.
    pub identity_key: [u8; 32],
    /// The device-CA's key id.
    pub device_ca: KeyId,
    /// When the device certificate expires (unix seconds).
    pub not_after: u64,
}

/// Verifies a device's certificate chain against the vendor root and its
/// signature over this pairing's transcript hash.
///
/// Checks, in order: size, structure, device-CA issued by `root_public_key`
/// and signed by it, role, validity; device certificate issued and signed
/// by that device-CA, role, validity, model and serial; then the proof of
/// possession.
///
/// # Errors
/// One [`AttestationError`] per failed check; never panics on any input.
pub fn verify_device(
    chain: &[u8],
    root_public_key: &[u8; 32],
    now: u64,
    expected: Expected<'_>,
    transcript_hash: &[u8; 32],
    signature: &[u8],
) -> Result<AttestedDevice, AttestationError> {
    if chain.len() > MAX_CHAIN_LEN {
        return Err(AttestationError::ChainTooLarge);
    }
    let [device, ca] = array::<2>(decode_canonical(chain)?)?;
    let device = Certificate::from_value(device)?;
    let ca = Certificate::from_value(ca)?;

    if ca.issuer_key_id != KeyId::of(root_public_key) {
        return Err(AttestationError::ForeignRoot);
    }
    ca.check_signature(root_public_key)?;
    if ca.role != CertRole::DeviceCa {
        return Err(AttestationError::WrongRole);
    }
    ca.check_validity(now)?;

    if device.issuer_key_id != KeyId::of(&ca.subject_key) {
        return Err(AttestationError::WrongIssuer);
    }
    device.check_signature(&ca.subject_key)?;
    if device.role != CertRole::Device {
        return Err(AttestationError::WrongRole);
    }
    device.check_validity(now)?;
    if expected.model.is_some_and(|model| model != device.model) {
        return Err(AttestationError::ModelMismatch);
    }
    if expected
        .serial
        .is_some_and(|serial| serial != device.serial)
    {
        return Err(AttestationError::SerialMismatch);
    }

    if !verify_signature(
        &device.subject_key,
        &attestation_message(transcript_hash),
        signature,
    ) {
        return Err(AttestationError::ProofOfPossessionInvalid);
    }
    Ok(AttestedDevice {
        model: device.model,
        serial: device.serial,
        identity_key: device.subject_key,
        device_ca: KeyId::of(&ca.subject_key),
        not_after: device.validity.not_after,
    })
}
