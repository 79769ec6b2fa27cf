//! What the maker publishes about a device, as the window shows it: the support period
//! (EN 303 645 4.3-4, 4.3-8, 4.3-9), what it collects (4.8-1, 4.10-3) and the maker's security
//! contact (4.2-1). The vendor service is opened on first use, never on the path of local
//! control; its views are `hearth_vendor_info::views`.

use std::sync::Arc;

use hearth_ble::Transport;
use hearth_core::{Database, ErrorDto};
use hearth_vendor_info::{
    CollectsView, SecurityContactView, SupportDirectory, SupportError, SupportView,
};

use super::Companion;
use crate::context::Clock;

/// What one vendor publishes, from the service named by `HEARTH_VENDOR_SERVICE`
/// ([`hearth_vendor_info::PROFILE_ENV`]) and the app's cache, opened on first use.
pub struct MakerInfo {
    database: Database,
    clock: Arc<dyn Clock>,
    directory: tokio::sync::OnceCell<Result<SupportDirectory, SupportError>>,
}

impl std::fmt::Debug for MakerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MakerInfo").finish_non_exhaustive()
    }
}

impl MakerInfo {
    /// The vendor service of the environment, cached in `database`.
    #[must_use]
    pub fn from_env(database: &Database, clock: Arc<dyn Clock>) -> Self {
        Self {
            database: database.clone(),
            clock,
            directory: tokio::sync::OnceCell::new(),
        }
    }

    /// The directory, opened now if needed; an unusable configuration stays unusable.
    ///
    /// # Errors
    /// [`SupportError::NotConfigured`], [`SupportError::ProfileInvalid`].
    pub async fn directory(&self) -> Result<&SupportDirectory, &SupportError> {
        self.directory
            .get_or_init(|| async {
                SupportDirectory::from_env(&self.database, Arc::clone(&self.clock))
                    .inspect_err(|e| tracing::warn!(code = %e.code(), "vendor information: {e}"))
            })
            .await
            .as_ref()
    }

    async fn view<V>(
        &self,
        fetch: impl AsyncFnOnce(&SupportDirectory) -> Result<V, SupportError>,
    ) -> Result<V, ErrorDto> {
        let directory = self.directory().await.map_err(SupportError::to_dto)?;
        fetch(directory).await.map_err(|e| {
            tracing::info!(code = %e.code(), "vendor information: {e}");
            e.to_dto()
        })
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// The support period of `model` in `language`, fresh or from the cache (marked with when
    /// it was checked).
    ///
    /// # Errors
    /// The [`SupportError`] as its DTO.
    pub async fn support(&self, model: &str, language: &str) -> Result<SupportView, ErrorDto> {
        self.maker
            .view(async |d| d.support(model, language).await)
            .await
    }

    /// What `model` collects, and why, in `language`.
    ///
    /// # Errors
    /// The [`SupportError`] as its DTO.
    pub async fn collects(&self, model: &str, language: &str) -> Result<CollectsView, ErrorDto> {
        self.maker
            .view(async |d| d.collects(model, language).await)
            .await
    }

    /// The maker's security contact from its security.txt.
    ///
    /// # Errors
    /// The [`SupportError`] as its DTO.
    pub async fn security_contact(&self) -> Result<SecurityContactView, ErrorDto> {
        self.maker.view(async |d| d.security_contact().await).await
    }
}
