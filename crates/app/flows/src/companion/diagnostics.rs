//! The diagnostics report support staff read (EN 303 645 provision 4.12-1, and 6.1 on
//! personal data): what the app and machine are, the Bluetooth adapter's state, each device's
//! model, firmware and connection, and recent failures by code (with the setup step they
//! ended, by its stable id) — never a device name, id or serial, a Wi-Fi name or passphrase, a
//! key or a setup code. The input types hold only those safe fields, so nothing else can reach
//! the text. Every feature reports its failures here through [`Companion::failed`].

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;

use hearth_ble::Transport;
use hearth_core::{ErrorCode, ErrorDto};
use serde::Serialize;
use ts_rs::TS;

use super::radio::lock;
use super::{Companion, Connection};
use crate::error::FlowError;

/// How many failures the report keeps.
const RECENT_ERRORS: usize = 20;

/// The diagnostics report for support: plain text with no personal data.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DiagnosticsReport {
    pub text: String,
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![DiagnosticsReport::decl(cfg)]
}

/// One device as the report shows it: no name, id or serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLine {
    pub model: String,
    pub firmware_version: String,
    /// `unknown`, `connected`, `unreachable`, …
    pub connection: &'static str,
}

/// A recent failure: when, and its stable code (no free text, which could hold names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLine {
    /// Unix seconds.
    pub at: u64,
    /// What was being done (`setup`, `plug`, …).
    pub action: &'static str,
    /// The stable error code (`flow.wrong_code`, …).
    pub code: ErrorCode,
    /// For a setup, the step it ended in: its number as the window shows it and its stable
    /// id (`pairing`, …), which the window shows by name in the reader's language.
    pub step: Option<(u8, &'static str)>,
}

/// Everything the report holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    pub app_version: String,
    pub os: String,
    /// `powered`, `off`, `none`, `not-checked`.
    pub adapter: String,
    pub language: String,
    pub devices: Vec<DeviceLine>,
    pub recent_errors: Vec<ErrorLine>,
}

impl Diagnostics {
    /// The report as plain text, in English for support staff.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Hearth diagnostics (no personal data)");
        let _ = writeln!(out, "app version: {}", self.app_version);
        let _ = writeln!(out, "operating system: {}", self.os);
        let _ = writeln!(out, "language: {}", self.language);
        let _ = writeln!(out, "bluetooth adapter: {}", self.adapter);
        let _ = writeln!(out, "devices: {}", self.devices.len());
        for (i, d) in self.devices.iter().enumerate() {
            let _ = writeln!(
                out,
                "  device {}: model {}, firmware {}, {}",
                i + 1,
                d.model,
                d.firmware_version,
                d.connection
            );
        }
        let _ = writeln!(out, "recent errors: {}", self.recent_errors.len());
        for e in &self.recent_errors {
            let _ = write!(out, "  {} {} {}", format_utc(e.at), e.action, e.code);
            if let Some((number, name)) = e.step {
                let _ = write!(out, " at step {number} {name}");
            }
            out.push('\n');
        }
        out
    }
}

/// The operating system's name and version, from `/etc/os-release` and the kernel release;
/// no host or user names.
#[must_use]
pub fn operating_system() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    format!("{pretty} ({} {kernel})", std::env::consts::ARCH)
        .trim()
        .to_owned()
}

fn format_utc(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The recent failures, oldest first, at most [`RECENT_ERRORS`].
#[derive(Debug, Default)]
pub(crate) struct ErrorLog {
    lines: Mutex<VecDeque<ErrorLine>>,
}

impl ErrorLog {
    fn push(&self, line: ErrorLine) {
        let mut lines = lock(&self.lines);
        if lines.len() == RECENT_ERRORS {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    fn lines(&self) -> Vec<ErrorLine> {
        lock(&self.lines).iter().cloned().collect()
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// Keeps `error` (by code) for the report and returns it for the UI.
    pub(crate) fn failed(&self, action: &'static str, error: &FlowError) -> ErrorDto {
        self.failed_at(action, None, error)
    }

    /// [`Companion::failed`] for a setup that ended in `step`.
    pub(crate) fn failed_at(
        &self,
        action: &'static str,
        step: Option<(u8, &'static str)>,
        error: &FlowError,
    ) -> ErrorDto {
        tracing::warn!(action, code = %error.code(), "{error}");
        self.log.push(ErrorLine {
            at: self.clock.now_unix(),
            action,
            code: error.code(),
            step,
        });
        error.to_dto()
    }

    /// The diagnostics report: no names, ids, serials, Wi-Fi details or keys.
    pub async fn diagnostics(&self, app_version: &str, language: &str) -> DiagnosticsReport {
        let devices = self.devices().await.unwrap_or_default();
        let report = Diagnostics {
            app_version: app_version.to_owned(),
            os: operating_system(),
            adapter: self.radio.adapter().as_str().to_owned(),
            language: language.to_owned(),
            devices: devices
                .iter()
                .map(|d| DeviceLine {
                    model: d.model.clone(),
                    firmware_version: d.firmware_version.clone(),
                    connection: match d.connection {
                        Connection::Unknown => "not-checked",
                        Connection::Checking => "checking",
                        Connection::Connected => "connected",
                        Connection::Unreachable => "unreachable",
                    },
                })
                .collect(),
            recent_errors: self.log.lines(),
        };
        DiagnosticsReport {
            text: report.render(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lists_models_and_codes_in_order() {
        let report = Diagnostics {
            app_version: "1.2.3".into(),
            os: "Debian".into(),
            adapter: "powered".into(),
            language: "de".into(),
            devices: vec![DeviceLine {
                model: "hearth-plug-1".into(),
                firmware_version: "1.0.0".into(),
                connection: "connected",
            }],
            recent_errors: vec![
                ErrorLine {
                    at: 0,
                    action: "setup",
                    code: ErrorCode::WrongCode,
                    step: Some((5, "pairing")),
                },
                ErrorLine {
                    at: 60,
                    action: "plug",
                    code: ErrorCode::OutOfRange,
                    step: None,
                },
            ],
        }
        .render();
        assert!(report.contains("device 1: model hearth-plug-1, firmware 1.0.0, connected"));
        assert!(report.contains("1970-01-01T00:00:00Z setup flow.wrong_code at step 5 pairing\n"));
        assert!(report.contains("1970-01-01T00:01:00Z plug flow.out_of_range\n"));
        assert!(report.contains("bluetooth adapter: powered"));
    }

    #[test]
    fn operating_system_names_no_host() {
        let os = operating_system();
        assert!(!os.is_empty());
        if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
            let host = host.trim();
            if host.len() > 3 {
                assert!(!os.contains(host), "{os}");
            }
        }
    }
}
