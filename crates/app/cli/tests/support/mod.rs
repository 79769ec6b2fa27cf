//! The `hearth` binary in the test world of `hearth-testkit` (the radio, minted devices,
//! `hearth-refdevice` processes, a private keyring, a private `HEARTH_HOME`), given the
//! world's bus, keyring and vendor profile explicitly.

#![allow(dead_code, unused_imports, clippy::missing_panics_doc)]

use std::process::Output;

pub use hearth_testkit::{
    Command, Device, WIFI_PASSPHRASE as WIFI_PASS, WIFI_SSID as SSID, World, control, within,
};

/// The model the devices are minted as (one the vendor catalogue does not know: these tests
/// run without a vendor service).
pub const MODEL: &str = "PLUG";

/// Runs `body` in a world of `count` devices (not started: the test starts them), then tears
/// it down.
pub fn with_world(count: usize, body: impl AsyncFnOnce(&World)) {
    with_world_of(MODEL, count, body);
}

/// [`with_world`] with the devices minted as `model` (e.g. one the vendor catalogue knows).
pub fn with_world_of(model: &str, count: usize, body: impl AsyncFnOnce(&World)) {
    World::builder()
        .models(&vec![model; count])
        .start_devices(false)
        .run(body);
}

/// The result of one `hearth` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `hearth ARGS` in the world (its home, keyring, vendor profile, bus).
pub async fn hearth(world: &World, args: &[&str]) -> Run {
    hearth_env(world, args, &[]).await
}

/// [`hearth`] with extra (or overriding) environment variables.
pub async fn hearth_env(world: &World, args: &[&str], env: &[(&str, &str)]) -> Run {
    hearth_full(world, args, env, b"").await
}

/// [`hearth`] with `stdin` as its standard input.
pub async fn hearth_stdin(world: &World, args: &[&str], stdin: &str) -> Run {
    hearth_full(world, args, &[], stdin.as_bytes()).await
}

async fn hearth_full(world: &World, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .envs(world.app_env())
        .env("HEARTH_HOME", world.home())
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run hearth");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).await.expect("write stdin");
    drop(input);
    let output = within(
        &format!("hearth {}", args.join(" ")),
        child.wait_with_output(),
    )
    .await
    .expect("hearth output");
    output.into()
}

/// `hearth pair` for `device` with `code` and the world's Wi-Fi.
pub async fn pair(world: &World, code: &str, name: &str) -> Run {
    hearth(
        world,
        &[
            "pair",
            "--code",
            code,
            "--wifi-ssid",
            SSID,
            "--wifi-pass-file",
            world.wifi().passphrase_file.to_str().unwrap(),
            "--name",
            name,
        ],
    )
    .await
}

/// A valid-looking code for `device` with another passcode (the QR payload with a wrong
/// passcode is not constructible as text without the library, so the manual code's
/// passcode digits are changed and the Verhoeff digit recomputed).
pub fn wrong_code(device: &Device) -> String {
    let parsed = device.code();
    let value = parsed.passcode.expose_secret();
    let wrong = if value == 1 { 2 } else { value - 1 };
    let code = hearth_protocol::setup_code::SetupCode {
        version: parsed.version,
        discriminator: match parsed.discriminator {
            hearth_protocol::setup_code::DiscriminatorHint::Full(d) => d,
            hearth_protocol::setup_code::DiscriminatorHint::Short(_) => unreachable!(),
        },
        passcode: hearth_protocol::setup_code::Passcode::new(wrong).unwrap(),
    };
    code.qr_payload()
}
