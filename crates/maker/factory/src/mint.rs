//! `mint`: device identities with their labels.
//!
//! For each identity, in a folder named after its serial:
//! `device.bundle` (0600, CBOR `hearth_device::state::Identity`: serial, model,
//! discriminator, SPAKE2+ verifier with salt and iterations, Ed25519 identity
//! key, certificate chain, firmware public key — what the device core boots
//! from), `label.png`, `label.svg`, `label.txt` (all 0600: each label
//! carries the setup code until it is printed on the device).
//!
//! ETSI EN 303 645 4.1-1: the passcode comes from the OS CSPRNG through the
//! [`Registry`] (unique in the output folder); only its verifier goes into the
//! bundle (the label carries the code itself, as printed on the box). Each
//! identity folder is written under a temporary name and renamed into place,
//! so a crash never leaves a half-written identity.

use crate::error::FactoryError;
use crate::files::{self, Access};
use crate::label;
use crate::registry::{Allocation, Registry};
use crate::vendor::{CERT_LIFETIME_SECS, VendorKeys};
use hearth_device::secret::SecretBytes;
use hearth_device::state::Identity;
use hearth_protocol::attestation::{IdentityKey, Validity};
use hearth_protocol::spake2::{DEFAULT_ITERATIONS, Verifier};
use rand::CryptoRng;
use std::path::{Path, PathBuf};

/// Device bundle file inside an identity folder.
pub const BUNDLE_FILE: &str = "device.bundle";
/// Salt length for the PBKDF2 step (the top of Matter's 16..=32 range).
pub const SALT_LEN: usize = 32;

/// What to mint.
#[derive(Debug, Clone)]
pub struct MintRequest<'a> {
    /// Model identifier.
    pub model: &'a str,
    /// Number of identities.
    pub count: usize,
    /// PBKDF2 iterations for the verifier.
    pub iterations: u32,
    /// Unix seconds; device certificates are valid from then.
    pub now: u64,
}

impl<'a> MintRequest<'a> {
    /// `count` identities of `model` with the default iteration count.
    #[must_use]
    pub fn new(model: &'a str, count: usize, now: u64) -> Self {
        Self {
            model,
            count,
            iterations: DEFAULT_ITERATIONS,
            now,
        }
    }
}

/// One minted identity, as reported back.
#[derive(Debug, Clone)]
pub struct Minted {
    /// Serial number.
    pub serial: String,
    /// The identity's folder.
    pub folder: PathBuf,
}

/// Mints identities into `out` with keys from `vendor`, calling `progress(done, total)`
/// after each one.
///
/// # Errors
/// Any [`FactoryError`]; identities finished before the error stay valid and registered.
pub fn mint<R: CryptoRng + ?Sized>(
    vendor: &VendorKeys,
    out: &Path,
    request: &MintRequest<'_>,
    rng: &mut R,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Minted>, FactoryError> {
    std::fs::create_dir_all(out).map_err(FactoryError::io("create", out))?;
    let mut registry = Registry::open(out)?;
    // Durable before any identity exists, so no identity ever escapes the registry.
    let batch = registry.allocate_batch(request.model, request.count, rng)?;
    let mut minted = Vec::with_capacity(batch.len());
    for (index, allocation) in batch.iter().enumerate() {
        minted.push(mint_one(vendor, out, request, allocation, rng)?);
        progress(index + 1, batch.len());
    }
    Ok(minted)
}

fn mint_one<R: CryptoRng + ?Sized>(
    vendor: &VendorKeys,
    out: &Path,
    request: &MintRequest<'_>,
    allocation: &Allocation,
    rng: &mut R,
) -> Result<Minted, FactoryError> {
    let folder = out.join(&allocation.serial);
    if folder.exists() {
        return Err(FactoryError::IdentityExists(folder));
    }
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    let verifier = Verifier::from_passcode(&allocation.code.passcode, &salt, request.iterations)?;
    let device_key = IdentityKey::generate(rng);
    let validity = Validity {
        not_before: request.now,
        not_after: request.now.saturating_add(CERT_LIFETIME_SECS),
    };
    let certificate = vendor
        .device_ca
        .issue_device_certificate(
            &device_key.public(),
            request.model,
            &allocation.serial,
            validity,
        )
        .map_err(|e| FactoryError::Certificate(e.to_string()))?;
    let identity = Identity {
        serial: allocation.serial.clone(),
        model: request.model.to_owned(),
        discriminator: allocation.code.discriminator.value(),
        verifier: SecretBytes::new(verifier.to_bytes().to_vec()),
        identity_key: SecretBytes::new(device_key.secret_bytes().to_vec()),
        certificate_chain: vec![
            serde_bytes::ByteBuf::from(certificate.to_bytes()),
            serde_bytes::ByteBuf::from(vendor.device_ca.certificate().to_bytes()),
        ],
        firmware_public_key: vendor.firmware_public_key.to_vec(),
    };
    let label = label::render(&allocation.code, &allocation.serial, request.model)?;

    let temp = out.join(format!(".{}.partial", allocation.serial));
    if temp.exists() {
        // Left by a crash mid-identity; its serial and code are registered, nothing else used it.
        std::fs::remove_dir_all(&temp).map_err(FactoryError::io("remove", &temp))?;
    }
    std::fs::create_dir(&temp).map_err(FactoryError::io("create", &temp))?;
    files::create(
        &temp.join(BUNDLE_FILE),
        &identity.to_bundle()?,
        Access::Secret,
    )?;
    files::create(&temp.join("label.png"), &label.png, Access::Secret)?;
    files::create(
        &temp.join("label.svg"),
        label.svg.as_bytes(),
        Access::Secret,
    )?;
    files::create(
        &temp.join("label.txt"),
        label.text.as_bytes(),
        Access::Secret,
    )?;
    std::fs::rename(&temp, &folder).map_err(FactoryError::io("rename into place", &folder))?;
    crate::registry::sync_folder(&folder)?;
    Ok(Minted {
        serial: allocation.serial.clone(),
        folder,
    })
}

/// Reads an identity's device bundle (what the device core boots from).
///
/// # Errors
/// [`FactoryError::Io`] or [`FactoryError::Bundle`].
pub fn read_bundle(folder: &Path) -> Result<Identity, FactoryError> {
    let bytes = zeroize::Zeroizing::new(files::read_bounded(&folder.join(BUNDLE_FILE), 64 * 1024)?);
    Ok(Identity::from_bundle(&bytes)?)
}
