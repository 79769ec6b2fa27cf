//! The certificate and chain format: decoding (no trust yet) and the one
//! canonical encoding.

use ciborium::Value;

use super::{AttestationError, CERT_VERSION, KeyId, MAX_CHAIN_LEN, MAX_NAME_LEN, verify_signature};

const CERT_DOMAIN: &[u8] = b"hearth/cert/v1";

/// What a certificate vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertRole {
    /// A vendor's intermediate that certifies devices.
    DeviceCa,
    /// One device's identity key.
    Device,
}

impl CertRole {
    #[cfg(feature = "issuing")]
    pub(super) fn number(self) -> u64 {
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
    pub(super) role: CertRole,
    pub(super) serial: String,
    pub(super) model: String,
    pub(super) subject_key: [u8; 32],
    pub(super) issuer_key_id: KeyId,
    pub(super) validity: Validity,
    pub(super) tbs: Vec<u8>,
    pub(super) signature: [u8; 64],
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

    pub(super) fn to_value(&self) -> Value {
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

    pub(super) fn from_value(value: Value) -> Result<Self, AttestationError> {
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

    pub(super) fn check_signature(&self, issuer_key: &[u8; 32]) -> Result<(), AttestationError> {
        if verify_signature(issuer_key, &signed_message(&self.tbs), &self.signature) {
            Ok(())
        } else {
            Err(AttestationError::BadSignature)
        }
    }

    pub(super) fn check_validity(&self, now: u64) -> Result<(), AttestationError> {
        if now < self.validity.not_before {
            return Err(AttestationError::NotYetValid);
        }
        if now > self.validity.not_after {
            return Err(AttestationError::Expired);
        }
        Ok(())
    }
}

pub(super) fn signed_message(tbs: &[u8]) -> Vec<u8> {
    let mut message = CERT_DOMAIN.to_vec();
    message.extend_from_slice(tbs);
    message
}

pub(super) fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain values into a Vec cannot fail.
    let _ = ciborium::into_writer(value, &mut out);
    out
}

/// Decodes `bytes` as one CBOR item and insists that re-encoding gives the
/// same bytes: no trailing data, no alternative encodings.
pub(super) fn decode_canonical(bytes: &[u8]) -> Result<Value, AttestationError> {
    let value: Value = ciborium::from_reader(bytes).map_err(|_| AttestationError::Malformed)?;
    if encode(&value) != bytes {
        return Err(AttestationError::Malformed);
    }
    Ok(value)
}

pub(super) fn array<const N: usize>(value: Value) -> Result<[Value; N], AttestationError> {
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

/// Encodes `[device, device_ca]`.
#[must_use]
pub fn encode_chain(device: &Certificate, device_ca: &Certificate) -> Vec<u8> {
    encode(&Value::Array(vec![device.to_value(), device_ca.to_value()]))
}
