//! The set-up tests' world comes up (the radio, a minted device heard advertising, its
//! control socket answering) and the real app window opens inside it: the app process —
//! started by WebKitWebDriver, started by tauri-driver — has the world's bus, vendor
//! profile and keyring in its environment, and says in its log that it started. An owner
//! key stored by another process of the run is read back through the world's keyring.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use hearth_e2e::App;
use hearth_e2e::world::World;

/// The environment of the app process whose `HEARTH_HOME` is `home`, read from `/proc`:
/// only the app binary itself counts, not tauri-driver or WebKitWebDriver, which carry the
/// same variables.
fn app_process_env(app: &Path, home: &Path) -> Option<HashMap<String, String>> {
    let home = home.display().to_string();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            if exe != app {
                return None;
            }
            let raw = std::fs::read(entry.path().join("environ")).ok()?;
            let env: HashMap<String, String> = raw
                .split(|b| *b == 0)
                .filter_map(|pair| {
                    let pair = String::from_utf8_lossy(pair);
                    let (k, v) = pair.split_once('=')?;
                    Some((k.to_owned(), v.to_owned()))
                })
                .collect();
            (env.get("HEARTH_HOME") == Some(&home)).then_some(env)
        })
}

/// Runs the keystore probe as the app would run: a child spawned from a runtime thread
/// with the world's keyring setting.
async fn probe(world: &World, args: &[&str], stdin: Option<String>) -> String {
    let mut command = tokio::process::Command::new(
        hearth_testkit::bins::keystore_probe().expect("the keystore probe"),
    );
    command
        .args(args)
        .envs(world.app_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let task = tokio::spawn(async move {
        let mut child = command.spawn().expect("the probe starts");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.unwrap();
        }
        drop(input);
        child.wait_with_output().await.unwrap()
    });
    let output = task.await.unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_app_window_opens_inside_the_world() {
    let world = World::up(1).expect("the world comes up");
    let device = &world.devices()[0];
    assert_eq!(device.manual_code.len(), 11);
    assert!(
        device.qr_payload.starts_with("HRT1:"),
        "{}",
        device.qr_payload
    );
    assert!(device.label_png.is_file());
    assert_eq!(device.adapter, "hci1");

    world.block_on(async {
        // Heard once by `up`, and still advertising.
        assert_eq!(world.scan().await.expect("scan"), ["hci1"]);
        let status = world.status(0).await.expect("status");
        assert!(status.powered && !status.has_owner && !status.connected);

        let home = world.home();
        let app = App::launch_with(&home, &world.app_env())
            .await
            .expect("the app window comes up");

        let binary = std::env::var_os("HEARTH_APP_BIN")
            .map(PathBuf::from)
            .unwrap();
        let binary = binary.canonicalize().unwrap();
        let env = app_process_env(&binary, &home).expect("the app process is running");
        for (key, value) in world.app_env() {
            assert_eq!(env.get(&key), Some(&value), "{key} reaches the app");
        }
        let logs = std::fs::read_dir(home.join("logs"))
            .expect("the app logs into HEARTH_HOME/logs")
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect::<String>();
        assert!(logs.contains("starting"), "the app's log:\n{logs}");

        app.quit().await.expect("quit");

        // The keyring is shared with the processes the run starts (the app among them).
        let id = "e2e-world-keyring-check";
        assert_eq!(world.owner_key_bytes(id), None);
        let secret = [0x5A_u8; 32];
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let stored = probe(&world, &["store", id], Some(hex)).await;
        assert!(stored.starts_with("ok"), "probe store: {stored}");
        assert_eq!(world.owner_key_bytes(id), Some(secret.to_vec()));
        let deleted = probe(&world, &["delete", id], None).await;
        assert!(deleted.starts_with("ok"), "probe delete: {deleted}");
        assert_eq!(world.owner_key_bytes(id), None);
    });
    world.down().expect("the world goes down cleanly");
}
