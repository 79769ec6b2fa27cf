//! `DeviceCore::handle` as a state machine, checked against a model.
//!
//! The input is a sequence of steps, each one of: an honest app pairing with
//! the right or a wrong setup code; an honest app opening a session for a
//! user it holds a key for (or a key the device never saw); a sealed control
//! request on the app's session; arbitrary request bytes; a replay of any
//! request sent before; time passing; the button, the reset button, a power
//! cut, a dropped link. The honest app is the real one
//! (`hearth_protocol::pairing`).
//!
//! The model is written from the documented rules, not from the core's code:
//! the pairing window (15 minutes, closed once paired), the brute-force
//! counter (counted at `pake1`, before `pake2` goes out; free failures, then
//! doubling delays, then a lockout until the button), who may do what
//! (EN 303 645 4.5-1: nothing but pairing and the handshake outside a
//! session; 4.11-1: users and their roles), and the session's limit on
//! rejected frames. After every step the core must agree with it on what it
//! answered and on everything it persists (users, roles, plug, Wi-Fi,
//! counters) and everything it holds (session, window) — across power cuts,
//! which reload the state from storage.
#![no_main]

use std::collections::BTreeMap;

use hearth_device::DeviceCore;
use hearth_device::state::Role as StateRole;
use hearth_device::storage::MemoryStorage;
use hearth_device_fuzz::{CENTI_CELSIUS, SSID, START, WIFI_PASS, boot, minted};
use hearth_protocol::handshake::{HandshakeError, OwnerKey};
use hearth_protocol::message::{
    self, AddUser, DeviceError as WireError, Envelope, FactoryReset, FromDevice, GetDeviceInfo,
    GetPlug, Limits, Passphrase, PlugState, Provisioning, ReadTemperature, RemoveUser, Request,
    Response, Role, SetPlug, SetWifi, Temperature, UserAdded,
};
use hearth_protocol::pairing::{
    Channel, OwnerSessionClient, PairingClient, PairingError, PairingStep,
};
use hearth_protocol::session::MAX_FAILURES as SESSION_MAX_FAILURES;
use hearth_protocol::setup_code::SetupCode;
use libfuzzer_sys::arbitrary::{Result as ArbitraryResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

const WINDOW_SECS: u64 = 15 * 60;
const FREE_FAILURES: u32 = 2;
const MAX_FAILURES: u32 = 20;
const MAX_DELAY_SECS: u64 = 60;
const MAX_USERS: usize = 16;

/// What the connection is doing, as the model believes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkState {
    Idle,
    Pake,
    Handshake(u32),
    Session(u32),
}

/// The device as its documentation describes it.
#[derive(Debug)]
struct Model {
    now: u64,
    users: BTreeMap<u32, Role>,
    next_user_id: u32,
    plug_on: bool,
    wifi: Option<String>,
    failures: u32,
    last_failure_at: Option<u64>,
    window_opened_at: Option<u64>,
    link: LinkState,
    /// Frames the device's current session has refused.
    session_rejections: u32,
}

/// Why the model expects pairing to be refused now, as the wire says it.
fn refusal_code(error: &WireError) -> &'static str {
    error.code()
}

impl Model {
    fn new() -> Self {
        Self {
            now: START,
            users: BTreeMap::new(),
            next_user_id: 1,
            plug_on: false,
            wifi: None,
            failures: 0,
            last_failure_at: None,
            window_opened_at: Some(START),
            link: LinkState::Idle,
            session_rejections: 0,
        }
    }

    fn paired(&self) -> bool {
        self.users.values().any(|r| *r == Role::Owner)
    }

    fn window_open(&self) -> bool {
        self.window_opened_at
            .is_some_and(|at| self.now >= at && self.now - at < WINDOW_SECS)
    }

    fn delay(&self) -> u64 {
        if self.failures <= FREE_FAILURES {
            0
        } else {
            let exponent = self.failures - FREE_FAILURES - 1;
            if exponent >= 63 {
                MAX_DELAY_SECS
            } else {
                (1u64 << exponent).min(MAX_DELAY_SECS)
            }
        }
    }

    /// `None` if a pairing attempt is admitted now, else the refusal.
    fn refusal(&self) -> Option<WireError> {
        if self.paired() {
            return Some(WireError::PairingWindowClosed);
        }
        if self.failures >= MAX_FAILURES {
            return Some(WireError::LockedUntilButton);
        }
        if !self.window_open() {
            return Some(WireError::PairingWindowClosed);
        }
        let wait = self.last_failure_at.map_or(0, |last| {
            last.saturating_add(self.delay()).saturating_sub(self.now)
        });
        (wait > 0).then(|| WireError::LockedOut {
            retry_after_secs: u32::try_from(wait).unwrap_or(u32::MAX),
        })
    }

    fn count_failure(&mut self) {
        self.failures += 1;
        self.last_failure_at = Some(self.now);
    }

    fn enter_link(&mut self, link: LinkState) {
        self.link = link;
        self.session_rejections = 0;
    }

    /// The core must agree with the model on everything observable.
    fn check(&self, core: &DeviceCore<MemoryStorage>) {
        let state = core.state();
        let users: BTreeMap<u32, Role> = state
            .users
            .iter()
            .map(|u| {
                let role = match u.role {
                    StateRole::Owner => Role::Owner,
                    StateRole::Resident => Role::Resident,
                    StateRole::Guest => Role::Guest,
                };
                (u.id, role)
            })
            .collect();
        assert_eq!(users, self.users, "users and roles");
        assert_eq!(state.next_user_id, self.next_user_id, "next user id");
        assert_eq!(state.is_paired(), self.paired(), "paired");
        assert_eq!(state.plug_on, self.plug_on, "plug");
        assert_eq!(
            state.wifi.as_ref().map(|w| w.ssid.as_str()),
            self.wifi.as_deref(),
            "Wi-Fi network"
        );
        assert_eq!(
            state.brute_force.failures, self.failures,
            "failures counted"
        );
        assert_eq!(
            state.brute_force.last_failure_at, self.last_failure_at,
            "last failure"
        );
        assert_eq!(
            core.has_session(),
            matches!(self.link, LinkState::Session(_)),
            "session ({:?})",
            self.link
        );
        assert_eq!(
            core.pairing_window_open(self.now),
            self.refusal().is_none(),
            "pairing admitted ({:?})",
            self.refusal()
        );
        for user in &state.users {
            assert!(state.user_data.contains_key(&user.id), "per-user data");
        }
        assert_eq!(
            state.user_data.len(),
            state.users.len(),
            "data of removed users"
        );
    }
}

/// The honest app: the keys it holds and its open session.
struct App {
    keys: BTreeMap<u32, OwnerKey>,
    channel: Option<(Channel, u32)>,
    /// Every request sent to the device, for replays.
    sent: Vec<Vec<u8>>,
    seed: u64,
}

impl App {
    fn rng(&mut self) -> StdRng {
        self.seed += 1;
        StdRng::seed_from_u64(self.seed)
    }

    fn key(&mut self) -> OwnerKey {
        self.seed += 1;
        let mut secret = [0u8; 32];
        secret[..8].copy_from_slice(&self.seed.to_le_bytes());
        secret[31] = 0x55;
        OwnerKey::from_secret_bytes(&secret)
    }

    fn remember(&mut self, request: &[u8]) {
        if self.sent.len() >= 64 {
            self.sent.remove(0);
        }
        self.sent.push(request.to_vec());
    }
}

struct Run {
    core: DeviceCore<MemoryStorage>,
    model: Model,
    app: App,
    /// Events the device pushed since the last request, oldest first.
    events: Vec<Vec<u8>>,
}

/// The app opens the device's events in order on the session they belong to
/// (the device seals them after the answer they follow).
fn open_events(channel: &mut Channel, events: Vec<Vec<u8>>) {
    for event in events {
        match channel.open(&event) {
            Ok(FromDevice::Event(Envelope {
                body: message::Event::WifiStatus(_),
                ..
            })) => {}
            other => panic!("an event on the session: {other:?}"),
        }
    }
}

impl Run {
    fn send(&mut self, request: &[u8]) -> Vec<u8> {
        self.app.remember(request);
        let answer = self
            .core
            .handle(request, self.model.now)
            .expect("memory storage never fails");
        // Whatever the device says is a response the app can decode.
        message::decode::<Response>(&answer, &Limits::default())
            .expect("the device answered with an undecodable response");
        self.events = self.core.take_events();
        for event in &self.events {
            message::decode_from_device(event, &Limits::default())
                .expect("the device pushed an undecodable event");
        }
        answer
    }

    /// The link changed under the app: its session (if any) is gone.
    fn drop_app_channel(&mut self) {
        self.app.channel = None;
    }

    fn pair(&mut self, right_code: bool) {
        let minted = minted();
        let mut code = minted.code.clone();
        if !right_code {
            code.passcode = SetupCode::generate(&mut self.app.rng()).passcode;
            if code.passcode == minted.code.passcode {
                return;
            }
        }
        let owner = self.app.key();
        let provisioning = Provisioning {
            wifi_ssid: SSID.into(),
            wifi_passphrase: Passphrase::new(WIFI_PASS.into()),
            owner_public_key: owner.public(),
            device_name: "Owner".into(),
            role: Role::Owner,
        };
        let mut client = PairingClient::new(&code, provisioning, minted.root_public);
        let mut rng = self.app.rng();
        let refusal = self.model.refusal();
        let attempts_left = MAX_FAILURES.saturating_sub(self.model.failures);
        let mut request = client.start().expect("first request");
        let outcome = loop {
            let answer = self.send(&request);
            match client.handle(&answer, self.model.now, &mut rng) {
                Ok(PairingStep::Send(next)) => request = next,
                Ok(PairingStep::Paired(paired)) => break Ok(paired),
                Ok(PairingStep::Ignored) => panic!("the device answered with an event"),
                Err(error) => break Err(error),
            }
        };
        match (refusal, outcome) {
            (Some(expected), Err(PairingError::Device(got))) => {
                assert_eq!(refusal_code(&got), refusal_code(&expected), "refusal");
                assert_eq!(got, expected, "refusal details");
            }
            (Some(WireError::LockedUntilButton), Err(PairingError::LockedUntilButton)) => {}
            (Some(expected), other) => panic!("expected {expected:?}, got {other:?}"),
            (
                None,
                Err(PairingError::WrongCode {
                    attempts_left: left,
                }),
            ) => {
                assert!(!right_code, "the right code was refused as wrong");
                assert_eq!(left, attempts_left - 1, "attempts left");
                // Counted at pake1; the device waits for pake3 that never comes.
                self.model.count_failure();
                self.model.enter_link(LinkState::Pake);
                self.drop_app_channel();
            }
            (None, Ok(paired)) => {
                assert!(right_code, "paired with a wrong code");
                let id = self.model.next_user_id;
                assert_eq!(paired.user_id, id, "owner's user id");
                self.model.next_user_id += 1;
                self.model.users.insert(id, Role::Owner);
                self.model.failures = 0;
                self.model.last_failure_at = None;
                self.model.wifi = Some(SSID.into());
                self.model.window_opened_at = None;
                self.model.enter_link(LinkState::Session(id));
                self.app.keys.insert(id, owner);
                let mut channel = paired.channel;
                assert_eq!(self.events.len(), 1, "the Wi-Fi status after provisioning");
                open_events(&mut channel, std::mem::take(&mut self.events));
                self.app.channel = Some((channel, id));
            }
            (None, other) => panic!("an admitted pairing ended as {other:?}"),
        }
    }

    fn open_session(&mut self, u: &mut Unstructured<'_>) -> ArbitraryResult<()> {
        let known: Vec<u32> = self.app.keys.keys().copied().collect();
        let (user_id, key) = if !known.is_empty() && u.ratio(7, 8)? {
            let id = *u.choose(&known)?;
            let key = if u.ratio(7, 8)? {
                self.app.keys[&id].clone()
            } else {
                self.app.key()
            };
            (id, key)
        } else {
            (u.int_in_range(0..=20)?, self.app.key())
        };
        let honest_key = self.app.keys.get(&user_id).map(OwnerKey::public) == Some(key.public());
        let mut rng = self.app.rng();
        let identity = minted_identity_public();
        let (client, hello) =
            OwnerSessionClient::start(&key, user_id, &identity, &mut rng).expect("hello");
        let answer = self.send(&hello);
        self.drop_app_channel();
        let known_user = self.model.users.contains_key(&user_id);
        let (channel, auth) = match client.handle(&answer, None) {
            Ok(ok) => ok,
            Err(PairingError::Device(WireError::NotAuthorised)) => {
                assert!(!known_user, "a known user's hello was refused");
                self.model.enter_link(LinkState::Idle);
                return Ok(());
            }
            // The device signs a transcript over the key it holds for this
            // user, so an app with another key refuses the device's hello;
            // the device waits for an owner_auth that never comes.
            Err(PairingError::Handshake(HandshakeError::DeviceSignatureInvalid)) => {
                assert!(
                    known_user && !honest_key,
                    "the paired device's hello was refused"
                );
                self.model.enter_link(LinkState::Handshake(user_id));
                return Ok(());
            }
            Err(other) => panic!("owner hello: {other:?}"),
        };
        assert!(known_user, "a hello for an unknown user was answered");
        self.model.enter_link(LinkState::Handshake(user_id));
        let answer = self.send(&auth);
        let mut channel = channel;
        let opened = channel.open(&answer);
        if honest_key {
            match opened {
                Ok(FromDevice::Response(Envelope {
                    body: Response::Done(_),
                    ..
                })) => {}
                other => panic!("owner session with the user's key: {other:?}"),
            }
            self.model.enter_link(LinkState::Session(user_id));
            self.app.channel = Some((channel, user_id));
        } else {
            assert!(
                matches!(
                    opened,
                    Ok(FromDevice::Response(Envelope {
                        body: Response::Error(WireError::NotAuthorised),
                        ..
                    }))
                ),
                "a session with the wrong key: {opened:?}"
            );
            self.model.enter_link(LinkState::Idle);
        }
        Ok(())
    }

    fn control(&mut self, u: &mut Unstructured<'_>) -> ArbitraryResult<()> {
        let Some((mut channel, actor)) = self.app.channel.take() else {
            return Ok(());
        };
        let known: Vec<u32> = self.model.users.keys().copied().collect();
        let mut new_key = None;
        let request = match u.int_in_range(0..=7)? {
            0 => Request::GetDeviceInfo(GetDeviceInfo {}),
            1 => Request::GetPlug(GetPlug {}),
            2 => Request::SetPlug(SetPlug { on: u.arbitrary()? }),
            3 => Request::ReadTemperature(ReadTemperature {}),
            4 => {
                let key = if u.ratio(1, 8)? && !self.app.keys.is_empty() {
                    let ids: Vec<u32> = self.app.keys.keys().copied().collect();
                    self.app.keys[u.choose(&ids)?].clone()
                } else {
                    self.app.key()
                };
                let role = *u.choose(&[Role::Owner, Role::Resident, Role::Guest])?;
                let request = Request::AddUser(AddUser {
                    public_key: key.public(),
                    role,
                    name: "Guest".into(),
                });
                new_key = Some(key);
                request
            }
            5 => {
                let user_id = if !known.is_empty() && u.ratio(7, 8)? {
                    *u.choose(&known)?
                } else {
                    u.int_in_range(0..=20)?
                };
                Request::RemoveUser(RemoveUser { user_id })
            }
            6 => Request::FactoryReset(FactoryReset {}),
            _ => Request::SetWifi(SetWifi {
                ssid: if u.arbitrary()? {
                    SSID.into()
                } else {
                    "cafe".into()
                },
                passphrase: Passphrase::new(WIFI_PASS.into()),
            }),
        };
        let (_, bytes) = channel
            .request(request.clone())
            .expect("a valid request seals");
        let in_session = self.model.link == LinkState::Session(actor);
        let answer = self.send(&bytes);
        let opened = channel.open(&answer);
        if !in_session {
            // The device has no session for this channel: a plain refusal.
            assert!(
                matches!(
                    opened,
                    Ok(FromDevice::Response(Envelope {
                        body: Response::Error(WireError::NotAuthorised),
                        ..
                    }))
                ),
                "a sealed request outside the device's session: {opened:?}"
            );
            return Ok(());
        }
        let got = match opened {
            Ok(FromDevice::Response(envelope)) => envelope.body,
            other => panic!("the answer to a sealed request: {other:?}"),
        };
        let (expected, keep) = self.expect_control(actor, &request);
        match (&expected, &got) {
            (Response::DeviceInfo(_), Response::DeviceInfo(info)) => {
                assert_eq!(info.serial, minted().identity.serial);
            }
            _ => assert_eq!(got, expected, "answer to {request:?} from user {actor}"),
        }
        if let (Response::UserAdded(UserAdded { user_id }), Some(key)) = (&got, new_key) {
            self.app.keys.insert(*user_id, key);
        }
        open_events(&mut channel, std::mem::take(&mut self.events));
        if keep {
            self.app.channel = Some((channel, actor));
        } else {
            self.model.enter_link(LinkState::Idle);
        }
        Ok(())
    }

    /// What the device must answer to `request` from `actor`, and whether
    /// the session stays open; applies the change to the model.
    fn expect_control(&mut self, actor: u32, request: &Request) -> (Response, bool) {
        let m = &mut self.model;
        let refuse = |e| (Response::Error(e), true);
        let Some(&role) = m.users.get(&actor) else {
            return (Response::Error(WireError::NotAuthorised), false);
        };
        match request {
            Request::GetDeviceInfo(_) => (Response::DeviceInfo(dummy_info()), true),
            Request::GetPlug(_) => (Response::Plug(PlugState { on: m.plug_on }), true),
            Request::SetPlug(set) => {
                m.plug_on = set.on;
                (Response::Plug(PlugState { on: set.on }), true)
            }
            Request::ReadTemperature(_) => (
                Response::Temperature(Temperature {
                    centi_celsius: CENTI_CELSIUS,
                }),
                true,
            ),
            Request::AddUser(add) => {
                if role != Role::Owner || add.role == Role::Owner {
                    return refuse(WireError::NotAuthorised);
                }
                let duplicate = self
                    .app
                    .keys
                    .iter()
                    .any(|(id, k)| m.users.contains_key(id) && k.public() == add.public_key);
                if m.users.len() >= MAX_USERS || duplicate {
                    return refuse(WireError::UnexpectedMessage);
                }
                let user_id = m.next_user_id;
                m.next_user_id += 1;
                m.users.insert(user_id, add.role);
                (Response::UserAdded(UserAdded { user_id }), true)
            }
            Request::RemoveUser(remove) => {
                let target = remove.user_id;
                if target != actor && role != Role::Owner {
                    return refuse(WireError::NotAuthorised);
                }
                let Some(&target_role) = m.users.get(&target) else {
                    return refuse(WireError::UnexpectedMessage);
                };
                let owners = m.users.values().filter(|r| **r == Role::Owner).count();
                if target_role == Role::Owner && owners <= 1 {
                    return refuse(WireError::NotAuthorised);
                }
                m.users.remove(&target);
                (Response::Done(message::Done {}), target != actor)
            }
            Request::FactoryReset(_) => {
                if role != Role::Owner {
                    return refuse(WireError::NotAuthorised);
                }
                m.users.clear();
                m.wifi = None;
                m.plug_on = false;
                m.window_opened_at = Some(m.now);
                (Response::Done(message::Done {}), false)
            }
            Request::SetWifi(set) => {
                if role != Role::Owner {
                    return refuse(WireError::NotAuthorised);
                }
                m.wifi = Some(set.ssid.clone());
                (Response::Done(message::Done {}), true)
            }
            other => panic!("not a control request: {other:?}"),
        }
    }

    /// Arbitrary bytes (or a replayed request) as the next request.
    fn raw(&mut self, bytes: &[u8]) {
        let decoded = message::decode::<Request>(bytes, &Limits::default());
        let link_before = self.model.link;
        let answer = self.send(bytes);
        let answer =
            message::decode::<Response>(&answer, &Limits::default()).expect("checked in send");
        if let Ok(request) = &decoded {
            assert_eq!(answer.id, request.id, "the answer repeats the request id");
        }
        let answer = answer.body;
        let m = &mut self.model;
        let Ok(Envelope { body: request, .. }) = decoded else {
            assert!(
                matches!(
                    answer,
                    Response::Error(
                        WireError::Malformed { .. } | WireError::UnsupportedVersion { .. }
                    )
                ),
                "undecodable request answered with {answer:?}"
            );
            return;
        };
        let expected_error = |answer: &Response, expected: WireError| {
            assert_eq!(*answer, Response::Error(expected), "answer to {request:?}");
        };
        match &request {
            Request::PairingParams(_) => match m.refusal() {
                Some(refusal) => expected_error(&answer, refusal),
                None => assert!(matches!(answer, Response::PairingParams(_)), "{answer:?}"),
            },
            Request::Pake1(_) => match m.refusal() {
                Some(refusal) => expected_error(&answer, refusal),
                None => {
                    // Counted and persisted before any answer, whatever the share.
                    m.count_failure();
                    if matches!(answer, Response::Pake2(_)) {
                        m.enter_link(LinkState::Pake);
                    } else {
                        assert!(
                            matches!(answer, Response::Error(WireError::Malformed { .. })),
                            "{answer:?}"
                        );
                        m.enter_link(LinkState::Idle);
                    }
                    self.app.channel = None;
                }
            },
            Request::Pake3(_) => {
                if link_before == LinkState::Pake {
                    let left = MAX_FAILURES.saturating_sub(m.failures);
                    expected_error(
                        &answer,
                        WireError::WrongCode {
                            attempts_left: left,
                        },
                    );
                    m.enter_link(LinkState::Idle);
                } else {
                    expected_error(&answer, WireError::UnexpectedMessage);
                }
            }
            Request::OwnerHello(hello) => {
                self.app.channel = None;
                if matches!(answer, Response::DeviceHello(_)) {
                    assert!(
                        m.users.contains_key(&hello.user_id),
                        "hello for an unknown user"
                    );
                    m.enter_link(LinkState::Handshake(hello.user_id));
                } else {
                    // Unknown user, or a low-order ephemeral key.
                    expected_error(&answer, WireError::NotAuthorised);
                    m.enter_link(LinkState::Idle);
                }
            }
            Request::OwnerAuth(_) => {
                if let LinkState::Handshake(_) = link_before {
                    // No one but the user signs their transcript.
                    expected_error(&answer, WireError::NotAuthorised);
                    m.enter_link(LinkState::Idle);
                } else {
                    expected_error(&answer, WireError::UnexpectedMessage);
                }
            }
            Request::Sealed(_) => {
                // Forged, or a replay: the session refuses it and counts it.
                expected_error(&answer, WireError::NotAuthorised);
                if let LinkState::Session(_) = link_before {
                    m.session_rejections += 1;
                    if m.session_rejections >= SESSION_MAX_FAILURES {
                        m.enter_link(LinkState::Idle);
                        self.app.channel = None;
                    }
                }
            }
            Request::GetDeviceInfo(_) if !m.paired() => {
                assert!(matches!(answer, Response::DeviceInfo(_)), "{answer:?}");
            }
            _ => expected_error(&answer, WireError::NotAuthorised),
        }
    }
}

fn minted_identity_public() -> [u8; 32] {
    let secret: [u8; 32] = minted()
        .identity
        .identity_key
        .expose()
        .try_into()
        .expect("32 bytes");
    hearth_protocol::attestation::IdentityKey::from_secret_bytes(&secret).public()
}

fn dummy_info() -> message::DeviceInfo {
    message::DeviceInfo {
        model: String::new(),
        serial: String::new(),
        firmware_version: String::new(),
        capabilities: Vec::new(),
    }
}

fn step(run: &mut Run, u: &mut Unstructured<'_>) -> ArbitraryResult<()> {
    match u.int_in_range(0..=11)? {
        0 => run.pair(true),
        1 => run.pair(false),
        2 => run.open_session(u)?,
        3 | 4 => run.control(u)?,
        5 => {
            let len = u.int_in_range(0..=512)?;
            let bytes = u.bytes(len)?.to_vec();
            run.raw(&bytes);
        }
        6 => {
            if !run.app.sent.is_empty() {
                let index = u.choose_index(run.app.sent.len())?;
                let bytes = run.app.sent[index].clone();
                run.raw(&bytes);
            }
        }
        7 => {
            let secs = match u.int_in_range(0..=3)? {
                0 => u64::from(u.int_in_range(0u16..=120)?),
                1 => WINDOW_SECS - 1 + u64::from(u.int_in_range(0u8..=2)?),
                _ => u64::from(u.arbitrary::<u16>()?),
            };
            run.model.now += secs;
        }
        8 => {
            run.core.press_button(run.model.now).expect("persists");
            run.model.failures = 0;
            run.model.last_failure_at = None;
            if !run.model.paired() {
                run.model.window_opened_at = Some(run.model.now);
            }
        }
        9 => {
            run.core
                .factory_reset_button(run.model.now)
                .expect("persists");
            let m = &mut run.model;
            m.users.clear();
            m.wifi = None;
            m.plug_on = false;
            m.failures = 0;
            m.last_failure_at = None;
            m.window_opened_at = Some(m.now);
            m.enter_link(LinkState::Idle);
            run.drop_app_channel();
        }
        10 => {
            run.core
                .power_cycle(run.model.now)
                .expect("the state reloads");
            let m = &mut run.model;
            m.enter_link(LinkState::Idle);
            m.window_opened_at = (!m.paired()).then_some(m.now);
            run.drop_app_channel();
        }
        _ => {
            run.core.disconnect();
            run.model.enter_link(LinkState::Idle);
            run.drop_app_channel();
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let mut run = Run {
        core: boot(),
        events: Vec::new(),
        model: Model::new(),
        app: App {
            keys: BTreeMap::new(),
            channel: None,
            sent: Vec::new(),
            seed: 10,
        },
    };
    let mut u = Unstructured::new(data);
    run.model.check(&run.core);
    for _ in 0..64 {
        if u.is_empty() || step(&mut run, &mut u).is_err() {
            break;
        }
        run.model.check(&run.core);
    }
});
