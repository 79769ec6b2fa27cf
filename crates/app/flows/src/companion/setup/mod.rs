//! Setting a device up from the window (EN 303 645 provisions 4.1-1, 4.3-4, 4.12-1): the code
//! checked as the person types ([`code`]), read from a photo of the label, the pairing with
//! its progress, and the question before pairing a model without updates ahead
//! ([`question`], by the rule of [`crate::before_pairing`]). The DTOs here are what the UI
//! sends and receives for it.

mod code;
mod label_codes;
mod question;

use hearth_ble::Transport;
use hearth_core::{ErrorCode, ErrorDto};
use hearth_protocol::message::Passphrase;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Companion, Connection, DeviceView};
use crate::before_pairing::AskBeforePairing;
use crate::error::FlowError;
use crate::pair::WifiCredentials;
use crate::progress::Step;
use crate::vendor::VendorRoot;

pub use code::check_code;
pub use question::ANSWER_WAIT;

/// The steps before pairing starts, shown in the window with the same numbering support
/// staff use: 1 the code, 2 the Wi-Fi settings; pairing's own steps follow from 3.
pub const ENTRY_STEPS: u8 = 2;

/// How far the typed setup code is, checked as the person types, before any radio work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CodeCheck {
    /// The code is complete and its check digit matches: setup may start.
    pub complete: bool,
    /// How many digits were typed (spaces and dashes ignored).
    pub digits: u8,
    /// How many digits a manual code has.
    pub expected: u8,
}

/// One setup step as it starts, with its stable number and name for support staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetupProgress {
    pub number: u8,
    pub count: u8,
    /// A stable machine name (`searching`, `pairing`, …); the window shows it by name in the
    /// reader's language, the diagnostics report by this id.
    pub name: String,
    pub message_id: String,
    pub args: Vec<(String, String)>,
}

/// What the person chose for a new device. The passphrase goes only to the device, inside
/// the encrypted pairing session; it is never stored or logged (`Debug` redacts it).
#[derive(Clone, Deserialize, TS)]
pub struct SetupRequest {
    /// The 11-digit manual code or the QR payload from a label photo.
    pub code: String,
    pub wifi_ssid: String,
    pub wifi_passphrase: String,
    /// Empty: keep the name the device reports.
    pub name: String,
}

impl std::fmt::Debug for SetupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupRequest")
            .field("code", &"<redacted>")
            .field("wifi_ssid", &"<redacted>")
            .field("wifi_passphrase", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

/// A finished setup: the device is remembered. If it could not join Wi-Fi, `wifi_error`
/// says why and the person can fix the settings without a reset.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SetupResult {
    pub device: DeviceView,
    pub wifi_error: Option<ErrorDto>,
    /// The Wi-Fi name it was given (to prefill a retry).
    pub wifi_ssid: String,
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        CodeCheck::decl(cfg),
        SetupProgress::decl(cfg),
        SetupRequest::decl(cfg),
        SetupResult::decl(cfg),
    ]
}

/// The setup's own state: one setup at a time, the vendor root it trusts, and the question it
/// may be asking.
pub(crate) struct Setup {
    /// One setup at a time: a second is refused at once rather than queued.
    running: tokio::sync::Mutex<()>,
    vendor: Result<VendorRoot, FlowError>,
    question: question::Question,
}

impl Setup {
    pub(crate) fn new(vendor: Result<VendorRoot, FlowError>) -> Self {
        Self {
            running: tokio::sync::Mutex::new(()),
            vendor,
            question: question::Question::default(),
        }
    }
}

/// A flow step as the window numbers it: after the [`ENTRY_STEPS`] screens before pairing.
fn setup_progress(step: &Step) -> SetupProgress {
    SetupProgress {
        number: window_number(step),
        count: Step::COUNT + ENTRY_STEPS,
        name: step.name().to_owned(),
        message_id: step.message_id().to_owned(),
        args: step
            .message_args()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    }
}

fn window_number(step: &Step) -> u8 {
    step.number() + ENTRY_STEPS
}

impl<T: Transport + 'static> Companion<T> {
    /// Decodes a photo of a label into its setup code, on a blocking thread: a large JPEG takes
    /// seconds to decode and search, and nothing else may wait for it.
    ///
    /// # Errors
    /// The [`crate::label::LabelError`]'s code (`label.no_code_found`, …) with its message.
    pub async fn decode_label(&self, bytes: Vec<u8>) -> Result<String, ErrorDto> {
        let decoded = tokio::task::spawn_blocking(move || crate::label::decode_label_photo(&bytes))
            .await
            .map_err(|e| {
                tracing::error!("the label decoder stopped: {e}");
                ErrorDto::new(ErrorCode::Internal)
            })?;
        decoded.map_err(|e| {
            tracing::warn!(code = %e.code(), "label photo: {e}");
            ErrorDto::new(e.code())
        })
    }

    /// Sets a device up from `request`, telling `progress` each step as it starts. Once the
    /// device has named its model, a model without security updates ahead is asked about in
    /// `language` (a progress step named `confirm`; [`Companion::answer_setup`] answers).
    ///
    /// # Errors
    /// Any flow failure as its DTO; [`ErrorCode::SetupBusy`] if a setup is already running;
    /// [`ErrorCode::Declined`] if the person said no.
    pub async fn set_up(
        &self,
        request: SetupRequest,
        language: &str,
        progress: &(dyn Fn(SetupProgress) + Send + Sync),
    ) -> Result<SetupResult, ErrorDto> {
        let Ok(_running) = self.setup.running.try_lock() else {
            return Err(ErrorDto::new(ErrorCode::SetupBusy));
        };
        let check = check_code(&request.code)?;
        if !check.complete {
            return Err(ErrorDto::new(ErrorCode::CodeTooShort));
        }
        let vendor = self
            .setup
            .vendor
            .as_ref()
            .map_err(|e| self.failed("setup", e))?
            .clone();
        let _radio = self.radio.conversation().await;
        let flows = self
            .radio
            .flows()
            .await
            .map_err(|e| self.failed("setup", &e))?;
        let wifi = WifiCredentials {
            ssid: request.wifi_ssid.clone(),
            passphrase: Passphrase::new(request.wifi_passphrase),
        };
        let name = Some(request.name).filter(|n| !n.trim().is_empty());
        let directory = self.maker.directory().await.ok();
        let mut gate = AskBeforePairing::new(
            directory,
            language,
            question::InTheWindow {
                companion: self,
                progress,
            },
        );
        let mut reached = None;
        let mut report = |step: &Step| {
            reached = Some((window_number(step), step.name()));
            progress(setup_progress(step));
        };
        let outcome = flows
            .pair_with_gate(&request.code, wifi, name, &vendor, &mut report, &mut gate)
            .await;
        let (device_id, wifi_error) = match outcome {
            Ok(paired) => {
                self.devices.update(&paired.summary.id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.last_error = None;
                });
                (paired.summary.id, None)
            }
            Err(
                e @ (FlowError::WifiWrongPassphrase { .. }
                | FlowError::WifiNoNetwork { .. }
                | FlowError::WifiNoAnswer { .. }),
            ) => {
                let id = e.device_id().unwrap_or_default().to_owned();
                let dto = self.failed_at("setup", reached, &e);
                self.devices.update(&id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.last_error = Some(dto.clone());
                });
                (id, Some(dto))
            }
            // The person's choice, not a failure: nothing for the diagnostics report.
            Err(e @ FlowError::Declined) => return Err(e.to_dto()),
            // No answer is a failure of the conversation, kept for the report.
            Err(e) => return Err(self.failed_at("setup", reached, &e)),
        };
        // The plug's state is part of what Home shows; reading it is one more session.
        if wifi_error.is_none() {
            self.read_into_live(&flows, &device_id).await;
        }
        self.publish().await;
        let device = self.view_of(&device_id).await?;
        Ok(SetupResult {
            device,
            wifi_error,
            wifi_ssid: request.wifi_ssid,
        })
    }

    /// The person's answer to the question the running setup asked (step `confirm`). Returns
    /// whether a setup was waiting for it.
    pub fn answer_setup(&self, go_on: bool) -> bool {
        self.setup.question.answer(go_on)
    }
}
