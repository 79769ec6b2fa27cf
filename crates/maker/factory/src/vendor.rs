//! `init-vendor`: the vendor root key, the device-CA key and certificate, the
//! firmware-signing key, and the public vendor profile.
//!
//! Files in the vendor folder (keys 0600, public files 0644):
//! `root.key`, `device-ca.key`, `firmware.key` (32 raw Ed25519 seed bytes each),
//! `device-ca.cert` (the root-signed CBOR certificate, see
//! `hearth_protocol::attestation`), `vendor-profile.json` (public).
//!
//! A real vendor keeps these keys in an HSM and signs offline; files are what
//! the demo and tests can run with. ETSI EN 303 645 4.1-1 (attestation lets the
//! app tell a genuine device from a clone) and 4.3-6 (the firmware key every
//! device is born with).

use crate::error::FactoryError;
use crate::files::{self, Access};
use hearth_protocol::attestation::{
    Certificate, DeviceCa, IdentityKey, KeyId, Validity, VendorRoot,
};
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Root key file.
pub const ROOT_KEY: &str = "root.key";
/// Device-CA key file.
pub const DEVICE_CA_KEY: &str = "device-ca.key";
/// Device-CA certificate file.
pub const DEVICE_CA_CERT: &str = "device-ca.cert";
/// Firmware-signing key file.
pub const FIRMWARE_KEY: &str = "firmware.key";
/// Public vendor profile.
pub const PROFILE: &str = "vendor-profile.json";
/// Certificate lifetime: 25 years, longer than any support period.
pub const CERT_LIFETIME_SECS: u64 = 25 * 365 * 24 * 3600;

/// The public vendor profile the app and the vendor service are configured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorProfile {
    /// Format tag, `hearth-vendor-profile/v1`.
    pub format: String,
    /// The vendor's name as shown to users.
    pub vendor_name: String,
    /// Ed25519 vendor root public key (hex) that device certificate chains end in.
    pub root_public_key: String,
    /// Ed25519 public key (hex) firmware images must be signed with.
    pub firmware_public_key: String,
}

/// The keys minting needs, loaded from a vendor folder.
#[derive(Debug)]
pub struct VendorKeys {
    /// The public profile.
    pub profile: VendorProfile,
    /// The device-CA key and certificate.
    pub device_ca: DeviceCa,
    /// The firmware-signing public key.
    pub firmware_public_key: [u8; 32],
}

fn validate_vendor_name(name: &str) -> Result<(), FactoryError> {
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(FactoryError::InvalidVendorName);
    }
    Ok(())
}

/// Creates the vendor keys and profile in `out` (created if missing; refused if it
/// already holds vendor keys). `now` is unix seconds, `rng` the OS CSPRNG.
///
/// # Errors
/// [`FactoryError::VendorExists`], [`FactoryError::InvalidVendorName`],
/// [`FactoryError::Certificate`], [`FactoryError::Io`].
pub fn init_vendor<R: CryptoRng + ?Sized>(
    out: &Path,
    vendor_name: &str,
    now: u64,
    rng: &mut R,
) -> Result<VendorProfile, FactoryError> {
    validate_vendor_name(vendor_name)?;
    if [
        ROOT_KEY,
        DEVICE_CA_KEY,
        DEVICE_CA_CERT,
        FIRMWARE_KEY,
        PROFILE,
    ]
    .iter()
    .any(|f| out.join(f).exists())
    {
        return Err(FactoryError::VendorExists(out.to_owned()));
    }
    std::fs::create_dir_all(out).map_err(FactoryError::io("create", out))?;
    let root = VendorRoot::generate(rng);
    let ca_key = IdentityKey::generate(rng);
    let firmware = IdentityKey::generate(rng);
    let validity = Validity {
        not_before: now,
        not_after: now.saturating_add(CERT_LIFETIME_SECS),
    };
    let ca_cert = root
        .issue_device_ca(
            &ca_key.public(),
            &format!("{vendor_name} device CA"),
            validity,
        )
        .map_err(|e| FactoryError::Certificate(e.to_string()))?;
    let profile = VendorProfile {
        format: "hearth-vendor-profile/v1".into(),
        vendor_name: vendor_name.to_owned(),
        root_public_key: hex::encode(root.public_key()),
        firmware_public_key: hex::encode(firmware.public()),
    };
    let profile_json = serde_json::to_vec_pretty(&profile)
        .map_err(|e| FactoryError::Certificate(e.to_string()))?;
    files::create(
        &out.join(ROOT_KEY),
        &root.key().secret_bytes()[..],
        Access::Secret,
    )?;
    files::create(
        &out.join(DEVICE_CA_KEY),
        &ca_key.secret_bytes()[..],
        Access::Secret,
    )?;
    files::create(
        &out.join(FIRMWARE_KEY),
        &firmware.secret_bytes()[..],
        Access::Secret,
    )?;
    files::create(
        &out.join(DEVICE_CA_CERT),
        &ca_cert.to_bytes(),
        Access::Public,
    )?;
    files::create(&out.join(PROFILE), &profile_json, Access::Public)?;
    crate::registry::sync_folder(&out.join(PROFILE))?;
    Ok(profile)
}

fn bad(path: PathBuf, reason: impl Into<String>) -> FactoryError {
    FactoryError::BadVendorFile {
        path,
        reason: reason.into(),
    }
}

fn read_key(dir: &Path, name: &str) -> Result<IdentityKey, FactoryError> {
    let path = dir.join(name);
    let bytes = zeroize::Zeroizing::new(files::read_bounded(&path, 32)?);
    let secret: &[u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(path.clone(), "not a 32-byte Ed25519 key"))?;
    Ok(IdentityKey::from_secret_bytes(secret))
}

impl VendorKeys {
    /// Loads what minting needs from a vendor folder made by [`init_vendor`].
    /// The root key is not read: minting never needs it.
    ///
    /// # Errors
    /// [`FactoryError::BadVendorFile`] if a file is missing, malformed, or the files
    /// do not belong together; [`FactoryError::Io`].
    pub fn load(dir: &Path) -> Result<Self, FactoryError> {
        let profile_path = dir.join(PROFILE);
        let profile: VendorProfile =
            serde_json::from_slice(&files::read_bounded(&profile_path, 64 * 1024)?)
                .map_err(|e| bad(profile_path.clone(), e.to_string()))?;
        let cert_path = dir.join(DEVICE_CA_CERT);
        let certificate = Certificate::from_bytes(&files::read_bounded(&cert_path, 4096)?)
            .map_err(|e| bad(cert_path.clone(), e.to_string()))?;
        let device_ca = DeviceCa::new(read_key(dir, DEVICE_CA_KEY)?, certificate)
            .map_err(|_| bad(cert_path, "certificate does not match device-ca.key"))?;
        let root_public: [u8; 32] = hex::decode(&profile.root_public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                bad(
                    profile_path.clone(),
                    "root_public_key is not 32 hex-encoded bytes",
                )
            })?;
        if device_ca.certificate().issuer_key_id() != KeyId::of(&root_public) {
            return Err(bad(
                dir.join(DEVICE_CA_CERT),
                "device-CA was not issued by the profile's root",
            ));
        }
        let firmware = read_key(dir, FIRMWARE_KEY)?;
        if hex::encode(firmware.public()) != profile.firmware_public_key {
            return Err(bad(profile_path, "firmware key does not match the profile"));
        }
        Ok(Self {
            profile,
            device_ca,
            firmware_public_key: firmware.public(),
        })
    }
}
