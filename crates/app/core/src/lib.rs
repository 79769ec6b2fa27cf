//! Hearth's app core: everything the app shell and the `hearth` CLI share, with no
//! dependency on `tauri`, so it is driven the same way from tests, a CLI and the
//! window: the app's folders and settings, logging, the one app database and its tables,
//! About's licence list, and the one table of error codes.

pub mod about;
pub mod codes;
pub mod database;
pub mod devices;
pub mod error;
pub mod folders;
pub mod logging;
pub mod pairings;
pub mod settings;
pub mod vendor_cache;

pub use database::Database;
pub use error::{CoreError, ErrorCode, ErrorDto};

/// The TypeScript declarations of this crate's types the UI exchanges with Rust, for the one
/// generated bindings file (`ui/src/lib/backend/bindings.ts`, written by the app shell's
/// `generated` test).
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    use ts_rs::TS;
    vec![
        ErrorCode::decl(cfg),
        ErrorDto::decl(cfg),
        settings::LanguageChoice::decl(cfg),
        settings::Settings::decl(cfg),
        settings::LanguageState::decl(cfg),
        devices::DeviceSummary::decl(cfg),
        about::Component::decl(cfg),
        about::LicenceGroup::decl(cfg),
        about::AboutInfo::decl(cfg),
    ]
}

/// [`ts_decls`]'s companion: the list of error codes as a TypeScript constant.
pub fn ts_error_codes() -> String {
    codes::typescript_list()
}
