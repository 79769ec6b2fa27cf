//! Errors as one plain sentence (Fluent, in the language `LC_ALL`/`LC_MESSAGES`/`LANG`
//! asks for, English otherwise) plus a stable code, and the exit codes of `README.md`.

use fluent_bundle::FluentValue;
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
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Flow(e) => e.code(),
            Self::NoVendorProfile => "cli.no_vendor_profile",
            Self::PassFile { .. } => "cli.pass_file",
            Self::Support(e) => support_code(e),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        if let Self::Support(error) = self {
            return support_exit_code(error);
        }
        let Self::Flow(error) = self else {
            return EXIT_USAGE;
        };
        match error {
            FlowError::InvalidSetupCode(_)
            | FlowError::InvalidWifi { .. }
            | FlowError::VendorProfile { .. } => EXIT_USAGE,
            FlowError::OutOfRange
            | FlowError::CouldNotConnect { .. }
            | FlowError::UnknownDevice { .. }
            | FlowError::AmbiguousDevice { .. }
            | FlowError::ForgetUnreachable { .. } => EXIT_NOT_FOUND,
            FlowError::WrongCode { .. } => EXIT_WRONG_CODE,
            FlowError::LockedUntilButton
            | FlowError::LockedOut { .. }
            | FlowError::PairingWindowClosed
            | FlowError::AlreadyOwned => EXIT_LOCKED,
            FlowError::NotGenuine { .. } | FlowError::NotAHearthDevice => EXIT_NOT_GENUINE,
            FlowError::BluetoothOff | FlowError::NoAdapter { .. } => EXIT_BLUETOOTH,
            FlowError::KeyringUnavailable { .. } | FlowError::OwnerKeyMissing => EXIT_KEYRING,
            FlowError::WifiWrongPassphrase { .. }
            | FlowError::WifiNoNetwork { .. }
            | FlowError::WifiNoAnswer { .. } => EXIT_WIFI,
            FlowError::LinkLost { .. } => EXIT_LINK_LOST,
            FlowError::Declined | FlowError::NoAnswer => EXIT_DECLINED,
            _ => EXIT_OTHER,
        }
    }

    /// One plain sentence and the code, for stderr.
    pub fn sentence(&self, localizer: &Localizer) -> String {
        let text = match self {
            Self::Flow(e) => {
                tracing::debug!(code = e.code(), "{e}");
                say(localizer, e.message_id(), &e.message_args())
            }
            Self::NoVendorProfile => localizer.t(hearth_i18n::id!("cli-error-no-vendor-profile")),
            Self::PassFile { path } => say(
                localizer,
                hearth_i18n::id!("cli-error-pass-file"),
                &[("path", path.clone())],
            ),
            Self::Support(e) => {
                tracing::debug!(code = support_code(e), "{e}");
                let owned = e.message_args();
                let args: Vec<(&str, FluentValue<'_>)> = owned
                    .iter()
                    .map(|(name, value)| (name.as_str(), FluentValue::from(value.clone())))
                    .collect();
                localizer.t_args(e.message_id(), &args)
            }
        };
        format!("hearth: {text} [{}]", self.code())
    }
}

/// The stable code of a [`hearth_vendor_info::SupportError`], in this command's dotted style.
fn support_code(error: &hearth_vendor_info::SupportError) -> &'static str {
    use hearth_core::ErrorCode;
    use hearth_vendor_info::SupportError;
    match error {
        SupportError::Untrusted(_) => "support.untrusted",
        SupportError::Tampered(_) => "support.tampered",
        _ => match error.code() {
            ErrorCode::SupportNotConfigured => "support.not_configured",
            ErrorCode::SupportUnavailable => "support.unavailable",
            ErrorCode::SupportUnknownModel => "support.unknown_model",
            _ => "support.database",
        },
    }
}

fn support_exit_code(error: &hearth_vendor_info::SupportError) -> u8 {
    use hearth_core::ErrorCode;
    match error.code() {
        ErrorCode::SupportNotConfigured => EXIT_USAGE,
        ErrorCode::SupportUnknownModel => EXIT_NOT_FOUND,
        ErrorCode::SupportUnavailable => EXIT_VENDOR_UNAVAILABLE,
        ErrorCode::SupportRefused => EXIT_VENDOR_REFUSED,
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

    #[test]
    fn a_wrong_code_reads_as_a_sentence_with_its_code() {
        let en = Localizer::new("en").expect("en");
        let line = Failure::Flow(FlowError::WrongCode { attempts_left: 19 }).sentence(&en);
        assert!(line.contains("19"), "{line}");
        assert!(line.ends_with("[flow.wrong_code]"), "{line}");
        assert!(!line.contains("flow-error"), "{line}");
    }
}
