//! Each command: build what it needs, call the flow, print the result.

use std::path::Path;

use hearth_ble::{BtleplugConfig, BtleplugTransport, ScanFilter, Transport};
use hearth_core::Database;
use hearth_core::folders::AppFolders;
use hearth_flows::before_pairing::AskBeforePairing;
use hearth_flows::{FlowError, Flows, Step, VendorRoot, WifiCredentials};
use hearth_i18n::Localizer;
use hearth_keystore::{Keystore, KeystoreError};
use hearth_protocol::message::Passphrase;
use zeroize::Zeroizing;

use crate::args::{Cli, Command, PlugSwitch};
use crate::report::{Failure, say};

/// Longest passphrase file read (a WPA passphrase is at most 64 characters).
const MAX_PASS_FILE: u64 = 4096;

/// The keyring opened by `main` (before the runtime), or opened now if it was not.
type OpenedKeystore = Option<Result<Keystore, KeystoreError>>;

/// Runs one command on the app database, opened once here and closed at the end.
pub async fn run(cli: Cli, localizer: &Localizer, keystore: OpenedKeystore) -> Result<(), Failure> {
    if let Command::Scan { seconds } = cli.command {
        return scan(seconds).await;
    }
    let folders = AppFolders::resolve();
    folders.create_all().map_err(FlowError::from)?;
    let database = Database::open(&folders.data)
        .await
        .map_err(FlowError::from)?;
    let result = run_on(cli, &database, localizer, keystore).await;
    database.close().await;
    result
}

async fn run_on(
    cli: Cli,
    database: &Database,
    localizer: &Localizer,
    keystore: OpenedKeystore,
) -> Result<(), Failure> {
    let open = async || -> Result<Flows<BtleplugTransport>, Failure> {
        let keystore = keystore
            .unwrap_or_else(Keystore::open_from_env)
            .map_err(FlowError::from_keystore)?;
        Ok(Flows::on_system_bluetooth(database, keystore).await?)
    };
    match cli.command {
        Command::Scan { seconds } => scan(seconds).await,
        Command::Pair {
            code,
            wifi_ssid,
            wifi_pass_file,
            name,
            accept_no_updates,
        } => {
            let profile = cli.vendor_profile.ok_or(Failure::NoVendorProfile)?;
            let code = if code == "-" {
                read_code_from_stdin()?
            } else {
                Zeroizing::new(code)
            };
            let vendor = VendorRoot::load(&profile)?;
            let wifi = WifiCredentials {
                ssid: wifi_ssid,
                passphrase: read_pass_file(&wifi_pass_file)?,
            };
            let flows = open().await?;
            let mut progress = |step: &Step| {
                println!(
                    "[{}/{}] {}: {}",
                    step.number(),
                    Step::COUNT,
                    step.name(),
                    say(localizer, step.message_id(), &step.message_args())
                );
            };
            let directory = crate::vendor_info::directory_if_configured(database);
            let mut gate = AskBeforePairing::new(
                directory.as_ref(),
                localizer.language(),
                crate::vendor_info::PrintAndStop::new(localizer, accept_no_updates),
            );
            let paired = flows
                .pair_with_gate(code.as_str(), wifi, name, &vendor, &mut progress, &mut gate)
                .await?;
            println!("{}\t{}", paired.summary.id, paired.summary.name);
            Ok(())
        }
        Command::Devices => {
            // Reading the list needs neither Bluetooth nor the keyring.
            let devices = database.devices().list().await.map_err(FlowError::from)?;
            for d in devices {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    d.id, d.name, d.model, d.serial, d.firmware_version
                );
            }
            Ok(())
        }
        Command::Plug { state, device } => {
            with_device(open().await?, &device, async |flows, id| {
                let on = flows.set_plug(id, state == PlugSwitch::On).await?;
                println!("{}", if on { "on" } else { "off" });
                Ok(())
            })
            .await
        }
        Command::Temp { device } => {
            with_device(open().await?, &device, async |flows, id| {
                let centi = flows.read_temperature(id).await?;
                let sign = if centi < 0 { "-" } else { "" };
                let abs = centi.unsigned_abs();
                println!("{sign}{}.{:02} °C", abs / 100, abs % 100);
                Ok(())
            })
            .await
        }
        Command::Wifi {
            device,
            ssid,
            pass_file,
        } => {
            let wifi = WifiCredentials {
                ssid,
                passphrase: read_pass_file(&pass_file)?,
            };
            with_device(open().await?, &device, async |flows, id| {
                flows.set_wifi(id, wifi).await?;
                println!("{}", localizer.t(hearth_i18n::id!("cli-wifi-joined")));
                Ok(())
            })
            .await
        }
        // What the maker publishes: the vendor service and the cache only, never Bluetooth or
        // the keyring; and the device commands above never wait for the vendor service.
        Command::Support { device } => {
            crate::vendor_info::support(&device, database, localizer).await
        }
        Command::Collects { device } => {
            crate::vendor_info::collects(&device, database, localizer).await
        }
        Command::SecurityContact => crate::vendor_info::security_contact(database, localizer).await,
        Command::Forget {
            device,
            even_if_unreachable,
        } => {
            with_device(open().await?, &device, async |flows, id| {
                let outcome = flows.forget(id, even_if_unreachable).await?;
                let message = match outcome {
                    hearth_flows::ForgetOutcome::ResetAndForgotten => {
                        hearth_i18n::id!("cli-forget-reset")
                    }
                    hearth_flows::ForgetOutcome::ForgottenWithoutReset => {
                        hearth_i18n::id!("cli-forget-without-reset")
                    }
                    hearth_flows::ForgetOutcome::DeviceNoLongerTrustedUs => {
                        hearth_i18n::id!("cli-forget-already-reset")
                    }
                };
                println!("{}", localizer.t(message));
                Ok(())
            })
            .await
        }
    }
}

/// Lists Hearth devices in range.
async fn scan(seconds: u64) -> Result<(), Failure> {
    let transport = BtleplugTransport::new(BtleplugConfig::default())
        .await
        .map_err(FlowError::from)?;
    let found = transport
        .scan(
            &ScanFilter::default(),
            std::time::Duration::from_secs(seconds.clamp(1, 120)),
        )
        .await
        .map_err(FlowError::from)?;
    for device in found {
        println!(
            "{:03x}\t{}\t{}\t{}\t{}",
            device.advertisement.discriminator,
            device.name.as_deref().unwrap_or("-"),
            if device.advertisement.pairing_open {
                "pairing-open"
            } else {
                "pairing-closed"
            },
            if device.advertisement.has_owner {
                "owned"
            } else {
                "unowned"
            },
            device
                .rssi
                .map_or_else(|| "-".to_owned(), |r| r.to_string()),
        );
    }
    Ok(())
}

/// Resolves `query` to a remembered device and runs `body` on it.
async fn with_device(
    flows: Flows<BtleplugTransport>,
    query: &str,
    body: impl AsyncFnOnce(&Flows<BtleplugTransport>, &str) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let device = flows.find_device(query).await?;
    body(&flows, &device.id).await
}

/// The first line of `path`, as a passphrase.
fn read_pass_file(path: &Path) -> Result<Passphrase, Failure> {
    let fail = || Failure::PassFile {
        path: path.display().to_string(),
    };
    let len = std::fs::metadata(path).map_err(|_| fail())?.len();
    if len > MAX_PASS_FILE {
        return Err(fail());
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|_| fail())?);
    let line = text.lines().next().unwrap_or_default();
    Ok(Passphrase::new(line.to_owned()))
}

/// The setup code from the first line of stdin (`--code -`), so it stays out of the process
/// list. Bounded: a code is at most a few dozen characters.
fn read_code_from_stdin() -> Result<Zeroizing<String>, Failure> {
    use std::io::{BufRead, Read};
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut line)
        .map_err(|_| Failure::PassFile {
            path: "-".to_owned(),
        })?;
    Ok(Zeroizing::new(line.trim().to_owned()))
}
