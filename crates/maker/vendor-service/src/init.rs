//! `hearth-vendor init`: a complete demo vendor set-up in one folder.
//!
//! Writes the vendor CA and a server certificate for `localhost`/`127.0.0.1`/`::1`, the catalogue
//! signing key (Ed25519), the pseudonym key-wrapping key, the shipped catalogue, an admin token,
//! `config.toml`, and `vendor-profile.json` (what the app and the CLI are configured with).
//! Secrets are 0600 and the data folder 0700 ([`crate::files`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

pub use hearth_vendor_api::profile::VendorProfile;

use crate::catalogue::SHIPPED_CATALOGUE;
use crate::config::{CatalogueFiles, Config, SecurityContact, TelemetrySettings, TlsFiles};
use crate::error::StartError;
use crate::limits::Limits;
use crate::pki::DemoCa;
use crate::{files, period_key};

/// Common name of the demo CA; [`DemoCa::from_pem`] needs it to reissue certificates.
pub const CA_COMMON_NAME: &str = "Hearth Demo Vendor CA";

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub vendor_name: String,
    pub listen: SocketAddr,
    /// Start of validity of the generated certificates.
    pub now: OffsetDateTime,
    pub server_cert_days: i64,
}

impl InitOptions {
    pub fn demo(now: OffsetDateTime) -> Self {
        Self {
            vendor_name: "Hearth Demo Devices Ltd".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            now,
            server_cert_days: 397,
        }
    }
}

/// What `init` produced.
#[derive(Debug, Clone)]
pub struct InitOutput {
    pub config_path: PathBuf,
    pub profile_path: PathBuf,
    pub admin_token_path: PathBuf,
}

/// Creates the set-up in `dir` (created if missing).
///
/// # Errors
/// [`StartError::AlreadyInitialised`] if `dir/config.toml` exists; I/O, random or certificate
/// errors otherwise.
pub fn init(dir: &Path, options: &InitOptions) -> Result<InitOutput, StartError> {
    let config_path = dir.join("config.toml");
    if config_path.exists() {
        return Err(StartError::AlreadyInitialised(dir.display().to_string()));
    }
    std::fs::create_dir_all(dir.join("catalogue")).map_err(|e| StartError::io(dir, e))?;
    files::private_dir(&dir.join("data"))?;

    let ca = DemoCa::generate(
        CA_COMMON_NAME,
        options.now - Duration::hours(1),
        options.now + Duration::days(3650),
    )?;
    let server = ca.issue_server(
        &["localhost", "127.0.0.1", "::1"],
        options.now - Duration::hours(1),
        options.now + Duration::days(options.server_cert_days),
    )?;
    write_file(&dir.join("ca.pem"), ca.cert_pem().as_bytes(), false)?;
    write_file(
        &dir.join("ca-key.pem"),
        ca.key_pem().expose().as_bytes(),
        true,
    )?;
    write_file(&dir.join("server.pem"), server.cert_pem.as_bytes(), false)?;
    write_file(
        &dir.join("server-key.pem"),
        server.key_pem.expose().as_bytes(),
        true,
    )?;

    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| StartError::Random(e.to_string()))?;
    let signing_key = SigningKey::from_bytes(&seed);
    let seed_hex = Zeroizing::new(hex::encode(seed.as_ref()));
    write_file(
        &dir.join("catalogue-signing.key"),
        seed_hex.as_bytes(),
        true,
    )?;

    let mut token = Zeroizing::new([0u8; 32]);
    getrandom::fill(token.as_mut()).map_err(|e| StartError::Random(e.to_string()))?;
    let token_hex = Zeroizing::new(hex::encode(token.as_ref()));
    let admin_token_path = dir.join("admin-token");
    write_file(&admin_token_path, token_hex.as_bytes(), true)?;

    let telemetry = TelemetrySettings::default();
    write_file(
        &dir.join(&telemetry.period_key_wrap),
        period_key::new_key_hex()?.as_bytes(),
        true,
    )?;

    for (name, text) in SHIPPED_CATALOGUE {
        write_file(&dir.join("catalogue").join(name), text.as_bytes(), false)?;
    }

    let public_url = format!("https://localhost:{}", options.listen.port());
    let config = Config {
        vendor_name: options.vendor_name.clone(),
        listen: options.listen,
        public_url: public_url.clone(),
        data_dir: "data".into(),
        tls: TlsFiles {
            ca_cert: "ca.pem".into(),
            server_cert: "server.pem".into(),
            server_key: "server-key.pem".into(),
        },
        catalogue: CatalogueFiles {
            dir: "catalogue".into(),
            signing_key: "catalogue-signing.key".into(),
        },
        admin_token_sha256: hex::encode(Sha256::digest(token_hex.as_bytes())),
        security: SecurityContact {
            contacts: vec![
                "mailto:security@hearth.invalid".into(),
                format!("{public_url}/security/report"),
            ],
            expires_days: 180,
        },
        telemetry,
        limits: Limits::default(),
    };
    let config_text = toml::to_string_pretty(&config).map_err(|e| StartError::Config {
        path: config_path.display().to_string(),
        message: e.to_string(),
    })?;
    write_file(&config_path, config_text.as_bytes(), false)?;

    let profile = VendorProfile {
        vendor_name: options.vendor_name.clone(),
        service_url: public_url,
        ca_pem: ca.cert_pem().to_owned(),
        catalogue_key: hex::encode(signing_key.verifying_key().as_bytes()),
    };
    let profile_path = dir.join("vendor-profile.json");
    let profile_text = serde_json::to_string_pretty(&profile).map_err(|e| StartError::Config {
        path: profile_path.display().to_string(),
        message: e.to_string(),
    })?;
    write_file(&profile_path, profile_text.as_bytes(), false)?;

    Ok(InitOutput {
        config_path,
        profile_path,
        admin_token_path,
    })
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), StartError> {
    files::write_new(path, bytes, secret)
}
