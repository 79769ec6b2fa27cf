//! The state the app manages for its commands.

use std::sync::{Arc, Mutex, MutexGuard};

use hearth_ble::BtleplugTransport;
use hearth_core::{
    CoreError, ErrorDto, devices::DeviceStore, folders::AppFolders, settings::SettingsStore,
};
use hearth_flows::companion::{Companion, FlowsOpener};
use hearth_flows::{FlowError, Flows, SystemClock, VendorRoot};
use hearth_i18n::{I18nError, Localizer};
use hearth_keystore::{Keystore, KeystoreError};
use hearth_vendor_info::SupportDirectory;

/// The device side of the app: flows, live states, diagnostics.
pub type AppCompanion = Companion<BtleplugTransport>;

/// Everything commands need, managed by Tauri.
pub struct AppState {
    settings: Mutex<SettingsStore>,
    /// What "follow the system" resolves to, read once at start.
    pub system_language: &'static str,
    pub companion: Arc<AppCompanion>,
    folders: AppFolders,
    /// What the vendor publishes, opened on first use (never on the path of local control).
    support: tokio::sync::OnceCell<Result<SupportDirectory, ErrorDto>>,
}

impl AppState {
    pub fn new(
        settings: SettingsStore,
        companion: Arc<AppCompanion>,
        folders: AppFolders,
        system_language: &'static str,
    ) -> Self {
        Self {
            settings: Mutex::new(settings),
            system_language,
            companion,
            folders,
            support: tokio::sync::OnceCell::new(),
        }
    }

    /// The vendor's published information, from the service named by
    /// `HEARTH_VENDOR_SERVICE` and the app's cache.
    pub async fn support(&self) -> Result<&SupportDirectory, ErrorDto> {
        self.support
            .get_or_init(|| async {
                SupportDirectory::from_env(&self.folders, Arc::new(hearth_vendor_info::SystemClock))
                    .await
                    .map_err(|e| {
                        tracing::warn!(code = ?e.code(), "vendor information: {e}");
                        e.to_dto()
                    })
            })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The settings, even if a panicking command poisoned the lock (the store is
    /// only replaced after a successful write, so it is never half-updated).
    pub fn settings(&self) -> MutexGuard<'_, SettingsStore> {
        self.settings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The language in effect.
    pub fn language(&self) -> &'static str {
        self.settings()
            .current()
            .effective_language(self.system_language)
    }

    /// Formats messages in the language now in effect.
    pub fn localizer(&self) -> Result<Localizer, I18nError> {
        Localizer::new(self.language())
    }
}

/// The companion over `devices`: the flows open on first use, on the system's Bluetooth,
/// the keyring opened before any runtime thread (`keystore`) and the vendor profile named
/// by `HEARTH_VENDOR_PROFILE`.
pub fn companion(
    devices: DeviceStore,
    folders: AppFolders,
    keystore: Result<Keystore, KeystoreError>,
) -> AppCompanion {
    let vendor = std::env::var_os("HEARTH_VENDOR_PROFILE")
        .ok_or_else(|| FlowError::VendorProfile {
            reason: "HEARTH_VENDOR_PROFILE is not set".to_owned(),
        })
        .and_then(|path| VendorRoot::load(std::path::Path::new(&path)));
    let keystore = Arc::new(keystore);
    let opener: FlowsOpener<BtleplugTransport> = Box::new(move || {
        let keystore = Arc::clone(&keystore);
        let folders = folders.clone();
        Box::pin(async move {
            let keystore = match keystore.as_ref() {
                Ok(k) => k.clone(),
                Err(e) => return Err(FlowError::from_keystore(e.clone())),
            };
            Flows::on_system_bluetooth(&folders, keystore).await
        })
    });
    Companion::new(devices, opener, vendor, Box::new(SystemClock))
}

/// Errors reach the UI as their DTO.
pub fn to_ui(e: CoreError) -> hearth_core::ErrorDto {
    tracing::warn!(code = ?e.code(), error = %e, "command failed");
    e.to_dto()
}
