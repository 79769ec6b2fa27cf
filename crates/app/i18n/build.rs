//! Embeds every `locales/<lang>/*.ftl` file, so the app needs no files beside its binary.

use std::{env, fs, path::PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("../../../locales")
        .canonicalize()
        .expect("locales/ exists at the workspace root");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries = Vec::new();
    let mut langs: Vec<_> = fs::read_dir(&root)
        .expect("read locales/")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .collect();
    langs.sort_by_key(|e| e.file_name());
    for lang in langs {
        println!("cargo:rerun-if-changed={}", lang.path().display());
        let mut files: Vec<_> = fs::read_dir(lang.path())
            .expect("read a locale folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        for file in files {
            println!("cargo:rerun-if-changed={}", file.display());
            entries.push(format!(
                "    ({:?}, {:?}, include_str!({:?})),\n",
                lang.file_name().to_string_lossy(),
                file.file_name().expect("a file name").to_string_lossy(),
                file.display().to_string()
            ));
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it")).join("sources.rs");
    fs::write(
        out,
        format!(
            "/// (locale, file name, Fluent source) for every file under locales/.\npub static SOURCES: &[(&str, &str, &str)] = &[\n{}];\n",
            entries.concat()
        ),
    )
    .expect("write sources.rs");
    let config = root.join("fluent.json");
    println!("cargo:rerun-if-changed={}", config.display());
}
