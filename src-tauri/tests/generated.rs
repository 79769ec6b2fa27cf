//! Everything generated from the Rust side is committed and current: the UI's bindings file
//! (the types shared with Rust and one typed function per command) and the capability files.
//! This fails when one is stale; `HEARTH_UPDATE_GENERATED=1 cargo test -p hearth-app --test
//! generated` rewrites them.

use std::path::PathBuf;

use hearth_app::ipc::{self, Platform};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn generated_files_are_up_to_date() {
    let mut files = vec![(
        "ui/src/lib/backend/bindings.ts".to_owned(),
        ipc::typescript(),
    )];
    for platform in Platform::ALL {
        files.push((
            format!("src-tauri/capabilities/{}.json", platform.identifier()),
            ipc::capability(platform),
        ));
    }
    let update = std::env::var_os("HEARTH_UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (rel, fresh) in files {
        let path = root().join(&rel);
        if update {
            std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{rel}: {e}"));
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != fresh {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "stale: {stale:?}; run `HEARTH_UPDATE_GENERATED=1 cargo test -p hearth-app --test generated`"
    );
}

#[test]
fn the_build_script_declares_the_commands_of_the_list() {
    let cfg = ts_rs::Config::new();
    let listed: Vec<&str> = ipc::declarations(&cfg).iter().map(|c| c.name).collect();
    let manifest: Vec<&str> = ipc::MANIFEST.lines().collect();
    assert!(listed.contains(&"decode_label_photo"), "{listed:?}");
    assert_eq!(manifest, listed, "build.rs read the list differently");
}

#[test]
fn every_command_gets_one_typed_function() {
    let ts = ipc::typescript();
    for command in ipc::declarations(&ts_rs::Config::new()) {
        assert_eq!(
            ts.matches(&format!("'{}'", command.name)).count(),
            1,
            "{} is called from exactly one function",
            command.name
        );
    }
    assert!(ts.contains(
        "export function decodeLabelPhoto(photo: Uint8Array): Promise<string> {\n  return call<string>('decode_label_photo', photo);"
    ));
}
