//! The one TUF code path of the app, the CLI and the conformance client: sigstore-tuf's
//! `Updater` over [`HttpRepository`], with a store, bounded fetches and typed errors.
//! Parameterised by where the repository is ([`Source`]) and how trusted metadata is kept
//! ([`StoreLayout`]), nothing else.

use sigstore_tuf::{TargetFile, Targets, Updater, UpdaterConfig};

use crate::UpdateError;
use crate::store::StoreLayout;
use crate::transport::{HttpRepository, Source};

/// Caps on every fetch, in bytes (TUF §5.2: the client bounds what it downloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub root: u64,
    pub timestamp: u64,
    pub snapshot: u64,
    pub targets: u64,
    /// A notice target.
    pub notice: u64,
    /// An image target: the device's update slot size.
    pub image: u64,
}

/// Default update slot size of a Hearth device.
pub const DEFAULT_SLOT_BYTES: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            root: 64 * 1024,
            timestamp: 16 * 1024,
            snapshot: 64 * 1024,
            targets: 2 * 1024 * 1024,
            notice: 16 * 1024,
            image: DEFAULT_SLOT_BYTES,
        }
    }
}

impl Limits {
    fn updater_config(&self) -> UpdaterConfig {
        let mut config = UpdaterConfig::default();
        config.root_max_length = self.root;
        config.timestamp_max_length = self.timestamp;
        config.snapshot_max_length = self.snapshot;
        config.targets_max_length = self.targets;
        config.target_max_length = self.image.max(self.notice);
        config
    }
}

/// A TUF client: refresh, resolve, download, all verified.
#[derive(Debug)]
pub struct TufClient {
    updater: Updater,
    limits: Limits,
}

/// Unix seconds as the `jiff` time sigstore-tuf takes.
pub(crate) fn to_jiff(unix: u64) -> Result<jiff::Timestamp, UpdateError> {
    i64::try_from(unix)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .ok_or_else(|| UpdateError::Internal(format!("time {unix} is out of range")))
}

impl TufClient {
    /// Opens a client trusting `bootstrap_root` (or a later root reached from it and kept in
    /// the store), fetching as `source` says. Installs the ring crypto provider if none is.
    ///
    /// # Errors
    /// [`UpdateError::InvalidConfig`] for a bootstrap root that does not verify or a bad
    /// source, [`UpdateError::Store`] for a store folder that cannot be written.
    pub fn open(
        source: &Source,
        bootstrap_root: &[u8],
        layout: &StoreLayout,
        limits: Limits,
    ) -> Result<Self, UpdateError> {
        crate::crypto::install()?;
        let repo = HttpRepository::new(source)?;
        let store = layout.open()?;
        let updater = Updater::new(repo, bootstrap_root)
            .map_err(|e| {
                UpdateError::InvalidConfig(format!(
                    "the bootstrap root does not verify: {}",
                    crate::error::chain(&e)
                ))
            })?
            .with_config(limits.updater_config())
            .with_store(store);
        Ok(Self { updater, limits })
    }

    /// The caps in use.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// TUF's client workflow (§5.3–5.6): root chain, timestamp, snapshot, targets; each
    /// verified (signatures, thresholds, versions against the stored floor, expiry at `now`)
    /// before it is stored.
    ///
    /// # Errors
    /// Any [`UpdateError`] but `NotFound`.
    pub async fn refresh(&mut self, now: u64) -> Result<(), UpdateError> {
        let now = to_jiff(now)?;
        self.updater
            .refresh(now)
            .await
            .map_err(UpdateError::from_tuf)
    }

    /// The root version now trusted.
    #[must_use]
    pub fn root_version(&self) -> u64 {
        self.updater.trusted().root().version
    }

    /// The top-level targets as last refreshed (`None` before a successful refresh).
    #[must_use]
    pub fn targets(&self) -> Option<&Targets> {
        self.updater.trusted().targets_role("targets")
    }

    /// The signed entry of `name`, checked fresh at `now`.
    ///
    /// # Errors
    /// [`UpdateError::NotFound`] if no trusted targets role lists it (never published, or
    /// revoked), [`UpdateError::Expired`] if the metadata went stale.
    pub async fn target_info(&mut self, name: &str, now: u64) -> Result<TargetFile, UpdateError> {
        let now = to_jiff(now)?;
        self.updater
            .get_target_info(name, now)
            .await
            .map_err(UpdateError::from_tuf)?
            .ok_or_else(|| UpdateError::NotFound {
                target: name.to_owned(),
            })
    }

    /// Whether `bytes` are what `info` describes (length and every SHA-2 hash it lists, at
    /// least one).
    #[must_use]
    pub fn matches(bytes: &[u8], info: &TargetFile) -> bool {
        let hash = |algorithm: &'static ring::digest::Algorithm| {
            ring::digest::digest(algorithm, bytes)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        bytes.len() as u64 == info.length
            && !info.hashes.is_empty()
            && info.hashes.iter().all(|(name, want)| {
                let got = match name.as_str() {
                    "sha256" => hash(&ring::digest::SHA256),
                    "sha512" => hash(&ring::digest::SHA512),
                    _ => return false,
                };
                got.eq_ignore_ascii_case(want)
            })
    }

    /// The bytes of `name` as `info` describes them: a verified copy from the store if it
    /// holds one, else downloaded (at most `info.length` bytes) and checked against the
    /// signed length and hash. Refused before any download if longer than `cap`.
    ///
    /// # Errors
    /// [`UpdateError::TooLarge`] over `cap`, [`UpdateError::Tampered`] for bytes that do not
    /// match, transport errors.
    pub async fn download(
        &self,
        name: &str,
        info: &TargetFile,
        cap: u64,
    ) -> Result<Vec<u8>, UpdateError> {
        if info.length > cap {
            return Err(UpdateError::TooLarge {
                what: name.to_owned(),
                limit: cap,
            });
        }
        if let Some(bytes) = self.updater.find_cached_target(info, name) {
            return Ok(bytes);
        }
        self.updater
            .download_target(info, name)
            .await
            .map_err(UpdateError::from_tuf)
    }
}
