//! The app's pairing client against a scripted device built from the crypto
//! modules: it sends nothing secret until confirmV and attestation check
//! out, and every refusal reaches the caller typed.

use hearth_protocol::attestation::{DeviceCa, IdentityKey, Validity, VendorRoot};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    self, Capability, DeviceError, DeviceInfo, Envelope, Event, Limits, PairingParamsResponse,
    Pake2, Passphrase, Provisioning, ProvisioningAck, Request, Response, Role, Sealed, WifiStatus,
};
use hearth_protocol::pairing::{PairingClient, PairingError, PairingStep};
use hearth_protocol::session::{Role as SessionRole, SecureSession};
use hearth_protocol::setup_code::{Passcode, SetupCode};
use hearth_protocol::spake2::{PairingVerifier, Verifier};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_bytes::ByteBuf;

const NOW: u64 = 1_800_000_000;
const SERIAL: &str = "PLUG-0001";
const MODEL: &str = "PLUG";

struct Factory {
    code: SetupCode,
    verifier: Verifier,
    identity: IdentityKey,
    chain: Vec<ByteBuf>,
    root_public: [u8; 32],
}

fn factory(seed: u64) -> Factory {
    let mut rng = StdRng::seed_from_u64(seed);
    let validity = Validity {
        not_before: NOW - 10,
        not_after: NOW + 10_000,
    };
    let root = VendorRoot::generate(&mut rng);
    let ca_key = IdentityKey::generate(&mut rng);
    let ca_cert = root
        .issue_device_ca(&ca_key.public(), "CA", validity)
        .unwrap();
    let ca = DeviceCa::new(ca_key, ca_cert).unwrap();
    let identity = IdentityKey::generate(&mut rng);
    let cert = ca
        .issue_device_certificate(&identity.public(), MODEL, SERIAL, validity)
        .unwrap();
    let code = SetupCode::generate(&mut rng);
    let verifier = Verifier::from_passcode(&code.passcode, &[9; 16], 1000).unwrap();
    Factory {
        code,
        verifier,
        identity,
        chain: vec![
            ByteBuf::from(cert.to_bytes()),
            ByteBuf::from(ca.certificate().to_bytes()),
        ],
        root_public: root.public_key(),
    }
}

fn params(factory: &Factory) -> PairingParamsResponse {
    PairingParamsResponse {
        salt: factory.verifier.salt().to_vec(),
        iterations: factory.verifier.iterations(),
        device_info: DeviceInfo {
            model: MODEL.into(),
            serial: SERIAL.into(),
            firmware_version: "1.0.0".into(),
            capabilities: vec![Capability::Plug],
        },
        attempts_left: 20,
        window_open: true,
    }
}

fn respond(id: u32, body: Response) -> Vec<u8> {
    message::encode(&Envelope::new(id, body)).unwrap()
}

fn request(bytes: &[u8]) -> Envelope<Request> {
    message::decode(bytes, &Limits::default()).unwrap()
}

fn client(factory: &Factory, passcode: Passcode, root: [u8; 32]) -> PairingClient {
    let mut code = SetupCode::parse(&factory.code.qr_payload()).unwrap();
    code.passcode = passcode;
    let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(99));
    let provisioning = Provisioning {
        wifi_ssid: "home".into(),
        wifi_passphrase: Passphrase::new("correct horse battery".into()),
        owner_public_key: owner.public(),
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    };
    PairingClient::new(&code, provisioning, root)
}

fn send(step: PairingStep) -> Vec<u8> {
    match step {
        PairingStep::Send(bytes) => bytes,
        other => panic!("expected a request, got {other:?}"),
    }
}

/// A scripted device: answers Pake1 with a real Pake2, optionally tampered.
fn pake2(
    factory: &Factory,
    pake1: &[u8],
    tamper: impl FnOnce(&mut Pake2),
) -> (Vec<u8>, PairingVerifier) {
    let mut rng = StdRng::seed_from_u64(7);
    let envelope = request(pake1);
    let Request::Pake1(pake1) = envelope.body else {
        panic!("expected Pake1, got {:?}", envelope.body);
    };
    let (run, reply) =
        PairingVerifier::respond(&factory.verifier, SERIAL, &pake1.share_p, &mut rng).unwrap();
    let mut body = Pake2 {
        share_v: reply.share_v,
        confirm_v: reply.confirm_v,
        certificate_chain: factory.chain.clone(),
        attestation_signature: factory.identity.sign_attestation(&reply.transcript_hash),
    };
    tamper(&mut body);
    (respond(envelope.id, Response::Pake2(body)), run)
}

/// Runs round trips 1 and 2; returns the client's answer to Pake2.
fn through_pake2(
    factory: &Factory,
    mut client: PairingClient,
    tamper: impl FnOnce(&mut Pake2),
) -> (
    PairingClient,
    Result<PairingStep, PairingError>,
    PairingVerifier,
) {
    let mut rng = StdRng::seed_from_u64(1);
    let first = client.start().unwrap();
    let id = request(&first).id;
    let pake1 = send(
        client
            .handle(
                &respond(id, Response::PairingParams(params(factory))),
                NOW,
                &mut rng,
            )
            .unwrap(),
    );
    let (answer, run) = pake2(factory, &pake1, tamper);
    let step = client.handle(&answer, NOW, &mut rng);
    (client, step, run)
}

#[test]
fn pairs_and_provisions_in_three_round_trips() {
    let factory = factory(1);
    let client = client(&factory, factory.code.passcode.clone(), factory.root_public);
    let (mut client, step, run) = through_pake2(&factory, client, |_| {});
    let pake3 = request(&send(step.unwrap()));
    let Request::Pake3(pake3) = pake3.body else {
        panic!("expected Pake3");
    };
    // The device: confirmP first, then open the provisioning.
    let key = run.finish(&pake3.confirm_p).unwrap();
    let mut session = SecureSession::from_pake(&key, SessionRole::Device);
    let plaintext = session.open(&pake3.sealed_provisioning).unwrap();
    let provisioning = Provisioning::decode(&plaintext, &Limits::default()).unwrap();
    assert_eq!(
        provisioning.wifi_passphrase.expose(),
        "correct horse battery"
    );
    let inner = respond(3, Response::ProvisioningAck(ProvisioningAck { user_id: 1 }));
    let ack = respond(
        3,
        Response::Sealed(Sealed {
            ciphertext: session.seal(&inner).unwrap(),
        }),
    );

    let PairingStep::Paired(mut paired) = client
        .handle(&ack, NOW, &mut StdRng::seed_from_u64(2))
        .unwrap()
    else {
        panic!("expected Paired");
    };
    assert_eq!(paired.user_id, 1);
    assert_eq!(paired.device.serial, SERIAL);
    assert_eq!(paired.device.identity_key, factory.identity.public());

    // Sealed events open through the channel.
    let event = message::encode(&Envelope::new(
        0,
        Event::WifiStatus(WifiStatus::Joined {
            ssid: "home".into(),
        }),
    ))
    .unwrap();
    let sealed = respond_event(session.seal(&event).unwrap());
    let opened = paired.channel.open(&sealed).unwrap();
    assert!(matches!(
        opened,
        message::FromDevice::Event(Envelope {
            body: Event::WifiStatus(_),
            ..
        })
    ));
    // And the client is over.
    assert_eq!(client.start().unwrap_err(), PairingError::Finished);
}

fn respond_event(ciphertext: Vec<u8>) -> Vec<u8> {
    message::encode(&Envelope::new(0, Event::Sealed(Sealed { ciphertext }))).unwrap()
}

#[test]
fn wrong_code_stops_before_anything_secret_is_sent() {
    let factory = factory(2);
    let wrong = Passcode::new(factory.code.passcode.expose_secret() ^ 1)
        .unwrap_or(Passcode::new(20_202_021).unwrap());
    let client = client(&factory, wrong, factory.root_public);
    let (mut client, step, _) = through_pake2(&factory, client, |_| {});
    assert_eq!(
        step.unwrap_err(),
        PairingError::WrongCode { attempts_left: 19 }
    );
    assert_eq!(client.start().unwrap_err(), PairingError::Finished);
}

#[test]
fn attestation_failures_stop_before_provisioning() {
    let factory = factory(3);
    let code = || factory.code.passcode.clone();
    let fail =
        |client, tamper: fn(&mut Pake2)| through_pake2(&factory, client, tamper).1.unwrap_err();

    let other_root = VendorRoot::generate(&mut StdRng::seed_from_u64(50)).public_key();
    assert_eq!(
        fail(client(&factory, code(), other_root), |_| {}).code(),
        "pairing.attestation_failed"
    );

    let relayed = fail(client(&factory, code(), factory.root_public), |p| {
        p.attestation_signature[0] ^= 1
    });
    assert!(matches!(
        relayed,
        PairingError::AttestationFailed(
            hearth_protocol::attestation::AttestationError::ProofOfPossessionInvalid
        )
    ));

    let one_cert = fail(client(&factory, code(), factory.root_public), |p| {
        p.certificate_chain.truncate(1);
    });
    assert_eq!(one_cert.code(), "pairing.attestation_failed");

    let wrong_model = fail(
        client(&factory, code(), factory.root_public).expect_model("OVEN"),
        |_| {},
    );
    assert!(matches!(
        wrong_model,
        PairingError::AttestationFailed(
            hearth_protocol::attestation::AttestationError::ModelMismatch
        )
    ));
}

#[test]
fn device_refusals_and_protocol_slips_are_typed() {
    let factory = factory(4);
    let fresh = || client(&factory, factory.code.passcode.clone(), factory.root_public);
    let mut rng = StdRng::seed_from_u64(3);

    let mut c = fresh();
    c.start().unwrap();
    let locked = respond(
        0,
        Response::Error(DeviceError::LockedOut {
            retry_after_secs: 8,
        }),
    );
    assert_eq!(
        c.handle(&locked, NOW, &mut rng).unwrap_err(),
        PairingError::Device(DeviceError::LockedOut {
            retry_after_secs: 8
        })
    );

    let mut c = fresh();
    c.start().unwrap();
    let closed = PairingParamsResponse {
        window_open: false,
        ..params(&factory)
    };
    assert_eq!(
        c.handle(&respond(1, Response::PairingParams(closed)), NOW, &mut rng)
            .unwrap_err(),
        PairingError::Device(DeviceError::PairingWindowClosed)
    );

    let mut c = fresh();
    c.start().unwrap();
    assert_eq!(
        c.handle(
            &respond(9, Response::PairingParams(params(&factory))),
            NOW,
            &mut rng
        )
        .unwrap_err(),
        PairingError::WrongRequestId {
            expected: 1,
            got: 9
        }
    );

    let mut c = fresh();
    c.start().unwrap();
    assert_eq!(
        c.handle(&respond(1, Response::Done(message::Done {})), NOW, &mut rng)
            .unwrap_err(),
        PairingError::UnexpectedResponse {
            expected: "pairing_params_response",
            got: "done"
        }
    );

    let mut c = fresh();
    c.start().unwrap();
    let event = message::encode(&Envelope::new(
        0,
        Event::WifiStatus(WifiStatus::NoNetwork { ssid: "x".into() }),
    ))
    .unwrap();
    assert!(matches!(
        c.handle(&event, NOW, &mut rng).unwrap(),
        PairingStep::Ignored
    ));
    assert_eq!(
        c.handle(&[0x1c], NOW, &mut rng).unwrap_err().code(),
        "message.syntax"
    );
    assert_eq!(c.start().unwrap_err(), PairingError::Finished);
}
