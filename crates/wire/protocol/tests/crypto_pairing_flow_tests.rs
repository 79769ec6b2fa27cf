//! The whole pairing contract end to end with the crypto modules only:
//! factory → label → params → Pake1 → Pake2 (with attestation) → Pake3
//! (sealed provisioning) → ack → a later owner handshake.

use hearth_protocol::attestation::{
    AttestationError, DeviceCa, Expected, IdentityKey, Validity, VendorRoot, verify_device,
};
use hearth_protocol::handshake::{DeviceHandshake, OwnerHandshake, OwnerKey};
use hearth_protocol::session::{Role, SecureSession};
use hearth_protocol::setup_code::{DiscriminatorHint, SetupCode};
use hearth_protocol::spake2::{DEFAULT_ITERATIONS, PairingProver, PairingVerifier, Verifier};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NOW: u64 = 1_800_000_000;
const MODEL: &str = "hearth-plug-1";
const SERIAL: &str = "HRT-0042";

/// What the factory writes into one device, and the app's trust anchor.
struct Device {
    setup_code: SetupCode,
    verifier_bytes: Vec<u8>,
    identity: IdentityKey,
    chain: Vec<u8>,
    root_public: [u8; 32],
}

fn factory(rng: &mut StdRng) -> Device {
    let validity = Validity {
        not_before: NOW - 1000,
        not_after: NOW + 1_000_000,
    };
    let root = VendorRoot::generate(rng);
    let ca_key = IdentityKey::generate(rng);
    let ca_cert = root
        .issue_device_ca(&ca_key.public(), "CA", validity)
        .unwrap();
    let ca = DeviceCa::new(ca_key, ca_cert).unwrap();
    let setup_code = SetupCode::generate(rng);
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let verifier =
        Verifier::from_passcode(&setup_code.passcode, &salt, DEFAULT_ITERATIONS).unwrap();
    let identity = IdentityKey::generate(rng);
    let cert = ca
        .issue_device_certificate(&identity.public(), MODEL, SERIAL, validity)
        .unwrap();
    Device {
        verifier_bytes: verifier.to_bytes().to_vec(),
        chain: ca.chain_for(&cert),
        identity,
        setup_code,
        root_public: root.public_key(),
    }
}

#[test]
fn pairing_provisioning_and_a_later_handshake() {
    let mut rng = StdRng::seed_from_u64(42);
    let device = factory(&mut rng);

    // The user types the manual code from the label.
    let scanned = SetupCode::parse(&device.setup_code.manual_code()).unwrap();
    assert!(matches!(scanned.discriminator, DiscriminatorHint::Short(_)));

    // Round trip 1: PairingParams. The device loads its verifier.
    let stored = Verifier::from_bytes(&device.verifier_bytes).unwrap();
    let (salt, iterations) = (stored.salt().to_vec(), stored.iterations());

    // Round trip 2: Pake1 → Pake2.
    let prover =
        PairingProver::start(&scanned.passcode, &salt, iterations, SERIAL, &mut rng).unwrap();
    let share_p = prover.share_p();
    let (device_run, reply) =
        PairingVerifier::respond(&stored, SERIAL, &share_p, &mut rng).unwrap();
    let attestation_signature = device.identity.sign_attestation(&reply.transcript_hash);

    // The app checks confirmV, then the attestation, before sending anything secret.
    let outcome = prover.finish(&reply.share_v, &reply.confirm_v).unwrap();
    let attested = verify_device(
        &device.chain,
        &device.root_public,
        NOW,
        Expected {
            model: None,
            serial: Some(SERIAL),
        },
        &outcome.transcript_hash,
        &attestation_signature,
    )
    .unwrap();

    // Round trip 3: Pake3 with sealed provisioning → sealed ack.
    let owner = OwnerKey::generate(&mut rng);
    let mut app_session = SecureSession::from_pake(&outcome.key, Role::App);
    let mut provisioning = b"ssid=home;pass=hunter2;owner=".to_vec();
    provisioning.extend_from_slice(&owner.public());
    let sealed = app_session.seal(&provisioning).unwrap();

    let device_key = device_run.finish(&outcome.confirm_p).unwrap();
    let mut device_session = SecureSession::from_pake(&device_key, Role::Device);
    let opened = device_session.open(&sealed).unwrap();
    assert_eq!(opened, provisioning);
    let owner_public: [u8; 32] = opened[opened.len() - 32..].try_into().unwrap();
    let ack = device_session.seal(b"user_id=1").unwrap();
    assert_eq!(app_session.open(&ack).unwrap(), b"user_id=1");

    // Later: no setup code, the owner key and the attested identity key.
    let (app, hello) = OwnerHandshake::start(&owner, &attested.identity_key, &mut rng);
    let (device_hs, device_hello) =
        DeviceHandshake::respond(&device.identity, &owner_public, &hello, &mut rng).unwrap();
    let (auth, mut app_session) = app.finish(&device_hello).unwrap();
    let mut device_session = device_hs.finish(&auth).unwrap();
    let frame = app_session.seal(b"status?").unwrap();
    assert_eq!(device_session.open(&frame).unwrap(), b"status?");
}

#[test]
fn a_relay_cannot_reuse_an_attestation_from_another_run() {
    let mut rng = StdRng::seed_from_u64(43);
    let device = factory(&mut rng);
    let stored = Verifier::from_bytes(&device.verifier_bytes).unwrap();
    let run = |rng: &mut StdRng| {
        let prover = PairingProver::start(
            &device.setup_code.passcode,
            stored.salt(),
            stored.iterations(),
            SERIAL,
            rng,
        )
        .unwrap();
        let (_, reply) = PairingVerifier::respond(&stored, SERIAL, &prover.share_p(), rng).unwrap();
        (
            prover.finish(&reply.share_v, &reply.confirm_v).unwrap(),
            reply,
        )
    };
    let (_, first_reply) = run(&mut rng);
    let old_signature = device
        .identity
        .sign_attestation(&first_reply.transcript_hash);
    let (second, _) = run(&mut rng);
    assert_eq!(
        verify_device(
            &device.chain,
            &device.root_public,
            NOW,
            Expected::default(),
            &second.transcript_hash,
            &old_signature,
        )
        .unwrap_err(),
        AttestationError::ProofOfPossessionInvalid
    );
}
