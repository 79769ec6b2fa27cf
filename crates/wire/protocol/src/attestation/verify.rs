//! The app's check of a device: its chain to the vendor root, then its
//! signature over this pairing's transcript.

use super::certificate::{CertRole, Certificate, array, decode_canonical};
use super::key::attestation_message;
use super::{AttestationError, KeyId, MAX_CHAIN_LEN, verify_signature};

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
