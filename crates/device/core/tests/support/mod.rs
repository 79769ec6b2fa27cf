//! Test support: a device identity made like the factory makes it, and a
//! minimal app side of the pairing and owner-session flows.

#![allow(dead_code, clippy::missing_panics_doc)]

use hearth_device::peripherals::{FixedTemperature, MemoryWifi};
use hearth_device::secret::SecretBytes;
use hearth_device::state::Identity;
use hearth_device::storage::Storage;
use hearth_device::{DeviceCore, Peripherals};
use hearth_protocol::attestation::{
    self, Certificate, DeviceCa, Expected, IdentityKey, Validity, VendorRoot,
};
use hearth_protocol::handshake::{self, OwnerHandshake, OwnerKey};
use hearth_protocol::message::{
    self, DeviceError as WireError, Envelope, Event, FromDevice, Limits, OwnerAuth, OwnerHello,
    PairingParamsRequest, Pake1, Pake3, Passphrase, Provisioning, Request, Response, Role, Sealed,
};
use hearth_protocol::session::{Role as SessionRole, SecureSession};
use hearth_protocol::setup_code::{Passcode, SetupCode};
use hearth_protocol::spake2::{PairingProver, Verifier};
use rand::SeedableRng;
use rand::rngs::StdRng;

pub const SSID: &str = "home";
pub const WIFI_PASS: &str = "correct horse battery";
pub const VALIDITY: Validity = Validity {
    not_before: 0,
    not_after: 4_000_000_000,
};

/// What the factory produced for one device.
pub struct Minted {
    pub identity: Identity,
    pub code: SetupCode,
    pub root_public: [u8; 32],
}

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

pub fn mint(seed: u64) -> Minted {
    let mut rng = rng(seed);
    let code = SetupCode::generate(&mut rng);
    let salt = [seed as u8; 16];
    let verifier = Verifier::from_passcode(&code.passcode, &salt, 1000).unwrap();
    let root = VendorRoot::generate(&mut rng);
    let ca_key = IdentityKey::generate(&mut rng);
    let ca_cert = root
        .issue_device_ca(&ca_key.public(), "Test CA", VALIDITY)
        .unwrap();
    let ca = DeviceCa::new(ca_key, ca_cert).unwrap();
    let device_key = IdentityKey::generate(&mut rng);
    let serial = format!("PLUG-{seed:08}");
    let cert = ca
        .issue_device_certificate(&device_key.public(), "PLUG", &serial, VALIDITY)
        .unwrap();
    let identity = Identity {
        serial,
        model: "PLUG".into(),
        discriminator: code.discriminator.value(),
        verifier: SecretBytes::new(verifier.to_bytes().to_vec()),
        identity_key: SecretBytes::new(device_key.secret_bytes().to_vec()),
        certificate_chain: vec![
            serde_bytes::ByteBuf::from(cert.to_bytes()),
            serde_bytes::ByteBuf::from(ca.certificate().to_bytes()),
        ],
        firmware_public_key: vec![7; 32],
    };
    Minted {
        identity,
        code,
        root_public: root.public_key(),
    }
}

pub fn peripherals(seed: u64) -> Peripherals {
    Peripherals {
        wifi: Box::new(MemoryWifi::default().with_network(SSID, WIFI_PASS)),
        sensor: Box::new(FixedTemperature(2150)),
        rng: Box::new(rng(seed ^ 0xdead_beef)),
    }
}

pub fn boot<S: Storage>(storage: S, minted: &Minted, now: u64) -> DeviceCore<S> {
    DeviceCore::boot(
        storage,
        Some(minted.identity.clone()),
        peripherals(now),
        now,
    )
    .unwrap()
}

/// Sends a request and decodes the (unsealed) response body.
pub fn call<S: Storage>(core: &mut DeviceCore<S>, id: u32, request: Request, now: u64) -> Response {
    let bytes = message::encode(&Envelope::new(id, request)).unwrap();
    let answer = core.handle(&bytes, now).unwrap();
    let envelope: Envelope<Response> = message::decode(&answer, &Limits::default()).unwrap();
    assert_eq!(envelope.id, id, "response repeats the request id");
    envelope.body
}

pub fn open_response(session: &mut SecureSession, response: Response) -> Response {
    let Response::Sealed(sealed) = response else {
        panic!("expected a sealed response, got {response:?}");
    };
    let plain = session.open(&sealed.ciphertext).unwrap();
    message::decode::<Response>(&plain, &Limits::default())
        .unwrap()
        .body
}

pub fn open_events<S: Storage>(
    core: &mut DeviceCore<S>,
    session: &mut SecureSession,
) -> Vec<Event> {
    core.take_events()
        .into_iter()
        .map(
            |bytes| match message::decode_from_device(&bytes, &Limits::default()).unwrap() {
                FromDevice::Event(Envelope {
                    body: Event::Sealed(sealed),
                    ..
                }) => {
                    let plain = session.open(&sealed.ciphertext).unwrap();
                    message::decode::<Event>(&plain, &Limits::default())
                        .unwrap()
                        .body
                }
                other => panic!("expected a sealed event, got {other:?}"),
            },
        )
        .collect()
}

/// A sealed request in an open session; returns the opened response.
pub fn control<S: Storage>(
    core: &mut DeviceCore<S>,
    session: &mut SecureSession,
    request: Request,
    now: u64,
) -> Response {
    let inner = message::encode(&Envelope::new(77, request)).unwrap();
    let ciphertext = session.seal(&inner).unwrap();
    let outer = call(core, 5, Request::Sealed(Sealed { ciphertext }), now);
    open_response(session, outer)
}

/// A paired app.
pub struct App {
    /// Events the device pushed right after provisioning (the Wi-Fi status).
    pub events: Vec<Event>,
    pub session: SecureSession,
    pub user_id: u32,
    pub owner: OwnerKey,
    pub device_identity: [u8; 32],
}

/// How far a pairing attempt got.
#[derive(Debug)]
pub enum Outcome {
    Refused(WireError),
    /// The app's confirm check failed (wrong code); it sent nothing more.
    WrongCode,
}

/// Runs round trips 1 and 2 with `passcode`; on success round trip 3 too.
pub fn pair<S: Storage>(
    core: &mut DeviceCore<S>,
    minted: &Minted,
    passcode: &Passcode,
    wifi_pass: &str,
    now: u64,
) -> Result<App, Outcome> {
    let mut app_rng = rng(now ^ 0x1234);
    let params = match call(
        core,
        1,
        Request::PairingParams(PairingParamsRequest {}),
        now,
    ) {
        Response::PairingParams(p) => p,
        Response::Error(e) => return Err(Outcome::Refused(e)),
        other => panic!("unexpected {other:?}"),
    };
    assert!(params.window_open);
    let serial = params.device_info.serial.clone();
    let prover = PairingProver::start(
        passcode,
        &params.salt,
        params.iterations,
        &serial,
        &mut app_rng,
    )
    .unwrap();
    let pake2 = match call(
        core,
        2,
        Request::Pake1(Pake1 {
            share_p: prover.share_p(),
        }),
        now,
    ) {
        Response::Pake2(p) => p,
        Response::Error(e) => return Err(Outcome::Refused(e)),
        other => panic!("unexpected {other:?}"),
    };
    let Ok(outcome) = prover.finish(&pake2.share_v, &pake2.confirm_v) else {
        return Err(Outcome::WrongCode);
    };
    // Attestation: the chain goes up to this vendor's root and the device signed this run.
    let device_cert = Certificate::from_bytes(&pake2.certificate_chain[0]).unwrap();
    let ca_cert = Certificate::from_bytes(&pake2.certificate_chain[1]).unwrap();
    let chain = attestation::encode_chain(&device_cert, &ca_cert);
    let attested = attestation::verify_device(
        &chain,
        &minted.root_public,
        now.max(1),
        Expected {
            model: Some("PLUG"),
            serial: Some(&serial),
        },
        &outcome.transcript_hash,
        &pake2.attestation_signature,
    )
    .unwrap();
    let owner = OwnerKey::generate(&mut app_rng);
    let mut session = SecureSession::from_pake(&outcome.key, SessionRole::App);
    let provisioning = Provisioning {
        wifi_ssid: SSID.into(),
        wifi_passphrase: Passphrase::new(wifi_pass.into()),
        owner_public_key: owner.public(),
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    };
    let sealed_provisioning = session.seal(&provisioning.encode().unwrap()).unwrap();
    let response = call(
        core,
        3,
        Request::Pake3(Pake3 {
            confirm_p: outcome.confirm_p,
            sealed_provisioning,
        }),
        now,
    );
    match open_response(&mut session, response) {
        Response::ProvisioningAck(ack) => Ok(App {
            events: open_events(core, &mut session),
            session,
            user_id: ack.user_id,
            owner,
            device_identity: attested.identity_key,
        }),
        Response::Error(e) => Err(Outcome::Refused(e)),
        other => panic!("unexpected {other:?}"),
    }
}

/// Opens an owner session for `user_id` with `key` on a later connection.
pub fn connect<S: Storage>(
    core: &mut DeviceCore<S>,
    user_id: u32,
    key: &OwnerKey,
    device_identity: &[u8; 32],
    now: u64,
) -> Result<SecureSession, WireError> {
    let mut app_rng = rng(now ^ 0x5678 ^ u64::from(user_id));
    let (handshake, hello) = OwnerHandshake::start(key, device_identity, &mut app_rng);
    let reply = match call(
        core,
        10,
        Request::OwnerHello(OwnerHello {
            user_id,
            ephemeral_public: hello.ephemeral,
            nonce: hello.nonce,
        }),
        now,
    ) {
        Response::DeviceHello(reply) => reply,
        Response::Error(e) => return Err(e),
        other => panic!("unexpected {other:?}"),
    };
    let device_hello = handshake::DeviceHello {
        ephemeral: reply.ephemeral_public,
        nonce: reply.nonce,
        signature: reply.signature,
    };
    let (auth, mut session) = handshake.finish(&device_hello).expect("device signature");
    let response = call(
        core,
        11,
        Request::OwnerAuth(OwnerAuth {
            signature: auth.signature,
            first_request: None,
        }),
        now,
    );
    match response {
        Response::Error(e) => Err(e),
        sealed => match open_response(&mut session, sealed) {
            Response::Done(_) => Ok(session),
            other => panic!("unexpected {other:?}"),
        },
    }
}

/// A passcode that is not `code`'s.
pub fn wrong_passcode(code: &SetupCode) -> Passcode {
    let value = code.passcode.expose_secret();
    Passcode::new(if value == 1 { 2 } else { value - 1 }).unwrap()
}
