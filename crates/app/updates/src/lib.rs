//! The update client of the app and the CLI (no tauri): is there an update for a device,
//! what does it fix and why does it matter, and is it really the vendor's
//! (EN 303 645 4.3-1, 4.3-2, 4.3-5, 4.3-7).
//!
//! - **TUF** (The Update Framework 1.0.31) through `sigstore-tuf` 0.15 with
//!   `default-features = false` and our ring [`crypto`] provider (no aws-lc-rs), over our own
//!   bounded [`transport`] on the vendor client's pinned-CA HTTPS (4.5-1);
//! - trusted metadata kept in a [`store`] under the caller's folder: it survives restarts and
//!   is the rollback floor (a replayed older timestamp or snapshot is refused, 4.3-7);
//! - time from the injected [`hearth_clock::Clock`], never read here; expiry is checked
//!   against it (freeze protection);
//! - the last verified answer saved beside the store, returned marked
//!   [`Freshness::Offline`] ("Last checked …") when the service cannot be reached, never as
//!   fresh (4.9-1: the app keeps working offline);
//! - every failure an [`UpdateError`] with a stable code and a Fluent message.
//!
//! The conformance client (`src/bin/hearth-tuf-conformance.rs`) runs the same
//! [`tuf::TufClient`] with plain HTTP to loopback and the conformance store layout.

pub mod check;
pub mod crypto;
mod error;
pub mod store;
pub mod transport;
pub mod tuf;

use std::path::PathBuf;
use std::sync::Arc;

use hearth_clock::Clock;
use hearth_update_notice::target::{image_target, notice_target};
use hearth_update_notice::{Locale, Notice, TargetMeta, Version};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

pub use check::{Checked, Freshness, ImageTarget, ModelUpdate, UpdateCheck, VersionSummary};
pub use error::UpdateError;
pub use store::StoreLayout;
pub use transport::{Source, Tls};
pub use tuf::{DEFAULT_SLOT_BYTES, Limits, TufClient};

/// What an [`UpdateClient`] needs.
#[derive(Debug, Clone)]
pub struct UpdateSettings {
    pub source: Source,
    /// The root the app ships with (later: from the vendor profile). A rotated root is
    /// reached from it through the repository's root chain.
    pub bootstrap_root: Vec<u8>,
    /// The app's folder for updates: trusted metadata in `tuf/`, the last verified answer
    /// in `last-check.json`.
    pub store_dir: PathBuf,
    pub limits: Limits,
}

/// The last verified answer, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastAnswer {
    /// Unix seconds.
    pub checked_at: u64,
    pub answer: UpdateCheck,
}

/// A verified image.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedImage {
    pub target: ImageTarget,
    pub security_counter: u64,
    /// Exactly the signed length; SHA-256 as signed.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for VerifiedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedImage")
            .field("target", &self.target)
            .field("security_counter", &self.security_counter)
            .finish_non_exhaustive()
    }
}

/// The app's update client. Calls are serialised (one refresh at a time); share it behind
/// an `Arc`.
#[derive(Debug)]
pub struct UpdateClient {
    tuf: Mutex<TufClient>,
    clock: Arc<dyn Clock>,
    answer_path: PathBuf,
}

const ANSWER_FILE: &str = "last-check.json";

impl UpdateClient {
    /// Opens the client (no network yet).
    ///
    /// # Errors
    /// [`UpdateError::InvalidConfig`] for a bad source or bootstrap root,
    /// [`UpdateError::Store`] if the folder cannot be written.
    pub fn open(settings: UpdateSettings, clock: Arc<dyn Clock>) -> Result<Self, UpdateError> {
        let layout = StoreLayout::App(settings.store_dir.join("tuf"));
        let tuf = TufClient::open(
            &settings.source,
            &settings.bootstrap_root,
            &layout,
            settings.limits,
        )?;
        Ok(Self {
            tuf: Mutex::new(tuf),
            clock,
            answer_path: settings.store_dir.join(ANSWER_FILE),
        })
    }

    /// Checks for updates: refreshes the repository and reads the newest version of every
    /// model with its notices. When the service cannot be reached, answers with the last
    /// verified answer marked [`Freshness::Offline`].
    ///
    /// # Errors
    /// [`UpdateError::Offline`] when offline with no earlier answer; any refusal (expired,
    /// rollback, bad signature, tampered, untrusted server, too large, bad notice) as is.
    pub async fn check(&self) -> Result<Checked, UpdateError> {
        let now = self.clock.now_unix();
        match self.fresh_check(now).await {
            Ok(answer) => {
                let last = LastAnswer {
                    checked_at: now,
                    answer,
                };
                self.save(&last)?;
                Ok(Checked {
                    answer: last.answer,
                    checked_at: now,
                    freshness: Freshness::Fresh,
                })
            }
            Err(e) if e.is_offline() => match self.last_verified()? {
                Some(last) => {
                    tracing::info!(error = %e, "update service unreachable; last verified answer");
                    Ok(Checked {
                        answer: last.answer,
                        checked_at: last.checked_at,
                        freshness: Freshness::Offline {
                            last_checked: last.checked_at,
                        },
                    })
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    async fn fresh_check(&self, now: u64) -> Result<UpdateCheck, UpdateError> {
        let mut tuf = self.tuf.lock().await;
        tuf.refresh(now).await?;
        let wanted: Vec<(
            String,
            check::VersionSummary,
            ImageTarget,
            Vec<VersionSummary>,
        )> = {
            let targets = tuf.targets().ok_or_else(|| {
                UpdateError::Internal("no targets after a successful refresh".into())
            })?;
            let mut wanted = Vec::new();
            for (model, published) in check::images(targets) {
                let versions: Vec<VersionSummary> = published
                    .iter()
                    .map(|p| VersionSummary {
                        version: p.meta.version,
                        security_counter: p.meta.security_counter,
                        security_fix: p.meta.security_fix,
                    })
                    .collect();
                let Some(newest) = published.last() else {
                    continue;
                };
                let image = check::image_target(newest.name, newest.file)?;
                let summary = versions
                    .last()
                    .cloned()
                    .ok_or_else(|| UpdateError::Internal("a model with no versions".into()))?;
                wanted.push((model, summary, image, versions));
            }
            wanted
        };
        let mut models = Vec::new();
        for (model, newest, image, versions) in wanted {
            let mut notices = std::collections::BTreeMap::new();
            for locale in Locale::ALL {
                match fetch_notice(&mut tuf, &model, newest.version, locale, now).await {
                    Ok(notice) => {
                        notices.insert(locale, notice);
                    }
                    // Only English is required; another locale falls back to it.
                    Err(UpdateError::NotFound { .. }) if locale != Locale::En => {}
                    Err(e) => return Err(e),
                }
            }
            models.push(ModelUpdate {
                model,
                newest,
                image,
                notices,
                versions,
            });
        }
        Ok(UpdateCheck { models })
    }

    /// The notice of `model` `version` in the person's language (`de-CH` → German; English
    /// for a language without one), from a fresh refresh.
    ///
    /// # Errors
    /// [`UpdateError::NotFound`] for a version not published or revoked (even one whose
    /// notice was downloaded before); other refusals and [`UpdateError::Offline`].
    pub async fn notice(
        &self,
        model: &str,
        version: Version,
        language: &str,
    ) -> Result<Notice, UpdateError> {
        let now = self.clock.now_unix();
        let mut tuf = self.tuf.lock().await;
        tuf.refresh(now).await?;
        // The version must still be published: a notice alone does not make one.
        tuf.target_info(&image_target(model, version), now).await?;
        let locale = Locale::negotiate(language);
        match fetch_notice(&mut tuf, model, version, locale, now).await {
            Err(UpdateError::NotFound { .. }) if locale != Locale::En => {
                fetch_notice(&mut tuf, model, version, Locale::En, now).await
            }
            other => other,
        }
    }

    /// The image of `model` `version`, verified against the signed length and hash, at most
    /// the slot size long.
    ///
    /// # Errors
    /// [`UpdateError::NotFound`] (never published or revoked), [`UpdateError::TooLarge`]
    /// (longer than the slot), [`UpdateError::Tampered`], other refusals, offline.
    pub async fn image(&self, model: &str, version: Version) -> Result<VerifiedImage, UpdateError> {
        let now = self.clock.now_unix();
        let mut tuf = self.tuf.lock().await;
        tuf.refresh(now).await?;
        let name = image_target(model, version);
        let info = tuf.target_info(&name, now).await?;
        let security_counter = match TargetMeta::from_custom(info.custom.as_ref()) {
            Some(Ok(TargetMeta::Image(meta))) if meta.target_name() == name => {
                meta.security_counter
            }
            _ => {
                return Err(UpdateError::Tampered {
                    detail: format!("{name} does not carry its image metadata"),
                });
            }
        };
        let cap = tuf.limits().image;
        let bytes = tuf.download(&name, &info, cap).await?;
        Ok(VerifiedImage {
            target: check::image_target(&name, &info)?,
            security_counter,
            bytes,
        })
    }

    /// The root version now trusted (1 for the shipped root, higher after rotations).
    pub async fn root_version(&self) -> u64 {
        self.tuf.lock().await.root_version()
    }

    /// The last verified answer, if any (for a screen that shows it beside an error).
    ///
    /// # Errors
    /// [`UpdateError::Store`] if the file cannot be read; a saved answer that no longer
    /// parses or validates is treated as none (and logged).
    pub fn last_verified(&self) -> Result<Option<LastAnswer>, UpdateError> {
        let bytes = match std::fs::read(&self.answer_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.store_error(&e)),
        };
        let parsed: Result<LastAnswer, String> =
            serde_json::from_slice(&bytes).map_err(|e| e.to_string());
        match parsed.and_then(|last| {
            last.answer
                .models
                .iter()
                .try_for_each(ModelUpdate::check)
                .map_err(|e| e.to_string())
                .map(|()| last)
        }) {
            Ok(last) => Ok(Some(last)),
            Err(e) => {
                tracing::warn!(error = %e, "the saved update answer is unusable; ignored");
                Ok(None)
            }
        }
    }

    fn save(&self, last: &LastAnswer) -> Result<(), UpdateError> {
        let bytes =
            serde_json::to_vec_pretty(last).map_err(|e| UpdateError::Internal(e.to_string()))?;
        store::write_atomic(&self.answer_path, &bytes).map_err(|e| self.store_error(&e))
    }

    fn store_error(&self, e: &std::io::Error) -> UpdateError {
        UpdateError::Store {
            path: self.answer_path.display().to_string(),
            detail: e.to_string(),
        }
    }
}

/// Downloads, parses and validates the notice of `model` `version` in `locale`.
async fn fetch_notice(
    tuf: &mut TufClient,
    model: &str,
    version: Version,
    locale: Locale,
    now: u64,
) -> Result<Notice, UpdateError> {
    let name = notice_target(model, version, locale);
    let info = tuf.target_info(&name, now).await?;
    let cap = tuf.limits().notice;
    let bytes = tuf.download(&name, &info, cap).await?;
    let notice = Notice::from_json(&bytes, Some(locale)).map_err(UpdateError::BadNotice)?;
    check::check_notice_is(&notice, model, version, locale)?;
    Ok(notice)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_can_be_shared_between_tasks() {
        fn shared<T: Send + Sync + 'static>() {}
        shared::<super::UpdateClient>();
    }
}
