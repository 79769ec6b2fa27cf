//! What the app window drives, with no tauri: the flows opened on first use (Bluetooth may
//! be off when the app starts), the live state of every remembered device pushed to
//! watchers (Home and the device page are told, never poll), the setup-code check as the
//! person types, and the diagnostics report support staff read (EN 303 645 4.1-1, 4.12-1).
//!
//! Every method answers in UI terms: view DTOs from `hearth_core::setup` and
//! `hearth_core::ErrorDto`. Each failure is also kept, by code only, for diagnostics.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use hearth_ble::Transport;
use hearth_core::devices::{DeviceStore, DeviceSummary};
use hearth_core::diagnostics::{DeviceLine, Diagnostics, ErrorLine};
use hearth_core::setup::{
    CodeCheck, Connection, DeviceView, DiagnosticsReport, SetupProgress, SetupRequest, SetupResult,
    WifiRequest,
};
use hearth_core::{ErrorCode, ErrorDto};
use hearth_protocol::message::Passphrase;
use hearth_protocol::setup_code::{SetupCode, SetupCodeError};

use crate::context::{Clock, Flows};
use crate::error::FlowError;
use crate::pair::{ModelGate, WifiCredentials};
use crate::progress::Step;
use crate::vendor::VendorRoot;

/// Opens the flows (the transport may need the adapter, which may be missing or off).
pub type FlowsOpener<T> = Box<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<Flows<T>, FlowError>> + Send>> + Send + Sync,
>;

/// A watcher of the device list; returns `false` once it is gone (the window closed).
pub type Watcher = Box<dyn Fn(&[DeviceView]) -> bool + Send + Sync>;

/// How many failures the diagnostics report keeps.
const RECENT_ERRORS: usize = 20;
/// How long a setup waits for the person to answer [`Companion::ask_before_pairing`]. The
/// setup holds the radio meanwhile (other conversations queue), so an unanswered question
/// ends it after this long ([`FlowError::NoAnswer`]). The window answers no at once when the
/// person leaves the setup screen.
pub const ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The steps before pairing starts, shown in the window with the same numbering support
/// staff use: 1 the code, 2 the Wi-Fi settings; pairing's own steps follow from 3.
pub const ENTRY_STEPS: u8 = 2;

/// A manual code's length.
const MANUAL_DIGITS: u8 = 11;

#[derive(Debug, Clone, Default)]
struct Live {
    connection: Option<Connection>,
    plug_on: Option<bool>,
    centi_celsius: Option<i32>,
    last_error: Option<ErrorDto>,
}

/// The app's flows, live device states and recent failures.
pub struct Companion<T: Transport> {
    /// The device list, readable with no Bluetooth at all.
    store: DeviceStore,
    opener: FlowsOpener<T>,
    flows: tokio::sync::Mutex<Option<Arc<Flows<T>>>>,
    /// One setup at a time: a second is refused at once rather than queued.
    setup_running: tokio::sync::Mutex<()>,
    /// One radio conversation at a time (set-up, status, plug, Wi-Fi, forget): the
    /// background check at start and a person's click queue instead of competing for the
    /// adapter.
    radio: tokio::sync::Mutex<()>,
    vendor: Result<VendorRoot, FlowError>,
    clock: Box<dyn Clock>,
    live: Mutex<HashMap<String, Live>>,
    watchers: Mutex<Vec<(u64, Watcher)>>,
    next_watcher: AtomicU64,
    errors: Mutex<VecDeque<ErrorLine>>,
    /// Whether the adapter could be opened: `not-checked`, `available` or an error code.
    adapter: Mutex<&'static str>,
    /// The running setup's question to the person, waiting for [`Companion::answer_setup`].
    question: Mutex<Option<tokio::sync::oneshot::Sender<bool>>>,
}

impl<T: Transport> std::fmt::Debug for Companion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Companion").finish_non_exhaustive()
    }
}

fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Checks the code typed so far. Fewer than 11 digits is not an error yet: the person is
/// still typing. A complete code with a wrong check digit is caught here, before any radio
/// work.
///
/// # Errors
/// [`ErrorCode::InvalidSetupCode`] with a message for the exact problem.
pub fn check_code(text: &str) -> Result<CodeCheck, ErrorDto> {
    let trimmed = text.trim();
    let invalid = |id: &str| ErrorDto {
        code: ErrorCode::InvalidSetupCode,
        message_id: id.to_owned(),
        args: Vec::new(),
    };
    if trimmed.starts_with("HRT") {
        return SetupCode::parse(trimmed)
            .map(|_| CodeCheck {
                complete: true,
                digits: MANUAL_DIGITS,
                expected: MANUAL_DIGITS,
            })
            .map_err(|_| invalid(hearth_i18n::id!("setup-code-damaged-qr")));
    }
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
    {
        return Err(invalid(hearth_i18n::id!("setup-code-not-digits")));
    }
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let typed = u8::try_from(digits).unwrap_or(u8::MAX);
    if typed < MANUAL_DIGITS {
        return Ok(CodeCheck {
            complete: false,
            digits: typed,
            expected: MANUAL_DIGITS,
        });
    }
    if typed > MANUAL_DIGITS {
        return Err(invalid(hearth_i18n::id!("setup-code-too-long")));
    }
    match SetupCode::parse(trimmed) {
        Ok(_) => Ok(CodeCheck {
            complete: true,
            digits: typed,
            expected: MANUAL_DIGITS,
        }),
        Err(SetupCodeError::BadCheckDigit) => Err(invalid(hearth_i18n::id!("setup-code-typo"))),
        Err(_) => Err(invalid(hearth_i18n::id!("setup-code-not-valid"))),
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// A companion over the device list in `store` that opens its flows with `opener` when first needed and trusts devices
    /// certified under `vendor` (an unreadable profile fails setup, not the app).
    pub fn new(
        store: DeviceStore,
        opener: FlowsOpener<T>,
        vendor: Result<VendorRoot, FlowError>,
        clock: Box<dyn Clock>,
    ) -> Self {
        Self {
            store,
            opener,
            flows: tokio::sync::Mutex::new(None),
            setup_running: tokio::sync::Mutex::new(()),
            radio: tokio::sync::Mutex::new(()),
            vendor,
            clock,
            live: Mutex::new(HashMap::new()),
            watchers: Mutex::new(Vec::new()),
            next_watcher: AtomicU64::new(1),
            errors: Mutex::new(VecDeque::new()),
            adapter: Mutex::new("not-checked"),
            question: Mutex::new(None),
        }
    }

    /// The flows, opening them now if needed. A failure is kept for the next try.
    async fn flows(&self) -> Result<Arc<Flows<T>>, FlowError> {
        let mut slot = self.flows.lock().await;
        if let Some(flows) = slot.as_ref() {
            return Ok(Arc::clone(flows));
        }
        match (self.opener)().await {
            Ok(flows) => {
                *lock(&self.adapter) = "available";
                let flows = Arc::new(flows);
                *slot = Some(Arc::clone(&flows));
                Ok(flows)
            }
            Err(e) => {
                *lock(&self.adapter) = e.code();
                Err(e)
            }
        }
    }

    /// Keeps `error` (by code) for diagnostics and returns it for the UI.
    fn failed(&self, action: &'static str, error: &FlowError) -> ErrorDto {
        tracing::warn!(action, code = error.code(), "{error}");
        let mut errors = lock(&self.errors);
        if errors.len() == RECENT_ERRORS {
            errors.pop_front();
        }
        errors.push_back(ErrorLine {
            at: self.clock.now_unix(),
            action,
            code: error.code(),
        });
        error.to_dto()
    }

    /// Every remembered device with its live state.
    ///
    /// # Errors
    /// The database could not be read.
    pub async fn devices(&self) -> Result<Vec<DeviceView>, ErrorDto> {
        let summaries = self
            .store
            .list()
            .await
            .map_err(|e| self.failed("list", &FlowError::Database(e)))?;
        Ok(self.views(summaries))
    }

    fn views(&self, summaries: Vec<DeviceSummary>) -> Vec<DeviceView> {
        let live = lock(&self.live);
        summaries
            .into_iter()
            .map(|s| {
                let state = live.get(&s.id).cloned().unwrap_or_default();
                DeviceView {
                    connection: state.connection.unwrap_or(Connection::Unknown),
                    plug_on: state.plug_on,
                    centi_celsius: state.centi_celsius,
                    last_error: state.last_error,
                    id: s.id,
                    name: s.name,
                    model: s.model,
                    firmware_version: s.firmware_version,
                }
            })
            .collect()
    }

    /// Tells every watcher the current list; forgets watchers that are gone.
    async fn publish(&self) {
        let Ok(devices) = self.devices().await else {
            return;
        };
        lock(&self.watchers).retain(|(_, watcher)| watcher(&devices));
    }

    fn update(&self, device_id: &str, change: impl FnOnce(&mut Live)) {
        change(lock(&self.live).entry(device_id.to_owned()).or_default());
    }

    /// Adds a watcher of the device list and tells it the list now. Returns its id.
    pub async fn watch(&self, watcher: Watcher) -> u64 {
        let id = self.next_watcher.fetch_add(1, Ordering::Relaxed);
        if let Ok(devices) = self.devices().await
            && !watcher(&devices)
        {
            return id;
        }
        lock(&self.watchers).push((id, watcher));
        id
    }

    /// Removes watcher `id`.
    pub fn unwatch(&self, id: u64) {
        lock(&self.watchers).retain(|(i, _)| *i != id);
    }

    /// Decodes a photo of a label into its setup code.
    ///
    /// # Errors
    /// [`ErrorCode::LabelPhoto`] with the exact problem's message.
    pub fn decode_label(&self, bytes: &[u8]) -> Result<String, ErrorDto> {
        crate::label::decode_label_photo(bytes).map_err(|e| {
            tracing::warn!(code = e.code(), "label photo: {e}");
            ErrorDto {
                code: ErrorCode::LabelPhoto,
                message_id: e.message_id().to_owned(),
                args: Vec::new(),
            }
        })
    }

    /// Asks the person whether the running setup goes on with a device of `model`: `notify`
    /// gets the question (step `confirm`, numbered as the step that found the device), and
    /// the answer comes from [`Companion::answer_setup`]. For a [`ModelGate`] that asks only
    /// when it matters (the app asks about a model whose security updates have ended, end
    /// soon, or never come).
    ///
    /// # Errors
    /// [`FlowError::Declined`] for a no; [`FlowError::NoAnswer`] when no answer came within
    /// [`ANSWER_WAIT`] (or the question was dropped).
    pub async fn ask_before_pairing(
        &self,
        model: &str,
        notify: impl FnOnce(SetupProgress),
    ) -> Result<(), FlowError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        *lock(&self.question) = Some(answer);
        // A sub-state of the step that found the device: same number, its own name.
        let found = Step::Found {
            name: String::new(),
            model: model.to_owned(),
        };
        notify(SetupProgress {
            name: "confirm".to_owned(),
            message_id: hearth_i18n::id!("setup-confirm-title").to_owned(),
            args: vec![("model".to_owned(), model.to_owned())],
            ..setup_progress(&found)
        });
        let answer = tokio::time::timeout(ANSWER_WAIT, answered).await;
        lock(&self.question).take();
        let outcome = match answer {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(FlowError::Declined),
            Ok(Err(_)) | Err(_) => Err(FlowError::NoAnswer),
        };
        tracing::info!(
            model,
            answer = outcome.as_ref().map_or_else(FlowError::code, |()| "yes"),
            "asked before pairing"
        );
        outcome
    }

    /// The person's answer to the question the running setup asked
    /// ([`Companion::ask_before_pairing`]). Returns whether a setup was waiting for it.
    pub fn answer_setup(&self, go_on: bool) -> bool {
        lock(&self.question)
            .take()
            .is_some_and(|question| question.send(go_on).is_ok())
    }

    /// Sets a device up from `request`, telling `progress` each step as it starts and asking
    /// `gate` whether to go on once the device has named its model.
    ///
    /// # Errors
    /// Any flow failure as its DTO; [`ErrorCode::Busy`] if a setup is already running;
    /// [`ErrorCode::Declined`] if `gate` said no.
    pub async fn set_up(
        &self,
        request: SetupRequest,
        progress: &mut (dyn FnMut(SetupProgress) + Send),
        gate: &mut dyn ModelGate,
    ) -> Result<SetupResult, ErrorDto> {
        let Ok(_running) = self.setup_running.try_lock() else {
            return Err(ErrorDto {
                code: ErrorCode::Busy,
                message_id: hearth_i18n::id!("setup-busy").to_owned(),
                args: Vec::new(),
            });
        };
        check_code(&request.code).and_then(|c| {
            if c.complete {
                Ok(())
            } else {
                Err(ErrorDto {
                    code: ErrorCode::InvalidSetupCode,
                    message_id: hearth_i18n::id!("setup-code-too-short").to_owned(),
                    args: Vec::new(),
                })
            }
        })?;
        let vendor = self
            .vendor
            .as_ref()
            .map_err(|e| self.failed("setup", e))?
            .clone();
        let _radio = self.radio.lock().await;
        let flows = self.flows().await.map_err(|e| self.failed("setup", &e))?;
        let wifi = WifiCredentials {
            ssid: request.wifi_ssid.clone(),
            passphrase: Passphrase::new(request.wifi_passphrase),
        };
        let name = Some(request.name).filter(|n| !n.trim().is_empty());
        let mut report = |step: &Step| progress(setup_progress(step));
        let outcome = flows
            .pair_with_gate(&request.code, wifi, name, &vendor, &mut report, gate)
            .await;
        let (device_id, wifi_error) = match outcome {
            Ok(paired) => {
                self.update(&paired.summary.id, |l| {
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
                let id = match &e {
                    FlowError::WifiWrongPassphrase { device_id }
                    | FlowError::WifiNoNetwork { device_id, .. }
                    | FlowError::WifiNoAnswer { device_id } => device_id.clone(),
                    _ => String::new(),
                };
                let dto = self.failed("setup", &e);
                self.update(&id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.last_error = Some(dto.clone());
                });
                (id, Some(dto))
            }
            // The person's choice, not a failure: nothing for the diagnostics report.
            Err(e @ FlowError::Declined) => return Err(e.to_dto()),
            // No answer is a failure of the conversation, kept for the report.
            Err(e) => return Err(self.failed("setup", &e)),
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

    async fn view_of(&self, device_id: &str) -> Result<DeviceView, ErrorDto> {
        self.devices()
            .await?
            .into_iter()
            .find(|d| d.id == device_id)
            .ok_or_else(|| {
                self.failed(
                    "find",
                    &FlowError::UnknownDevice {
                        query: device_id.to_owned(),
                    },
                )
            })
    }

    async fn read_into_live(&self, flows: &Flows<T>, device_id: &str) {
        match flows.read_status(device_id).await {
            Ok(status) => self.update(device_id, |l| {
                l.connection = Some(Connection::Connected);
                l.plug_on = Some(status.plug_on);
                l.centi_celsius = Some(status.centi_celsius);
                l.last_error = None;
            }),
            Err(e) => {
                let dto = self.failed("status", &e);
                let unreachable = e.is_unreachable();
                self.update(device_id, |l| {
                    if unreachable {
                        l.connection = Some(Connection::Unreachable);
                    }
                    l.last_error = Some(dto);
                });
            }
        }
    }

    /// Reads the plug and temperature of `device_id` now.
    ///
    /// # Errors
    /// The device is unknown or the app's database failed; an unreachable device is not an
    /// error here: its view says so.
    pub async fn refresh(&self, device_id: &str) -> Result<DeviceView, ErrorDto> {
        let _radio = self.radio.lock().await;
        let flows = self.flows().await.map_err(|e| self.failed("status", &e))?;
        self.update(device_id, |l| l.connection = Some(Connection::Checking));
        self.publish().await;
        self.read_into_live(&flows, device_id).await;
        self.publish().await;
        self.view_of(device_id).await
    }

    /// Checks every remembered device once, one after another (the radio does one thing
    /// at a time).
    pub async fn refresh_all(&self) {
        let Ok(devices) = self.devices().await else {
            return;
        };
        for device in devices {
            let _ = self.refresh(&device.id).await;
        }
    }

    /// Switches the plug of `device_id`.
    ///
    /// # Errors
    /// Any flow failure as its DTO; the view keeps it as `last_error` too.
    pub async fn set_plug(&self, device_id: &str, on: bool) -> Result<DeviceView, ErrorDto> {
        let radio = self.radio.lock().await;
        let flows = self.flows().await.map_err(|e| self.failed("plug", &e))?;
        let result = flows.set_plug(device_id, on).await;
        drop(radio);
        let outcome = match result {
            Ok(state) => {
                self.update(device_id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.plug_on = Some(state);
                    l.last_error = None;
                });
                Ok(())
            }
            Err(e) => {
                let dto = self.failed("plug", &e);
                let unreachable = e.is_unreachable();
                self.update(device_id, |l| {
                    if unreachable {
                        l.connection = Some(Connection::Unreachable);
                    }
                    l.last_error = Some(dto.clone());
                });
                Err(dto)
            }
        };
        self.publish().await;
        outcome?;
        self.view_of(device_id).await
    }

    /// Gives `device_id` corrected Wi-Fi settings, without a reset.
    ///
    /// # Errors
    /// Any flow failure as its DTO (a still-wrong passphrase is
    /// [`ErrorCode::WifiWrongPassphrase`] again).
    pub async fn set_wifi(
        &self,
        device_id: &str,
        request: WifiRequest,
    ) -> Result<DeviceView, ErrorDto> {
        let _radio = self.radio.lock().await;
        let flows = self.flows().await.map_err(|e| self.failed("wifi", &e))?;
        let wifi = WifiCredentials {
            ssid: request.wifi_ssid,
            passphrase: Passphrase::new(request.wifi_passphrase),
        };
        match flows.set_wifi(device_id, wifi).await {
            Ok(()) => {
                self.update(device_id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.last_error = None;
                });
                self.read_into_live(&flows, device_id).await;
                self.publish().await;
                self.view_of(device_id).await
            }
            Err(e) => {
                let dto = self.failed("wifi", &e);
                self.update(device_id, |l| l.last_error = Some(dto.clone()));
                self.publish().await;
                Err(dto)
            }
        }
    }

    /// Resets `device_id` and forgets it; an unreachable device is not forgotten.
    ///
    /// # Errors
    /// [`ErrorCode::ForgetUnreachable`] and other flow failures.
    pub async fn forget(&self, device_id: &str) -> Result<(), ErrorDto> {
        let radio = self.radio.lock().await;
        let flows = self.flows().await.map_err(|e| self.failed("forget", &e))?;
        let result = flows.forget(device_id, false).await;
        drop(radio);
        if result.is_ok() {
            lock(&self.live).remove(device_id);
        }
        self.publish().await;
        result.map(|_| ()).map_err(|e| self.failed("forget", &e))
    }

    /// The diagnostics report: no names, ids, serials, Wi-Fi details or keys.
    pub async fn diagnostics(&self, app_version: &str, language: &str) -> DiagnosticsReport {
        let devices = self.devices().await.unwrap_or_default();
        let report = Diagnostics {
            app_version: app_version.to_owned(),
            os: hearth_core::diagnostics::operating_system(),
            adapter: (*lock(&self.adapter)).to_owned(),
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
            recent_errors: lock(&self.errors).iter().cloned().collect(),
        };
        DiagnosticsReport {
            text: report.render(),
        }
    }
}

/// A flow step as the window numbers it: after the [`ENTRY_STEPS`] screens before pairing.
fn setup_progress(step: &Step) -> SetupProgress {
    SetupProgress {
        number: step.number() + ENTRY_STEPS,
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

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::setup_code::{Discriminator, Passcode};

    fn label() -> SetupCode {
        SetupCode {
            version: 0,
            discriminator: Discriminator::new(0xABC).expect("12 bits"),
            passcode: Passcode::new(20_202_021).expect("allowed"),
        }
    }

    #[test]
    fn a_partial_code_counts_digits_and_is_not_an_error() {
        let manual = label().manual_code();
        let partial: String = manual.chars().take(6).collect();
        let check = check_code(&partial).expect("still typing");
        assert!(!check.complete);
        assert_eq!(check.digits, 5, "{partial}: the dash is not a digit");
        assert_eq!(check.expected, 11);
        assert!(!check_code("").expect("empty").complete);
    }

    #[test]
    fn complete_codes_pass_in_both_forms() {
        assert!(check_code(&label().manual_code()).expect("manual").complete);
        assert!(
            check_code(&label().manual_digits())
                .expect("digits")
                .complete
        );
        assert!(check_code(&label().qr_payload()).expect("qr").complete);
        assert!(
            check_code(&format!("  {}  ", label().qr_payload()))
                .expect("qr")
                .complete
        );
    }

    #[test]
    fn each_typing_mistake_has_its_own_message() {
        let digits = label().manual_digits();
        let last = digits
            .chars()
            .last()
            .and_then(|c| c.to_digit(10))
            .expect("digit");
        let typo = format!("{}{}", &digits[..10], (last + 1) % 10);
        let cases = [
            (typo, "setup-code-typo"),
            (format!("{digits}1"), "setup-code-too-long"),
            ("1234a".to_owned(), "setup-code-not-digits"),
            ("HRT1:0000".to_owned(), "setup-code-damaged-qr"),
        ];
        for (text, id) in cases {
            let error = check_code(&text).expect_err(&text);
            assert_eq!(error.code, ErrorCode::InvalidSetupCode, "{text}");
            assert_eq!(error.message_id, id, "{text}");
        }
    }

    /// A companion with no Bluetooth and no vendor profile: enough for the questions.
    async fn companion(dir: &std::path::Path) -> Arc<Companion<hearth_ble::BtleplugTransport>> {
        let store = DeviceStore::open(dir).await.expect("device store");
        let opener: FlowsOpener<hearth_ble::BtleplugTransport> =
            Box::new(|| Box::pin(async { Err(FlowError::BluetoothOff) }));
        let vendor = Err(FlowError::VendorProfile {
            reason: "none in this test".into(),
        });
        Arc::new(Companion::new(
            store,
            opener,
            vendor,
            Box::new(crate::context::SystemClock),
        ))
    }

    #[tokio::test]
    async fn a_question_before_pairing_takes_one_answer_while_it_is_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let companion = companion(dir.path()).await;
        assert!(!companion.answer_setup(true), "nothing was asked");

        let (shown, on_screen) = tokio::sync::oneshot::channel();
        let asking = tokio::spawn({
            let companion = Arc::clone(&companion);
            async move {
                companion
                    .ask_before_pairing("hearth-sensor-0", |step| {
                        let _ = shown.send(step);
                    })
                    .await
            }
        });
        let step = on_screen.await.expect("the question is shown");
        assert_eq!(step.name, "confirm");
        assert_eq!(step.number, 4, "numbered as the step that found the device");
        assert_eq!(step.count, Step::COUNT + ENTRY_STEPS);
        assert_eq!(step.message_id, "setup-confirm-title");
        assert_eq!(
            step.args,
            vec![("model".to_owned(), "hearth-sensor-0".to_owned())]
        );
        assert!(companion.answer_setup(false), "the setup was waiting");
        let no = asking.await.expect("task");
        assert!(matches!(no, Err(FlowError::Declined)), "{no:?}");
        assert!(!companion.answer_setup(true), "answered already");

        let (shown, on_screen) = tokio::sync::oneshot::channel();
        let asking = tokio::spawn({
            let companion = Arc::clone(&companion);
            async move {
                companion
                    .ask_before_pairing("hearth-sensor-0", |step| {
                        let _ = shown.send(step);
                    })
                    .await
            }
        });
        on_screen.await.expect("asked again");
        assert!(companion.answer_setup(true));
        let yes = asking.await.expect("task");
        assert!(yes.is_ok(), "{yes:?}");
    }

    #[tokio::test]
    async fn a_question_nobody_answers_ends_the_setup_after_the_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        let companion = companion(dir.path()).await;
        // Paused time (after the database is open): the runtime jumps to the deadline once
        // nothing else can run.
        tokio::time::pause();
        let started = tokio::time::Instant::now();
        let none = companion
            .ask_before_pairing("hearth-sensor-0", |_| {})
            .await;
        assert!(matches!(none, Err(FlowError::NoAnswer)), "{none:?}");
        assert!(started.elapsed() >= ANSWER_WAIT);
        assert!(!companion.answer_setup(true), "the question is gone");
    }
}
