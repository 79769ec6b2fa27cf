//! What the vendor publishes about a device, as the UI shows it: the support period
//! (EN 303 645 4.3-4, 4.3-8, 4.3-9), what the device collects (4.8-1, 4.10-3) and the vendor's
//! security contact (4.2-1, from its security.txt, RFC 9116).
//!
//! These are view types: already in one language, plain strings and numbers only, exported to
//! TypeScript. They are built here (`present.rs`) from the vendor's signed catalogue, fresh or
//! from the app's cache;
//! `from_cache` with `last_checked` says which, so the UI can mark old data
//! ("Last checked <date>").

use serde::Serialize;
use ts_rs::TS;

/// Where a model stands in its support period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SupportStatus {
    /// Security updates for more than [`ENDING_SOON_DAYS`] days.
    Supported,
    /// Security updates end within [`ENDING_SOON_DAYS`] days.
    EndingSoon,
    /// The support period has passed: no more security updates.
    Ended,
    /// The model's software cannot be updated at all (EN 303 645 4.3-8).
    NotUpdatable,
}

/// Days before the end of support from which the app warns.
pub const ENDING_SOON_DAYS: i64 = 180;

/// The support period of a model (EN 303 645 4.3-4, 4.3-9; 4.3-8 when not updatable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SupportView {
    /// The model id, e.g. `hearth-plug-1`.
    pub model: String,
    pub model_name: String,
    pub maker: String,
    pub updatable: bool,
    /// Last day of security updates (inclusive), ISO 8601 `YYYY-MM-DD`; `None` when the model
    /// cannot be updated.
    pub security_updates_until: Option<String>,
    /// Last day of the vendor's support period, `YYYY-MM-DD`: of security updates when the
    /// model is updatable, else of the replacement promise in `replacement`.
    pub support_until: String,
    pub status: SupportStatus,
    /// The vendor's support policy in plain words, in the requested language (English if the
    /// vendor has none in it).
    pub policy: String,
    /// Why the model cannot be updated (only when it cannot).
    pub rationale: Option<String>,
    /// How to keep a non-updatable device safe, e.g. on a separate network.
    pub advice: Option<String>,
    /// How the vendor replaces a non-updatable model.
    pub replacement: Option<String>,
    /// When this was fetched from the vendor, in seconds since the Unix epoch.
    pub last_checked: u64,
    /// Whether the service could not be reached and this is the saved copy.
    pub from_cache: bool,
}

impl SupportView {
    /// Whether setting up a device of this model needs the person's explicit yes: it cannot
    /// be updated, or its security updates have ended or end soon. A model with years of
    /// updates ahead needs no extra decision.
    #[must_use]
    pub fn needs_consent(&self) -> bool {
        self.status != SupportStatus::Supported
    }
}

/// Who uses the personal data a model produces, and for what (EN 303 645 4.8-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DataUseView {
    /// Who is responsible for the data.
    pub controller: String,
    /// The personal data processed, in plain words (may be empty).
    pub personal_data: Vec<String>,
    /// What is done with it, by whom and why, in the requested language.
    pub statement: String,
}

/// One field of a model's telemetry manifest (EN 303 645 4.10-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CollectedField {
    /// The field's technical name, e.g. `pairing_failures`.
    pub name: String,
    /// What it is, in the requested language (English if the vendor has none in it).
    pub description: String,
    pub purpose: String,
    /// Who receives it.
    pub recipient: String,
    /// How long the vendor keeps it, in days.
    pub retention_days: u32,
    /// Whether it is personal data.
    pub personal: bool,
    /// How it is minimised or anonymised.
    pub anonymisation: String,
}

/// "What this device collects": the data-use statement and the telemetry manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CollectsView {
    pub model: String,
    pub model_name: String,
    pub data_use: DataUseView,
    pub fields: Vec<CollectedField>,
    /// When this was fetched from the vendor, in seconds since the Unix epoch.
    pub last_checked: u64,
    /// Whether the service could not be reached and this is the saved copy.
    pub from_cache: bool,
}

/// The vendor's point of contact for security problems (EN 303 645 4.2-1, RFC 9116).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecurityContactView {
    /// `mailto:` or `https:` addresses, most preferred first.
    pub contacts: Vec<String>,
    /// Address of the vulnerability disclosure policy.
    pub policy: Option<String>,
    /// When the vendor's file stops being valid, RFC 3339.
    pub expires: String,
    /// The `YYYY-MM-DD` of `expires`, for "expired on { $date }".
    pub expires_date: String,
    /// Whether `expires` has passed: the contact may be out of date.
    pub expired: bool,
    /// Languages the vendor reads reports in (BCP 47 tags).
    pub preferred_languages: Vec<String>,
    /// The same languages as people read them, each in its own language ("English",
    /// "Deutsch"); a language the app does not ship keeps its tag.
    pub preferred_language_names: Vec<String>,
    /// Where the file is published.
    pub canonical: Option<String>,
    /// When this was fetched from the vendor, in seconds since the Unix epoch.
    pub last_checked: u64,
    /// Whether the service could not be reached and this is the saved copy.
    pub from_cache: bool,
}

/// The TypeScript declarations of this module's types, for the one generated bindings file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        SupportStatus::decl(cfg),
        SupportView::decl(cfg),
        DataUseView::decl(cfg),
        CollectedField::decl(cfg),
        CollectsView::decl(cfg),
        SecurityContactView::decl(cfg),
    ]
}
