//! Persistent device state on simulated flash.
//!
//! ETSI EN 303 645 4.4-1 (sensitive parameters stored securely) and v2.1.1
//! 5.1-5 (brute-force counters must survive a restart): every write is atomic
//! and every read is checked. A crash mid-write leaves either the old or the
//! new state, never a mix; a damaged record is reported as
//! [`StorageError::Corrupted`] and never silently replaced by defaults (which
//! would reset the lockout and could revert the device to an unpaired state).
//!
//! Record layout (all integers little-endian):
//! `b"HEARTHST"` | format version `u16` | payload length `u32` | SHA-256 of payload (32 bytes) | payload.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"HEARTHST";
const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: usize = 8 + 2 + 4 + 32;
/// Largest state record accepted; the state of a plug is a few kilobytes.
pub const MAX_RECORD_LEN: usize = 1 << 20;

/// Why persistent state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The record exists but its header, length or checksum is wrong.
    #[error("stored device state is corrupted: {0}")]
    Corrupted(&'static str),
    /// The record was written by a newer firmware with an unknown format.
    #[error("stored device state has unsupported format version {0}")]
    UnsupportedVersion(u16),
    /// The record (or the state to store) exceeds [`MAX_RECORD_LEN`].
    #[error("device state record too large: {0} bytes")]
    TooLarge(usize),
    /// The file system refused a read, write, sync or rename.
    #[error("storage I/O failed while trying to {action}: {source}")]
    Io {
        /// What was being attempted.
        action: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl StorageError {
    /// Stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Corrupted(_) => "storage_corrupted",
            Self::UnsupportedVersion(_) => "storage_unsupported_version",
            Self::TooLarge(_) => "storage_too_large",
            Self::Io { .. } => "storage_io",
        }
    }
}

/// Somewhere the device keeps its single state record.
///
/// Implementations must make [`Storage::store`] atomic: after a crash,
/// [`Storage::load`] returns either the previous or the new record.
pub trait Storage {
    /// Reads the state record; `Ok(None)` only if none was ever written.
    ///
    /// # Errors
    /// [`StorageError::Corrupted`] if a record exists but fails its checks;
    /// [`StorageError::Io`] if it cannot be read.
    fn load(&self) -> Result<Option<Vec<u8>>, StorageError>;

    /// Replaces the state record atomically and durably.
    ///
    /// # Errors
    /// [`StorageError::TooLarge`] or [`StorageError::Io`]; the previous record is then intact.
    fn store(&mut self, payload: &[u8]) -> Result<(), StorageError>;
}

/// Wraps a payload in the checked record layout.
///
/// # Errors
/// [`StorageError::TooLarge`] if the payload exceeds [`MAX_RECORD_LEN`].
pub fn seal_record(payload: &[u8]) -> Result<Vec<u8>, StorageError> {
    if payload.len() > MAX_RECORD_LEN {
        return Err(StorageError::TooLarge(payload.len()));
    }
    let len = u32::try_from(payload.len()).map_err(|_| StorageError::TooLarge(payload.len()))?;
    let mut record = Vec::with_capacity(HEADER_LEN + payload.len());
    record.extend_from_slice(MAGIC);
    record.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    record.extend_from_slice(&len.to_le_bytes());
    record.extend_from_slice(&Sha256::digest(payload));
    record.extend_from_slice(payload);
    Ok(record)
}

/// Checks a record made by [`seal_record`] and returns its payload.
///
/// # Errors
/// [`StorageError::Corrupted`] on a bad magic, length or checksum;
/// [`StorageError::UnsupportedVersion`] on an unknown format version.
pub fn open_record(record: &[u8]) -> Result<&[u8], StorageError> {
    let header = record
        .get(..HEADER_LEN)
        .ok_or(StorageError::Corrupted("record shorter than its header"))?;
    let (magic, rest) = header.split_at(8);
    if magic != MAGIC {
        return Err(StorageError::Corrupted("wrong magic"));
    }
    let (version, rest) = rest.split_at(2);
    let version = u16::from_le_bytes([version[0], version[1]]);
    if version != FORMAT_VERSION {
        return Err(StorageError::UnsupportedVersion(version));
    }
    let (len, checksum) = rest.split_at(4);
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    let payload = &record[HEADER_LEN..];
    if payload.len() != len {
        return Err(StorageError::Corrupted("length does not match the header"));
    }
    if Sha256::digest(payload).as_slice() != checksum {
        return Err(StorageError::Corrupted("checksum mismatch"));
    }
    Ok(payload)
}

/// In-memory storage for tests; keeps the sealed record so corruption can be simulated.
#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    record: Option<Vec<u8>>,
}

impl MemoryStorage {
    /// Empty storage, as on a device fresh from the factory line before its bundle is loaded.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The raw sealed record, for tests that flip bits in "flash".
    pub fn raw_record_mut(&mut self) -> Option<&mut Vec<u8>> {
        self.record.as_mut()
    }
}

impl Storage for MemoryStorage {
    fn load(&self) -> Result<Option<Vec<u8>>, StorageError> {
        self.record
            .as_deref()
            .map(|record| open_record(record).map(<[u8]>::to_vec))
            .transpose()
    }

    fn store(&mut self, payload: &[u8]) -> Result<(), StorageError> {
        self.record = Some(seal_record(payload)?);
        Ok(())
    }
}

/// File-backed storage: one record file, replaced by write-to-temp, fsync, rename, fsync-folder.
///
/// The temporary file lives in the same folder (so the rename is atomic on
/// POSIX file systems) and is never read: a torn temp file left by a crash is
/// simply overwritten by the next store.
#[derive(Debug, Clone)]
pub struct FileStorage {
    path: PathBuf,
    temp_path: PathBuf,
}

impl FileStorage {
    /// Storage at `path` (the folder must exist). Nothing is touched until load or store.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut temp_name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        temp_name.push(".tmp");
        let temp_path = path.with_file_name(temp_name);
        Self { path, temp_path }
    }

    /// The record file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file a store writes before renaming it over the record.
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    fn folder(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }
}

fn io(action: &'static str) -> impl FnOnce(std::io::Error) -> StorageError {
    move |source| StorageError::Io { action, source }
}

impl Storage for FileStorage {
    fn load(&self) -> Result<Option<Vec<u8>>, StorageError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("open the state file")(e)),
        };
        let limit = (HEADER_LEN + MAX_RECORD_LEN) as u64;
        let mut record = Vec::new();
        // Read one byte past the limit so an oversized file is detected without reading it all.
        file.take(limit + 1)
            .read_to_end(&mut record)
            .map_err(io("read the state file"))?;
        if record.len() as u64 > limit {
            return Err(StorageError::TooLarge(record.len()));
        }
        open_record(&record).map(|p| Some(p.to_vec()))
    }

    fn store(&mut self, payload: &[u8]) -> Result<(), StorageError> {
        let record = zeroize::Zeroizing::new(seal_record(payload)?);
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // The record holds the identity key and Wi-Fi passphrase: owner-only.
            options.mode(0o600);
        }
        let mut temp = options
            .open(&self.temp_path)
            .map_err(io("create the temporary state file"))?;
        temp.write_all(&record)
            .map_err(io("write the temporary state file"))?;
        temp.sync_all()
            .map_err(io("sync the temporary state file"))?;
        drop(temp);
        fs::rename(&self.temp_path, &self.path).map_err(io("rename the state file into place"))?;
        // Without syncing the folder, the rename itself may be lost on power failure.
        File::open(self.folder())
            .and_then(|dir| dir.sync_all())
            .map_err(io("sync the state folder"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn record_round_trips(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            let record = seal_record(&payload).unwrap();
            prop_assert_eq!(open_record(&record).unwrap(), &payload[..]);
        }

        #[test]
        fn any_single_bit_flip_is_detected(payload in proptest::collection::vec(any::<u8>(), 1..128), bit in any::<usize>()) {
            let mut record = seal_record(&payload).unwrap();
            let bit = bit % (record.len() * 8);
            record[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(open_record(&record).is_err());
        }

        #[test]
        fn truncated_records_are_rejected(payload in proptest::collection::vec(any::<u8>(), 1..128), cut in any::<usize>()) {
            let record = seal_record(&payload).unwrap();
            let cut = cut % record.len();
            prop_assert!(open_record(&record[..cut]).is_err());
        }
    }

    #[test]
    fn file_storage_survives_a_torn_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = FileStorage::new(dir.path().join("state.bin"));
        assert!(storage.load().unwrap().is_none());
        storage.store(b"first").unwrap();
        // A crash after the temp file was half-written and before the rename.
        fs::write(storage.temp_path(), b"HEARTHST\x01\x00garbage").unwrap();
        assert_eq!(storage.load().unwrap().as_deref(), Some(&b"first"[..]));
        storage.store(b"second").unwrap();
        assert_eq!(storage.load().unwrap().as_deref(), Some(&b"second"[..]));
        assert!(!storage.temp_path().exists());
    }

    #[test]
    fn corrupted_file_is_reported_not_reset() {
        let dir = tempfile::tempdir().unwrap();
        let mut storage = FileStorage::new(dir.path().join("state.bin"));
        storage.store(b"precious state").unwrap();
        let mut bytes = fs::read(storage.path()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        fs::write(storage.path(), &bytes).unwrap();
        let err = storage.load().unwrap_err();
        assert_eq!(err.code(), "storage_corrupted");
    }

    #[cfg(unix)]
    #[test]
    fn state_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut storage = FileStorage::new(dir.path().join("state.bin"));
        storage.store(b"secret").unwrap();
        let mode = fs::metadata(storage.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
