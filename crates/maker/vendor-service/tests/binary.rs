//! The `hearth-vendor` binary end to end: `init`, `serve` over TLS, and a graceful stop on
//! SIGTERM.

mod common;

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hearth_vendor_service::Config;
use hearth_vendor_service::init::VendorProfile;

const BIN: &str = env!("CARGO_BIN_EXE_hearth-vendor");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_then_serve_then_sigterm_stops_gracefully() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("vendor");
    let status = Command::new(BIN)
        .args(["init", "--dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .expect("init runs");
    assert!(status.success());
    for secret in [
        "ca-key.pem",
        "server-key.pem",
        "catalogue-signing.key",
        "admin-token",
    ] {
        let mode = std::fs::metadata(dir.join(secret))
            .expect("secret file exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{secret} is readable by others");
    }
    let config = Config::load(&dir.join("config.toml")).expect("config loads");
    assert!(
        config.listen.ip().is_loopback(),
        "loopback unless told otherwise"
    );

    // A second init must not overwrite keys.
    let again = Command::new(BIN)
        .args(["init", "--dir"])
        .arg(&dir)
        .output()
        .expect("init runs");
    assert!(!again.status.success());

    let mut child = Command::new(BIN)
        .args(["--json-logs", "serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(dir.join("config.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let mut log = Vec::new();
    let addr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server logs its address");
        log.push(line.clone());
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry["fields"]["message"] == "vendor service listening" {
            break entry["fields"]["local_addr"]
                .as_str()
                .expect("local_addr field")
                .to_owned();
        }
    };

    let profile: VendorProfile =
        serde_json::from_slice(&std::fs::read(dir.join("vendor-profile.json")).expect("profile"))
            .expect("profile parses");
    let client = common::client_trusting(&profile.ca_pem);
    let r = client
        .get(format!("https://{addr}/health"))
        .send()
        .await
        .expect("health over TLS");
    assert_eq!(r.status(), reqwest::StatusCode::OK);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "graceful exit, got {status}");
    reader.join().expect("reader thread");
    log.extend(lines_rx.try_iter());
    let all = log.join("\n");
    assert!(all.contains("SIGTERM received"), "{all}");
    assert!(all.contains("vendor service stopped"), "{all}");
}
