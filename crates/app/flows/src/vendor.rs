//! The part of the vendor profile the flows need: the vendor root key that device
//! certificate chains must end in (EN 303 645 provision 5.1/attestation; design "Owner
//! credential"). The profile is the JSON `hearth-factory init-vendor` writes
//! (`vendor-profile.json`).

use std::path::Path;

use serde::Deserialize;

use crate::error::FlowError;

/// Longest profile read; a profile is a few hundred bytes.
const MAX_PROFILE_LEN: u64 = 64 * 1024;

#[derive(Deserialize)]
struct ProfileFile {
    format: String,
    vendor_name: String,
    root_public_key: String,
}

/// The trusted vendor root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorRoot {
    /// The vendor's name as shown to users.
    pub vendor_name: String,
    /// The Ed25519 root public key.
    pub public_key: [u8; 32],
}

impl VendorRoot {
    /// Reads a vendor profile file.
    ///
    /// # Errors
    /// [`FlowError::VendorProfile`] if it cannot be read, is too large, or is not a profile.
    pub fn load(path: &Path) -> Result<Self, FlowError> {
        let fail = |reason: String| FlowError::VendorProfile { reason };
        let len = std::fs::metadata(path)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?
            .len();
        if len > MAX_PROFILE_LEN {
            return Err(fail(format!("{} is {len} bytes", path.display())));
        }
        let text = std::fs::read(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// Parses a vendor profile.
    ///
    /// # Errors
    /// [`FlowError::VendorProfile`].
    pub fn parse(json: &[u8]) -> Result<Self, FlowError> {
        let fail = |reason: String| FlowError::VendorProfile { reason };
        let file: ProfileFile =
            serde_json::from_slice(json).map_err(|e| fail(format!("not a profile: {e}")))?;
        if file.format != "hearth-vendor-profile/v1" {
            return Err(fail(format!("unknown format {:?}", file.format)));
        }
        let public_key = hex::decode(&file.root_public_key)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| fail("root_public_key is not 32 hex-encoded bytes".into()))?;
        Ok(Self {
            vendor_name: file.vendor_name,
            public_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_gives_its_root_and_a_bad_one_is_refused() {
        let key = "ab".repeat(32);
        let good = format!(
            r#"{{"format":"hearth-vendor-profile/v1","vendor_name":"Acme","root_public_key":"{key}","firmware_public_key":"00"}}"#
        );
        let root = VendorRoot::parse(good.as_bytes()).expect("profile");
        assert_eq!(root.public_key, [0xab; 32]);
        let short = good.replace(&key, "abcd");
        assert_eq!(
            VendorRoot::parse(short.as_bytes()).map_err(|e| e.code().as_str()),
            Err("flow.vendor_profile")
        );
        assert!(VendorRoot::parse(b"[]").is_err());
    }
}
