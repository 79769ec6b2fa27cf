//! Where verified metadata is kept between runs: the rollback floor (TUF §5.3, §5.4.3: a
//! restarted client never accepts versions older than it has seen) and the root chain.
//!
//! sigstore-tuf writes to the store only after verification and re-verifies everything it
//! reads back, from the bootstrap root, so a tampered store can at worst fail a refresh.
//! But it swallows store write errors (logs them), which would silently drop the rollback
//! floor; so the app's store is checked to be writable when the client opens.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigstore_tuf::{FileStore, MetadataStore};

use crate::UpdateError;

/// How trusted metadata is laid out in the store folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLayout {
    /// The app's: sigstore-tuf's `FileStore` (root history, versioned snapshots, cached
    /// notices) in the folder; image bytes are not cached (they go to the device), and only
    /// the newest versioned snapshot is kept.
    App(PathBuf),
    /// The tuf-conformance client protocol's: the trusted roles under their unversioned names
    /// only (`root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, `<role>.json`),
    /// since its harness reads every `*.json` in the folder as trusted metadata.
    Conformance(PathBuf),
}

impl StoreLayout {
    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        match self {
            StoreLayout::App(dir) | StoreLayout::Conformance(dir) => dir,
        }
    }

    /// Opens the store, checking that the folder exists (created) and is writable.
    pub(crate) fn open(&self) -> Result<Arc<dyn MetadataStore>, UpdateError> {
        let dir = self.dir();
        let store_error = |e: std::io::Error| UpdateError::Store {
            path: dir.display().to_string(),
            detail: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(store_error)?;
        let probe = dir.join(".write-check");
        std::fs::File::create(&probe)
            .and_then(|mut f| f.write_all(b"ok"))
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(store_error)?;
        Ok(match self {
            StoreLayout::App(dir) => Arc::new(AppStore {
                files: FileStore::new(dir),
                dir: dir.clone(),
            }),
            StoreLayout::Conformance(dir) => Arc::new(ConformanceStore { dir: dir.clone() }),
        })
    }
}

/// sigstore-tuf's `FileStore`, without image bytes and without old snapshot versions.
struct AppStore {
    files: FileStore,
    dir: PathBuf,
}

/// Whether a cached target is worth keeping: notices are small and read again; images
/// are up to a slot large and handed to the device, not re-read from here.
fn keep_target(name: &str) -> bool {
    name.contains("_notice_") && name.ends_with(".json")
}

/// `N.snapshot.json` → `Some(N)`.
fn versioned_snapshot(name: &str) -> Option<u64> {
    name.strip_suffix(".snapshot.json")?.parse().ok()
}

impl MetadataStore for AppStore {
    fn load(&self, name: &str) -> sigstore_tuf::Result<Option<Vec<u8>>> {
        self.files.load(name)
    }

    fn store(&self, name: &str, bytes: &[u8]) -> sigstore_tuf::Result<()> {
        if name
            .strip_prefix("targets/")
            .is_some_and(|t| !keep_target(t))
        {
            return Ok(());
        }
        self.files.store(name, bytes)?;
        if let Some(version) = versioned_snapshot(name) {
            // Only `snapshot.json` is read back; older numbered copies just pile up.
            let older = std::fs::read_dir(&self.dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| {
                    versioned_snapshot(&e.file_name().to_string_lossy())
                        .is_some_and(|v| v < version)
                });
            for entry in older {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

/// The conformance protocol's layout (see [`StoreLayout::Conformance`]).
struct ConformanceStore {
    dir: PathBuf,
}

impl MetadataStore for ConformanceStore {
    fn load(&self, name: &str) -> sigstore_tuf::Result<Option<Vec<u8>>> {
        if name.contains('/') {
            return Ok(None);
        }
        match std::fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(sigstore_tuf::Error::io(format!("reading {name}"), e)),
        }
    }

    fn store(&self, name: &str, bytes: &[u8]) -> sigstore_tuf::Result<()> {
        // Cached targets (`targets/…`), the root history (`root_history/N.root.json`) and
        // version-prefixed copies (`N.snapshot.json`) are not trusted-role files.
        let stem = name.split('.').next().unwrap_or_default();
        if name.contains('/') || (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit())) {
            return Ok(());
        }
        write_atomic(&self.dir.join(name), bytes)
            .map_err(|e| sigstore_tuf::Error::io(format!("writing {name}"), e))
    }
}

/// Writes `bytes` to `path` through a hidden temporary file in the same folder and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(folder)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_store_keeps_notices_and_the_newest_snapshot_only() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let store = StoreLayout::App(tmp.path().to_owned())
            .open()
            .expect("open");
        store
            .store("targets/m_0.2.0_image.bin", b"image")
            .expect("image");
        store
            .store("targets/m_0.2.0_notice_de.json", b"{}")
            .expect("notice");
        store.store("3.snapshot.json", b"3").expect("3");
        store.store("4.snapshot.json", b"4").expect("4");
        store.store("root_history/2.root.json", b"r").expect("root");
        assert_eq!(store.load("targets/m_0.2.0_image.bin").expect("load"), None);
        assert_eq!(
            store
                .load("targets/m_0.2.0_notice_de.json")
                .expect("load")
                .as_deref(),
            Some(&b"{}"[..])
        );
        assert_eq!(store.load("3.snapshot.json").expect("load"), None);
        assert_eq!(
            store.load("4.snapshot.json").expect("load").as_deref(),
            Some(&b"4"[..])
        );
        assert!(
            store
                .load("root_history/2.root.json")
                .expect("load")
                .is_some()
        );
    }

    #[test]
    fn the_conformance_store_holds_unversioned_role_files_only() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let store = StoreLayout::Conformance(tmp.path().to_owned())
            .open()
            .expect("open");
        for name in [
            "root.json",
            "2.root.json",
            "root_history/2.root.json",
            "1.snapshot.json",
            "snapshot.json",
            "targets/x",
            "role%3F.json",
        ] {
            store.store(name, b"x").expect("store");
        }
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .expect("read")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["role%3F.json", "root.json", "snapshot.json"]);
    }

    #[test]
    fn a_store_that_cannot_be_written_is_refused_at_open() {
        let tmp = tempfile::tempdir().expect("temp dir");
        // A file where the folder should be: no folder can be made there, even as root.
        let blocked = tmp.path().join("store");
        std::fs::write(&blocked, b"not a folder").expect("write");
        let result = StoreLayout::App(blocked.join("tuf")).open();
        assert!(
            matches!(result, Err(UpdateError::Store { .. })),
            "{:?}",
            result.err()
        );
    }
}
