//! The rule before pairing, the one place it is written for the window and the CLI: once the
//! device has named its model and before the setup code is tried, a model whose security
//! updates have ended, end soon or never come is set up only after the person has seen its
//! support period and said yes (EN 303 645 4.3-4, 4.3-8). Any other model goes on without a
//! question, and so does every model when no vendor information can be had in time (no
//! service configured, unreachable with nothing saved, too slow: see
//! [`SupportDirectory::to_ask_about_before_setup`]): setup never depends on the vendor
//! service. Stopping here uses no attempt on the device and sends it nothing.
//!
//! How the person is asked is the front end's: the window shows the support period and waits
//! for a button ([`crate::companion::setup`]); the CLI prints it and goes on only with
//! `--accept-no-updates`.

use hearth_vendor_info::{SupportDirectory, SupportView};

use crate::error::FlowError;
use crate::pair::{BoxFuture, ModelGate};

/// How a front end asks the person about a model that needs their yes.
pub trait Ask: Send {
    /// Shows `view` (the support period of `model`) and waits for the person: `Ok` goes on;
    /// [`FlowError::Declined`] or [`FlowError::NoAnswer`] end the setup with nothing sent.
    fn ask<'a>(
        &'a mut self,
        model: &'a str,
        view: SupportView,
    ) -> BoxFuture<'a, Result<(), FlowError>>;
}

/// The [`ModelGate`] of the rule: asks through `A` only when the maker says it matters.
#[derive(Debug)]
pub struct AskBeforePairing<'d, A> {
    directory: Option<&'d SupportDirectory>,
    language: &'d str,
    ask: A,
}

impl<'d, A: Ask> AskBeforePairing<'d, A> {
    /// The rule over what `directory` publishes (none: no vendor service, so no question),
    /// shown in `language`, asking through `ask`.
    pub fn new(directory: Option<&'d SupportDirectory>, language: &'d str, ask: A) -> Self {
        Self {
            directory,
            language,
            ask,
        }
    }
}

impl<A: Ask> ModelGate for AskBeforePairing<'_, A> {
    fn proceed<'a>(&'a mut self, model: &'a str) -> BoxFuture<'a, Result<(), FlowError>> {
        Box::pin(async move {
            let Some(directory) = self.directory else {
                tracing::info!("no vendor service to ask about before pairing");
                return Ok(());
            };
            match directory
                .to_ask_about_before_setup(model, self.language)
                .await
            {
                Some(view) => self.ask.ask(model, view).await,
                None => Ok(()),
            }
        })
    }
}
