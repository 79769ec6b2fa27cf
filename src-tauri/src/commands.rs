//! The app's commands: each takes state, calls the core or the flows, returns a DTO. Every
//! command here must be listed in `build.rs` and allowed by a capability file.

use hearth_core::{
    ErrorCode, ErrorDto,
    about::{AboutInfo, about},
    settings::{LanguageChoice, LanguageState},
    setup::{
        CodeCheck, DeviceView, DiagnosticsReport, SetupProgress, SetupRequest, SetupResult,
        WifiRequest,
    },
    support::{CollectsView, SecurityContactView, SupportView},
};
use hearth_flows::{BoxFuture, FlowError, ModelGate};
use tauri::{Manager, State, ipc::Channel};

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

/// Sends the device list now and on every change until the window drops the channel.
#[tauri::command]
pub async fn watch_devices(
    state: State<'_, AppState>,
    on_change: Channel<Vec<DeviceView>>,
) -> Result<u64, ErrorDto> {
    let watcher = Box::new(move |devices: &[DeviceView]| on_change.send(devices.to_vec()).is_ok());
    Ok(state.companion.watch(watcher).await)
}

#[tauri::command]
pub fn unwatch_devices(state: State<'_, AppState>, id: u64) {
    state.companion.unwatch(id);
}

#[tauri::command]
pub fn check_setup_code(code: String) -> Result<CodeCheck, ErrorDto> {
    hearth_flows::companion::check_code(&code)
}

/// The label photo arrives as the raw request body (no JSON number array).
#[tauri::command]
pub fn decode_label_photo(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<String, ErrorDto> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => state.companion.decode_label(bytes),
        tauri::ipc::InvokeBody::Json(_) => Err(ErrorDto {
            code: ErrorCode::Internal,
            message_id: "error-internal".to_owned(),
            args: Vec::new(),
        }),
    }
}

#[tauri::command]
pub async fn set_up_device(
    state: State<'_, AppState>,
    request: SetupRequest,
    on_progress: Channel<SetupProgress>,
) -> Result<SetupResult, ErrorDto> {
    let mut gate = SupportGate {
        state: &state,
        progress: on_progress.clone(),
    };
    let mut progress = move |step: SetupProgress| {
        let _ = on_progress.send(step);
    };
    state
        .companion
        .set_up(request, &mut progress, &mut gate)
        .await
}

/// The person's answer to the question a running setup asked (step `confirm`): whether to go
/// on. Returns whether a setup was waiting for it.
#[tauri::command]
pub fn answer_setup(state: State<'_, AppState>, go_on: bool) -> bool {
    state.companion.answer_setup(go_on)
}

/// Before the setup code is tried, asks the person about a model whose security updates have
/// ended, end soon or never come (EN 303 645 4.3-4, 4.3-8), with its support period on screen;
/// any other model, or no vendor information in time, goes on without a question
/// ([`hearth_vendor_info::SupportDirectory::to_ask_about_before_setup`]).
struct SupportGate<'s> {
    state: &'s AppState,
    progress: Channel<SetupProgress>,
}

impl ModelGate for SupportGate<'_> {
    fn proceed<'a>(&'a mut self, model: &'a str) -> BoxFuture<'a, Result<(), FlowError>> {
        Box::pin(async move {
            let language = self.state.language();
            let ask = match self.state.support().await {
                Ok(directory) => directory.to_ask_about_before_setup(model, language).await,
                Err(e) => {
                    tracing::info!(code = ?e.code, "no vendor service to ask about before setup");
                    None
                }
            };
            if ask.is_none() {
                return Ok(());
            }
            let progress = &self.progress;
            self.state
                .companion
                .ask_before_pairing(model, |step| {
                    let _ = progress.send(step);
                })
                .await
        })
    }
}

#[tauri::command]
pub async fn refresh_device(
    state: State<'_, AppState>,
    id: String,
) -> Result<DeviceView, ErrorDto> {
    state.companion.refresh(&id).await
}

#[tauri::command]
pub async fn set_plug(
    state: State<'_, AppState>,
    id: String,
    on: bool,
) -> Result<DeviceView, ErrorDto> {
    state.companion.set_plug(&id, on).await
}

#[tauri::command]
pub async fn set_device_wifi(
    state: State<'_, AppState>,
    id: String,
    request: WifiRequest,
) -> Result<DeviceView, ErrorDto> {
    state.companion.set_wifi(&id, request).await
}

#[tauri::command]
pub async fn forget_device(state: State<'_, AppState>, id: String) -> Result<(), ErrorDto> {
    state.companion.forget(&id).await
}

#[tauri::command]
pub async fn get_diagnostics(state: State<'_, AppState>) -> Result<DiagnosticsReport, ErrorDto> {
    let language = state.language();
    Ok(state
        .companion
        .diagnostics(env!("CARGO_PKG_VERSION"), language)
        .await)
}

/// The support period of `model`, fresh or from the cache (marked with when it was checked).
#[tauri::command]
pub async fn get_support(
    state: State<'_, AppState>,
    model: String,
) -> Result<SupportView, ErrorDto> {
    let language = state.language();
    state
        .support()
        .await?
        .support(&model, language)
        .await
        .map_err(|e| e.to_dto())
}

/// What `model` collects, and why.
#[tauri::command]
pub async fn get_collects(
    state: State<'_, AppState>,
    model: String,
) -> Result<CollectsView, ErrorDto> {
    let language = state.language();
    state
        .support()
        .await?
        .collects(&model, language)
        .await
        .map_err(|e| e.to_dto())
}

/// The vendor's security contact from its security.txt.
#[tauri::command]
pub async fn get_security_contact(
    state: State<'_, AppState>,
) -> Result<SecurityContactView, ErrorDto> {
    state
        .support()
        .await?
        .security_contact()
        .await
        .map_err(|e| e.to_dto())
}
