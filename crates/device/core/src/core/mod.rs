//! The device's protocol state machine: request bytes and the time in,
//! response bytes out (after GATT reassembly, before segmentation).
//!
//! Message flow per `flow-contract` (pairing in 3 round trips, EN 303 645 4.12-1):
//! `PairingParamsRequest` → `Pake1` → `Pake3` (see [`pairing`]), later
//! `OwnerHello` → `OwnerAuth` (see [`owner`]), then sealed control requests
//! (see [`control`]). Unauthenticated requests other than those pairing and
//! handshake messages are refused with `not_authorised` (EN 303 645 4.5-1).
//!
//! Physical actions ([`DeviceCore::press_button`],
//! [`DeviceCore::factory_reset_button`], [`DeviceCore::power_cycle`]) are
//! methods, since only someone at the device can perform them.

mod control;
mod owner;
mod pairing;

use crate::error::DeviceError;
use crate::lockout::{PairingRefusal, PairingWindow};
use crate::peripherals::{TemperatureSensor, WifiNetwork};
use crate::state::{DeviceState, Identity, StateError};
use crate::storage::Storage;
use hearth_protocol::message::{
    self, Body, Capability, DeviceError as WireError, DeviceInfo, Envelope, Event, Limits,
    MessageError, PROTOCOL_VERSION, Request, Response, Sealed,
};
use hearth_protocol::session::SecureSession;
use rand::CryptoRng;

/// Firmware version reported in `DeviceInfo`.
pub const FIRMWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A cryptographically secure RNG the core can own.
pub trait DeviceRng: CryptoRng + Send {}
impl<R: CryptoRng + Send> DeviceRng for R {}

/// The hardware and randomness the core uses, injected so it does no I/O.
pub struct Peripherals {
    /// Wi-Fi radio.
    pub wifi: Box<dyn WifiNetwork + Send>,
    /// Temperature sensor.
    pub sensor: Box<dyn TemperatureSensor + Send>,
    /// CSPRNG for SPAKE2+ and handshake ephemerals.
    pub rng: Box<dyn DeviceRng>,
}

impl std::fmt::Debug for Peripherals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Peripherals(..)")
    }
}

/// Per-connection protocol state; volatile (a disconnect or restart drops it).
#[derive(Debug, Default)]
enum Link {
    /// Nothing in progress.
    #[default]
    Idle,
    /// `Pake2` sent; waiting for `Pake3`. The attempt is already counted as a failure.
    PakeStarted(Box<pairing::PendingPake>),
    /// `DeviceHello` sent; waiting for `OwnerAuth`.
    HandshakeStarted(Box<owner::PendingHandshake>),
    /// An authenticated session with `user_id`.
    Session {
        session: Box<SecureSession>,
        user_id: u32,
    },
}

/// The device core. See the module documentation.
#[derive(Debug)]
pub struct DeviceCore<S: Storage> {
    storage: S,
    state: DeviceState,
    window: PairingWindow,
    link: Link,
    peripherals: Peripherals,
    events: Vec<Vec<u8>>,
    next_event_id: u32,
}

impl<S: Storage> DeviceCore<S> {
    /// Boots the device at `now`: loads the state from `storage` (or starts from
    /// `bundle` if storage is empty) and opens the pairing window if unpaired.
    ///
    /// # Errors
    /// [`DeviceError::State`] if the state is corrupted or missing and no bundle
    /// was given — never a silent reset.
    pub fn boot(
        mut storage: S,
        bundle: Option<Identity>,
        peripherals: Peripherals,
        now: u64,
    ) -> Result<Self, DeviceError> {
        let state = DeviceState::load_or_init(&mut storage, bundle)?;
        let mut core = Self {
            storage,
            state,
            window: PairingWindow::default(),
            link: Link::Idle,
            peripherals,
            events: Vec::new(),
            next_event_id: 0,
        };
        core.power_up(now);
        Ok(core)
    }

    fn power_up(&mut self, now: u64) {
        self.window = PairingWindow::default();
        if !self.state.is_paired() {
            self.window.open(now);
        }
    }

    /// Simulates a restart at `now`: drops all volatile state (link, window,
    /// queued events) and reloads the persisted state.
    ///
    /// # Errors
    /// [`DeviceError::State`] if the persisted state cannot be read.
    pub fn power_cycle(&mut self, now: u64) -> Result<(), DeviceError> {
        self.state = DeviceState::load_or_init(&mut self.storage, None)?;
        self.link = Link::Idle;
        self.events.clear();
        self.power_up(now);
        Ok(())
    }

    /// The pairing button: lifts the brute-force lockout (someone is physically
    /// present) and, if unpaired, opens a fresh 15-minute window.
    ///
    /// # Errors
    /// [`DeviceError::State`] if the cleared counters cannot be persisted.
    pub fn press_button(&mut self, now: u64) -> Result<(), DeviceError> {
        self.state.brute_force.clear();
        self.persist()?;
        if !self.state.is_paired() {
            self.window.open(now);
        }
        Ok(())
    }

    /// Long press: factory reset by someone at the device. Erases users, owner
    /// keys, Wi-Fi and per-user data; keeps the identity, so the device pairs
    /// again with its own setup code (EN 303 645 4.1-1), never a default one.
    ///
    /// # Errors
    /// [`DeviceError::State`] if the erased state cannot be persisted.
    pub fn factory_reset_button(&mut self, now: u64) -> Result<(), DeviceError> {
        self.state.factory_reset();
        self.state.brute_force.clear();
        self.persist()?;
        self.link = Link::Idle;
        self.window.open(now);
        Ok(())
    }

    /// The BLE link dropped: forget the connection's state. An unfinished
    /// pairing attempt stays counted as a failure.
    pub fn disconnect(&mut self) {
        self.link = Link::Idle;
    }

    /// Encoded event messages to notify, oldest first (sealed when a session exists).
    pub fn take_events(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.events)
    }

    /// The persisted state (read-only), for inspection by the reference device and tests.
    #[must_use]
    pub fn state(&self) -> &DeviceState {
        &self.state
    }

    /// Whether the pairing window is open at `now`.
    #[must_use]
    pub fn pairing_window_open(&self, now: u64) -> bool {
        self.window
            .admit(self.state.is_paired(), &self.state.brute_force, now)
            .is_ok()
    }

    /// Whether an authenticated session exists on the current link.
    #[must_use]
    pub fn has_session(&self) -> bool {
        matches!(self.link, Link::Session { .. })
    }

    /// Handles one complete request message at `now` and returns the response message.
    ///
    /// Malformed or refused requests get an encoded `Response::Error`.
    ///
    /// # Errors
    /// [`DeviceError`] only when no answer may be sent — e.g. a failed attempt
    /// could not be persisted.
    pub fn handle(&mut self, request: &[u8], now: u64) -> Result<Vec<u8>, DeviceError> {
        let envelope = match message::decode::<Request>(request, &Limits::default()) {
            Ok(envelope) => envelope,
            Err(error) => return encode(0, Response::Error(refusal_for_decode(&error))),
        };
        let id = envelope.id;
        match envelope.body {
            Request::PairingParams(_) => encode(id, self.pairing_params(now)?),
            Request::Pake1(pake1) => {
                let response = self.pake1(&pake1, now)?;
                encode(id, response)
            }
            Request::Pake3(pake3) => self.pake3(id, &pake3),
            Request::OwnerHello(hello) => {
                let response = self.owner_hello(&hello)?;
                encode(id, response)
            }
            Request::OwnerAuth(auth) => self.owner_auth(id, auth, now),
            Request::Sealed(sealed) => self.sealed_request(id, &sealed, now),
            // Before pairing, anyone nearby may ask what the device is; afterwards
            // its serial is a tracking identifier and needs a session.
            Request::GetDeviceInfo(_) if !self.state.is_paired() => {
                encode(id, Response::DeviceInfo(self.device_info()))
            }
            _ => encode(id, Response::Error(WireError::NotAuthorised)),
        }
    }

    fn device_info(&self) -> DeviceInfo {
        DeviceInfo {
            model: self.state.identity.model.clone(),
            serial: self.state.identity.serial.clone(),
            firmware_version: FIRMWARE_VERSION.to_owned(),
            capabilities: vec![Capability::Plug, Capability::Temperature],
        }
    }

    fn persist(&mut self) -> Result<(), StateError> {
        self.state.save(&mut self.storage)
    }

    /// Seals `response` into the session (inner envelope id `inner_id`, outer `id`).
    fn seal_response(
        session: &mut SecureSession,
        id: u32,
        inner_id: u32,
        response: Response,
    ) -> Result<Vec<u8>, DeviceError> {
        let inner = message::encode(&Envelope::new(inner_id, response)).map_err(encode_error)?;
        let ciphertext = session
            .seal(&inner)
            .map_err(|e| DeviceError::Encode(e.to_string()))?;
        encode(id, Response::Sealed(Sealed { ciphertext }))
    }

    /// Queues an event, sealed into the current session if there is one.
    fn push_event(&mut self, event: Event) -> Result<(), DeviceError> {
        let id = self.next_event_id;
        self.next_event_id = self.next_event_id.wrapping_add(1);
        let session = match &mut self.link {
            Link::Session { session, .. } => Some(&mut **session),
            _ => None,
        };
        let bytes = encode_event(session, id, event)?;
        self.events.push(bytes);
        Ok(())
    }

    /// Queues an event sealed into `session`, for a request that runs while
    /// the session is out of [`Link`] (see `control`).
    fn push_sealed_event(
        &mut self,
        session: &mut SecureSession,
        event: Event,
    ) -> Result<(), DeviceError> {
        let id = self.next_event_id;
        self.next_event_id = self.next_event_id.wrapping_add(1);
        let bytes = encode_event(Some(session), id, event)?;
        self.events.push(bytes);
        Ok(())
    }
}

/// An event envelope, sealed into `session` when there is one.
fn encode_event(
    session: Option<&mut SecureSession>,
    id: u32,
    event: Event,
) -> Result<Vec<u8>, DeviceError> {
    match session {
        Some(session) => {
            let inner = zeroize::Zeroizing::new(
                message::encode(&Envelope::new(id, event)).map_err(encode_error)?,
            );
            let ciphertext = session
                .seal(&inner)
                .map_err(|e| DeviceError::Encode(e.to_string()))?;
            message::encode(&Envelope::new(id, Event::Sealed(Sealed { ciphertext })))
                .map_err(encode_error)
        }
        None => message::encode(&Envelope::new(id, event)).map_err(encode_error),
    }
}

fn encode_error(error: MessageError) -> DeviceError {
    DeviceError::Encode(error.to_string())
}

fn encode<B: Body>(id: u32, body: B) -> Result<Vec<u8>, DeviceError> {
    message::encode(&Envelope::new(id, body)).map_err(encode_error)
}

fn refusal_for_decode(error: &MessageError) -> WireError {
    match error {
        MessageError::UnsupportedVersion { .. } => WireError::UnsupportedVersion {
            supported: PROTOCOL_VERSION,
        },
        other => WireError::Malformed {
            reason: other.code().to_owned(),
        },
    }
}

/// How a pairing refusal is told to the app.
///
/// The hard lockout (20 failures) has its own code, `locked_until_button`, so
/// the app can tell the user to press the button on the device; a window that
/// simply timed out (or a device that is already paired) is
/// `pairing_window_closed`; the growing delays are `locked_out` with the wait.
fn refusal_to_wire(refusal: PairingRefusal) -> WireError {
    match refusal {
        PairingRefusal::AlreadyPaired | PairingRefusal::WindowClosed => {
            WireError::PairingWindowClosed
        }
        PairingRefusal::LockedOut => WireError::LockedUntilButton,
        PairingRefusal::TooSoon { retry_after_secs } => WireError::LockedOut {
            retry_after_secs: u32::try_from(retry_after_secs).unwrap_or(u32::MAX),
        },
    }
}
