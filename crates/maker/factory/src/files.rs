//! Small file helpers: secrets are created owner-only and never overwritten.

use crate::error::FactoryError;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Who may read a file the tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// 0600: keys, device bundles, registry.
    Secret,
    /// 0644: certificates, the vendor profile, labels.
    Public,
}

/// Creates `path` with `bytes`, refusing to overwrite, and syncs it.
///
/// # Errors
/// [`FactoryError::Io`] (including when the file already exists).
pub fn create(path: &Path, bytes: &[u8], access: Access) -> Result<(), FactoryError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match access {
            Access::Secret => 0o600,
            Access::Public => 0o644,
        });
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut file = options
        .open(path)
        .map_err(FactoryError::io("create", path))?;
    file.write_all(bytes)
        .map_err(FactoryError::io("write", path))?;
    file.sync_all().map_err(FactoryError::io("sync", path))
}

/// Reads a file of at most `max` bytes.
///
/// # Errors
/// [`FactoryError::Io`], or [`FactoryError::BadVendorFile`] if it is larger than `max`.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, FactoryError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(FactoryError::io("open", path))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(FactoryError::io("read", path))?;
    if bytes.len() as u64 > max {
        return Err(FactoryError::BadVendorFile {
            path: path.to_owned(),
            reason: format!("larger than {max} bytes"),
        });
    }
    Ok(bytes)
}
