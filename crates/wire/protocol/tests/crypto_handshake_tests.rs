//! The owner handshake: success, impostors on either side, tampering with
//! every byte of every message, and low-order keys.

use hearth_protocol::attestation::IdentityKey;
use hearth_protocol::handshake::{
    DeviceHandshake, DeviceHello, HandshakeError, OwnerAuth, OwnerHandshake, OwnerHello, OwnerKey,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

struct Parties {
    rng: StdRng,
    owner: OwnerKey,
    device: IdentityKey,
}

fn parties(seed: u64) -> Parties {
    let mut rng = StdRng::seed_from_u64(seed);
    let owner = OwnerKey::generate(&mut rng);
    let device = IdentityKey::generate(&mut rng);
    Parties { rng, owner, device }
}

#[test]
fn handshake_opens_matching_sessions() {
    let mut p = parties(1);
    let (app, hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
    let (device, reply) =
        DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap();
    let (auth, mut app_session) = app.finish(&reply).unwrap();
    // The first sealed request may travel with OwnerAuth.
    let request = app_session.seal(b"status?").unwrap();
    let mut device_session = device.finish(&auth).unwrap();
    assert_eq!(device_session.open(&request).unwrap(), b"status?");
    let answer = device_session.seal(b"ok").unwrap();
    assert_eq!(app_session.open(&answer).unwrap(), b"ok");
}

#[test]
fn two_handshakes_give_unrelated_sessions() {
    let mut p = parties(2);
    let run = |p: &mut Parties| {
        let (app, hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
        let (_device, reply) =
            DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap();
        app.finish(&reply).unwrap().1
    };
    let mut first = run(&mut p);
    let mut second = run(&mut p);
    let frame = first.seal(b"x").unwrap();
    assert_ne!(frame, second.seal(b"x").unwrap());
}

#[test]
fn unknown_owner_is_refused() {
    let mut p = parties(3);
    let stranger = OwnerKey::generate(&mut p.rng);
    let (_, hello) = OwnerHandshake::start(&stranger, &p.device.public(), &mut p.rng);
    assert_eq!(
        DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap_err(),
        HandshakeError::UnknownOwner
    );
}

#[test]
fn an_impostor_device_is_refused() {
    let mut p = parties(4);
    let impostor = IdentityKey::generate(&mut p.rng);
    let (app, hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
    let (_, reply) =
        DeviceHandshake::respond(&impostor, &p.owner.public(), &hello, &mut p.rng).unwrap();
    assert_eq!(
        app.finish(&reply).unwrap_err(),
        HandshakeError::DeviceSignatureInvalid
    );
}

#[test]
fn an_impostor_owner_that_copies_the_key_id_is_refused() {
    let mut p = parties(5);
    let impostor = OwnerKey::generate(&mut p.rng);
    // The impostor claims the real owner's id but signs with its own key.
    let (app, mut hello) = OwnerHandshake::start(&impostor, &p.device.public(), &mut p.rng);
    hello.owner_key_id = p.owner.key_id().0;
    let (device, reply) =
        DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap();
    // The app side of the impostor computes another transcript (its own
    // public key), so even the device's signature fails for it...
    assert_eq!(
        app.finish(&reply).unwrap_err(),
        HandshakeError::DeviceSignatureInvalid
    );
    // ...and whatever it signs, the device refuses.
    let forged = OwnerAuth {
        signature: [0x42; 64],
    };
    assert_eq!(
        device.finish(&forged).unwrap_err(),
        HandshakeError::OwnerSignatureInvalid
    );
}

const MASKS: [u8; 2] = [0x01, 0x80];

#[test]
fn tampering_any_byte_of_owner_hello_is_refused() {
    let mut p = parties(6);
    for field in 0..3 {
        let len = [16, 32, 32][field];
        for at in 0..len {
            for mask in MASKS {
                let (app, mut hello) =
                    OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
                match field {
                    0 => hello.owner_key_id[at] ^= mask,
                    1 => hello.ephemeral[at] ^= mask,
                    _ => hello.nonce[at] ^= mask,
                }
                match DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng) {
                    Err(error) => assert!(matches!(
                        error,
                        HandshakeError::UnknownOwner | HandshakeError::WeakKeyExchange
                    )),
                    Ok((_, reply)) => assert_eq!(
                        app.finish(&reply).unwrap_err(),
                        HandshakeError::DeviceSignatureInvalid,
                        "field {field} byte {at}"
                    ),
                }
            }
        }
    }
}

#[test]
fn tampering_any_byte_of_device_hello_is_refused() {
    let mut p = parties(7);
    for field in 0..3 {
        let len = [32, 32, 64][field];
        for at in 0..len {
            for mask in MASKS {
                let (app, hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
                let (_, mut reply) =
                    DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng)
                        .unwrap();
                match field {
                    0 => reply.ephemeral[at] ^= mask,
                    1 => reply.nonce[at] ^= mask,
                    _ => reply.signature[at] ^= mask,
                }
                assert_eq!(
                    app.finish(&reply).unwrap_err(),
                    HandshakeError::DeviceSignatureInvalid,
                    "field {field} byte {at}"
                );
            }
        }
    }
}

#[test]
fn tampering_any_byte_of_owner_auth_is_refused() {
    let mut p = parties(8);
    for at in 0..64 {
        for mask in MASKS {
            let (app, hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
            let (device, reply) =
                DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap();
            let (mut auth, _) = app.finish(&reply).unwrap();
            auth.signature[at] ^= mask;
            assert_eq!(
                device.finish(&auth).unwrap_err(),
                HandshakeError::OwnerSignatureInvalid
            );
        }
    }
}

#[test]
fn low_order_ephemeral_keys_are_refused() {
    let mut p = parties(9);
    let (_, mut hello) = OwnerHandshake::start(&p.owner, &p.device.public(), &mut p.rng);
    hello.ephemeral = [0; 32];
    assert_eq!(
        DeviceHandshake::respond(&p.device, &p.owner.public(), &hello, &mut p.rng).unwrap_err(),
        HandshakeError::WeakKeyExchange
    );
}

#[test]
fn wire_fields_of_the_wrong_length_are_refused() {
    assert_eq!(
        OwnerHello::from_parts(&[0; 15], &[0; 32], &[0; 32]).unwrap_err(),
        HandshakeError::WrongLength {
            expected: 16,
            actual: 15
        }
    );
    assert!(DeviceHello::from_parts(&[0; 32], &[0; 32], &[0; 63]).is_err());
    assert!(OwnerAuth::from_bytes(&[0; 65]).is_err());
    assert!(OwnerHello::from_parts(&[0; 16], &[0; 32], &[0; 32]).is_ok());
}

#[test]
fn owner_key_never_prints_and_restores() {
    let p = parties(10);
    let secret = hex::encode(*p.owner.secret_bytes());
    assert!(!format!("{:?}", p.owner).contains(&secret));
    let restored = OwnerKey::from_secret_bytes(&p.owner.secret_bytes());
    assert_eq!(restored.public(), p.owner.public());
    assert_eq!(restored.key_id(), p.owner.key_id());
}
