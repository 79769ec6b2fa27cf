//! Where Hearth keeps its files. One environment variable, `HEARTH_HOME`,
//! redirects every folder (tests and the demo use it); otherwise the platform's
//! usual places are used.

use std::path::{Path, PathBuf};

use crate::CoreError;

/// The environment variable that redirects every folder Hearth writes to.
pub const HOME_ENV: &str = "HEARTH_HOME";

/// Every folder Hearth writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppFolders {
    /// Settings.
    pub config: PathBuf,
    /// The device database and other durable data.
    pub data: PathBuf,
    /// Rolling log files.
    pub logs: PathBuf,
    /// Data that can be fetched again.
    pub cache: PathBuf,
    /// The web view's own storage.
    pub webview: PathBuf,
}

impl AppFolders {
    /// All folders under one root (what `HEARTH_HOME` selects).
    pub fn under(root: &Path) -> Self {
        Self {
            config: root.join("config"),
            data: root.join("data"),
            logs: root.join("logs"),
            cache: root.join("cache"),
            webview: root.join("webview"),
        }
    }

    /// `HEARTH_HOME` if set and not empty, else the platform's folders.
    pub fn resolve() -> Self {
        match std::env::var_os(HOME_ENV) {
            Some(root) if !root.is_empty() => Self::under(Path::new(&root)),
            _ => Self::platform(),
        }
    }

    fn platform() -> Self {
        match directories::ProjectDirs::from("org", "Hearth", "Hearth") {
            Some(dirs) => Self {
                config: dirs.config_dir().to_owned(),
                data: dirs.data_dir().to_owned(),
                logs: dirs.data_local_dir().join("logs"),
                cache: dirs.cache_dir().to_owned(),
                webview: dirs.data_local_dir().join("webview"),
            },
            // No home folder at all (a bare service account): keep everything
            // beside the working directory rather than failing to start.
            None => Self::under(Path::new(".hearth")),
        }
    }

    /// Creates every folder.
    pub fn create_all(&self) -> Result<(), CoreError> {
        for dir in [
            &self.config,
            &self.data,
            &self.logs,
            &self.cache,
            &self.webview,
        ] {
            std::fs::create_dir_all(dir).map_err(|source| CoreError::FolderCreate {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_root_holds_every_folder() {
        let root = tempfile::tempdir().expect("temp dir");
        let folders = AppFolders::under(root.path());
        folders.create_all().expect("create");
        for dir in [
            &folders.config,
            &folders.data,
            &folders.logs,
            &folders.cache,
            &folders.webview,
        ] {
            assert!(dir.starts_with(root.path()) && dir.is_dir(), "{dir:?}");
        }
    }
}
