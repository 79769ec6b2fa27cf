//! Declares the app's own commands so the capability files can allow exactly
//! those (without this every command would be allowed), and points tauri-build
//! at the configuration in the workspace root.

/// Every command the app registers; `tests/least_privilege.rs` checks that this
/// list, `generate_handler!` in `src/lib.rs` and the capability files agree.
const COMMANDS: &[&str] = &[
    "get_language",
    "set_language",
    "get_about",
    "watch_devices",
    "unwatch_devices",
    "check_setup_code",
    "decode_label_photo",
    "set_up_device",
    "answer_setup",
    "refresh_device",
    "set_plug",
    "set_device_wifi",
    "forget_device",
    "get_diagnostics",
    "get_support",
    "get_collects",
    "get_security_contact",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {e:#}");
    }
}
