//! The app's pairing client against the device core, over the real frame and
//! message layers in memory: every request and response is segmented at a
//! BLE MTU, reassembled, and counted.
//!
//! Checks the pairing contract end to end: pairing plus provisioning in at
//! most 3 round trips (EN 303 645 4.12-1), one online guess per wrong code,
//! and a lockout that survives a restart (4.1-1).

mod support;

use hearth_device::DeviceCore;
use hearth_device::lockout::{MAX_FAILURES, delay_after};
use hearth_device::storage::{FileStorage, MemoryStorage, Storage};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    DeviceError, Event, FromDevice, GetPlug, Passphrase, PlugState, Provisioning, ReadTemperature,
    Request, Response, Role, SetPlug, Temperature, WifiStatus,
};
use hearth_protocol::pairing::{
    Channel, OwnerSessionClient, Paired, PairingClient, PairingError, PairingStep,
};
use hearth_protocol::setup_code::{Passcode, SetupCode};
use support::{Minted, SSID, WIFI_PASS, boot, mint, rng, wrong_passcode};

const T0: u64 = 1_700_000_000;
/// A common ATT MTU after exchange on phones; small enough that the larger
/// messages (Pake2 with its certificate chain) span several segments.
const MTU: usize = 185;

/// Both ends of an in-memory GATT link, with counters.
struct Wire {
    app: Link,
    device: Link,
    round_trips: u32,
    app_segments: usize,
    device_segments: usize,
    bytes_to_device: usize,
    bytes_to_app: usize,
}

impl Wire {
    fn new(mtu: usize) -> Self {
        let config = FrameConfig::with_mtu(mtu).unwrap();
        Self {
            app: Link::new(config),
            device: Link::new(config),
            round_trips: 0,
            app_segments: 0,
            device_segments: 0,
            bytes_to_device: 0,
            bytes_to_app: 0,
        }
    }

    /// Moves segments app → device until the device has a whole message.
    fn deliver_to_device(&mut self) -> Vec<u8> {
        for _ in 0..10_000 {
            while let Some(segment) = self.app.poll_transmit() {
                self.app_segments += 1;
                self.bytes_to_device += segment.len();
                if let Some(message) = self.device.receive(&segment).unwrap() {
                    return message;
                }
            }
            // Window full: the device acks what it has.
            while let Some(segment) = self.device.poll_transmit() {
                self.device_segments += 1;
                self.bytes_to_app += segment.len();
                assert_eq!(self.app.receive(&segment).unwrap(), None);
            }
        }
        panic!("request never arrived");
    }

    /// Moves segments device → app until the app has a whole message.
    fn deliver_to_app(&mut self) -> Vec<u8> {
        for _ in 0..10_000 {
            while let Some(segment) = self.device.poll_transmit() {
                self.device_segments += 1;
                self.bytes_to_app += segment.len();
                if let Some(message) = self.app.receive(&segment).unwrap() {
                    return message;
                }
            }
            while let Some(segment) = self.app.poll_transmit() {
                self.app_segments += 1;
                self.bytes_to_device += segment.len();
                assert_eq!(self.device.receive(&segment).unwrap(), None);
            }
        }
        panic!("response never arrived");
    }

    /// One round trip: the request over the air, the device core's answer back.
    fn exchange<S: Storage>(
        &mut self,
        core: &mut DeviceCore<S>,
        request: Vec<u8>,
        now: u64,
    ) -> Vec<u8> {
        self.app.send(request).unwrap();
        let arrived = self.deliver_to_device();
        let answer = core.handle(&arrived, now).unwrap();
        self.device.send(answer).unwrap();
        self.round_trips += 1;
        self.deliver_to_app()
    }

    /// Events the device queued, notified over the air.
    fn events<S: Storage>(&mut self, core: &mut DeviceCore<S>) -> Vec<Vec<u8>> {
        core.take_events()
            .into_iter()
            .map(|event| {
                self.device.send(event).unwrap();
                self.deliver_to_app()
            })
            .collect()
    }
}

fn provisioning(owner: &OwnerKey) -> Provisioning {
    Provisioning {
        wifi_ssid: SSID.into(),
        wifi_passphrase: Passphrase::new(WIFI_PASS.into()),
        owner_public_key: owner.public(),
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    }
}

fn client(minted: &Minted, passcode: &Passcode, owner: &OwnerKey) -> PairingClient {
    let mut code = SetupCode::parse(&minted.code.manual_code()).unwrap();
    code.passcode = passcode.clone();
    PairingClient::new(&code, provisioning(owner), minted.root_public).expect_model("PLUG")
}

/// Runs the client against the core until it pairs or fails.
fn run<S: Storage>(
    wire: &mut Wire,
    core: &mut DeviceCore<S>,
    mut client: PairingClient,
    now: u64,
    seed: u64,
) -> Result<Paired, PairingError> {
    let mut app_rng = rng(seed);
    let mut request = client.start()?;
    loop {
        let answer = wire.exchange(core, request, now);
        match client.handle(&answer, now, &mut app_rng)? {
            PairingStep::Send(next) => request = next,
            PairingStep::Ignored => unreachable!("the device pushes nothing before pairing"),
            PairingStep::Paired(paired) => return Ok(*paired),
        }
    }
}

fn control<S: Storage>(
    wire: &mut Wire,
    core: &mut DeviceCore<S>,
    channel: &mut Channel,
    body: Request,
    now: u64,
) -> Response {
    let (id, request) = channel.request(body).unwrap();
    let answer = wire.exchange(core, request, now);
    match channel.open(&answer).unwrap() {
        FromDevice::Response(response) => {
            assert_eq!(response.id, id);
            response.body
        }
        FromDevice::Event(event) => panic!("expected a response, got {event:?}"),
    }
}

#[test]
fn pairing_and_provisioning_take_at_most_three_round_trips() {
    let minted = mint(101);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let owner = OwnerKey::generate(&mut rng(1));
    let mut wire = Wire::new(MTU);

    let mut paired = run(
        &mut wire,
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        T0,
        2,
    )
    .unwrap();

    assert!(
        wire.round_trips <= 3,
        "pairing took {} round trips",
        wire.round_trips
    );
    assert_eq!(wire.round_trips, 3);
    println!(
        "pairing + provisioning at MTU {MTU}: {} round trips, {} segments / {} bytes app→device, {} segments / {} bytes device→app",
        wire.round_trips,
        wire.app_segments,
        wire.bytes_to_device,
        wire.device_segments,
        wire.bytes_to_app
    );
    // The device stored exactly what the app sent, under the id it reported.
    let user = core.state().user(paired.user_id).unwrap();
    assert_eq!(user.public_key, owner.public().to_vec());
    assert_eq!(core.state().wifi.as_ref().unwrap().ssid, SSID);
    assert_eq!(paired.device.serial, minted.identity.serial);
    assert_eq!(paired.device_info.model, "PLUG");

    // The device joins Wi-Fi and says so, sealed.
    let events = wire.events(&mut core);
    assert_eq!(events.len(), 1);
    match paired.channel.open(&events[0]).unwrap() {
        FromDevice::Event(event) => {
            assert_eq!(
                event.body,
                Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })
            );
        }
        other => panic!("expected an event, got {other:?}"),
    }

    // The same session controls the plug at once.
    let on = control(
        &mut wire,
        &mut core,
        &mut paired.channel,
        Request::SetPlug(SetPlug { on: true }),
        T0 + 1,
    );
    assert_eq!(on, Response::Plug(PlugState { on: true }));
    let temperature = control(
        &mut wire,
        &mut core,
        &mut paired.channel,
        Request::ReadTemperature(ReadTemperature {}),
        T0 + 2,
    );
    assert_eq!(
        temperature,
        Response::Temperature(Temperature {
            centi_celsius: 2150
        })
    );
}

#[test]
fn pairing_fits_three_round_trips_at_the_minimum_mtu() {
    let minted = mint(102);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let owner = OwnerKey::generate(&mut rng(3));
    let mut wire = Wire::new(23);
    run(
        &mut wire,
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        T0,
        4,
    )
    .unwrap();
    assert_eq!(wire.round_trips, 3);
    println!(
        "pairing + provisioning at MTU 23: {} segments app→device, {} segments device→app (acks included)",
        wire.app_segments, wire.device_segments
    );
}

#[test]
fn a_wrong_code_costs_exactly_one_online_guess() {
    let minted = mint(103);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let owner = OwnerKey::generate(&mut rng(5));
    let mut wire = Wire::new(MTU);
    let before = core.state().brute_force.failures;

    let result = run(
        &mut wire,
        &mut core,
        client(&minted, &wrong_passcode(&minted.code), &owner),
        T0,
        6,
    );

    assert_eq!(
        result.unwrap_err(),
        PairingError::WrongCode {
            attempts_left: MAX_FAILURES - 1
        }
    );
    assert_eq!(core.state().brute_force.failures, before + 1);
    // The app stopped after Pake2: no Pake3, so nothing secret left the app.
    assert_eq!(wire.round_trips, 2);
    assert!(!core.state().is_paired());
    assert!(core.state().wifi.is_none());

    // The right code afterwards still pairs (after any delay) and clears the counter.
    core.disconnect();
    let now = T0 + core.state().brute_force.wait_secs(T0);
    let mut wire = Wire::new(MTU);
    run(
        &mut wire,
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        now,
        7,
    )
    .unwrap();
    assert_eq!(core.state().brute_force.failures, 0);
}

#[test]
fn lockout_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.bin");
    let minted = mint(104);
    let owner = OwnerKey::generate(&mut rng(8));
    let wrong = wrong_passcode(&minted.code);
    let mut now = T0;
    {
        let mut core = boot(FileStorage::new(&path), &minted, now);
        for attempt in 1..=5u32 {
            now += core.state().brute_force.wait_secs(now);
            let result = run(
                &mut Wire::new(MTU),
                &mut core,
                client(&minted, &wrong, &owner),
                now,
                u64::from(attempt),
            );
            assert_eq!(
                result.unwrap_err(),
                PairingError::WrongCode {
                    attempts_left: MAX_FAILURES - attempt
                }
            );
            core.disconnect();
        }
    } // Power cut.

    let mut core = boot(FileStorage::new(&path), &minted, now);
    assert_eq!(core.state().brute_force.failures, 5);
    // Even the right code must wait out the delay the fifth failure earned.
    let early = run(
        &mut Wire::new(MTU),
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        now,
        20,
    );
    assert_eq!(
        early.unwrap_err(),
        PairingError::Device(DeviceError::LockedOut {
            retry_after_secs: delay_after(5) as u32
        })
    );

    for attempt in 6..=MAX_FAILURES {
        now += core.state().brute_force.wait_secs(now);
        let result = run(
            &mut Wire::new(MTU),
            &mut core,
            client(&minted, &wrong, &owner),
            now,
            u64::from(attempt),
        );
        assert_eq!(
            result.unwrap_err(),
            PairingError::WrongCode {
                attempts_left: MAX_FAILURES - attempt
            }
        );
        core.disconnect();
    }
    drop(core); // Power cut.

    let mut core = boot(FileStorage::new(&path), &minted, now + 3600);
    assert_eq!(core.state().brute_force.failures, MAX_FAILURES);
    let locked = run(
        &mut Wire::new(MTU),
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        now + 3600,
        30,
    );
    // The app learns the one thing that helps: press the button on the device.
    let locked = locked.unwrap_err();
    assert_eq!(locked, PairingError::LockedUntilButton);
    assert_eq!(locked.code(), "pairing.locked_until_button");
    assert!(!core.state().is_paired());
}

#[test]
fn a_later_owner_session_runs_a_first_request_in_two_round_trips() {
    let minted = mint(105);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let owner = OwnerKey::generate(&mut rng(9));
    let paired = run(
        &mut Wire::new(MTU),
        &mut core,
        client(&minted, &minted.code.passcode, &owner),
        T0,
        10,
    )
    .unwrap();
    core.disconnect();

    let mut wire = Wire::new(MTU);
    let (session, hello) = OwnerSessionClient::start(
        &owner,
        paired.user_id,
        &paired.device.identity_key,
        &mut rng(11),
    )
    .unwrap();
    let device_hello = wire.exchange(&mut core, hello, T0 + 60);
    let (mut channel, auth) = session
        .handle(&device_hello, Some(Request::GetPlug(GetPlug {})))
        .unwrap();
    let answer = wire.exchange(&mut core, auth, T0 + 60);
    match channel.open(&answer).unwrap() {
        FromDevice::Response(response) => {
            assert_eq!(response.body, Response::Plug(PlugState { on: false }))
        }
        other => panic!("expected a response, got {other:?}"),
    }
    assert_eq!(wire.round_trips, 2);

    // Someone else's key is refused.
    core.disconnect();
    let stranger = OwnerKey::generate(&mut rng(12));
    let mut wire = Wire::new(MTU);
    let (session, hello) = OwnerSessionClient::start(
        &stranger,
        paired.user_id,
        &paired.device.identity_key,
        &mut rng(13),
    )
    .unwrap();
    let device_hello = wire.exchange(&mut core, hello, T0 + 61);
    // The device signed a transcript over the real owner's key, so the
    // stranger's client refuses it before sending anything.
    assert!(matches!(
        session.handle(&device_hello, None),
        Err(PairingError::Handshake(_))
    ));
}
