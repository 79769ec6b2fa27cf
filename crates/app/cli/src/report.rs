//! Errors as one plain sentence (Fluent, in the language `LC_ALL`/`LC_MESSAGES`/`LANG`
//! asks for, English otherwise) plus its stable code from the one table
//! (`hearth_core::codes`), and the exit codes of `README.md`, one per class of code.

use fluent_bundle::FluentValue;
use hearth_core::ErrorCode;
use hearth_flows::FlowError;
use hearth_i18n::Localizer;

pub const EXIT_OTHER: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_FOUND: u8 = 3;
pub const EXIT_WRONG_CODE: u8 = 4;
pub const EXIT_LOCKED: u8 = 5;
pub const EXIT_NOT_GENUINE: u8 = 6;
pub const EXIT_BLUETOOTH: u8 = 7;
pub const EXIT_KEYRING: u8 = 8;
pub const EXIT_WIFI: u8 = 9;
pub const EXIT_LINK_LOST: u8 = 10;
pub const EXIT_VENDOR_UNAVAILABLE: u8 = 11;
pub const EXIT_VENDOR_REFUSED: u8 = 12;
pub const EXIT_DECLINED: u8 = 13;

/// The localizer for the user's language.
pub fn localizer() -> Localizer {
    let requested = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map(|value| posix_to_bcp47(&value))
        .unwrap_or_else(|| "en".to_owned());
    Localizer::new(&requested)
        .or_else(|_| Localizer::new("en"))
        .unwrap_or_else(|e| panic!("the English catalogue is built in and parses: {e}"))
}

/// `de_DE.UTF-8@euro` → `de-DE`; `C` and `POSIX` → `en`.
fn posix_to_bcp47(value: &str) -> String {
    let base = value
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('_', "-");
    if base.is_empty() || base == "C" || base == "POSIX" {
        "en".to_owned()
    } else {
        base
    }
}

/// Formats message `id` with string arguments.
pub fn say(localizer: &Localizer, id: &str, args: &[(&'static str, String)]) -> String {
    let args: Vec<(&str, FluentValue<'_>)> = args
        .iter()
        .map(|(name, value)| (*name, FluentValue::from(value.as_str())))
        .collect();
    localizer.t_args(id, &args)
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    Flow(FlowError),
    /// `pair` without a vendor profile.
    NoVendorProfile,
    /// The passphrase file could not be read.
    PassFile {
        path: String,
    },
    /// What the maker publishes could not be shown (`support`, `collects`,
    /// `security-contact`).
    Support(hearth_vendor_info::SupportError),
}

impl From<hearth_vendor_info::SupportError> for Failure {
    fn from(error: hearth_vendor_info::SupportError) -> Self {
        Self::Support(error)
    }
}

impl From<FlowError> for Failure {
    fn from(error: FlowError) -> Self {
        Self::Flow(error)
    }
}

impl Failure {
    /// The stable code, from the one table (`hearth_core::codes`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Flow(e) => e.code(),
            Self::NoVendorProfile => ErrorCode::CliNoVendorProfile,
            Self::PassFile { .. } => ErrorCode::CliPassFile,
            Self::Support(e) => e.code(),
        }
    }

    /// The process exit code (`README.md`).
    pub fn exit_code(&self) -> u8 {
        exit_code(self.code())
    }

    /// One plain sentence and the code, for stderr.
    pub fn sentence(&self, localizer: &Localizer) -> String {
        let args: Vec<(String, String)> = match self {
            Self::Flow(e) => {
                tracing::debug!(code = %e.code(), "{e}");
                e.message_args()
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            }
            Self::NoVendorProfile => Vec::new(),
            Self::PassFile { path } => vec![("path".to_owned(), path.clone())],
            Self::Support(e) => {
                tracing::debug!(code = %e.code(), "{e}");
                e.message_args()
            }
        };
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| (name.as_str(), FluentValue::from(value.as_str())))
            .collect();
        let code = self.code();
        format!(
            "hearth: {} [{code}]",
            localizer.t_args(code.message_id(), &args)
        )
    }
}

/// The exit code of each error code: one class of what the person can do per exit code.
pub fn exit_code(code: ErrorCode) -> u8 {
    use ErrorCode as C;
    match code {
        C::InvalidSetupCode
        | C::InvalidWifi
        | C::VendorProfile
        | C::CliNoVendorProfile
        | C::CliPassFile
        | C::SupportNotConfigured
        | C::SupportProfileInvalid => EXIT_USAGE,
        C::OutOfRange
        | C::CouldNotConnect
        | C::UnknownDevice
        | C::AmbiguousDevice
        | C::ForgetUnreachable
        | C::SupportUnknownModel => EXIT_NOT_FOUND,
        C::WrongCode => EXIT_WRONG_CODE,
        C::LockedUntilButton | C::LockedOut | C::PairingWindowClosed | C::AlreadyOwned => {
            EXIT_LOCKED
        }
        C::NotGenuine | C::NotGenuineMaker | C::NotAHearthDevice => EXIT_NOT_GENUINE,
        C::BluetoothOff | C::NoAdapter => EXIT_BLUETOOTH,
        C::KeyringUnavailable | C::OwnerKeyMissing => EXIT_KEYRING,
        C::WifiWrongPassphrase | C::WifiNoNetwork | C::WifiNoAnswer => EXIT_WIFI,
        C::LinkLost => EXIT_LINK_LOST,
        C::SupportUnavailable => EXIT_VENDOR_UNAVAILABLE,
        C::SupportUntrusted | C::SupportTampered => EXIT_VENDOR_REFUSED,
        C::Declined | C::NoAnswer => EXIT_DECLINED,
        _ => EXIT_OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_locales_become_language_tags() {
        assert_eq!(posix_to_bcp47("de_DE.UTF-8"), "de-DE");
        assert_eq!(posix_to_bcp47("fr_FR@euro"), "fr-FR");
        assert_eq!(posix_to_bcp47("C"), "en");
        assert_eq!(posix_to_bcp47("C.UTF-8"), "en");
    }

    #[test]
    fn each_failure_class_has_its_exit_code() {
        let code = |e: FlowError| Failure::Flow(e).exit_code();
        assert_eq!(
            code(FlowError::WrongCode { attempts_left: 1 }),
            EXIT_WRONG_CODE
        );
        assert_eq!(code(FlowError::LockedUntilButton), EXIT_LOCKED);
        assert_eq!(code(FlowError::OutOfRange), EXIT_NOT_FOUND);
        assert_eq!(code(FlowError::BluetoothOff), EXIT_BLUETOOTH);
        assert_eq!(code(FlowError::OwnerKeyMissing), EXIT_KEYRING);
        assert_eq!(Failure::NoVendorProfile.exit_code(), EXIT_USAGE);
        assert_eq!(Failure::NoVendorProfile.code(), "cli.no_vendor_profile");
        let unconfigured = Failure::Support(hearth_vendor_info::SupportError::NotConfigured {
            env: hearth_vendor_info::PROFILE_ENV,
        });
        assert_eq!(unconfigured.exit_code(), EXIT_USAGE);
        assert_eq!(unconfigured.code(), "support.not_configured");
        let offline = Failure::Support(hearth_vendor_info::SupportError::Unavailable {
            reason: "down".into(),
        });
        assert_eq!(offline.exit_code(), EXIT_VENDOR_UNAVAILABLE);
    }

    /// The README's table of exit codes is the one this command uses: every code it lists
    /// under an exit code maps to that exit code, and every code in the one table is listed.
    #[test]
    fn the_readme_lists_every_code_under_its_exit_code() {
        let readme = include_str!("../README.md");
        let mut listed = std::collections::BTreeSet::new();
        for line in readme.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(exit) = cells.get(1).and_then(|c| c.parse::<u8>().ok()) else {
                continue;
            };
            for code in cells.get(3).unwrap_or(&"").split(',') {
                let code = code.trim().trim_matches('`');
                if code.is_empty() {
                    continue;
                }
                let known = ErrorCode::ALL
                    .iter()
                    .find(|c| c.as_str() == code)
                    .unwrap_or_else(|| panic!("README lists {code}, which is no code"));
                assert_eq!(exit_code(*known), exit, "{code}");
                listed.insert(code.to_owned());
            }
        }
        for code in ErrorCode::ALL {
            let only_in_the_window = code.as_str().starts_with("setup.")
                || code.as_str().starts_with("label.")
                || matches!(
                    code,
                    ErrorCode::FolderCreate | ErrorCode::SettingsSave | ErrorCode::UnknownLanguage
                );
            assert!(
                listed.contains(code.as_str()) || only_in_the_window,
                "README lacks {code}"
            );
        }
    }

    #[test]
    fn a_wrong_code_reads_as_a_sentence_with_its_code() {
        let en = Localizer::new("en").expect("en");
        let line = Failure::Flow(FlowError::WrongCode { attempts_left: 19 }).sentence(&en);
        assert!(line.contains("19"), "{line}");
        assert!(line.ends_with("[flow.wrong_code]"), "{line}");
        assert!(!line.contains("flow-error"), "{line}");
    }
}
