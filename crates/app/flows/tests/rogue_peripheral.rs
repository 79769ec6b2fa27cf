//! A rogue peripheral on the real BLE path: a bluer GATT server that advertises exactly like a
//! Hearth device (our service, service data with the discriminator of a setup code generated
//! here, pairing open) but answers Hearth's pairing with garbage, one misbehaviour per
//! scenario. Hearth's real code (`Flows::pair` over the btleplug transport, through the
//! simulated radio) must return a typed error with a stable code, not panic, not hang, store
//! nothing (no row in SQLite, no key in the keyring), and stay up: afterwards, in the same
//! process, a genuine device (`hearth-refdevice`) pairs. EN 303 645 provision 4.13-1 [5.13-1]:
//! input from the device is untrusted and validated.
//!
//! The keyring check reads the world's private session keyring (`hearth-testkit`), which only
//! this test writes to.

mod support;

use std::sync::{Arc, Mutex};

use bluer::adv::AdvertisementHandle;
use bluer::gatt::local::{ApplicationHandle, CharacteristicNotifier};
use hearth_core::folders::AppFolders;
use hearth_core::pairings::PairingStore;
use hearth_flows::{FlowError, Flows};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::gatt::Advertisement;
use hearth_protocol::message::{
    self, Capability, DeviceInfo, Envelope, Limits, PairingParamsResponse, Request, Response,
};
use hearth_protocol::setup_code::{DiscriminatorHint, SetupCode};
use hearth_reference_device::gatt_app;
use support::{World, flows, home_wifi, vendor, with_world, within};
use tokio::sync::mpsc;

/// The serial the rogue claims; no pairing row may ever name it.
const ROGUE_SERIAL: &str = "ROGUE-0001";
/// Continuation segments the oversized scenario pushes after its start segment at most (it
/// stops earlier once the app has dropped the link).
const FLOOD_SEGMENTS: u8 = 32;

/// What the rogue does with the app's requests.
#[derive(Debug, Clone)]
enum Misbehaviour {
    /// Answers the first request with these raw segments instead of a framed message.
    Segments(Vec<Vec<u8>>),
    /// A start segment declaring 1 MiB (the limit is 64 KiB), then continuation segments.
    Oversized,
    /// Answers the first request with this message, correctly framed; `id` is the request's.
    Message(fn(u32) -> Vec<u8>),
    /// Answers request 1 with valid pairing parameters and request 2 with the same bytes.
    Replay,
}

enum Input {
    Subscribed(CharacteristicNotifier),
    Segment { value: Vec<u8>, mtu: u16 },
}

/// The rogue peripheral; its misbehaviour is switched between scenarios.
struct Rogue {
    behaviour: Arc<Mutex<Misbehaviour>>,
    /// One item per request the rogue answered, naming how; sent as it starts answering.
    answered: mpsc::UnboundedReceiver<&'static str>,
    _app: ApplicationHandle,
    _adv: AdvertisementHandle,
    _session: bluer::Session,
}

impl Rogue {
    async fn start(adapter_name: &str, discriminator: u16) -> Self {
        let session = within("bluer session", bluer::Session::new())
            .await
            .expect("bluer session");
        let adapter = session.adapter(adapter_name).expect("bluer adapter");
        within("power on", adapter.set_powered(true))
            .await
            .expect("power on");
        let behaviour = Arc::new(Mutex::new(Misbehaviour::Replay));
        let (input, inputs) = mpsc::unbounded_channel();
        let (answered_tx, answered) = mpsc::unbounded_channel();
        tokio::spawn(serve(inputs, behaviour.clone(), answered_tx));
        let on_write = input.clone();
        let on_subscribe = input;
        let app = gatt_app::application(
            gatt_app::hearth_service(),
            Box::new(move |value, req| {
                let _ = on_write.send(Input::Segment {
                    value,
                    mtu: req.mtu,
                });
                Box::pin(async { Ok(()) })
            }),
            Box::new(move |n| {
                let _ = on_subscribe.send(Input::Subscribed(n));
                Box::pin(async {})
            }),
        );
        let app = within("register app", adapter.serve_gatt_application(app))
            .await
            .expect("serve app");
        let adv = gatt_app::advertisement(
            &Advertisement {
                discriminator,
                pairing_open: true,
                has_owner: false,
            },
            &format!("hearth-plug-{discriminator:03x}"),
        );
        let adv = within("advertise", adapter.advertise(adv))
            .await
            .expect("advertise");
        Self {
            behaviour,
            answered,
            _app: app,
            _adv: adv,
            _session: session,
        }
    }

    fn behave(&mut self, behaviour: Misbehaviour) {
        *self
            .behaviour
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = behaviour;
        // Answers of an earlier scenario are not this one's.
        while self.answered.try_recv().is_ok() {}
    }

    /// How the rogue answered the scenario's requests, in order.
    fn answers(&mut self) -> Vec<&'static str> {
        std::iter::from_fn(|| self.answered.try_recv().ok()).collect()
    }
}

/// The rogue's side of the link: a fresh framing state per subscription (per connection).
async fn serve(
    mut inputs: mpsc::UnboundedReceiver<Input>,
    behaviour: Arc<Mutex<Misbehaviour>>,
    answered: mpsc::UnboundedSender<&'static str>,
) {
    let mut notifier: Option<CharacteristicNotifier> = None;
    let mut link: Option<Link> = None;
    let mut requests = 0_u32;
    let mut first_answer: Option<Vec<u8>> = None;
    while let Some(input) = inputs.recv().await {
        let (value, mtu) = match input {
            Input::Subscribed(n) => {
                notifier = Some(n);
                link = None;
                requests = 0;
                first_answer = None;
                continue;
            }
            Input::Segment { value, mtu } => (value, mtu),
        };
        let current = link.get_or_insert_with(|| {
            Link::new(FrameConfig::with_mtu(usize::from(mtu)).expect("radio MTU is valid"))
        });
        let request = match current.receive(&value) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(_) => {
                link = None;
                continue;
            }
        };
        requests += 1;
        let id = message::decode::<Request>(&request, &Limits::default()).map_or(0, |e| e.id);
        let Some(n) = notifier.as_mut() else { continue };
        let now = behaviour
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let answer = match (now, requests) {
            (Misbehaviour::Segments(segments), 1) => {
                let _ = answered.send("garbage segments");
                for segment in segments {
                    if n.notify(segment).await.is_err() {
                        break;
                    }
                }
                continue;
            }
            (Misbehaviour::Oversized, 1) => {
                let _ = answered.send("oversized");
                flood(n, usize::from(mtu)).await;
                continue;
            }
            (Misbehaviour::Message(build), 1) => (build(id), "malformed message"),
            (Misbehaviour::Replay, 1) => {
                let params = params_response(id);
                first_answer = Some(params.clone());
                (params, "pairing parameters")
            }
            (Misbehaviour::Replay, 2) => (
                first_answer.clone().unwrap_or_default(),
                "replayed pairing parameters",
            ),
            _ => continue,
        };
        let (answer, how) = answer;
        // Reported before the first notification, so the report is in before the app's
        // error can be.
        let _ = answered.send(how);
        if current.send(answer).is_err() {
            continue;
        }
        while let Some(out) = current.poll_transmit() {
            if n.notify(out).await.is_err() {
                break;
            }
        }
    }
}

/// A start segment declaring 1 MiB, then continuation segments until the app drops the link
/// (a failed notification) or [`FLOOD_SEGMENTS`] are out.
async fn flood(n: &mut CharacteristicNotifier, mtu: usize) {
    let payload = vec![0x5a_u8; mtu.saturating_sub(3 + 6).min(100)];
    let mut start = vec![0x01, 0];
    start.extend_from_slice(&(1024_u32 * 1024).to_le_bytes());
    start.extend_from_slice(&payload);
    if n.notify(start).await.is_err() {
        return;
    }
    for seq in 1..=FLOOD_SEGMENTS {
        if n.is_stopped() {
            return;
        }
        let mut segment = vec![0x02, seq];
        segment.extend_from_slice(&payload);
        if n.notify(segment).await.is_err() {
            return;
        }
    }
}

/// Pairing parameters that pass every check of round trip 1.
fn params_response(id: u32) -> Vec<u8> {
    message::encode(&Envelope::new(id, Response::PairingParams(params()))).expect("encodes")
}

fn params() -> PairingParamsResponse {
    PairingParamsResponse {
        salt: vec![7; 16],
        iterations: 1000,
        device_info: DeviceInfo {
            model: "PLUG".into(),
            serial: ROGUE_SERIAL.into(),
            firmware_version: "1.0.0".into(),
            capabilities: vec![Capability::Plug],
        },
        attempts_left: 10,
        window_open: true,
    }
}

/// Appends a CBOR text string shorter than 24 bytes (RFC 8949 §3.1, major type 3).
fn cbor_text(out: &mut Vec<u8>, text: &str) {
    let len = u8::try_from(text.len()).expect("short text");
    assert!(len < 24);
    out.push(0x60 | len);
    out.extend_from_slice(text.as_bytes());
}

/// `{ "v": 1, "id": id, "body": <body> }` with a hand-written body.
fn envelope_with(id: u32, body: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = vec![0xa3];
    cbor_text(&mut out, "v");
    out.push(0x01);
    cbor_text(&mut out, "id");
    out.push(0x1a);
    out.extend_from_slice(&id.to_be_bytes());
    cbor_text(&mut out, "body");
    body(&mut out);
    out
}

fn truncated(id: u32) -> Vec<u8> {
    let mut whole = params_response(id);
    whole.truncate(whole.len() / 2);
    whole
}

fn wrong_version(id: u32) -> Vec<u8> {
    let envelope = Envelope {
        v: 2,
        id,
        body: Response::PairingParams(params()),
    };
    message::encode(&envelope).expect("encodes")
}

fn unknown_tag(id: u32) -> Vec<u8> {
    envelope_with(id, |out| {
        out.push(0xa1);
        cbor_text(out, "firmware_blob");
        out.push(0xa0);
    })
}

fn deep_nesting(id: u32) -> Vec<u8> {
    envelope_with(id, |out| {
        out.push(0xa1);
        cbor_text(out, "pairing_params_response");
        // 200 one-element arrays, one inside the next (limit: 16 levels).
        out.extend(std::iter::repeat_n(0x81, 200));
        out.push(0x00);
    })
}

/// The inner code a flow error carries (the transport's or the protocol's), if any.
fn inner_code(error: &FlowError) -> Option<&'static str> {
    match error {
        FlowError::Bluetooth { code, .. } | FlowError::Protocol { code, .. } => Some(code),
        _ => None,
    }
}

/// Keys in the world's private session keyring whose description names an owner key.
fn owner_keys_in_keyring(world: &World) -> usize {
    world
        .keyring()
        .expect("the world's keyring")
        .key_descriptions()
        .expect("the session keyring")
        .iter()
        .filter(|d| d.contains("owner-key:"))
        .count()
}

/// Nothing of the rogue was remembered: no device, no pairing row, no key.
async fn assert_nothing_stored(
    world: &World,
    flows: &Flows<hearth_ble::BtleplugTransport>,
    pairings: &PairingStore,
) {
    assert!(flows.devices().await.expect("devices").is_empty());
    assert_eq!(
        pairings
            .device_with_serial(ROGUE_SERIAL)
            .await
            .expect("pairings"),
        None
    );
    assert_eq!(owner_keys_in_keyring(world), 0);
}

/// One misbehaviour: the flow fails with `flow_code` (and the transport's or protocol's
/// `inner`), the rogue answered as `answers`, and nothing is stored.
struct Scenario {
    name: &'static str,
    behaviour: Misbehaviour,
    flow_code: &'static str,
    inner: &'static str,
    answers: &'static [&'static str],
}

fn scenarios() -> Vec<Scenario> {
    let garbage =
        |segments: &[&[u8]]| Misbehaviour::Segments(segments.iter().map(|s| s.to_vec()).collect());
    // Flags 0x40 is no flag the framing defines; 0x02 is CONTINUE; 0x05 is START|END with
    // sequence 3 where 0 is due (a gap inside the window).
    let bad_flags: &[u8] = &[0x40, 0x00, 0xaa];
    let no_start: &[u8] = &[0x02, 0x00, 0xaa, 0xbb];
    let gap: &[u8] = &[0x05, 0x03, 0x02, 0x00, 0x00, 0x00, 0xaa, 0xbb];
    let framing = |name, behaviour, inner| Scenario {
        name,
        behaviour,
        flow_code: "flow.protocol",
        inner,
        answers: &["garbage segments"],
    };
    let cbor = |name, build, inner| Scenario {
        name,
        behaviour: Misbehaviour::Message(build),
        flow_code: "flow.protocol",
        inner,
        answers: &["malformed message"],
    };
    vec![
        framing(
            "bad flags",
            garbage(&[bad_flags, no_start, gap]),
            "frame.invalid_flags",
        ),
        framing(
            "continue without start",
            garbage(&[no_start, gap, bad_flags]),
            "frame.continue_without_start",
        ),
        framing(
            "sequence gap",
            garbage(&[gap, bad_flags, no_start]),
            "frame.gap",
        ),
        Scenario {
            name: "oversized message",
            behaviour: Misbehaviour::Oversized,
            flow_code: "flow.protocol",
            inner: "frame.message_too_large",
            answers: &["oversized"],
        },
        cbor("truncated CBOR", truncated, "message.truncated"),
        cbor(
            "wrong envelope version",
            wrong_version,
            "message.unsupported_version",
        ),
        cbor("unknown tag", unknown_tag, "message.unknown"),
        cbor("deep nesting", deep_nesting, "message.too_deep"),
        Scenario {
            name: "replayed response",
            behaviour: Misbehaviour::Replay,
            flow_code: "flow.protocol",
            inner: "pairing.wrong_request_id",
            answers: &["pairing parameters", "replayed pairing parameters"],
        },
    ]
}

/// A setup code for the rogue whose discriminator no minted device shares.
fn rogue_code(world: &World) -> SetupCode {
    let taken: Vec<_> = world
        .devices()
        .iter()
        .map(|d| {
            SetupCode::parse(&d.qr_payload)
                .expect("label QR")
                .discriminator
        })
        .collect();
    let mut rng = rand::rand_core::UnwrapErr(rand::rngs::SysRng);
    loop {
        let code = SetupCode::generate(&mut rng);
        if !taken.contains(&DiscriminatorHint::Full(code.discriminator)) {
            return code;
        }
    }
}

async fn rogue_scenarios_then_a_genuine_device(world: &World) {
    let code = rogue_code(world);
    let mut rogue = Rogue::start("hci2", code.discriminator.value()).await;
    let flows = flows(world).await;
    let vendor = vendor(world);
    let pairings = hearth_core::Database::open(&AppFolders::under(&world.home()).data)
        .await
        .expect("the app database")
        .pairings();
    assert_nothing_stored(world, &flows, &pairings).await;

    for scenario in scenarios() {
        rogue.behave(scenario.behaviour);
        let failed = within(
            scenario.name,
            flows.pair(&code.qr_payload(), home_wifi(), None, &vendor, &mut |_| {}),
        )
        .await
        .expect_err("a rogue device must not pair");
        println!(
            "{}: {} / {}",
            scenario.name,
            failed.code(),
            inner_code(&failed).unwrap_or("-")
        );
        assert_eq!(
            failed.code(),
            scenario.flow_code,
            "{}: {failed:?}",
            scenario.name
        );
        assert_eq!(
            inner_code(&failed),
            Some(scenario.inner),
            "{}: {failed:?}",
            scenario.name
        );
        assert_eq!(rogue.answers(), scenario.answers, "{}", scenario.name);
        assert_nothing_stored(world, &flows, &pairings).await;
    }

    // Still up: a genuine device pairs with the same flows, then is forgotten cleanly.
    let device = &world.devices()[0];
    world.start_device(0).await.expect("the device starts");
    let paired = within(
        "pairing with the genuine device",
        flows.pair(&device.qr_payload, home_wifi(), None, &vendor, &mut |_| {}),
    )
    .await
    .expect("the genuine device pairs");
    assert_eq!(
        flows.devices().await.expect("devices"),
        std::slice::from_ref(&paired.summary)
    );
    assert_eq!(owner_keys_in_keyring(world), 1);
    within("forget", flows.forget(&paired.summary.id, false))
        .await
        .expect("forget");
    assert_nothing_stored(world, &flows, &pairings).await;
    flows.close().await;
    world
        .stop_device(0)
        .await
        .expect("the device exits cleanly");
}

#[test]
fn rogue_peripherals_get_typed_errors_and_a_genuine_device_still_pairs() {
    with_world(1, rogue_scenarios_then_a_genuine_device);
}
