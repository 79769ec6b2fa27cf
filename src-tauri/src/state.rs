//! The state the app manages for its commands: the settings, the language, and the companion
//! (every device feature, `hearth_flows::companion`), over the one app database.

use std::sync::{Arc, Mutex, MutexGuard};

use hearth_ble::BtleplugTransport;
use hearth_core::about::AboutInfo;
use hearth_core::settings::{LanguageChoice, LanguageState, SettingsStore};
use hearth_core::{CoreError, Database, ErrorCode, ErrorDto};
use hearth_flows::companion::{Companion, FlowsOpener, MakerInfo};
use hearth_flows::{Clock, FlowError, Flows, SystemClock, VendorRoot};
use hearth_i18n::{I18nError, Localizer};
use hearth_keystore::{Keystore, KeystoreError};
use tauri::Manager;

/// The device side of the app: flows, live states, diagnostics, what the maker publishes.
pub type AppCompanion = Companion<BtleplugTransport>;

/// Everything commands need, managed by Tauri.
pub struct AppState {
    /// Replaced only after a successful write, so never half-updated.
    settings: Arc<Mutex<SettingsStore>>,
    /// What "follow the system" resolves to, read once at start.
    system_language: &'static str,
    pub companion: Arc<AppCompanion>,
    app: tauri::AppHandle,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("system_language", &self.system_language)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(
        settings: SettingsStore,
        companion: Arc<AppCompanion>,
        system_language: &'static str,
        app: tauri::AppHandle,
    ) -> Self {
        Self {
            settings: Arc::new(Mutex::new(settings)),
            system_language,
            companion,
            app,
        }
    }

    /// The settings, even if a panicking command poisoned the lock.
    fn settings(&self) -> MutexGuard<'_, SettingsStore> {
        lock(&self.settings)
    }

    /// The language in effect.
    pub fn language(&self) -> &'static str {
        self.settings()
            .current()
            .effective_language(self.system_language)
    }

    /// The language choice and what it resolves to.
    pub fn language_state(&self) -> LanguageState {
        self.settings()
            .current()
            .language_state(self.system_language)
    }

    /// Formats messages in the language now in effect.
    pub fn localizer(&self) -> Result<Localizer, I18nError> {
        Localizer::new(self.language())
    }

    /// Saves `choice` on a blocking thread (write, fsync, rename), then titles the window in
    /// the new language.
    pub async fn set_language(&self, choice: LanguageChoice) -> Result<LanguageState, ErrorDto> {
        let settings = Arc::clone(&self.settings);
        tauri::async_runtime::spawn_blocking(move || lock(&settings).set_language(choice))
            .await
            .map_err(|e| internal(&e))?
            .map_err(|e| to_ui(&e))?;
        if let (Some(window), Ok(localizer)) =
            (self.app.get_webview_window("main"), self.localizer())
        {
            let _ = window.set_title(&localizer.t("app-title"));
        }
        Ok(self.language_state())
    }

    /// About's contents, read from the bundled licence list on a blocking thread.
    pub async fn about(&self) -> Result<AboutInfo, ErrorDto> {
        tauri::async_runtime::spawn_blocking(|| {
            hearth_core::about::about(env!("CARGO_PKG_VERSION"))
        })
        .await
        .map_err(|e| internal(&e))?
        .map_err(|e| to_ui(&e))
    }
}

fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The companion over the app's `database`: the flows open on first use, on the system's
/// Bluetooth, with the keyring opened before any runtime thread (`keystore`) and the vendor
/// profile named by `HEARTH_VENDOR_PROFILE`; what the maker publishes from
/// `HEARTH_VENDOR_SERVICE`.
pub fn companion(database: &Database, keystore: Result<Keystore, KeystoreError>) -> AppCompanion {
    let vendor = std::env::var_os("HEARTH_VENDOR_PROFILE")
        .ok_or_else(|| FlowError::VendorProfile {
            reason: "HEARTH_VENDOR_PROFILE is not set".to_owned(),
        })
        .and_then(|path| VendorRoot::load(std::path::Path::new(&path)));
    let keystore = Arc::new(keystore);
    let flows_database = database.clone();
    let opener: FlowsOpener<BtleplugTransport> = Box::new(move || {
        let keystore = Arc::clone(&keystore);
        let database = flows_database.clone();
        Box::pin(async move {
            let keystore = match keystore.as_ref() {
                Ok(k) => k.clone(),
                Err(e) => return Err(FlowError::from_keystore(e.clone())),
            };
            Flows::on_system_bluetooth(&database, keystore).await
        })
    });
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let maker = MakerInfo::from_env(database, Arc::clone(&clock));
    Companion::new(database, opener, vendor, maker, clock)
}

/// Errors reach the UI as their DTO.
pub fn to_ui(e: &CoreError) -> ErrorDto {
    tracing::warn!(code = %e.code(), error = %e, "command failed");
    e.to_dto()
}

fn internal(e: &dyn std::fmt::Display) -> ErrorDto {
    tracing::error!(error = %e, "a blocking task failed");
    ErrorDto::new(ErrorCode::Internal)
}
