//! The demo vendor CA and the service's TLS certificate (rcgen, ECDSA P-256 on ring).
//!
//! EN 303 645 4.5-1: the app talks to the vendor only over TLS and trusts only this CA (from the
//! vendor profile), never the system roots. A real maker replaces these files with its own PKI.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use time::OffsetDateTime;

use crate::error::StartError;

/// A CA able to issue server certificates.
pub struct DemoCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
}

impl std::fmt::Debug for DemoCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCa")
            .field("key", &"<redacted>")
            .finish()
    }
}

/// A certificate and its private key, both PEM.
#[derive(Debug)]
pub struct IssuedCert {
    pub cert_pem: String,
    pub key_pem: crate::secret::Secret<String>,
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

impl DemoCa {
    /// A new CA valid from `not_before` to `not_after`.
    ///
    /// # Errors
    /// [`StartError::CertificateGeneration`] if key generation or signing fails.
    pub fn generate(
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Self, StartError> {
        let mut params = ca_params(common_name);
        params.not_before = not_before;
        params.not_after = not_after;
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            issuer: Issuer::new(params, key),
            cert_pem: cert.pem(),
        })
    }

    /// Reloads a CA written by [`DemoCa::generate`]; the issuer's name is rebuilt from
    /// `common_name`, which must be the one it was generated with.
    ///
    /// # Errors
    /// [`StartError::CertificateGeneration`] if the key PEM is unusable.
    pub fn from_pem(common_name: &str, cert_pem: &str, key_pem: &str) -> Result<Self, StartError> {
        let key = KeyPair::from_pem(key_pem)?;
        Ok(Self {
            issuer: Issuer::new(ca_params(common_name), key),
            cert_pem: cert_pem.to_owned(),
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn key_pem(&self) -> crate::secret::Secret<String> {
        crate::secret::Secret::new(self.issuer.key().serialize_pem())
    }

    /// Issues a TLS server certificate for `names` (DNS names or IP addresses).
    ///
    /// # Errors
    /// [`StartError::CertificateGeneration`] for an unusable name or a signing failure.
    pub fn issue_server(
        &self,
        names: &[&str],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<IssuedCert, StartError> {
        let sans: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(sans)?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("localhost"),
        );
        params.distinguished_name = dn;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = not_before;
        params.not_after = not_after;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: crate::secret::Secret::new(key.serialize_pem()),
        })
    }
}
