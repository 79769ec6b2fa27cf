//! What the vendor publishes about a device, for the app and the `hearth` CLI:
//!
//! - the support period, or that the model cannot be updated and why (EN 303 645 4.3-4, 4.3-8,
//!   4.3-9) — [`SupportDirectory::support`],
//! - what the device collects: the data-use statement and the telemetry manifest (4.8-1,
//!   4.10-3) — [`SupportDirectory::collects`],
//! - the vendor's security contact from its security.txt (4.2-1, RFC 9116) —
//!   [`SupportDirectory::security_contact`].
//!
//! Each is fetched over the vendor client (only the vendor's CA is trusted; catalogue entries
//! must carry the vendor's signature), and the bytes as received are kept in the app database
//! with the time they were fetched. When the service cannot be reached (no network, timeout,
//! server error) the saved copy is shown instead, checked again exactly like a fresh answer and
//! marked `from_cache` with its `last_checked` time (4.9-1). A *refusal* — a certificate from
//! another CA, a bad signature, a malformed answer — is never papered over with the saved copy:
//! the user is told.
//!
//! The cache is a table of the app's one database ([`hearth_core::Database`]), handed in by
//! whoever opened it (the app at start, the CLI per command).
//!
//! Nothing here is on the path of local device control: the app and the CLI call it only for
//! the screens and commands that show vendor information.

mod clock;
mod error;
mod present;
pub mod views;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hearth_core::Database;
use hearth_core::vendor_cache::VendorCache;
use hearth_vendor_api::catalogue::DeviceModel;
use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_client::backoff::RetryPolicy;
use hearth_vendor_client::{ClientError, ClientSettings, VendorClient, parse_security_txt};

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SupportError;
pub use hearth_vendor_api::catalogue::is_model_id;
pub use present::{language_name, support_status};
pub use views::{CollectsView, SecurityContactView, SupportStatus, SupportView};

use present::Freshness;

/// The environment variable naming the vendor service's client profile (the
/// `vendor-profile.json` that `hearth-vendor init` writes).
pub const PROFILE_ENV: &str = "HEARTH_VENDOR_SERVICE";

/// Largest profile file read.
const MAX_PROFILE_BYTES: u64 = 256 * 1024;

/// How long [`SupportDirectory::to_ask_about_before_setup`] waits: the device's Bluetooth link
/// is open meanwhile.
pub const SETUP_LOOKUP_WAIT: Duration = Duration::from_secs(3);

/// The cache kind (in [`VendorCache`]) of catalogue entries. `/v2` since purpose, recipient,
/// anonymisation and personal data became text per language: a copy saved in the older shape
/// is simply not there, never mistaken for a tampered one.
pub const KIND_CATALOGUE_ENTRY: &str = "catalogue-entry/v2";
/// The cache kind of the vendor's security.txt.
const KIND_SECURITY_TXT: &str = "security-txt";

/// Client settings for screens a person is looking at: a short wait, one quick retry, then
/// the saved copy.
pub fn interactive_settings() -> ClientSettings {
    ClientSettings {
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(6),
        max_response_bytes: 256 * 1024,
        retry: RetryPolicy {
            max_attempts: 2,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(1),
        },
    }
}

/// What one vendor publishes about its device models, fresh when its service answers and
/// from the app's cache when it cannot be reached.
#[derive(Debug)]
pub struct SupportDirectory {
    client: VendorClient,
    cache: VendorCache,
    clock: Arc<dyn Clock>,
    /// Cache key of this vendor's security.txt (its service URL), so switching vendors never
    /// shows the previous vendor's contact.
    origin: String,
}

impl SupportDirectory {
    /// The vendor service named by [`PROFILE_ENV`], cached in `database`, with
    /// [`interactive_settings`].
    ///
    /// # Errors
    /// [`SupportError::NotConfigured`] when the variable is unset or empty,
    /// [`SupportError::ProfileInvalid`].
    pub fn from_env(database: &Database, clock: Arc<dyn Clock>) -> Result<Self, SupportError> {
        let path = std::env::var_os(PROFILE_ENV)
            .filter(|p| !p.is_empty())
            .ok_or(SupportError::NotConfigured { env: PROFILE_ENV })?;
        Self::open(Path::new(&path), database, clock, interactive_settings())
    }

    /// The vendor service of the profile at `profile_path`, cached in `database`.
    ///
    /// # Errors
    /// As [`SupportDirectory::from_env`].
    pub fn open(
        profile_path: &Path,
        database: &Database,
        clock: Arc<dyn Clock>,
        settings: ClientSettings,
    ) -> Result<Self, SupportError> {
        let shown = profile_path.display().to_string();
        let invalid = |reason: String| SupportError::ProfileInvalid {
            path: shown.clone(),
            reason,
        };
        let len = std::fs::metadata(profile_path)
            .map_err(|e| invalid(e.to_string()))?
            .len();
        if len > MAX_PROFILE_BYTES {
            return Err(invalid(format!("larger than {MAX_PROFILE_BYTES} bytes")));
        }
        let text = std::fs::read(profile_path).map_err(|e| invalid(e.to_string()))?;
        let profile: VendorProfile =
            serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
        Self::build(&profile, &shown, database, clock, settings)
    }

    /// The vendor service of `profile`, cached in `database`.
    ///
    /// # Errors
    /// [`SupportError::ProfileInvalid`].
    pub fn with_profile(
        profile: &VendorProfile,
        database: &Database,
        clock: Arc<dyn Clock>,
        settings: ClientSettings,
    ) -> Result<Self, SupportError> {
        Self::build(profile, &profile.vendor_name, database, clock, settings)
    }

    fn build(
        profile: &VendorProfile,
        shown: &str,
        database: &Database,
        clock: Arc<dyn Clock>,
        settings: ClientSettings,
    ) -> Result<Self, SupportError> {
        let client =
            VendorClient::new(profile, settings).map_err(|e| SupportError::ProfileInvalid {
                path: shown.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            client,
            cache: database.vendor_cache(),
            clock,
            origin: profile.service_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The support period of `model`, in `language` (a BCP 47 tag, negotiated against the
    /// shipped languages; the vendor's English where it has no text in that language).
    ///
    /// # Errors
    /// [`SupportError::Unavailable`] (unreachable, nothing cached), [`SupportError::Untrusted`]
    /// or [`SupportError::Tampered`] (refused, fresh or cached), [`SupportError::UnknownModel`],
    /// [`SupportError::Cache`].
    pub async fn support(&self, model: &str, language: &str) -> Result<SupportView, SupportError> {
        let language = hearth_i18n::negotiate(&[language]);
        let (entry, freshness) = self.entry(model).await?;
        Ok(present::support_view(
            &entry,
            language,
            self.clock.now_unix(),
            freshness,
        ))
    }

    /// The support period to show before setting up a device of `model`, if the person must
    /// be asked first: its security updates have ended, end soon, or never come
    /// ([`SupportView::needs_consent`]). `None` for any other model, and when no information
    /// can be had within [`SETUP_LOOKUP_WAIT`] (unreachable with nothing saved, refused, too
    /// slow): setup never depends on the vendor service, so it goes on without a question.
    pub async fn to_ask_about_before_setup(
        &self,
        model: &str,
        language: &str,
    ) -> Option<SupportView> {
        match tokio::time::timeout(SETUP_LOOKUP_WAIT, self.support(model, language)).await {
            Ok(Ok(view)) => Some(view).filter(SupportView::needs_consent),
            Ok(Err(e)) => {
                tracing::info!(code = ?e.code(), "no support period to ask about before setup: {e}");
                None
            }
            Err(_) => {
                tracing::info!("the vendor's information took too long; setup goes on");
                None
            }
        }
    }

    /// What `model` collects: the data-use statement and the telemetry manifest, in
    /// `language`.
    ///
    /// # Errors
    /// As [`SupportDirectory::support`].
    pub async fn collects(
        &self,
        model: &str,
        language: &str,
    ) -> Result<CollectsView, SupportError> {
        let language = hearth_i18n::negotiate(&[language]);
        let (entry, freshness) = self.entry(model).await?;
        Ok(present::collects_view(&entry, language, freshness))
    }

    /// The vendor's security contact from its security.txt.
    ///
    /// # Errors
    /// As [`SupportDirectory::support`], without [`SupportError::UnknownModel`].
    pub async fn security_contact(&self) -> Result<SecurityContactView, SupportError> {
        let (contact, freshness) = self
            .fetch_or_cached(
                KIND_SECURITY_TXT,
                &self.origin,
                None,
                async || self.client.security_txt().await.map(|f| (f.raw, f.value)),
                parse_security_txt,
            )
            .await?;
        Ok(present::security_contact_view(
            &contact,
            self.clock.now_unix(),
            freshness,
        ))
    }

    /// The verified catalogue entry of `model`, fresh or cached.
    async fn entry(&self, model: &str) -> Result<(DeviceModel, Freshness), SupportError> {
        if !is_model_id(model) {
            return Err(SupportError::UnknownModel {
                model: model.to_owned(),
            });
        }
        self.fetch_or_cached(
            KIND_CATALOGUE_ENTRY,
            model,
            Some(model),
            async || {
                self.client
                    .signed_catalogue_entry(model)
                    .await
                    .map(|f| (f.raw, f.value))
            },
            |bytes| self.client.verify_entry(model, bytes),
        )
        .await
    }

    /// Fetches and caches; on a transient failure, the cached bytes checked by `verify`.
    async fn fetch_or_cached<T>(
        &self,
        kind: &str,
        key: &str,
        model: Option<&str>,
        fetch: impl AsyncFnOnce() -> Result<(Vec<u8>, T), ClientError>,
        verify: impl FnOnce(&[u8]) -> Result<T, ClientError>,
    ) -> Result<(T, Freshness), SupportError> {
        match fetch().await {
            Ok((raw, value)) => {
                let fetched_at = self.clock.now_unix();
                // The fresh answer is shown even if it cannot be saved; only offline use loses.
                if let Err(e) = self.cache.put(kind, key, &raw, fetched_at).await {
                    tracing::warn!(kind, key, error = %e, "could not cache vendor data");
                }
                Ok((
                    value,
                    Freshness {
                        fetched_at,
                        from_cache: false,
                    },
                ))
            }
            Err(error) if error.is_transient() => {
                tracing::info!(
                    kind,
                    key,
                    code = error.code(),
                    "vendor service unreachable; using the cache"
                );
                let Some(cached) = self.cache.get(kind, key).await? else {
                    return Err(SupportError::Unavailable {
                        reason: error.to_string(),
                    });
                };
                let value = verify(&cached.body).map_err(SupportError::Tampered)?;
                Ok((
                    value,
                    Freshness {
                        fetched_at: cached.fetched_at,
                        from_cache: true,
                    },
                ))
            }
            Err(error) => Err(SupportError::from_refusal(model, error)),
        }
    }
}

/// `YYYY-MM-DD HH:MM UTC` of a Unix time, as the CLI's "Last checked { $date }" shows it.
pub fn timestamp_utc(unix: u64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(i64::try_from(unix).unwrap_or(i64::MAX))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{} {:02}:{:02} UTC",
        present::iso_date(at.date()),
        at.hour(),
        at.minute()
    )
}
