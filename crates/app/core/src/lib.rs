//! Hearth's app core: everything the app shell and the `hearth` CLI share, with no
//! dependency on `tauri`, so it is driven the same way from tests, a CLI and the
//! window.

pub mod about;
mod database;
pub mod devices;
pub mod diagnostics;
pub mod error;
pub mod folders;
pub mod logging;
pub mod pairings;
pub mod settings;
pub mod setup;
pub mod support;
pub mod vendor_cache;

pub use error::{CoreError, ErrorCode, ErrorDto};

/// The TypeScript declarations of every type the UI exchanges with Rust, as
/// committed in `ui/src/lib/backend/bindings.ts`. The `bindings` test fails when
/// the file is stale; `HEARTH_UPDATE_BINDINGS=1 cargo test -p hearth-core --test
/// bindings` rewrites it.
pub fn typescript_bindings() -> String {
    use ts_rs::{Config, TS};
    let cfg = Config::new().with_large_int("number");
    let mut decls = vec![
        ErrorCode::decl(&cfg),
        ErrorDto::decl(&cfg),
        settings::LanguageChoice::decl(&cfg),
        settings::Settings::decl(&cfg),
        settings::LanguageState::decl(&cfg),
        devices::DeviceSummary::decl(&cfg),
        about::Component::decl(&cfg),
        about::LicenceGroup::decl(&cfg),
        about::AboutInfo::decl(&cfg),
    ];
    decls.extend(setup::ts_decls(&cfg));
    decls.extend(support::ts_decls(&cfg));
    let mut out = String::from(
        "// Generated from the Rust types in crates/app/core by its `bindings` test. Do not edit.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}
