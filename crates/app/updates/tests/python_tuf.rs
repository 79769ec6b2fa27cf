//! The cross-tool guard: python-tuf, the TUF reference implementation, reads what
//! `hearth-publish` writes — after a publish, a root and timestamp-key rotation and a
//! re-signed timestamp — and refuses it once a target is altered, so the repository is
//! standard TUF and not only something our own client happens to accept.
//!
//! Needs `python3` with the `tuf` package (`HEARTH_PYTHON` names another interpreter, e.g.
//! a venv's). Without it the test says so loudly and passes, unless
//! `HEARTH_REQUIRE_PYTHON_TUF=1` (set in CI), where it fails.

mod common;

use std::process::Output;
use std::time::Duration;

use common::{Vendor, demo_releases, serve};
use hearth_clock::{Clock as _, SystemClock};
use hearth_publish::{Role, RoleSpec, Signer, Signers};

fn python() -> String {
    std::env::var("HEARTH_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Whether python-tuf can be imported; fails the test if it is required and cannot.
fn python_tuf_available() -> bool {
    let found = std::process::Command::new(python())
        .args(["-c", "import tuf.ngclient"])
        .output()
        .is_ok_and(|o| o.status.success());
    let required = std::env::var("HEARTH_REQUIRE_PYTHON_TUF").is_ok_and(|v| v == "1");
    if !found {
        assert!(
            !required,
            "HEARTH_REQUIRE_PYTHON_TUF=1 but {} cannot import tuf: install it (pip install tuf==7.0.1) or set HEARTH_PYTHON",
            python()
        );
        eprintln!(
            "\n\n*** SKIPPED: python-tuf is not installed for {} — the cross-tool guard did NOT run. \
             Install it (pip install tuf==7.0.1, or set HEARTH_PYTHON to a venv's python) \
             or set HEARTH_REQUIRE_PYTHON_TUF=1 to make this a failure. ***\n\n",
            python()
        );
    }
    found
}

async fn read_with_python(
    base: &str,
    root: &std::path::Path,
    work: &std::path::Path,
    names: &[&str],
) -> Output {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python/read_with_python_tuf.py");
    let child = tokio::process::Command::new(python())
        .arg(script)
        .arg(format!("{base}/"))
        .arg(format!("{base}/targets/"))
        .arg(root)
        .arg(work)
        .args(names)
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("python-tuf finishes within 120 s")
        .expect("python runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tuf_reads_the_published_repository_and_refuses_an_altered_target() {
    if !python_tuf_available() {
        return;
    }
    // python-tuf checks expiry against the real clock.
    let now = SystemClock.now_unix();
    let vendor = Vendor::empty_at(now);
    let [first, second] = <[_; 2]>::try_from(demo_releases()).expect("two demo releases");
    vendor.publish(&first, now);
    let k = &vendor.keys;
    let root4 = Signer::generate(&vendor.keys_dir.join("root-4.pk8")).expect("key");
    let ts2 = Signer::generate(&vendor.keys_dir.join("timestamp-2.pk8")).expect("key");
    let new_roots = RoleSpec {
        keys: vec![
            k.root[1].public().clone(),
            k.root[2].public().clone(),
            root4.public().clone(),
        ],
        threshold: 2,
    };
    vendor
        .publisher
        .rotate_key(
            Role::Root,
            &new_roots,
            &[&k.root[0], &k.root[1]],
            &[&k.root[1], &root4],
            Signers::default(),
            now,
        )
        .expect("root 2");
    vendor
        .publisher
        .rotate_key(
            Role::Timestamp,
            &RoleSpec::single(ts2.public()),
            &[&k.root[1], &root4],
            &[&k.root[1], &root4],
            Signers {
                timestamp: &[&ts2],
                ..Signers::default()
            },
            now,
        )
        .expect("root 3");
    let record = vendor
        .publisher
        .publish(
            &second,
            Signers {
                targets: &[&k.targets],
                snapshot: &[&k.snapshot],
                timestamp: &[&ts2],
            },
            now,
        )
        .expect("0.2.1");
    vendor
        .publisher
        .resign_timestamp(&[&ts2], now)
        .expect("re-sign");

    let server = serve(&vendor.repo, None);
    let root = vendor.tmp.path().join("bootstrap-root.json");
    std::fs::write(&root, &vendor.bootstrap_root).expect("root 1");
    let names: Vec<&str> = record.added.iter().map(|t| t.name.as_str()).collect();
    let out = read_with_python(&server.base, &root, &vendor.tmp.path().join("py"), &names).await;
    assert!(
        out.status.success(),
        "python-tuf refused the repository: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("python's JSON");
    assert_eq!(read["root_version"], 3, "followed root 1 → 3");
    for target in &record.added {
        let got = &read["targets"][&target.name];
        assert_eq!(got["length"], target.length, "{}", target.name);
        assert_eq!(got["sha256"], target.sha256.as_str(), "{}", target.name);
    }
    let image = &read["targets"]["hearth-plug-1_0.2.1_image.bin"]["custom"]["hearth"];
    assert_eq!(
        (image["kind"].as_str(), image["version"].as_str()),
        (Some("image"), Some("0.2.1"))
    );

    let altered = vendor.blob("hearth-plug-1_0.2.1_notice_es.json");
    let mut bytes = std::fs::read(&altered).expect("read");
    bytes[20] ^= 0x01;
    std::fs::write(&altered, bytes).expect("tamper");
    let out = read_with_python(
        &server.base,
        &root,
        &vendor.tmp.path().join("py-2"),
        &["hearth-plug-1_0.2.1_notice_es.json"],
    )
    .await;
    assert!(
        !out.status.success(),
        "python-tuf accepted an altered target"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("LengthOrHashMismatchError") || stderr.contains("hash"),
        "{stderr}"
    );
}
