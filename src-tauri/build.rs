//! Declares the app's own commands to tauri-build, so the capability files can allow exactly
//! those (without this every command would be allowed), and points tauri-build at the
//! configuration in the workspace root. The names come from the one list of commands,
//! `src/ipc/list.rs`, included here with a `commands!` that keeps only the names; they are
//! also written to `OUT_DIR/commands.txt`, which the crate compares with its own reading of
//! the list (`tests/generated.rs`).

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($params:tt)*) -> $answer:ty $body:block
    )*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/ipc/list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/ipc/list.rs");
    let out = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(out) = out else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    if let Err(e) = std::fs::write(out.join("commands.txt"), COMMANDS.join("\n")) {
        panic!("writing the command manifest: {e}");
    }
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {e:#}");
    }
}
