//! `hearth support`, `hearth collects`, `hearth security-contact`: what the device maker
//! publishes, from its service or, when it cannot be reached, from the copy saved earlier
//! (then marked "Last checked …"). Uses the app database and the vendor service only: no
//! Bluetooth, no keyring.

use std::sync::Arc;

use fluent_bundle::FluentValue;
use hearth_core::devices::DeviceStore;
use hearth_core::folders::AppFolders;
use hearth_core::support::{SupportStatus, SupportView};
use hearth_flows::{BoxFuture, FlowError, ModelGate};
use hearth_i18n::Localizer;
use hearth_vendor_info::{SupportDirectory, SystemClock, timestamp_utc};

use crate::report::{Failure, say};

/// `hearth support DEVICE-OR-MODEL`.
pub async fn support(query: &str, localizer: &Localizer) -> Result<(), Failure> {
    let folders = folders()?;
    let model = model_of(query, &folders).await?;
    let directory = open(&folders).await?;
    let result = directory.support(&model, localizer.language()).await;
    directory.close().await;
    let view = result?;
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
pub async fn collects(query: &str, localizer: &Localizer) -> Result<(), Failure> {
    let folders = folders()?;
    let model = model_of(query, &folders).await?;
    let directory = open(&folders).await?;
    let result = directory.collects(&model, localizer.language()).await;
    directory.close().await;
    let view = result?;
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
pub async fn security_contact(localizer: &Localizer) -> Result<(), Failure> {
    let folders = folders()?;
    let directory = open(&folders).await?;
    let result = directory.security_contact().await;
    directory.close().await;
    let view = result?;
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
                &[("languages", view.preferred_languages.join(", "))],
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

/// `hearth pair`'s question before pairing, asked once the device has named its model and
/// before the setup code is tried: a model whose security updates have ended, end soon or
/// never come has its support period printed and is paired only with `--accept-no-updates`
/// (EN 303 645 4.3-4, 4.3-8). Any other model goes on without a word, and so does every model
/// when no vendor information can be had in time (no service configured; see
/// [`SupportDirectory::to_ask_about_before_setup`]): pairing never depends on the service.
pub struct PairGate<'l> {
    localizer: &'l Localizer,
    accept_no_updates: bool,
}

impl<'l> PairGate<'l> {
    /// A gate that prints in `localizer`'s language and goes on if `accept_no_updates`.
    pub fn new(localizer: &'l Localizer, accept_no_updates: bool) -> Self {
        Self {
            localizer,
            accept_no_updates,
        }
    }
}

impl ModelGate for PairGate<'_> {
    fn proceed<'a>(&'a mut self, model: &'a str) -> BoxFuture<'a, Result<(), FlowError>> {
        Box::pin(async move {
            let opened = async { open(&folders()?).await }.await;
            let ask = match opened {
                Ok(directory) => {
                    let ask = directory
                        .to_ask_about_before_setup(model, self.localizer.language())
                        .await;
                    directory.close().await;
                    ask
                }
                Err(e) => {
                    tracing::info!(
                        code = e.code(),
                        "no vendor service to ask about before pairing"
                    );
                    None
                }
            };
            let Some(view) = ask else {
                return Ok(());
            };
            print_support(&view, self.localizer);
            if self.accept_no_updates {
                return Ok(());
            }
            eprintln!(
                "{}",
                self.localizer
                    .t(hearth_i18n::id!("cli-pair-needs-accept-no-updates"))
            );
            Err(FlowError::Declined)
        })
    }
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

fn folders() -> Result<AppFolders, Failure> {
    let folders = AppFolders::resolve();
    folders.create_all().map_err(FlowError::from)?;
    Ok(folders)
}

async fn open(folders: &AppFolders) -> Result<SupportDirectory, Failure> {
    Ok(SupportDirectory::from_env(folders, Arc::new(SystemClock)).await?)
}

/// The model of the remembered device `query` names (id, or a name unique ignoring case),
/// else `query` itself as a model id.
async fn model_of(query: &str, folders: &AppFolders) -> Result<String, Failure> {
    let store = DeviceStore::open(&folders.data)
        .await
        .map_err(FlowError::from)?;
    let devices = store.list().await.map_err(FlowError::from);
    store.close().await;
    let devices = devices?;
    if let Some(device) = devices.iter().find(|d| d.id == query) {
        return Ok(device.model.clone());
    }
    let named: Vec<_> = devices
        .iter()
        .filter(|d| d.name.eq_ignore_ascii_case(query.trim()))
        .collect();
    match named.as_slice() {
        [] => Ok(query.to_owned()),
        [device] => Ok(device.model.clone()),
        many => Err(FlowError::AmbiguousDevice {
            query: query.to_owned(),
            count: many.len(),
        }
        .into()),
    }
}
