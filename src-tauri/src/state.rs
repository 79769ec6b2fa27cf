//! The state the app manages for its commands.

use std::sync::{Mutex, MutexGuard};

use hearth_core::{CoreError, devices::DeviceStore, settings::SettingsStore};
use hearth_i18n::{I18nError, Localizer};

/// Everything commands need, managed by Tauri.
pub struct AppState {
    settings: Mutex<SettingsStore>,
    /// What "follow the system" resolves to, read once at start.
    pub system_language: &'static str,
    pub devices: DeviceStore,
}

impl AppState {
    pub fn new(
        settings: SettingsStore,
        devices: DeviceStore,
        system_language: &'static str,
    ) -> Self {
        Self {
            settings: Mutex::new(settings),
            system_language,
            devices,
        }
    }

    /// The settings, even if a panicking command poisoned the lock (the store is
    /// only replaced after a successful write, so it is never half-updated).
    pub fn settings(&self) -> MutexGuard<'_, SettingsStore> {
        self.settings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Formats messages in the language now in effect.
    pub fn localizer(&self) -> Result<Localizer, I18nError> {
        let language = self
            .settings()
            .current()
            .effective_language(self.system_language);
        Localizer::new(language)
    }
}

/// Errors reach the UI as their DTO.
pub fn to_ui(e: CoreError) -> hearth_core::ErrorDto {
    tracing::warn!(code = ?e.code(), error = %e, "command failed");
    e.to_dto()
}
