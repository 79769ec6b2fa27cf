//! `hearth-keystore-probe`: one keyring operation per process, for the
//! integration tests (a key stored by one process and loaded by another
//! proves it lives in the keyring) and for support ("does this machine
//! have a usable keyring?").
//!
//! ```text
//! hearth-keystore-probe open
//! hearth-keystore-probe store  <device-id>   < 64 hex digits of the secret on stdin
//! hearth-keystore-probe load   <device-id>
//! hearth-keystore-probe delete <device-id>
//! ```
//! The backend comes from `HEARTH_KEYRING`; logs go to stderr (filter from
//! `RUST_LOG`, default `info`). stdout gets one line: `ok …` with public
//! values only, or `error <code>`. Exit status 0, 1 (keystore error) or 2
//! (usage).

use std::io::Read;
use std::process::ExitCode;

use hearth_keystore::{Keystore, KeystoreError};
use hearth_protocol::handshake::OwnerKey;
use zeroize::Zeroizing;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let (op, device) = match args.as_slice() {
        [op] if op == "open" => ("open", None),
        [op, device] if matches!(op.as_str(), "store" | "load" | "delete") => {
            (op.as_str(), Some(device.as_str()))
        }
        _ => {
            eprintln!("usage: hearth-keystore-probe open | store|load|delete <device-id>");
            return ExitCode::from(2);
        }
    };
    match run(op, device) {
        Ok(line) => {
            println!("ok {line}");
            ExitCode::SUCCESS
        }
        Err(ProbeError::Keystore(e)) => {
            println!("error {}", e.code());
            eprintln!("{e}");
            ExitCode::from(1)
        }
        Err(ProbeError::Input(msg)) => {
            println!("error input");
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

enum ProbeError {
    Keystore(KeystoreError),
    Input(&'static str),
}

impl From<KeystoreError> for ProbeError {
    fn from(e: KeystoreError) -> Self {
        Self::Keystore(e)
    }
}

fn run(op: &str, device: Option<&str>) -> Result<String, ProbeError> {
    let keystore = Keystore::open_from_env()?;
    let device = device.unwrap_or_default();
    match op {
        "store" => {
            let key = read_secret()?;
            keystore.store_owner_key(device, &key)?;
            Ok(format!("store {}", hex::encode(key.key_id().0)))
        }
        "load" => {
            let key = keystore.load_owner_key(device)?;
            Ok(format!(
                "load {} {}",
                hex::encode(key.public()),
                hex::encode(key.key_id().0)
            ))
        }
        "delete" => {
            keystore.delete_owner_key(device)?;
            Ok("delete".to_owned())
        }
        _ => Ok(format!("open {}", keystore.backend())),
    }
}

/// The secret from stdin: 64 hex digits, surrounding whitespace ignored.
fn read_secret() -> Result<OwnerKey, ProbeError> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .take(256)
        .read_to_string(&mut text)
        .map_err(|_| ProbeError::Input("stdin is not readable text"))?;
    let mut secret = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), secret.as_mut())
        .map_err(|_| ProbeError::Input("stdin must hold 64 hex digits"))?;
    Ok(OwnerKey::from_secret_bytes(&secret))
}
