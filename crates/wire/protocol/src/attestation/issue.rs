//! Issuing certificates: what the factory does with the vendor's keys
//! (the factory side of EN 303 645 provision 4.1-1). Built only with the
//! `issuing` feature, which the factory and the tests enable and the app
//! does not: a companion app has no business signing device certificates.

use ciborium::Value;
use rand::CryptoRng;

use super::certificate::{CertRole, Certificate, Validity, encode, encode_chain, signed_message};
use super::{AttestationError, CERT_VERSION, IdentityKey, MAX_NAME_LEN};

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
