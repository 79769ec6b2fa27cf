//! Least privilege (EN 303 645 4.6): every command of the one list (`src/ipc/list.rs`,
//! which the handler and build.rs's manifest both come from) is allowed by exactly the
//! capability files and nothing more, no window wildcards, no plugins, no global Tauri
//! object, and a strict CSP.

use std::{collections::BTreeSet, path::PathBuf};

use serde_json::Value;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The commands of the one list (`src/ipc/list.rs`), as the app registers them.
fn declared() -> BTreeSet<String> {
    hearth_app::ipc::declarations(&ts_rs::Config::new())
        .iter()
        .map(|c| c.name.to_owned())
        .collect()
}

/// The commands `build.rs` gave tauri-build: only these get permissions at all.
fn in_the_manifest() -> BTreeSet<String> {
    hearth_app::ipc::MANIFEST
        .lines()
        .map(str::to_owned)
        .collect()
}

fn capabilities() -> Vec<Value> {
    ["capabilities/desktop.json", "capabilities/mobile.json"]
        .iter()
        .map(|f| serde_json::from_str(&read(f)).expect("capability is JSON"))
        .collect()
}

fn config() -> Value {
    serde_json::from_str(&read("../tauri.conf.json")).expect("tauri.conf.json is JSON")
}

#[test]
fn every_registered_command_is_declared_and_nothing_more() {
    let declared = declared();
    assert!(declared.contains("get_language"), "{declared:?}");
    assert_eq!(
        declared,
        in_the_manifest(),
        "the handler and build.rs's manifest differ"
    );
}

#[test]
fn capabilities_allow_exactly_the_declared_commands() {
    let wanted: BTreeSet<String> = declared()
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    let config = config();
    let listed: Vec<&str> = config["app"]["security"]["capabilities"]
        .as_array()
        .expect("capabilities listed explicitly")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let caps = capabilities();
    assert_eq!(
        listed.len(),
        caps.len(),
        "every capability file is listed, no other"
    );
    for cap in caps {
        let id = cap["identifier"].as_str().expect("identifier");
        assert!(
            listed.contains(&id),
            "{id} is not listed in tauri.conf.json"
        );
        assert_eq!(cap["windows"], serde_json::json!(["main"]), "{id}: windows");
        assert!(
            cap["platforms"].as_array().is_some_and(|p| !p.is_empty()),
            "{id}: platforms"
        );
        assert!(
            cap.get("webviews").is_none() && cap.get("remote").is_none(),
            "{id}"
        );
        let perms: BTreeSet<String> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| {
                p.as_str()
                    .expect("plain permission ids, no scopes")
                    .to_owned()
            })
            .collect();
        assert_eq!(perms, wanted, "{id} must allow exactly the app's commands");
    }
}

#[test]
fn no_plugins_and_no_global_tauri() {
    let config = config();
    assert_eq!(config["app"]["withGlobalTauri"], false);
    assert!(
        config
            .get("plugins")
            .is_none_or(|p| p.as_object().is_some_and(|o| o.is_empty()))
    );
    let manifest = read("Cargo.toml");
    assert!(
        !manifest.contains("tauri-plugin"),
        "no plugin is used, so none is linked"
    );
    assert!(
        !manifest.contains("devtools"),
        "no devtools in shipped builds"
    );
}

/// Source expressions a directive may use: our own origin, Tauri's IPC, inline
/// images as data: URLs, or nothing.
const ALLOWED_SOURCES: &[&str] = &["'self'", "'none'", "data:", "ipc:", "http://ipc.localhost"];

#[test]
fn the_csp_is_strict() {
    let config = config();
    let csp = config["app"]["security"]["csp"]
        .as_object()
        .expect("the CSP is set, as directives");
    for required in [
        "default-src",
        "script-src",
        "style-src",
        "connect-src",
        "object-src",
        "base-uri",
        "frame-ancestors",
    ] {
        assert!(csp.contains_key(required), "CSP lacks {required}");
    }
    for (directive, sources) in csp {
        for source in sources
            .as_str()
            .expect("directive is a string")
            .split_whitespace()
        {
            assert!(
                ALLOWED_SOURCES.contains(&source),
                "{directive} allows {source}: no unsafe-*, no remote origins, no wildcards"
            );
        }
    }
    for (directive, only) in [
        ("script-src", "'self'"),
        ("default-src", "'self'"),
        ("object-src", "'none'"),
    ] {
        assert_eq!(csp[directive], only, "{directive}");
    }
    assert!(
        !csp["img-src"].as_str().unwrap_or_default().contains("http"),
        "no remote images"
    );
    let security = &config["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none()
    );
    assert!(security.get("devCsp").is_none());
}
