//! The `sigstore_crypto::CryptoProvider` of the app: `ring`, the provider rustls already uses
//! here, so sigstore-tuf runs with `default-features = false` and no aws-lc-rs (no aws-lc-sys
//! C build, one crypto library in the binary). TUF needs SHA-256/384/512 and verification
//! of raw signatures; ring covers Ed25519, ECDSA P-256/P-384 and RSA (PSS, PKCS#1 v1.5).
//! ML-DSA, pre-hashed verification and signing are refused as unsupported (TUF never asks).

use ring::digest;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use sigstore_crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_types::HashAlgorithm;

use crate::UpdateError;

/// The ring provider.
#[derive(Debug)]
pub struct RingProvider;

static RING_PROVIDER: RingProvider = RingProvider;

/// Makes sure a provider is installed for this process: ours, unless another was installed
/// first (sigstore-crypto keeps the first one). Safe to call any number of times, from any
/// thread; never panics.
///
/// # Errors
/// [`UpdateError::Internal`] if, after trying, no provider is available (cannot happen while
/// `install_default_provider` keeps its documented behaviour; checked rather than assumed,
/// since sigstore-crypto panics on use without one).
pub fn install() -> std::result::Result<(), UpdateError> {
    // Err(other) only says one was installed first: fine, any provider verifies.
    let _ = sigstore_crypto::install_default_provider(&RING_PROVIDER);
    sigstore_crypto::try_default_provider()
        .map(|_| ())
        .ok_or_else(|| UpdateError::Internal("no sigstore-crypto provider is installed".into()))
}

struct Context(digest::Context);

impl HashContext for Context {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

fn algorithm(scheme: SigningScheme) -> Result<&'static dyn VerificationAlgorithm> {
    Ok(match scheme {
        SigningScheme::Ed25519 => &signature::ED25519,
        SigningScheme::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SigningScheme::EcdsaP256Sha384 => &signature::ECDSA_P256_SHA384_ASN1,
        SigningScheme::EcdsaP384Sha256 => &signature::ECDSA_P384_SHA256_ASN1,
        SigningScheme::EcdsaP384Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        SigningScheme::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SigningScheme::RsaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SigningScheme::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SigningScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SigningScheme::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        SigningScheme::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{other:?} is not supported by the ring provider"
            )));
        }
    })
}

impl CryptoProvider for RingProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        let algorithm = match algorithm {
            HashAlgorithm::Sha2256 => &digest::SHA256,
            HashAlgorithm::Sha2384 => &digest::SHA384,
            HashAlgorithm::Sha2512 => &digest::SHA512,
            other => return Err(Error::UnsupportedAlgorithm(format!("{other:?}"))),
        };
        Ok(Box::new(Context(digest::Context::new(algorithm))))
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
        out
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        sig: &[u8],
    ) -> Result<()> {
        UnparsedPublicKey::new(algorithm(scheme)?, spki_pubkey_bytes)
            .verify(data, sig)
            .map_err(|_| Error::Verification(format!("{} signature invalid", scheme.name())))
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        _spki_pubkey_bytes: &[u8],
        _digest: &[u8],
        _sig: &[u8],
    ) -> Result<()> {
        // ring verifies over the message only; TUF never hands over a digest.
        Err(Error::UnsupportedAlgorithm(format!(
            "pre-hashed {scheme:?} is not supported by the ring provider"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair as _};

    #[test]
    fn installing_twice_is_fine_and_ed25519_verifies() {
        install().expect("install");
        install().expect("again");
        let provider = sigstore_crypto::try_default_provider().expect("provider");
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("key");
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        let sig = pair.sign(b"signed");
        let public = pair.public_key().as_ref();
        provider
            .verify_raw(SigningScheme::Ed25519, public, b"signed", sig.as_ref())
            .expect("valid");
        assert!(
            provider
                .verify_raw(SigningScheme::Ed25519, public, b"altered", sig.as_ref())
                .is_err()
        );
        assert_eq!(
            hex(&provider.sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
