//! The conformance client (`hearth-tuf-conformance`) driven as the tuf-conformance harness
//! drives a client: a new process per step, state only in the metadata folder, plain HTTP on
//! 127.0.0.1, the real clock (so expired metadata is made relative to now).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::{DAY, Vendor, demo_releases, serve};
use hearth_clock::{Clock as _, SystemClock};
use hearth_publish::{Role, RoleSpec, Signer, Signers};

const CLIENT: &str = env!("CARGO_BIN_EXE_hearth-tuf-conformance");

async fn run(args: &[&str]) -> Output {
    let child = tokio::process::Command::new(CLIENT)
        .args(args)
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(60), child)
        .await
        .expect("the client exits within 60 s")
        .expect("the client runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn failed_with(out: &Output, code: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(code), "expected {code}: {stderr}");
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn version_of(path: &Path) -> u64 {
    let md: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
    md["signed"]["version"].as_u64().expect("version")
}

struct Dirs {
    metadata: PathBuf,
    targets: PathBuf,
    root: PathBuf,
}

fn dirs(vendor: &Vendor) -> Dirs {
    let root = vendor.tmp.path().join("trusted-root.json");
    std::fs::write(&root, &vendor.bootstrap_root).expect("root");
    Dirs {
        metadata: vendor.tmp.path().join("metadata"),
        targets: vendor.tmp.path().join("targets-out"),
        root,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const ROLE_FILES: [&str; 4] = [
    "root.json",
    "snapshot.json",
    "targets.json",
    "timestamp.json",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_refresh_and_download_in_the_protocols_shape() {
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now);
    vendor.publish(&demo_releases()[0], now);
    let server = serve(&vendor.repo, None);
    let d = dirs(&vendor);
    let url = server.base.clone();
    let targets_url = format!("{url}/targets");

    ok(&run(&["--metadata-dir", s(&d.metadata), "init", s(&d.root)]).await);
    assert_eq!(names(&d.metadata), BTreeSet::from(["root.json".to_owned()]));
    assert!(server.requests().is_empty(), "init makes no request");

    ok(&run(&[
        "--metadata-url",
        &url,
        "--metadata-dir",
        s(&d.metadata),
        "refresh",
    ])
    .await);
    assert_eq!(
        names(&d.metadata),
        ROLE_FILES.map(str::to_owned).into(),
        "unversioned names only"
    );

    let image = "hearth-plug-1_0.2.0_image.bin";
    let notice = "hearth-plug-1_0.2.0_notice_fr.json";
    let download = [
        "--target-name",
        image,
        "--metadata-url",
        &url,
        "--target-dir",
        s(&d.targets),
        "--target-base-url",
        &targets_url,
        "--target-name",
        notice,
        "--metadata-dir",
        s(&d.metadata),
        "download",
    ];
    ok(&run(&download).await);
    assert_eq!(
        std::fs::read(d.targets.join(image)).expect("image"),
        std::fs::read(vendor.blob(image)).expect("served")
    );
    assert_eq!(
        std::fs::read(d.targets.join(notice)).expect("notice"),
        std::fs::read(vendor.blob(notice)).expect("served")
    );
    assert_eq!(
        names(&d.targets),
        BTreeSet::from([image.to_owned(), notice.to_owned()]),
        "no temporary files left"
    );

    let fetched = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("targets/"))
        .count();
    ok(&run(&download).await);
    let again = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("targets/"))
        .count();
    assert_eq!(
        again, fetched,
        "targets already present are not fetched again"
    );

    let missing = [
        "--metadata-dir",
        s(&d.metadata),
        "--metadata-url",
        &url,
        "--target-name",
        "nope.bin",
        "--target-base-url",
        &targets_url,
        "--target-dir",
        s(&d.targets),
        "download",
    ];
    failed_with(&run(&missing).await, "updates.not_found");
    failed_with(
        &run(&["--metadata-dir", s(&d.metadata), "refresh"]).await,
        "--metadata-url is required",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_timestamp_is_refused_and_the_trusted_one_kept() {
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now);
    vendor.publish(&demo_releases()[0], now);
    let server = serve(&vendor.repo, None);
    let d = dirs(&vendor);
    let refresh = [
        "--metadata-dir",
        s(&d.metadata),
        "--metadata-url",
        &server.base,
        "refresh",
    ];
    ok(&run(&["--metadata-dir", s(&d.metadata), "init", s(&d.root)]).await);
    ok(&run(&refresh).await);
    let old = std::fs::read(vendor.repo.join("timestamp.json")).expect("v2");
    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], now)
        .expect("v3");
    ok(&run(&refresh).await);
    assert_eq!(version_of(&d.metadata.join("timestamp.json")), 3);

    std::fs::write(vendor.repo.join("timestamp.json"), old).expect("replay");
    failed_with(&run(&refresh).await, "updates.rollback");
    assert_eq!(
        version_of(&d.metadata.join("timestamp.json")),
        3,
        "the trusted timestamp stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_metadata_is_refused_and_nothing_stored() {
    // Published two days ago and never re-signed: the 1-day timestamp has expired.
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now - 2 * DAY);
    vendor.publish(&demo_releases()[0], now - 2 * DAY);
    let server = serve(&vendor.repo, None);
    let d = dirs(&vendor);
    ok(&run(&["--metadata-dir", s(&d.metadata), "init", s(&d.root)]).await);
    let refresh = [
        "--metadata-dir",
        s(&d.metadata),
        "--metadata-url",
        &server.base,
        "refresh",
    ];
    failed_with(&run(&refresh).await, "updates.expired");
    assert_eq!(names(&d.metadata), BTreeSet::from(["root.json".to_owned()]));

    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], now)
        .expect("resign");
    ok(&run(&refresh).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_root_is_followed_and_kept_unversioned() {
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now);
    vendor.publish(&demo_releases()[0], now);
    let server = serve(&vendor.repo, None);
    let d = dirs(&vendor);
    let refresh = [
        "--metadata-dir",
        s(&d.metadata),
        "--metadata-url",
        &server.base,
        "refresh",
    ];
    ok(&run(&["--metadata-dir", s(&d.metadata), "init", s(&d.root)]).await);
    ok(&run(&refresh).await);

    let k = &vendor.keys;
    let ts2 = Signer::generate(&vendor.keys_dir.join("timestamp-2.pk8")).expect("key");
    let roots = [&k.root[0], &k.root[1]];
    vendor
        .publisher
        .rotate_key(
            Role::Timestamp,
            &RoleSpec::single(ts2.public()),
            &roots,
            &roots,
            Signers {
                timestamp: &[&ts2],
                ..Signers::default()
            },
            now,
        )
        .expect("rotate");
    ok(&run(&refresh).await);
    assert_eq!(version_of(&d.metadata.join("root.json")), 2);
    assert_eq!(names(&d.metadata), ROLE_FILES.map(str::to_owned).into());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_target_is_not_written() {
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now);
    vendor.publish(&demo_releases()[0], now);
    let server = serve(&vendor.repo, None);
    let d = dirs(&vendor);
    let name = "hearth-plug-1_0.2.0_notice_de.json";
    let blob = vendor.blob(name);
    let mut bytes = std::fs::read(&blob).expect("read");
    bytes[10] ^= 0x20;
    std::fs::write(&blob, bytes).expect("tamper");
    ok(&run(&["--metadata-dir", s(&d.metadata), "init", s(&d.root)]).await);
    let targets_url = format!("{}/targets", server.base);
    let download = [
        "--metadata-dir",
        s(&d.metadata),
        "--metadata-url",
        &server.base,
        "--target-name",
        name,
        "--target-base-url",
        &targets_url,
        "--target-dir",
        s(&d.targets),
        "download",
    ];
    failed_with(&run(&download).await, "updates.tampered");
    assert!(
        names(&d.targets).is_empty(),
        "nothing written, not even a temporary file"
    );
}
