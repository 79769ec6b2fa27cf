//! Attestation: a good chain, each distinct refusal, byte tampering, size
//! bounds and arbitrary input.

use hearth_protocol::attestation::{
    AttestationError, CertRole, Certificate, DeviceCa, Expected, IdentityKey, KeyId, MAX_CHAIN_LEN,
    Validity, VendorRoot, encode_chain, verify_device,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const NOW: u64 = 1_800_000_000;
const YEAR: u64 = 365 * 24 * 3600;
const MODEL: &str = "hearth-plug-1";
const SERIAL: &str = "HRT-0001";

fn valid() -> Validity {
    Validity {
        not_before: NOW - YEAR,
        not_after: NOW + 10 * YEAR,
    }
}

struct Factory {
    root: VendorRoot,
    ca: DeviceCa,
    device: IdentityKey,
    chain: Vec<u8>,
}

fn factory(seed: u64) -> Factory {
    let mut rng = StdRng::seed_from_u64(seed);
    let root = VendorRoot::generate(&mut rng);
    let ca_key = IdentityKey::generate(&mut rng);
    let ca_cert = root
        .issue_device_ca(&ca_key.public(), "Hearth device CA 1", valid())
        .unwrap();
    let ca = DeviceCa::new(ca_key, ca_cert).unwrap();
    let device = IdentityKey::generate(&mut rng);
    let cert = ca
        .issue_device_certificate(&device.public(), MODEL, SERIAL, valid())
        .unwrap();
    let chain = ca.chain_for(&cert);
    Factory {
        root,
        ca,
        device,
        chain,
    }
}

const TRANSCRIPT: [u8; 32] = [0x5A; 32];

fn verify(f: &Factory, chain: &[u8], now: u64) -> Result<(), AttestationError> {
    verify_device(
        chain,
        &f.root.public_key(),
        now,
        Expected {
            model: Some(MODEL),
            serial: Some(SERIAL),
        },
        &TRANSCRIPT,
        &f.device.sign_attestation(&TRANSCRIPT),
    )
    .map(|_| ())
}

#[test]
fn a_good_chain_attests_the_device() {
    let f = factory(1);
    assert!(f.chain.len() < 600, "chain is {} bytes", f.chain.len());
    let attested = verify_device(
        &f.chain,
        &f.root.public_key(),
        NOW,
        Expected::default(),
        &TRANSCRIPT,
        &f.device.sign_attestation(&TRANSCRIPT),
    )
    .unwrap();
    assert_eq!(attested.model, MODEL);
    assert_eq!(attested.serial, SERIAL);
    assert_eq!(attested.identity_key, f.device.public());
    assert_eq!(attested.device_ca, f.ca.key().key_id());
    assert_eq!(attested.not_after, valid().not_after);
    // Both validity ends are inclusive.
    assert_eq!(verify(&f, &f.chain, valid().not_before), Ok(()));
    assert_eq!(verify(&f, &f.chain, valid().not_after), Ok(()));
}

#[test]
fn certificates_round_trip_through_bytes() {
    let f = factory(2);
    let cert = f.ca.certificate();
    let parsed = Certificate::from_bytes(&cert.to_bytes()).unwrap();
    assert_eq!(&parsed, cert);
    assert_eq!(parsed.role(), CertRole::DeviceCa);
    assert_eq!(parsed.issuer_key_id(), KeyId::of(&f.root.public_key()));
    assert_eq!(parsed.serial(), "Hearth device CA 1");
    assert_eq!(parsed.subject_key(), &f.ca.key().public());
    assert_eq!(parsed.validity(), valid());
}

#[test]
fn a_foreign_root_is_refused() {
    let f = factory(3);
    let other = factory(4);
    assert_eq!(
        verify_device(
            &f.chain,
            &other.root.public_key(),
            NOW,
            Expected::default(),
            &TRANSCRIPT,
            &f.device.sign_attestation(&TRANSCRIPT),
        )
        .unwrap_err(),
        AttestationError::ForeignRoot
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    let f = factory(5);
    assert_eq!(
        verify(&f, &f.chain, valid().not_after + 1),
        Err(AttestationError::Expired)
    );
    assert_eq!(
        verify(&f, &f.chain, valid().not_before - 1),
        Err(AttestationError::NotYetValid)
    );
    // A device certificate that expired while the CA is still valid.
    let short = Validity {
        not_before: NOW - YEAR,
        not_after: NOW - 1,
    };
    let cert =
        f.ca.issue_device_certificate(&f.device.public(), MODEL, SERIAL, short)
            .unwrap();
    assert_eq!(
        verify(&f, &f.ca.chain_for(&cert), NOW),
        Err(AttestationError::Expired)
    );
}

#[test]
fn model_and_serial_mismatches_are_refused() {
    let f = factory(6);
    let check = |model, serial| {
        verify_device(
            &f.chain,
            &f.root.public_key(),
            NOW,
            Expected { model, serial },
            &TRANSCRIPT,
            &f.device.sign_attestation(&TRANSCRIPT),
        )
        .map(|_| ())
    };
    assert_eq!(
        check(Some("hearth-bulb-1"), None),
        Err(AttestationError::ModelMismatch)
    );
    assert_eq!(
        check(None, Some("HRT-0002")),
        Err(AttestationError::SerialMismatch)
    );
    assert_eq!(check(Some(MODEL), Some(SERIAL)), Ok(()));
}

#[test]
fn wrong_roles_are_refused() {
    let f = factory(7);
    let device_cert =
        f.ca.issue_device_certificate(&f.device.public(), MODEL, SERIAL, valid())
            .unwrap();
    let wrong_ca = {
        // The root certifies the CA key with the *device* role (issued
        // through a DeviceCa wrapper around the root's own key).
        let root_as_ca = DeviceCa::new(
            f.root.key().clone(),
            f.root
                .issue_device_ca(&f.root.public_key(), "root", valid())
                .unwrap(),
        )
        .unwrap();
        root_as_ca
            .issue_device_certificate(&f.ca.key().public(), "", "CA", valid())
            .unwrap()
    };
    assert_eq!(
        verify(&f, &encode_chain(&device_cert, &wrong_ca), NOW),
        Err(AttestationError::WrongRole)
    );
    // The CA certifies the device key as another *device-CA*.
    let ca_key_root = VendorRoot::from_key(f.ca.key().clone());
    let device_as_ca = ca_key_root
        .issue_device_ca(&f.device.public(), SERIAL, valid())
        .unwrap();
    assert_eq!(
        verify(&f, &encode_chain(&device_as_ca, f.ca.certificate()), NOW),
        Err(AttestationError::WrongRole)
    );
}

#[test]
fn a_device_certificate_from_another_ca_is_refused() {
    let f = factory(8);
    let mut rng = StdRng::seed_from_u64(80);
    let other_key = IdentityKey::generate(&mut rng);
    let other_ca = DeviceCa::new(
        other_key.clone(),
        f.root
            .issue_device_ca(&other_key.public(), "CA 2", valid())
            .unwrap(),
    )
    .unwrap();
    let cert = other_ca
        .issue_device_certificate(&f.device.public(), MODEL, SERIAL, valid())
        .unwrap();
    assert_eq!(
        verify(&f, &encode_chain(&cert, f.ca.certificate()), NOW),
        Err(AttestationError::WrongIssuer)
    );
}

#[test]
fn proof_of_possession_must_cover_this_transcript_with_this_key() {
    let f = factory(9);
    let mut rng = StdRng::seed_from_u64(90);
    let check = |signature: &[u8]| {
        verify_device(
            &f.chain,
            &f.root.public_key(),
            NOW,
            Expected::default(),
            &TRANSCRIPT,
            signature,
        )
        .map(|_| ())
    };
    let pop = AttestationError::ProofOfPossessionInvalid;
    assert_eq!(
        check(&f.device.sign_attestation(&[0; 32])),
        Err(pop.clone())
    );
    let impostor = IdentityKey::generate(&mut rng);
    assert_eq!(
        check(&impostor.sign_attestation(&TRANSCRIPT)),
        Err(pop.clone())
    );
    assert_eq!(check(&[]), Err(pop.clone()));
    let good = f.device.sign_attestation(&TRANSCRIPT);
    for at in 0..good.len() {
        for mask in [0x01u8, 0x80] {
            let mut tampered = good;
            tampered[at] ^= mask;
            assert_eq!(check(&tampered), Err(pop.clone()), "byte {at}");
        }
    }
}

#[test]
fn tampering_any_byte_of_the_chain_is_refused() {
    let f = factory(10);
    for at in 0..f.chain.len() {
        for mask in [0x01u8, 0x80, 0xFF] {
            let mut tampered = f.chain.clone();
            tampered[at] ^= mask;
            assert!(
                verify(&f, &tampered, NOW).is_err(),
                "byte {at} mask {mask:#x}"
            );
        }
    }
    for cut in 0..f.chain.len() {
        assert!(verify(&f, &f.chain[..cut], NOW).is_err());
    }
    let mut trailing = f.chain.clone();
    trailing.push(0);
    assert_eq!(verify(&f, &trailing, NOW), Err(AttestationError::Malformed));
}

#[test]
fn oversized_chains_are_refused_unread() {
    let f = factory(11);
    let mut big = f.chain.clone();
    big.resize(MAX_CHAIN_LEN + 1, 0);
    assert_eq!(verify(&f, &big, NOW), Err(AttestationError::ChainTooLarge));
}

#[test]
fn issuing_refuses_bad_fields() {
    let f = factory(12);
    let long = "x".repeat(65);
    assert_eq!(
        f.ca.issue_device_certificate(&f.device.public(), &long, SERIAL, valid())
            .unwrap_err(),
        AttestationError::InvalidFields
    );
    let backwards = Validity {
        not_before: NOW,
        not_after: NOW - 1,
    };
    assert_eq!(
        f.ca.issue_device_certificate(&f.device.public(), MODEL, SERIAL, backwards)
            .unwrap_err(),
        AttestationError::InvalidFields
    );
}

#[test]
fn keys_never_print() {
    let f = factory(13);
    let secret = hex::encode(*f.device.secret_bytes());
    assert!(!format!("{:?} {:?} {:?}", f.device, f.root, f.ca).contains(&secret));
    let restored = IdentityKey::from_secret_bytes(&f.device.secret_bytes());
    assert_eq!(restored.public(), f.device.public());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        let f = factory(14);
        prop_assert!(verify(&f, &bytes, NOW).is_err());
        let _ = Certificate::from_bytes(&bytes);
    }
}
