//! Hearth's app shell: builds the Tauri app, opens the app database once, manages state, and
//! registers the commands declared once in `ipc/list.rs`. No logic lives here: the features
//! are `hearth_flows::companion`'s modules.

pub mod ipc;
mod links;
mod state;

use std::process::ExitCode;
use std::sync::Arc;

use hearth_core::{Database, folders::AppFolders, logging, settings::SettingsStore};
use tauri::webview::NewWindowResponse;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// Starts the app and runs until its window closes.
pub fn run() -> ExitCode {
    let folders = AppFolders::resolve();
    if let Err(e) = folders.create_all() {
        eprintln!("Hearth cannot start: {e}");
        return ExitCode::FAILURE;
    }
    let _log_guard = match logging::init(&folders.logs) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!(
                "Hearth cannot start: cannot write logs to {}: {e}",
                folders.logs.display()
            );
            return ExitCode::FAILURE;
        }
    };
    // The kernel keyring installs a session keyring in the credentials of the *thread* that
    // first uses it; runtime threads created earlier are refused its keys. Open it before
    // Tauri starts any runtime so every later thread inherits it.
    let keystore = hearth_keystore::Keystore::open_from_env();
    let (settings, outcome) = SettingsStore::load(&folders.config);
    tracing::info!(?outcome, version = env!("CARGO_PKG_VERSION"), "starting");

    let result = tauri::Builder::default()
        .invoke_handler(ipc::handler())
        .setup(move |app| {
            let database = tauri::async_runtime::block_on(Database::open(&folders.data))?;
            let companion = Arc::new(state::companion(&database, keystore));
            // What Home shows for each device is checked once in the background; the
            // window hears the results as they come.
            let checker = Arc::clone(&companion);
            tauri::async_runtime::spawn(async move { checker.refresh_all().await });
            let state = AppState::new(
                settings,
                companion,
                hearth_i18n::system_language(),
                app.handle().clone(),
            );
            let title = state.localizer()?.t("app-title");
            app.manage(state);
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title(title)
                .inner_size(1024.0, 720.0)
                .min_inner_size(480.0, 560.0)
                .data_directory(folders.webview.clone())
                .on_navigation(links::may_navigate)
                .on_new_window(|url, _| {
                    links::open_outside(&url);
                    NewWindowResponse::Deny
                })
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the app stopped with an error");
            ExitCode::FAILURE
        }
    }
}
