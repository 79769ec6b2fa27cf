//! The one table of error codes: every failure the window or the `hearth` CLI can report,
//! each with a stable dotted code (`area.what`, exported to TypeScript and printed by the CLI)
//! and the Fluent message that says it in plain words. Errors reach the UI as
//! [`ErrorDto`] `{ code, message_id, args }`; the UI and the CLI never match on English text,
//! and the diagnostics report lists failures by code only.
//!
//! Codes are part of the interface (support staff, scripts and the UI rely on them): add new
//! ones, never rename or reuse one.

use serde::Serialize;
use ts_rs::TS;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal => $message:expr; )*) => {
        /// A stable, closed set of error codes, exported to TypeScript as the dotted strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* #[serde(rename = $code)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The dotted code, e.g. `flow.bluetooth_off`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The Fluent message that explains the failure to a person.
            #[must_use]
            pub const fn message_id(self) -> &'static str {
                match self { $(Self::$variant => $message,)* }
            }
        }
    };
}

use hearth_i18n::id;

error_codes! {
    // The app's own files and data (`CoreError`).
    /// A folder the app needs could not be created.
    FolderCreate = "core.folder_create" => id!("error-folder-create");
    /// The settings file could not be written.
    SettingsSave = "core.settings_save" => id!("error-settings-save");
    /// A language that does not ship was asked for.
    UnknownLanguage = "core.unknown_language" => id!("error-unknown-language");
    /// The app database could not be opened, read or brought up to date.
    Database = "core.database" => id!("error-devices-load");
    /// A defect inside the app (bundled data that does not parse, a task that died).
    Internal = "core.internal" => id!("error-internal");

    // Setting a device up in the window, before any radio work.
    /// Another setup is already running.
    SetupBusy = "setup.busy" => id!("setup-busy");
    /// A complete manual code whose check digit does not match: a typo.
    CodeTypo = "setup.code_typo" => id!("setup-code-typo");
    /// Something other than digits, spaces and dashes.
    CodeNotDigits = "setup.code_not_digits" => id!("setup-code-not-digits");
    /// More than 11 digits.
    CodeTooLong = "setup.code_too_long" => id!("setup-code-too-long");
    /// Setup was started before all 11 digits were typed.
    CodeTooShort = "setup.code_too_short" => id!("setup-code-too-short");
    /// 11 digits that are not a setup code (a reserved passcode, …).
    CodeNotValid = "setup.code_not_valid" => id!("setup-code-not-valid");
    /// A QR payload (`HRT…`) that does not check out.
    CodeDamagedQr = "setup.code_damaged_qr" => id!("setup-code-damaged-qr");

    // Reading the setup code from a photo of the label (`LabelError`).
    LabelFileTooLarge = "label.file_too_large" => id!("label-error-too-large");
    LabelTooManyPixels = "label.too_many_pixels" => id!("label-error-too-large");
    LabelNotAnImage = "label.not_an_image" => id!("label-error-not-an-image");
    LabelUnsupportedFormat = "label.unsupported_format" => id!("label-error-unsupported-format");
    LabelNoCodeFound = "label.no_code_found" => id!("label-error-no-code-found");
    LabelForeignCode = "label.foreign_code" => id!("label-error-foreign-code");
    LabelDamagedCode = "label.damaged_code" => id!("label-error-damaged-code");

    // The device flows (`FlowError`): each a thing the person holding the device can act on
    // differently.
    InvalidSetupCode = "flow.invalid_setup_code" => id!("flow-error-invalid-setup-code");
    VendorProfile = "flow.vendor_profile" => id!("flow-error-vendor-profile");
    InvalidWifi = "flow.invalid_wifi" => id!("flow-error-invalid-wifi");
    BluetoothOff = "flow.bluetooth_off" => id!("flow-error-bluetooth-off");
    NoAdapter = "flow.no_adapter" => id!("flow-error-no-adapter");
    OutOfRange = "flow.out_of_range" => id!("flow-error-out-of-range");
    CouldNotConnect = "flow.could_not_connect" => id!("flow-error-could-not-connect");
    LinkLost = "flow.link_lost" => id!("flow-error-link-lost");
    NotAHearthDevice = "flow.not_a_hearth_device" => id!("flow-error-not-a-hearth-device");
    Bluetooth = "flow.bluetooth" => id!("flow-error-bluetooth");
    WrongCode = "flow.wrong_code" => id!("flow-error-wrong-code");
    LockedUntilButton = "flow.locked_until_button" => id!("flow-error-locked-until-button");
    LockedOut = "flow.locked_out" => id!("flow-error-locked-out");
    PairingWindowClosed = "flow.pairing_window_closed" => id!("flow-error-pairing-window-closed");
    AlreadyOwned = "flow.already_owned" => id!("flow-error-already-owned");
    /// The person chose not to set the device up once they saw its support period.
    Declined = "flow.declined" => id!("flow-error-declined");
    /// Nobody answered the question a setup asked before pairing; nothing was sent.
    NoAnswer = "flow.no_answer" => id!("flow-error-no-answer");
    /// The device failed attestation (the maker it claims is not known).
    NotGenuine = "flow.not_genuine" => id!("flow-error-not-genuine");
    /// The device failed to prove it was made by the trusted maker (named in the message).
    NotGenuineMaker = "flow.not_genuine_maker" => id!("flow-error-not-genuine-maker");
    NotAuthorised = "flow.not_authorised" => id!("flow-error-not-authorised");
    WifiWrongPassphrase = "flow.wifi_wrong_passphrase" => id!("flow-error-wifi-wrong-passphrase");
    WifiNoNetwork = "flow.wifi_no_network" => id!("flow-error-wifi-no-network");
    WifiNoAnswer = "flow.wifi_no_answer" => id!("flow-error-wifi-no-answer");
    UnknownDevice = "flow.unknown_device" => id!("flow-error-unknown-device");
    AmbiguousDevice = "flow.ambiguous_device" => id!("flow-error-ambiguous-device");
    ForgetUnreachable = "flow.forget_unreachable" => id!("flow-error-forget-unreachable");
    KeyringUnavailable = "flow.keyring_unavailable" => id!("flow-error-keyring-unavailable");
    OwnerKeyMissing = "flow.owner_key_missing" => id!("flow-error-owner-key-missing");
    /// The device list could not be read or saved during a flow.
    FlowDatabase = "flow.database" => id!("flow-error-database");
    /// The device broke the protocol.
    Protocol = "flow.protocol" => id!("flow-error-protocol");
    /// The device refused for a reason this app does not handle specially.
    Refused = "flow.refused" => id!("flow-error-protocol");

    // What the maker publishes (`SupportError`).
    /// No vendor service is configured (`HEARTH_VENDOR_SERVICE`).
    SupportNotConfigured = "support.not_configured" => id!("support-error-not-configured");
    /// The vendor service's profile cannot be read or is invalid.
    SupportProfileInvalid = "support.profile_invalid" => id!("support-error-profile-invalid");
    /// The vendor service cannot be reached and nothing was saved earlier.
    SupportUnavailable = "support.unavailable" => id!("support-error-unavailable");
    /// The service's certificate is not from the vendor's CA: refused, never replaced by the
    /// saved copy.
    SupportUntrusted = "support.untrusted" => id!("support-error-untrusted");
    /// The answer or the saved copy failed its signature or is malformed: refused.
    SupportTampered = "support.tampered" => id!("support-error-tampered");
    /// The vendor publishes nothing about this model.
    SupportUnknownModel = "support.unknown_model" => id!("support-error-unknown-model");

    // The `hearth` CLI's own.
    /// `pair` without a vendor profile.
    CliNoVendorProfile = "cli.no_vendor_profile" => id!("cli-error-no-vendor-profile");
    /// The passphrase file (or the code on stdin) could not be read.
    CliPassFile = "cli.pass_file" => id!("cli-error-pass-file");
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code equals its dotted text, so tests and tools can compare with what the CLI prints.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error as the UI receives it: a code, the Fluent message to show, and the
/// message's arguments (never secrets or personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorDto {
    pub code: ErrorCode,
    /// [`ErrorCode::message_id`] of `code`.
    pub message_id: String,
    pub args: Vec<(String, String)>,
}

impl ErrorDto {
    /// `code` with its message and no arguments.
    #[must_use]
    pub fn new(code: ErrorCode) -> Self {
        Self::with_args(code, Vec::new())
    }

    /// `code` with its message and `args`.
    #[must_use]
    pub fn with_args(code: ErrorCode, args: Vec<(String, String)>) -> Self {
        Self {
            code,
            message_id: code.message_id().to_owned(),
            args,
        }
    }
}

impl From<ErrorCode> for ErrorDto {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

/// The codes as a TypeScript constant, so the UI can tell an app error from anything else
/// without keeping its own list.
pub(crate) fn typescript_list() -> String {
    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("  '{}',", c.as_str()))
        .collect();
    format!(
        "/** Every error code, in the order of Rust's table. */\nexport const ERROR_CODES: readonly ErrorCode[] = [\n{}\n];\n",
        codes.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dotted_unique_and_serialize_as_themselves() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            let (area, what) = text.split_once('.').expect("area.what");
            for part in [area, what] {
                assert!(
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{text}: lower-case words with underscores"
                );
            }
            assert!(seen.insert(text), "{text} twice");
            assert_eq!(
                serde_json::to_value(code).expect("serializes"),
                serde_json::json!(text)
            );
        }
    }

    #[test]
    fn every_message_is_in_the_catalogue() {
        let en = hearth_i18n::message_ids("en").expect("en parses");
        for code in ErrorCode::ALL {
            assert!(
                en.contains(code.message_id()),
                "{code}: {} is not in locales/en",
                code.message_id()
            );
        }
        let dto = ErrorDto::new(ErrorCode::CodeTypo);
        assert_eq!(dto.message_id, "setup-code-typo");
    }
}
