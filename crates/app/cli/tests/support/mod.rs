//! The `hearth` binary in the test world of `crates/app/flows/tests/support/world.rs` (the
//! radio, minted devices, `hearth-refdevice` processes, keyutils, a private `HEARTH_HOME`).

#![allow(dead_code, clippy::missing_panics_doc)]

#[path = "../../../flows/tests/support/world.rs"]
mod world;

/// The real vendor service as `hearth-vendor init` sets it up (shared with hearth-vendor-info's
/// tests).
#[path = "../../../vendor-info/tests/common/mod.rs"]
pub mod vendor;

use std::process::Output;

pub use world::*;

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
        .env("HEARTH_HOME", &world.home)
        .env("HEARTH_KEYRING", "keyutils")
        .env("HEARTH_VENDOR_PROFILE", &world.profile)
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
            world.pass_file.to_str().unwrap(),
            "--name",
            name,
        ],
    )
    .await
}

/// A valid-looking code for `device` with another passcode (the QR payload with a wrong
/// passcode is not constructible as text without the library, so the manual code's
/// passcode digits are changed and the Verhoeff digit recomputed).
pub fn wrong_code(device: &MintedDevice) -> String {
    let parsed = hearth_protocol::setup_code::SetupCode::parse(&device.qr).unwrap();
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
