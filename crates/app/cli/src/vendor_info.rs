//! `hearth support`, `hearth collects`, `hearth security-contact`: what the device maker
//! publishes, from its service or, when it cannot be reached, from the copy saved earlier
//! (then marked "Last checked …"). Uses the app database and the vendor service only: no
//! Bluetooth, no keyring. Also how `hearth pair` asks before pairing a model without updates
//! ahead ([`PrintAndStop`]; the rule itself is `hearth_flows::before_pairing`).

use std::sync::Arc;

use fluent_bundle::FluentValue;
use hearth_core::Database;
use hearth_flows::before_pairing::Ask;
use hearth_flows::{BoxFuture, FlowError};
use hearth_i18n::Localizer;
use hearth_vendor_info::{
    SupportDirectory, SupportStatus, SupportView, SystemClock, is_model_id, timestamp_utc,
};

use crate::report::{Failure, say};

/// `hearth support DEVICE-OR-MODEL`.
pub async fn support(
    query: &str,
    database: &Database,
    localizer: &Localizer,
) -> Result<(), Failure> {
    let model = model_of(query, database).await?;
    let view = open(database)?
        .support(&model, localizer.language())
        .await?;
    print_support(&view, localizer);
    Ok(())
}

/// The support period as `hearth support` prints it, with the saved-copy notice.
fn print_support(view: &SupportView, localizer: &Localizer) {
    println!("{} ({})", view.model_name, view.maker);
    let date = |d: &Option<String>| d.clone().unwrap_or_else(|| view.support_until.clone());
    match view.status {
        SupportStatus::NotUpdatable => {
            println!("{}", localizer.t(hearth_i18n::id!("support-not-updatable")));
        }
        SupportStatus::Ended => {}
        SupportStatus::Supported | SupportStatus::EndingSoon => println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-updates-until"),
                &[("date", date(&view.security_updates_until))],
            )
        ),
    }
    match view.status {
        SupportStatus::EndingSoon => println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-ending-soon"),
                &[("date", date(&view.security_updates_until))],
            )
        ),
        SupportStatus::Ended => println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-ended"),
                &[("date", date(&view.security_updates_until))],
            )
        ),
        SupportStatus::Supported | SupportStatus::NotUpdatable => {}
    }
    println!("{}", view.policy);
    for (heading, text) in [
        (hearth_i18n::id!("support-why-heading"), &view.rationale),
        (hearth_i18n::id!("support-advice-heading"), &view.advice),
        (
            hearth_i18n::id!("support-replacement-heading"),
            &view.replacement,
        ),
    ] {
        if let Some(text) = text {
            println!("{}: {text}", localizer.t(heading));
        }
    }
    freshness(localizer, view.from_cache, view.last_checked);
}

/// `hearth collects DEVICE-OR-MODEL`.
pub async fn collects(
    query: &str,
    database: &Database,
    localizer: &Localizer,
) -> Result<(), Failure> {
    let model = model_of(query, database).await?;
    let view = open(database)?
        .collects(&model, localizer.language())
        .await?;
    println!(
        "{}: {}",
        localizer.t(hearth_i18n::id!("support-collects-title")),
        view.model_name
    );
    println!();
    println!(
        "{}",
        localizer.t(hearth_i18n::id!("support-collects-data-use"))
    );
    println!("{}", view.data_use.statement);
    println!(
        "{}",
        say(
            localizer,
            hearth_i18n::id!("support-collects-controller"),
            &[("controller", view.data_use.controller.clone())],
        )
    );
    if view.data_use.personal_data.is_empty() {
        println!(
            "{}",
            localizer.t(hearth_i18n::id!("support-collects-no-personal-data"))
        );
    } else {
        println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-collects-personal-data"),
                &[("list", view.data_use.personal_data.join(", "))],
            )
        );
    }
    if view.fields.is_empty() {
        println!();
        println!("{}", localizer.t(hearth_i18n::id!("support-collects-none")));
    }
    let yes_no = |b: bool| {
        localizer.t(if b {
            hearth_i18n::id!("support-yes")
        } else {
            hearth_i18n::id!("support-no")
        })
    };
    for field in &view.fields {
        let retention = localizer.t_args(
            hearth_i18n::id!("support-collects-retention-days"),
            &[("days", FluentValue::from(field.retention_days))],
        );
        println!();
        for (label, value) in [
            (
                hearth_i18n::id!("support-collects-field"),
                field.name.clone(),
            ),
            (
                hearth_i18n::id!("support-collects-description"),
                field.description.clone(),
            ),
            (
                hearth_i18n::id!("support-collects-purpose"),
                field.purpose.clone(),
            ),
            (
                hearth_i18n::id!("support-collects-recipient"),
                field.recipient.clone(),
            ),
            (hearth_i18n::id!("support-collects-retention"), retention),
            (
                hearth_i18n::id!("support-collects-personal"),
                yes_no(field.personal),
            ),
            (
                hearth_i18n::id!("support-collects-anonymisation"),
                field.anonymisation.clone(),
            ),
        ] {
            println!("  {}: {value}", localizer.t(label));
        }
    }
    freshness(localizer, view.from_cache, view.last_checked);
    Ok(())
}

/// `hearth security-contact`.
pub async fn security_contact(database: &Database, localizer: &Localizer) -> Result<(), Failure> {
    let view = open(database)?.security_contact().await?;
    println!("{}", localizer.t(hearth_i18n::id!("support-contact-title")));
    println!("{}", localizer.t(hearth_i18n::id!("support-contact-intro")));
    for contact in &view.contacts {
        println!("  {contact}");
    }
    if let Some(policy) = &view.policy {
        println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-contact-policy"),
                &[("url", policy.clone())],
            )
        );
    }
    if !view.preferred_languages.is_empty() {
        println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-contact-languages"),
                &[("languages", view.preferred_language_names.join(", "))],
            )
        );
    }
    if view.expired {
        println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-contact-expired"),
                &[("date", view.expires_date.clone())],
            )
        );
    }
    freshness(localizer, view.from_cache, view.last_checked);
    Ok(())
}

/// How `hearth pair` asks before pairing a model whose security updates have ended, end soon
/// or never come (the rule is `hearth_flows::before_pairing`): its support period is printed,
/// and it is paired only with `--accept-no-updates` (EN 303 645 4.3-4, 4.3-8).
#[derive(Debug)]
pub struct PrintAndStop<'l> {
    localizer: &'l Localizer,
    accept_no_updates: bool,
}

impl<'l> PrintAndStop<'l> {
    /// Prints in `localizer`'s language and goes on if `accept_no_updates`.
    pub fn new(localizer: &'l Localizer, accept_no_updates: bool) -> Self {
        Self {
            localizer,
            accept_no_updates,
        }
    }
}

impl Ask for PrintAndStop<'_> {
    fn ask<'a>(
        &'a mut self,
        _model: &'a str,
        view: SupportView,
    ) -> BoxFuture<'a, Result<(), FlowError>> {
        print_support(&view, self.localizer);
        if self.accept_no_updates {
            return Box::pin(std::future::ready(Ok(())));
        }
        eprintln!(
            "{}",
            self.localizer
                .t(hearth_i18n::id!("cli-pair-needs-accept-no-updates"))
        );
        Box::pin(std::future::ready(Err(FlowError::Declined)))
    }
}

/// What the maker publishes, if a vendor service is configured (pairing never depends on it).
pub fn directory_if_configured(database: &Database) -> Option<SupportDirectory> {
    open(database)
        .inspect_err(
            |e| tracing::info!(code = %e.code(), "no vendor service to ask before pairing"),
        )
        .ok()
}

/// The saved-copy notice and its date, when the service could not be reached.
fn freshness(localizer: &Localizer, from_cache: bool, last_checked: u64) {
    if from_cache {
        println!();
        println!("{}", localizer.t(hearth_i18n::id!("support-offline")));
        println!(
            "{}",
            say(
                localizer,
                hearth_i18n::id!("support-last-checked"),
                &[("date", timestamp_utc(last_checked))],
            )
        );
    }
}

fn open(database: &Database) -> Result<SupportDirectory, Failure> {
    Ok(SupportDirectory::from_env(database, Arc::new(SystemClock))?)
}

/// The model of the remembered device `query` names (id, or a name unique ignoring case),
/// else `query` itself if it is shaped like a model id (`hearth-plug-1`).
///
/// # Errors
/// [`FlowError::UnknownDevice`] for a name that is neither (`Bedroom`),
/// [`FlowError::AmbiguousDevice`], [`FlowError::Database`].
async fn model_of(query: &str, database: &Database) -> Result<String, Failure> {
    let devices = database.devices().list().await.map_err(FlowError::from)?;
    if let Some(device) = devices.iter().find(|d| d.id == query) {
        return Ok(device.model.clone());
    }
    let named: Vec<_> = devices
        .iter()
        .filter(|d| d.name.eq_ignore_ascii_case(query.trim()))
        .collect();
    match named.as_slice() {
        [] if is_model_id(query) => Ok(query.to_owned()),
        [] => Err(FlowError::UnknownDevice {
            query: query.to_owned(),
        }
        .into()),
        [device] => Ok(device.model.clone()),
        many => Err(FlowError::AmbiguousDevice {
            query: query.to_owned(),
            count: many.len(),
        }
        .into()),
    }
}
