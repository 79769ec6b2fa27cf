//! The tuf-conformance client under test (theupdateframework/tuf-conformance, CLIENT-CLI.md),
//! on the app's own TUF code path ([`hearth_updates::TufClient`]) with plain HTTP to this
//! machine and the protocol's store layout:
//!
//! ```text
//! hearth-tuf-conformance --metadata-dir DIR init TRUSTED_ROOT
//! hearth-tuf-conformance --metadata-dir DIR --metadata-url URL refresh
//! hearth-tuf-conformance --metadata-dir DIR --metadata-url URL --target-name NAME
//!     [--target-name NAME …] --target-base-url URL --target-dir DIR download
//! ```
//!
//! Flags come in any order. Exit 0 on success, 1 on any failure (the reason on stderr).
//! Expiry is checked against the real clock: the harness runs the client under `faketime`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hearth_clock::{Clock as _, SystemClock};
use hearth_updates::{Limits, Source, StoreLayout, Tls, TufClient};

#[derive(Debug, Default)]
struct Args {
    metadata_dir: Option<PathBuf>,
    metadata_url: Option<String>,
    target_names: Vec<String>,
    target_base_url: Option<String>,
    target_dir: Option<PathBuf>,
    words: Vec<String>,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = Args::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--metadata-dir" => out.metadata_dir = Some(value()?.into()),
            "--metadata-url" => out.metadata_url = Some(value()?),
            "--target-name" => out.target_names.push(value()?),
            "--target-base-url" => out.target_base_url = Some(value()?),
            "--target-dir" => out.target_dir = Some(value()?.into()),
            "-v" | "--verbose" => {}
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
            _ => out.words.push(arg),
        }
    }
    Ok(out)
}

/// A flat, reversible file name for a target path, as python-tuf's `quote(path, "")`.
fn target_file_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    match out.as_str() {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => out,
    }
}

fn client(args: &Args, dir: &Path) -> Result<TufClient, String> {
    let url = args
        .metadata_url
        .as_deref()
        .ok_or("--metadata-url is required")?;
    let root = std::fs::read(dir.join("root.json")).map_err(|e| format!("no trusted root: {e}"))?;
    let mut source = Source::under(url, Tls::PlainLoopback);
    if let Some(base) = &args.target_base_url {
        source.targets_url = base.clone();
    }
    source.request_timeout = Duration::from_secs(30);
    let limits = Limits {
        image: 256 * 1024 * 1024,
        notice: 256 * 1024 * 1024,
        ..Limits::default()
    };
    TufClient::open(
        &source,
        &root,
        &StoreLayout::Conformance(dir.to_owned()),
        limits,
    )
    .map_err(|e| format!("{} ({e})", e.code()))
}

async fn run(args: Args) -> Result<(), String> {
    let dir = args
        .metadata_dir
        .clone()
        .ok_or("--metadata-dir is required")?;
    let now = SystemClock.now_unix();
    let failed = |e: hearth_updates::UpdateError| format!("{} ({e})", e.code());
    match args.words.first().map(String::as_str) {
        Some("init") => {
            let trusted = args.words.get(1).ok_or("init needs TRUSTED_ROOT")?;
            let bytes = std::fs::read(trusted).map_err(|e| format!("{trusted}: {e}"))?;
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("root.json"), bytes).map_err(|e| e.to_string())
        }
        Some("refresh") => client(&args, &dir)?.refresh(now).await.map_err(failed),
        Some("download") => {
            let target_dir = args.target_dir.clone().ok_or("--target-dir is required")?;
            if args.target_names.is_empty() {
                return Err("--target-name is required".into());
            }
            let mut tuf = client(&args, &dir)?;
            tuf.refresh(now).await.map_err(failed)?;
            for name in &args.target_names {
                let info = tuf.target_info(name, now).await.map_err(failed)?;
                let out = target_dir.join(target_file_name(name));
                // The harness checks that a target already present is not fetched again.
                if std::fs::read(&out).is_ok_and(|b| TufClient::matches(&b, &info)) {
                    continue;
                }
                let cap = tuf.limits().image;
                let bytes = tuf.download(name, &info, cap).await.map_err(failed)?;
                write_atomic(&out, &bytes)?;
            }
            Ok(())
        }
        other => Err(format!("expected init, refresh or download, got {other:?}")),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let folder = path.parent().ok_or("a target path has a folder")?;
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.part"));
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}

fn main() {
    let result = parse(std::env::args().skip(1)).and_then(|args| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(run(args))
    });
    if let Err(message) = result {
        eprintln!("hearth-tuf-conformance: {message}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_come_in_any_order_and_target_names_repeat() {
        let words = |s: &str| {
            s.split(' ')
                .map(str::to_owned)
                .collect::<Vec<_>>()
                .into_iter()
        };
        let args = parse(words("--metadata-url http://127.0.0.1:1/md --target-name a --metadata-dir d --target-name b/c download")).expect("parse");
        assert_eq!(args.metadata_url.as_deref(), Some("http://127.0.0.1:1/md"));
        assert_eq!(args.target_names, ["a", "b/c"]);
        assert_eq!(args.words, ["download"]);
        assert!(parse(words("--metadata-dir")).is_err());
        assert!(parse(words("--frobnicate x")).is_err());
        assert_eq!(target_file_name("b/c d"), "b%2Fc%20d");
        assert_eq!(target_file_name(".."), "%2E%2E");
    }
}
