//! The app's commands: each takes state, calls the core, returns a DTO. Every
//! command here must be listed in `build.rs` and allowed by a capability file.

use hearth_core::{
    ErrorDto,
    about::{AboutInfo, about},
    devices::DeviceSummary,
    settings::{LanguageChoice, LanguageState},
};
use tauri::{Manager, State};

use crate::state::{AppState, to_ui};

#[tauri::command]
pub fn get_language(state: State<'_, AppState>) -> LanguageState {
    state
        .settings()
        .current()
        .language_state(state.system_language)
}

#[tauri::command]
pub fn set_language(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    choice: LanguageChoice,
) -> Result<LanguageState, ErrorDto> {
    state.settings().set_language(choice).map_err(to_ui)?;
    if let (Some(window), Ok(localizer)) = (app.get_webview_window("main"), state.localizer()) {
        let _ = window.set_title(&localizer.t("app-title"));
    }
    Ok(get_language(state))
}

#[tauri::command]
pub fn get_about() -> Result<AboutInfo, ErrorDto> {
    about(env!("CARGO_PKG_VERSION")).map_err(to_ui)
}

#[tauri::command]
pub async fn list_devices(state: State<'_, AppState>) -> Result<Vec<DeviceSummary>, ErrorDto> {
    state.devices.list().await.map_err(to_ui)
}
