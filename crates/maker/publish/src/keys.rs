//! Ed25519 signing keys of the TUF roles, kept in PKCS#8 v2 DER files of mode 0600.
//!
//! Who holds which key is the point of TUF's roles: the three root keys (two sign) and the
//! targets and snapshot keys stay off the service, on the maker's offline machines; only the
//! timestamp key is online, in the vendor service, which re-signs the timestamp on a schedule
//! ([`crate::Schedule`]). This crate never reads a key by itself: every operation takes the
//! [`Signer`]s it needs, so the service process can only ever be handed the timestamp key.

use std::fmt;
use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _};

use crate::error::PublishError;
use crate::metadata::{PublicKey, Signature};

/// An Ed25519 signing key of one TUF role. Prints as its key id only and cannot be
/// serialized.
pub struct Signer {
    pair: Ed25519KeyPair,
    public: PublicKey,
    key_id: String,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .field("private", &"<redacted>")
            .finish()
    }
}

impl Signer {
    fn from_pkcs8(der: &[u8], path: &Path) -> Result<Self, PublishError> {
        let pair = Ed25519KeyPair::from_pkcs8(der).map_err(|e| PublishError::KeyFile {
            path: path.to_owned(),
            reason: format!("not an Ed25519 PKCS#8 key: {e}"),
        })?;
        let public = PublicKey::ed25519(pair.public_key().as_ref());
        let key_id = public.key_id();
        Ok(Self {
            pair,
            public,
            key_id,
        })
    }

    /// Makes a new key and writes it to `path` (created, never overwritten; mode 0600).
    ///
    /// # Errors
    /// [`PublishError::Io`] if the file exists or cannot be written, [`PublishError::KeyFile`]
    /// if the system random generator fails.
    pub fn generate(path: &Path) -> Result<Self, PublishError> {
        let der = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| {
            PublishError::KeyFile {
                path: path.to_owned(),
                reason: "the system random generator failed".into(),
            }
        })?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| PublishError::io(parent, e))?;
        }
        write_private(path, der.as_ref())?;
        Self::from_pkcs8(der.as_ref(), path)
    }

    /// Reads a key written by [`Signer::generate`].
    ///
    /// # Errors
    /// [`PublishError::KeyPermissions`] if others than the owner may read it (like ssh, a key
    /// others can read is treated as leaked), [`PublishError::KeyFile`] if it is not an
    /// Ed25519 PKCS#8 key, [`PublishError::Io`] if it cannot be read.
    pub fn load(path: &Path) -> Result<Self, PublishError> {
        check_private(path)?;
        let der = std::fs::read(path).map_err(|e| PublishError::io(path, e))?;
        Self::from_pkcs8(&der, path)
    }

    /// The public key, as root lists it.
    #[must_use]
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The key id (hex SHA-256 of the canonical public key).
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Signature {
        Signature {
            keyid: self.key_id.clone(),
            sig: hex::encode(self.pair.sign(message).as_ref()),
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| PublishError::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| PublishError::io(path, e))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| PublishError::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| PublishError::io(path, e))
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), PublishError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path)
        .map_err(|e| PublishError::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(PublishError::KeyPermissions {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), PublishError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_written_owner_only_and_reads_back_as_the_same_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keys/timestamp.pk8");
        let made = Signer::generate(&path).expect("generate");
        let loaded = Signer::load(&path).expect("load");
        assert_eq!(made.key_id(), loaded.key_id());
        assert_eq!(made.public(), loaded.public());
        assert!(!format!("{made:?}").contains(&made.public().keyval.public));
        assert!(
            matches!(Signer::generate(&path), Err(PublishError::Io { .. })),
            "never overwritten"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(matches!(
                Signer::load(&path),
                Err(PublishError::KeyPermissions { mode: 0o644, .. })
            ));
        }
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("junk.pk8");
        write_private(&path, b"not a key").expect("write");
        assert!(matches!(
            Signer::load(&path),
            Err(PublishError::KeyFile { .. })
        ));
    }
}
