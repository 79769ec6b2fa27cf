//! The service's config file (TOML), written by `hearth-vendor init` and read by `serve`.
//!
//! Relative paths are resolved against the folder holding the config file. The file holds no
//! secret: keys live in their own files (mode 0600) and the admin token only as a SHA-256 hash.
//! Sections added since the first version (`limits`, `telemetry.period_key_wrap`) take their
//! defaults when missing, so older set-ups keep loading.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::StartError;
use crate::limits::Limits;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub vendor_name: String,
    /// Where to listen; loopback unless the operator decides otherwise.
    pub listen: SocketAddr,
    /// Public base URL, used for `Canonical:` and `Policy:` in security.txt.
    pub public_url: String,
    /// Holds the SQLite database when no `--database` URL is given.
    pub data_dir: PathBuf,
    pub tls: TlsFiles,
    pub catalogue: CatalogueFiles,
    /// Hex SHA-256 of the bearer token that `GET /v1/anomalies` requires.
    pub admin_token_sha256: String,
    pub security: SecurityContact,
    pub telemetry: TelemetrySettings,
    /// Timeouts and connection caps; the defaults when missing.
    #[serde(default)]
    pub limits: Limits,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFiles {
    /// Folder of `*.toml` device-model entries.
    pub dir: PathBuf,
    /// Hex Ed25519 seed (32 bytes), mode 0600.
    pub signing_key: PathBuf,
}

/// What security.txt says (RFC 9116, EN 303 645 4.2-1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityContact {
    /// `mailto:` or `https:` URIs, in order of preference (RFC 9116 §2.5.3).
    pub contacts: Vec<String>,
    /// Days from now that `Expires:` names; RFC 9116 §2.5.5 recommends less than a year.
    pub expires_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// Length of a pseudonym rotation period.
    pub pseudonym_period_secs: i64,
    /// How long after its period a pseudonym is still accepted (reports in flight).
    pub pseudonym_grace_secs: i64,
    /// Window over which reports are examined for anomalies.
    pub anomaly_window_secs: i64,
    /// Failed pairings from one device within the window that make an anomaly.
    pub failed_pairing_threshold: i64,
    /// Integrity failures from one device within the window that make an anomaly.
    pub integrity_failure_threshold: i64,
    /// Hex key (0600) that wraps the period keys in the database ([`crate::period_key`]);
    /// created at start if missing (set-ups made before it existed).
    #[serde(default = "default_period_key_wrap")]
    pub period_key_wrap: PathBuf,
}

fn default_period_key_wrap() -> PathBuf {
    PathBuf::from("pseudonym-wrap.key")
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            pseudonym_period_secs: 7 * 24 * 3600,
            pseudonym_grace_secs: 3600,
            anomaly_window_secs: 15 * 60,
            failed_pairing_threshold: 10,
            integrity_failure_threshold: 1,
            period_key_wrap: default_period_key_wrap(),
        }
    }
}

impl Config {
    /// Reads, resolves and validates a config file.
    ///
    /// # Errors
    /// [`StartError::Io`] if unreadable, [`StartError::Config`] naming the broken setting.
    pub fn load(path: &Path) -> Result<Self, StartError> {
        let text = std::fs::read_to_string(path).map_err(|e| StartError::io(path, e))?;
        let invalid = |message: String| StartError::Config {
            path: path.display().to_string(),
            message,
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut config.data_dir,
            &mut config.tls.ca_cert,
            &mut config.tls.server_cert,
            &mut config.tls.server_key,
            &mut config.catalogue.dir,
            &mut config.catalogue.signing_key,
            &mut config.telemetry.period_key_wrap,
        ] {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if !self.public_url.starts_with("https://") {
            return Err("public_url must be an https:// URL".into());
        }
        if self.security.contacts.is_empty()
            || !self
                .security
                .contacts
                .iter()
                .all(|c| c.starts_with("mailto:") || c.starts_with("https://"))
        {
            return Err("security.contacts needs at least one mailto: or https: URI".into());
        }
        let base = self.public_url.trim_end_matches('/');
        if let Some(missing) = self.security.contacts.iter().find(|c| {
            c.strip_prefix(base)
                .is_some_and(|path| !crate::security_txt::PAGES.contains(&path))
        }) {
            return Err(format!(
                "security.contacts names {missing}, a page this service does not serve \
                 (it serves {})",
                crate::security_txt::PAGES.join(", ")
            ));
        }
        if !(1..=364).contains(&self.security.expires_days) {
            return Err("security.expires_days must be 1..=364 (RFC 9116 §2.5.5)".into());
        }
        let t = &self.telemetry;
        if t.pseudonym_period_secs < 60 || t.pseudonym_grace_secs < 0 {
            return Err("telemetry periods are out of range".into());
        }
        if t.anomaly_window_secs < 1
            || t.failed_pairing_threshold < 1
            || t.integrity_failure_threshold < 1
        {
            return Err("anomaly window and thresholds must be positive".into());
        }
        self.limits.validate()?;
        if self.admin_token_sha256.len() != 64 || hex::decode(&self.admin_token_sha256).is_err() {
            return Err("admin_token_sha256 must be 64 hex digits".into());
        }
        Ok(())
    }

    /// SQLite database used when no `--database` URL is given.
    pub fn default_database_url(&self) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("vendor.db").display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::{InitOptions, init};

    #[test]
    fn a_contact_under_the_service_must_be_a_page_it_serves() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = init(
            dir.path(),
            &InitOptions::demo(time::OffsetDateTime::now_utc()),
        )
        .expect("init");
        let mut config = Config::load(&out.config_path).expect("init's config is valid");
        let base = config.public_url.clone();
        config.security.contacts = vec![format!("{base}/security/form")];
        let err = config.validate().expect_err("an unserved page");
        assert!(err.contains("/security/form"), "{err}");
        config.security.contacts = vec![
            format!("{base}/security/report"),
            "https://bugs.example/report".into(),
        ];
        config.validate().expect("served here, or somewhere else");
    }
}
