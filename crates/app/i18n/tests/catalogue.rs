//! Every shipped locale defines exactly the messages the code uses.
//!
//! Code names message ids only as string literals in `t("…")`, `t_args("…")`
//! (Rust and the UI's `t('…')`) or `id!("…")`, so a scan of the sources finds
//! every id in use.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn sources(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !["node_modules", "target", "dist", "fuzz"].contains(&name.to_str().unwrap_or("")) {
                sources(&path, exts, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Ids named in `text` through the marker calls.
fn ids_in(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for marker in ["t(", "t_args(", "id!("] {
        let mut from = 0;
        while let Some(at) = text[from..].find(marker) {
            let start = from + at;
            from = start + marker.len();
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = text[from..].trim_start();
            let Some(quote) = rest.chars().next().filter(|c| ['"', '\''].contains(c)) else {
                continue;
            };
            let body = &rest[1..];
            if let Some(end) = body.find(quote) {
                let id = &body[..end];
                if !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    ids.insert(id.to_owned());
                }
            }
        }
    }
    ids
}

fn used_ids() -> BTreeSet<String> {
    let root = root();
    let mut files = Vec::new();
    sources(&root.join("ui/src"), &["ts", "svelte"], &mut files);
    sources(&root.join("src-tauri/src"), &["rs"], &mut files);
    // crates/<party>/<crate>/src
    let parties = std::fs::read_dir(root.join("crates")).expect("crates/ exists");
    for party in parties.flatten() {
        for krate in std::fs::read_dir(party.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            sources(&krate.path().join("src"), &["rs"], &mut files);
        }
    }
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("crates/app/flows/src/error.rs")),
        "the scan reads the crates' sources"
    );
    files
        .iter()
        // This crate's own unit tests name ids to test formatting, not to use them.
        .filter(|f| !f.ends_with("crates/app/i18n/src/lib.rs"))
        .flat_map(|f| ids_in(&std::fs::read_to_string(f).unwrap_or_default()))
        .collect()
}

#[test]
fn every_locale_defines_the_same_messages() {
    let en = hearth_i18n::message_ids("en").expect("en parses");
    assert!(!en.is_empty());
    for lang in hearth_i18n::languages() {
        let ids = hearth_i18n::message_ids(lang).expect("locale parses");
        let missing: Vec<_> = en.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&en).collect();
        assert!(missing.is_empty(), "locales/{lang} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "locales/{lang} has ids English lacks: {extra:?}"
        );
    }
}

#[test]
fn every_id_in_use_is_defined() {
    let en = hearth_i18n::message_ids("en").expect("en parses");
    let used = used_ids();
    assert!(
        used.len() > 10,
        "the scan found the UI's and the core's ids"
    );
    let undefined: Vec<_> = used.difference(&en).collect();
    assert!(
        undefined.is_empty(),
        "used but defined nowhere: {undefined:?}"
    );
}

#[test]
fn every_defined_id_is_used() {
    let en = hearth_i18n::message_ids("en").expect("en parses");
    let used = used_ids();
    let unused: Vec<_> = en.difference(&used).collect();
    assert!(unused.is_empty(), "defined but never used: {unused:?}");
}

#[test]
fn the_scanner_finds_each_marker_and_ignores_lookalikes() {
    let text = r#"t('home-title') x.t("nav-home") t_args("about-version", &a) id!("error-x") format('no') list.sort('a-b')"#;
    let found: Vec<_> = ids_in(text).into_iter().collect();
    assert_eq!(
        found,
        ["about-version", "error-x", "home-title", "nav-home"]
    );
}

#[test]
fn ui_and_rust_share_the_isolation_setting() {
    hearth_i18n::fluent_options().expect("Rust reads locales/fluent.json");
    let ui =
        std::fs::read_to_string(root().join("ui/src/lib/i18n.svelte.ts")).expect("UI i18n module");
    assert!(
        ui.contains("locales/fluent.json") && ui.contains("useIsolating: options.useIsolating"),
        "the UI must take useIsolating from locales/fluent.json"
    );
}
