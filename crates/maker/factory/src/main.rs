//! `hearth-factory`: the factory tool. A thin clap layer over the
//! `hearth_factory` library; see its documentation for file formats.

use clap::{Parser, Subcommand};
use hearth_factory::FactoryError;
use hearth_factory::mint::{MintRequest, mint};
use hearth_factory::os_rng::{check_os_csprng, os_csprng};
use hearth_factory::vendor::{VendorKeys, init_vendor};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Parser)]
#[command(
    name = "hearth-factory",
    version,
    about = "Mints Hearth device identities: unique setup codes, SPAKE2+ verifiers, certified identity keys and QR labels"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the vendor root key, the device-CA key and certificate, the
    /// firmware-signing key, and the public vendor profile.
    ///
    /// The keys are written as files (mode 0600) so the demo and tests can run.
    /// Real vendors keep these keys in an HSM, sign offline, and never copy
    /// the root key onto a factory line.
    InitVendor {
        /// Folder to create the vendor keys in (must not hold vendor keys yet).
        #[arg(long)]
        out: PathBuf,
        /// Vendor name shown to users.
        #[arg(long, default_value = "Hearth Demo Vendor")]
        vendor_name: String,
    },
    /// Mint device identities: a folder per device with its device bundle and
    /// label (QR code as PNG and SVG, manual code as text).
    ///
    /// Passcodes come from the OS CSPRNG and are unique within the output
    /// folder (a registry file there refuses duplicates across batches).
    Mint {
        /// Vendor folder made by `init-vendor` (the device-CA and firmware keys are read).
        #[arg(long)]
        vendor: PathBuf,
        /// Model identifier: 1 to 32 of A-Z a-z 0-9 - _.
        #[arg(long)]
        model: String,
        /// Number of identities to mint.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        count: u32,
        /// Output folder (holds the registry; reuse it for later batches).
        #[arg(long)]
        out: PathBuf,
        /// PBKDF2 iterations for the SPAKE2+ verifier (1000..=100000).
        #[arg(long, default_value_t = hearth_protocol::spake2::DEFAULT_ITERATIONS,
              value_parser = clap::value_parser!(u32).range(1000..=100_000))]
        iterations: u32,
    },
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn run(cli: Cli) -> Result<(), FactoryError> {
    let mut rng = os_csprng();
    match cli.command {
        Command::InitVendor { out, vendor_name } => {
            let profile = init_vendor(&out, &vendor_name, unix_now(), &mut rng)?;
            println!("vendor keys created in {}", out.display());
            println!("root public key:     {}", profile.root_public_key);
            println!("firmware public key: {}", profile.firmware_public_key);
            println!(
                "profile:             {}",
                out.join(hearth_factory::vendor::PROFILE).display()
            );
        }
        Command::Mint {
            vendor,
            model,
            count,
            out,
            iterations,
        } => {
            let keys = VendorKeys::load(&vendor)?;
            let mut request = MintRequest::new(&model, count as usize, unix_now());
            request.iterations = iterations;
            let started = Instant::now();
            let step = (request.count / 100).max(1);
            let mut progress = |done: usize, total: usize| {
                if done.is_multiple_of(step) || done == total {
                    eprint!("\rminted {done}/{total} ({}%)", done * 100 / total);
                }
            };
            let minted = mint(&keys, &out, &request, &mut rng, &mut progress)?;
            eprintln!();
            println!(
                "minted {} identities of {model} into {} in {:.1} s",
                minted.len(),
                out.display(),
                started.elapsed().as_secs_f64()
            );
            if let (Some(first), Some(last)) = (minted.first(), minted.last()) {
                println!("serials {} .. {}", first.serial, last.serial);
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = check_os_csprng() {
        eprintln!("hearth-factory: the OS random number generator failed: {error}");
        return ExitCode::FAILURE;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hearth-factory: {error} [{}]", error.code());
            ExitCode::FAILURE
        }
    }
}
