//! Who can read the service's files (issue 14 item 2; README "Storage"): the data folder is
//! 0700 and every file in it 0600 — the SQLite database, its WAL and shared-memory files and
//! its journal — and every secret `init` writes is 0600. A set-up written with looser modes is
//! tightened when the service starts.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use common::Harness;
use serde_json::json;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The modes of the data folder and of every file in it.
fn data_modes(h: &Harness) -> (u32, Vec<(String, u32)>) {
    let data = &h.config.data_dir;
    let mut files: Vec<(String, u32)> = std::fs::read_dir(data)
        .expect("data folder")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                mode(&e.path()),
            )
        })
        .collect();
    files.sort();
    (mode(data), files)
}

async fn write_something(h: &Harness) {
    let r = h
        .client
        .post(h.url("/v1/telemetry/pseudonym"))
        .json(&json!({"model": "hearth-plug-1", "device_id": "plug-modes"}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

fn assert_private(h: &Harness) {
    let (folder, files) = data_modes(h);
    assert_eq!(folder, 0o700, "data folder mode {folder:o}");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["vendor.db", "vendor.db-wal", "vendor.db-shm"] {
        assert!(names.contains(&expected), "no {expected} in {names:?}");
    }
    for (name, mode) in &files {
        assert_eq!(*mode, 0o600, "{name} has mode {mode:o}");
    }
    for secret in [
        "ca-key.pem",
        "server-key.pem",
        "catalogue-signing.key",
        "admin-token",
        "pseudonym-wrap.key",
    ] {
        let m = mode(&h.dir.path().join(secret));
        assert_eq!(m, 0o600, "{secret} has mode {m:o}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_every_file_in_it_are_private() {
    let h = Harness::start(None).await;
    write_something(&h).await;
    assert_private(&h);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_up_with_loose_modes_is_tightened_at_start() {
    let h = Harness::start(None).await;
    write_something(&h).await;
    let (dir, config) = (h.dir, h.config);
    h.server.shutdown().await;
    // As an older version or a careless copy left it.
    let loosen = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    loosen(&config.data_dir, 0o755);
    for entry in std::fs::read_dir(&config.data_dir).expect("data folder") {
        loosen(&entry.expect("entry").path(), 0o644);
    }
    let h = Harness::restart(dir, config).await;
    write_something(&h).await;
    assert_private(&h);
    h.stop().await;
}

/// A set-up made before the key-wrapping key existed gets one, private, at start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_up_without_a_wrapping_key_gets_one_at_start() {
    let h = Harness::start_with(None, |config| {
        std::fs::remove_file(&config.telemetry.period_key_wrap).expect("as an older init left it");
    })
    .await;
    write_something(&h).await;
    assert_private(&h);
    h.stop().await;
}

/// An instance whose wrapping key does not open the keys in the database refuses to start,
/// instead of handing out pseudonyms that other instances do not give.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_wrapping_key_stops_the_start() {
    let h = Harness::start(None).await;
    write_something(&h).await;
    let (dir, config) = (h.dir, h.config);
    h.server.shutdown().await;
    std::fs::write(&config.telemetry.period_key_wrap, "11".repeat(32)).expect("another key");
    let refused = hearth_vendor_service::start(
        config,
        hearth_vendor_service::ServeOptions {
            database_url: None,
            bind: Some(([127, 0, 0, 1], 0).into()),
            clock: std::sync::Arc::new(hearth_vendor_service::clock::ManualClock::new(
                u64::try_from(common::T0).expect("after 1970"),
            )),
        },
    )
    .await
    .expect_err("a key that does not open the stored ones");
    assert_eq!(refused.code(), "vendor.key_wrap", "{refused}");
    drop(dir);
}
