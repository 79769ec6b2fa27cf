//! Who may read the service's files (EN 303 645 4.4-1 secure storage): the data folder is 0700
//! and every file in it 0600; secrets are 0600 wherever they are.
//!
//! SQLite creates its WAL, shared-memory and rollback-journal files with the mode of the
//! database file, so the database is created 0600 before SQLite opens it. A set-up written with
//! looser modes (an older version, a careless copy or restore) is tightened at start, with a
//! warning naming the file. The service writes no backups itself; a backup or any other file
//! put in the data folder is tightened like the rest.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use crate::error::StartError;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` 0700, or makes an existing one 0700.
///
/// # Errors
/// [`StartError::Io`].
pub fn private_dir(dir: &Path) -> Result<(), StartError> {
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
            .map_err(|e| StartError::io(dir, e))?;
    }
    restrict(dir, DIR_MODE)
}

/// Makes `path` readable by its owner only (`mode` without group or other bits), if it is not.
///
/// # Errors
/// [`StartError::Io`].
pub fn restrict(path: &Path, mode: u32) -> Result<(), StartError> {
    let current = std::fs::metadata(path)
        .map_err(|e| StartError::io(path, e))?
        .permissions()
        .mode()
        & 0o777;
    if current & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{current:o}"),
            "readable by others; restricting to {mode:o}"
        );
        std::fs::set_permissions(path, Permissions::from_mode(mode))
            .map_err(|e| StartError::io(path, e))?;
    }
    Ok(())
}

/// Makes a secret file 0600 if it is looser.
///
/// # Errors
/// [`StartError::Io`].
pub fn restrict_secret(path: &Path) -> Result<(), StartError> {
    restrict(path, FILE_MODE)
}

/// Writes a new file, 0600 if `secret`; never overwrites.
///
/// # Errors
/// [`StartError::Io`], also if the file exists.
pub fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), StartError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if secret {
        options.mode(FILE_MODE);
    }
    let mut file = options.open(path).map_err(|e| StartError::io(path, e))?;
    file.write_all(bytes).map_err(|e| StartError::io(path, e))
}

/// Before a SQLite database is opened: the data folder 0700 and everything in it 0600, the
/// database file (wherever the URL puts it) created 0600 if missing, and it and its `-wal`,
/// `-shm` and `-journal` files tightened.
///
/// # Errors
/// [`StartError::Io`].
pub fn prepare_sqlite(data_dir: &Path, url: &str) -> Result<(), StartError> {
    private_dir(data_dir)?;
    for entry in std::fs::read_dir(data_dir).map_err(|e| StartError::io(data_dir, e))? {
        let path = entry.map_err(|e| StartError::io(data_dir, e))?.path();
        if path.is_file() {
            restrict(&path, FILE_MODE)?;
        }
    }
    let Some(db) = sqlite_path(url) else {
        return Ok(());
    };
    if !db.exists() {
        // An empty file is an empty SQLite database; SQLite gives its journals this mode.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&db)
            .map_err(|e| StartError::io(&db, e))?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists() {
            restrict(&file, FILE_MODE)?;
        }
    }
    Ok(())
}

/// The file of a `sqlite:` URL; `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/v/vendor.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/v/vendor.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:data/v.db"),
            Some(PathBuf::from("data/v.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}
