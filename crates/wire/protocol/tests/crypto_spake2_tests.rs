//! SPAKE2+: RFC 9383 Appendix C vectors, Matter's published verifier, full
//! runs, wrong passcodes, tampering and malformed points.

use hearth_protocol::setup_code::Passcode;
use hearth_protocol::spake2::{
    PairingProver, PairingVerifier, PakeContext, PakeSecret, Spake2Error, Verifier,
    compute_registration,
};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{ProjectivePoint, PublicKey, Scalar};
use proptest::prelude::*;
use rand::rand_core::Infallible;
use rand::rngs::StdRng;
use rand::{SeedableRng, TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};

/// RFC 9383 Appendix C, P256-SHA256-HKDF-SHA256-HMAC-SHA256, as printed.
mod rfc {
    pub const CONTEXT: &[u8] = b"SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test Vectors";
    pub const ID_PROVER: &[u8] = b"client";
    pub const ID_VERIFIER: &[u8] = b"server";
    pub const W0: &str = "bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3";
    pub const W1: &str = "7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba";
    pub const L: &str = "04eb7c9db3d9a9eb1f8adab81b5794c1f13ae3e225efbe91ea487425854c7fc00f00bfedcbd09b2400142d40a14f2064ef31dfaa903b91d1faea7093d835966efd";
    pub const X: &str = "d1232c8e8693d02368976c174e2088851b8365d0d79a9eee709c6a05a2fad539";
    pub const SHARE_P: &str = "04ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95a6e4591d171056b333dab97a79c7193e341727";
    pub const Y: &str = "717a72348a182085109c8d3917d6c43d59b224dc6a7fc4f0483232fa6516d8b3";
    pub const SHARE_V: &str = "04c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f50665255d76173e09986ab46742c798a9a68437b048";
    pub const Z: &str = "04bbfce7dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e2ca633117a4fbd559946ab474356c41839";
    pub const V: &str = "0458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23db7c01edc87faa530db01c2ee405230b18997f16b68";
    pub const M: &str = "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f";
    pub const N: &str = "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49";
    pub const TT: &str = "38000000000000005350414b45322b2d503235362d5348413235362d484b44462d5348413235362d484d41432d534841323536205465737420566563746f72730600000000000000636c69656e740600000000000000736572766572410000000000000004886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f5ff355163e43ce224e0b0e65ff02ac8e5c7be09419c785e0ca547d55a12e2d20410000000000000004d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b4907d60aa6bfade45008a636337f5168c64d9bd36034808cd564490b1e656edbe7410000000000000004ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd95a6e4591d171056b333dab97a79c7193e341727410000000000000004c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f50665255d76173e09986ab46742c798a9a68437b048410000000000000004bbfce7dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e2ca633117a4fbd559946ab474356c4183941000000000000000458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23db7c01edc87faa530db01c2ee405230b18997f16b682000000000000000bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3";
    pub const K_MAIN: &str = "4c59e1ccf2cfb961aa31bd9434478a1089b56cd11542f53d3576fb6c2a438a29";
    pub const K_CONFIRM_P: &str =
        "871ae3f7b78445e34438fb284504240239031c39d80ac23eb5ab9be5ad6db58a";
    pub const K_CONFIRM_V: &str =
        "ccd53c7c1fa37b64a462b40db8be101cedcf838950162902054e644b400f1680";
    pub const CONFIRM_P: &str = "926cc713504b9b4d76c9162ded04b5493e89109f6d89462cd33adc46fda27527";
    pub const CONFIRM_V: &str = "9747bcc4f8fe9f63defee53ac9b07876d907d55047e6ff2def2e7529089d3e68";
    pub const K_SHARED: &str = "0c5f8ccd1413423a54f6c1fb26ff01534a87f893779c6e68666d772bfd91f3e7";
}

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

fn unhex32(text: &str) -> [u8; 32] {
    unhex(text).try_into().unwrap()
}

/// An "RNG" that replays fixed bytes, so a run picks the RFC's `x` or `y`:
/// the runs draw 64 bytes and reduce them modulo `n`, so 32 zero bytes then
/// the scalar give the scalar itself.
struct Replay(Vec<u8>);

impl Replay {
    fn scalar(hex: &str) -> Self {
        let mut bytes = vec![0; 32];
        bytes.extend_from_slice(&unhex(hex));
        Self(bytes)
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(dst.len() <= self.0.len(), "replayed bytes ran out");
        dst.copy_from_slice(&self.0[..dst.len()]);
        self.0.drain(..dst.len());
        Ok(())
    }
}

impl TryCryptoRng for Replay {}

fn rfc_context() -> PakeContext {
    PakeContext::new(rfc::CONTEXT, rfc::ID_PROVER, rfc::ID_VERIFIER)
}

#[test]
fn rfc9383_vectors_through_both_state_machines() {
    let secret = PakeSecret::from_scalars(&unhex32(rfc::W0), &unhex32(rfc::W1)).unwrap();
    let salt = [0u8; 16];
    let verifier = secret.verifier(&salt, 1000).unwrap();
    let stored = verifier.to_bytes();
    // Stored form ends in w0 || L.
    assert_eq!(
        &stored[stored.len() - 97..stored.len() - 65],
        &unhex(rfc::W0)[..]
    );
    assert_eq!(&stored[stored.len() - 65..], &unhex(rfc::L)[..]);

    let prover =
        PairingProver::start_with_secret(&secret, rfc_context(), &mut Replay::scalar(rfc::X));
    assert_eq!(prover.share_p().to_vec(), unhex(rfc::SHARE_P));

    let (device, reply) = PairingVerifier::respond_with_context(
        &verifier,
        &rfc_context(),
        &prover.share_p(),
        &mut Replay::scalar(rfc::Y),
    )
    .unwrap();
    assert_eq!(reply.share_v.to_vec(), unhex(rfc::SHARE_V));
    assert_eq!(reply.confirm_v.to_vec(), unhex(rfc::CONFIRM_V));

    let app = prover.finish(&reply.share_v, &reply.confirm_v).unwrap();
    assert_eq!(app.confirm_p.to_vec(), unhex(rfc::CONFIRM_P));
    assert_eq!(app.key.as_bytes().to_vec(), unhex(rfc::K_SHARED));
    assert_eq!(app.transcript_hash, reply.transcript_hash);

    let device_key = device.finish(&app.confirm_p).unwrap();
    assert_eq!(device_key.as_bytes().to_vec(), unhex(rfc::K_SHARED));
}

fn point(hex: &str) -> ProjectivePoint {
    PublicKey::from_sec1_bytes(&unhex(hex))
        .unwrap()
        .to_projective()
}

fn scalar(hex: &str) -> Scalar {
    Option::from(Scalar::from_repr(unhex32(hex).into())).unwrap()
}

fn encode(point: &ProjectivePoint) -> Vec<u8> {
    point.to_sec1_point(false).as_bytes().to_vec()
}

/// Recomputes Z, V, TT, K_main, the confirmation keys, both MACs and
/// K_shared from the vector's inputs with plain p256/HKDF/HMAC, so every
/// intermediate value of Appendix C is checked, not only what crosses the wire.
#[test]
fn rfc9383_intermediate_values_recomputed_independently() {
    let (w0, w1, x, y) = (
        scalar(rfc::W0),
        scalar(rfc::W1),
        scalar(rfc::X),
        scalar(rfc::Y),
    );
    let (m, n) = (point(rfc::M), point(rfc::N));
    assert_eq!(encode(&(ProjectivePoint::GENERATOR * w1)), unhex(rfc::L));
    let share_p = ProjectivePoint::GENERATOR * x + m * w0;
    let share_v = ProjectivePoint::GENERATOR * y + n * w0;
    assert_eq!(encode(&share_p), unhex(rfc::SHARE_P));
    assert_eq!(encode(&share_v), unhex(rfc::SHARE_V));
    let z = (share_v - n * w0) * x;
    let v = (share_v - n * w0) * w1;
    assert_eq!(encode(&z), unhex(rfc::Z));
    assert_eq!(encode(&v), unhex(rfc::V));
    assert_eq!(encode(&((share_p - m * w0) * y)), unhex(rfc::Z));
    assert_eq!(encode(&(point(rfc::L) * y)), unhex(rfc::V));

    let mut tt = Vec::new();
    for part in [
        rfc::CONTEXT.to_vec(),
        rfc::ID_PROVER.to_vec(),
        rfc::ID_VERIFIER.to_vec(),
        encode(&m),
        encode(&n),
        encode(&share_p),
        encode(&share_v),
        encode(&z),
        encode(&v),
        unhex(rfc::W0),
    ] {
        tt.extend_from_slice(&(part.len() as u64).to_le_bytes());
        tt.extend_from_slice(&part);
    }
    assert_eq!(tt, unhex(rfc::TT));
    let k_main = Sha256::digest(&tt);
    assert_eq!(k_main.to_vec(), unhex(rfc::K_MAIN));
    let kdf = Hkdf::<Sha256>::new(None, &k_main);
    let mut confirmation = [0u8; 64];
    kdf.expand(b"ConfirmationKeys", &mut confirmation).unwrap();
    assert_eq!(confirmation[..32].to_vec(), unhex(rfc::K_CONFIRM_P));
    assert_eq!(confirmation[32..].to_vec(), unhex(rfc::K_CONFIRM_V));
    let mut shared = [0u8; 32];
    kdf.expand(b"SharedKey", &mut shared).unwrap();
    assert_eq!(shared.to_vec(), unhex(rfc::K_SHARED));
    let mac = |key: &[u8], data: &[u8]| {
        <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .unwrap()
            .chain_update(data)
            .finalize()
            .into_bytes()
            .to_vec()
    };
    assert_eq!(
        mac(&confirmation[..32], &encode(&share_v)),
        unhex(rfc::CONFIRM_P)
    );
    assert_eq!(
        mac(&confirmation[32..], &encode(&share_p)),
        unhex(rfc::CONFIRM_V)
    );
}

/// Matter's published verifier for passcode 20202021, salt
/// "SPAKE2P Key Salt", 1000 iterations (connectedhomeip
/// `src/tools/spake2p`, base64 `uWFwqugDNGiE…`), as w0 || L in hex.
#[test]
fn password_hash_matches_matters_published_verifier() {
    const MATTER_W0_L: &str = "b96170aae803346884724fe9a3b287c30330c2a660375d17bb205a8cf1aecb350457f8ab79ee253ab6a8e46bb09e543ae422736de501e3db37d441fe344920d09548e4c18240630c4ff4913c53513839b7c07fcc0627a1b8573a149fcd1fa466cf";
    let passcode = Passcode::new(20_202_021).unwrap();
    let verifier = Verifier::from_passcode(&passcode, b"SPAKE2P Key Salt", 1000).unwrap();
    let stored = verifier.to_bytes();
    assert_eq!(hex::encode(&stored[stored.len() - 97..]), MATTER_W0_L);
}

struct Run {
    passcode: Passcode,
    verifier: Verifier,
}

const SERIAL: &str = "HRT-0001";

fn device(passcode: u32, rng: &mut StdRng) -> Run {
    let passcode = Passcode::new(passcode).unwrap();
    let mut salt = [0u8; 16];
    rand::Rng::fill_bytes(rng, &mut salt);
    let verifier = Verifier::from_passcode(&passcode, &salt, 1000).unwrap();
    Run { passcode, verifier }
}

#[test]
fn full_run_agrees_on_key_and_transcript() {
    let mut rng = StdRng::seed_from_u64(1);
    let run = device(24_681_357, &mut rng);
    let verifier = Verifier::from_bytes(&run.verifier.to_bytes()).unwrap();
    let prover = PairingProver::start(
        &run.passcode,
        verifier.salt(),
        verifier.iterations(),
        SERIAL,
        &mut rng,
    )
    .unwrap();
    let (device, reply) =
        PairingVerifier::respond(&verifier, SERIAL, &prover.share_p(), &mut rng).unwrap();
    let app = prover.finish(&reply.share_v, &reply.confirm_v).unwrap();
    let device_key = device.finish(&app.confirm_p).unwrap();
    assert_eq!(app.key.as_bytes(), device_key.as_bytes());
    assert_eq!(app.transcript_hash, reply.transcript_hash);
    assert!(!format!("{:?} {:?}", app.key, verifier).contains(&hex::encode(app.key.as_bytes())));
}

#[test]
fn wrong_passcode_fails_confirmation_on_both_sides() {
    let mut rng = StdRng::seed_from_u64(2);
    let run = device(24_681_357, &mut rng);
    let wrong = Passcode::new(24_681_358).unwrap();
    let prover = PairingProver::start(
        &wrong,
        run.verifier.salt(),
        run.verifier.iterations(),
        SERIAL,
        &mut rng,
    )
    .unwrap();
    let (device, reply) =
        PairingVerifier::respond(&run.verifier, SERIAL, &prover.share_p(), &mut rng).unwrap();
    assert_eq!(
        prover.finish(&reply.share_v, &reply.confirm_v).unwrap_err(),
        Spake2Error::ConfirmationFailed
    );
    // The app sends no confirmP after that; an impostor that guesses one
    // (here: a confirmation from a successful run of another session)
    // fails at the device too.
    let honest = PairingProver::start(
        &run.passcode,
        run.verifier.salt(),
        run.verifier.iterations(),
        SERIAL,
        &mut rng,
    )
    .unwrap();
    let (_other_device, other_reply) =
        PairingVerifier::respond(&run.verifier, SERIAL, &honest.share_p(), &mut rng).unwrap();
    let other = honest
        .finish(&other_reply.share_v, &other_reply.confirm_v)
        .unwrap();
    assert_eq!(
        device.finish(&other.confirm_p).unwrap_err(),
        Spake2Error::ConfirmationFailed
    );
}

#[test]
fn a_different_serial_or_salt_fails_confirmation() {
    let mut rng = StdRng::seed_from_u64(3);
    let run = device(24_681_357, &mut rng);
    let prover = PairingProver::start(
        &run.passcode,
        run.verifier.salt(),
        run.verifier.iterations(),
        "HRT-0002",
        &mut rng,
    )
    .unwrap();
    let (_device, reply) =
        PairingVerifier::respond(&run.verifier, SERIAL, &prover.share_p(), &mut rng).unwrap();
    assert_eq!(
        prover.finish(&reply.share_v, &reply.confirm_v).unwrap_err(),
        Spake2Error::ConfirmationFailed
    );
}

const MASKS: [u8; 3] = [0x01, 0x80, 0xFF];

#[test]
fn tampering_any_byte_of_any_pake_message_is_rejected() {
    let mut rng = StdRng::seed_from_u64(4);
    let run = device(24_681_357, &mut rng);
    let secret = compute_registration(&run.passcode, run.verifier.salt(), 1000).unwrap();
    let context = PakeContext::hearth(SERIAL, run.verifier.salt(), 1000);
    let start = |rng: &mut StdRng| PairingProver::start_with_secret(&secret, context.clone(), rng);

    for at in 0..65 {
        for mask in MASKS {
            // Pake1: shareP altered in flight; the device refuses it or the
            // app refuses the device's confirmation.
            let prover = start(&mut rng);
            let mut share_p = prover.share_p();
            share_p[at] ^= mask;
            if let Ok((_, reply)) =
                PairingVerifier::respond(&run.verifier, SERIAL, &share_p, &mut rng)
            {
                assert!(prover.finish(&reply.share_v, &reply.confirm_v).is_err());
            }

            // Pake2: shareV altered in flight.
            let prover = start(&mut rng);
            let (_, mut reply) =
                PairingVerifier::respond(&run.verifier, SERIAL, &prover.share_p(), &mut rng)
                    .unwrap();
            reply.share_v[at] ^= mask;
            assert!(prover.finish(&reply.share_v, &reply.confirm_v).is_err());
        }
    }
    for at in 0..32 {
        for mask in MASKS {
            // Pake2: confirmV altered in flight.
            let prover = start(&mut rng);
            let (_, mut reply) =
                PairingVerifier::respond(&run.verifier, SERIAL, &prover.share_p(), &mut rng)
                    .unwrap();
            reply.confirm_v[at] ^= mask;
            assert_eq!(
                prover.finish(&reply.share_v, &reply.confirm_v).unwrap_err(),
                Spake2Error::ConfirmationFailed
            );

            // Pake3: confirmP altered in flight.
            let prover = start(&mut rng);
            let (device, reply) =
                PairingVerifier::respond(&run.verifier, SERIAL, &prover.share_p(), &mut rng)
                    .unwrap();
            let mut confirm_p = prover
                .finish(&reply.share_v, &reply.confirm_v)
                .unwrap()
                .confirm_p;
            confirm_p[at] ^= mask;
            assert_eq!(
                device.finish(&confirm_p).unwrap_err(),
                Spake2Error::ConfirmationFailed
            );
        }
    }
}

#[test]
fn malformed_points_are_refused() {
    let mut rng = StdRng::seed_from_u64(5);
    let run = device(24_681_357, &mut rng);
    let honest = PairingProver::start(&run.passcode, run.verifier.salt(), 1000, SERIAL, &mut rng)
        .unwrap()
        .share_p();
    let mut compressed = vec![0x02 | (honest[64] & 1)];
    compressed.extend_from_slice(&honest[1..33]);
    let mut off_curve = honest;
    off_curve[64] ^= 0x01;
    let cases: Vec<(Vec<u8>, Spake2Error)> = vec![
        (
            vec![0x00],
            Spake2Error::WrongLength {
                expected: 65,
                actual: 1,
            },
        ),
        (vec![0u8; 65], Spake2Error::InvalidShare),
        (
            compressed,
            Spake2Error::WrongLength {
                expected: 65,
                actual: 33,
            },
        ),
        (off_curve.to_vec(), Spake2Error::InvalidShare),
        (
            vec![],
            Spake2Error::WrongLength {
                expected: 65,
                actual: 0,
            },
        ),
        (
            honest[..64].to_vec(),
            Spake2Error::WrongLength {
                expected: 65,
                actual: 64,
            },
        ),
    ];
    for (share, expected) in cases {
        assert_eq!(
            PairingVerifier::respond(&run.verifier, SERIAL, &share, &mut rng).unwrap_err(),
            expected
        );
        let prover =
            PairingProver::start(&run.passcode, run.verifier.salt(), 1000, SERIAL, &mut rng)
                .unwrap();
        assert_eq!(prover.finish(&share, &[0u8; 32]).unwrap_err(), expected);
    }
    // shareP = w0*M would cancel the password mask.
    let w0 = &run.verifier.to_bytes()[22..54];
    let w0 = Option::<Scalar>::from(Scalar::from_repr(<[u8; 32]>::try_from(w0).unwrap().into()))
        .unwrap();
    let degenerate = encode(&(point(rfc::M) * w0));
    assert_eq!(
        PairingVerifier::respond(&run.verifier, SERIAL, &degenerate, &mut rng).unwrap_err(),
        Spake2Error::DegenerateShare
    );
}

#[test]
fn parameters_out_of_range_are_refused() {
    let passcode = Passcode::new(24_681_357).unwrap();
    assert_eq!(
        Verifier::from_passcode(&passcode, &[0; 15], 1000).unwrap_err(),
        Spake2Error::BadSalt(15)
    );
    assert_eq!(
        Verifier::from_passcode(&passcode, &[0; 33], 1000).unwrap_err(),
        Spake2Error::BadSalt(33)
    );
    assert_eq!(
        Verifier::from_passcode(&passcode, &[0; 16], 999).unwrap_err(),
        Spake2Error::BadIterations(999)
    );
    assert_eq!(
        Verifier::from_passcode(&passcode, &[0; 16], 100_001).unwrap_err(),
        Spake2Error::BadIterations(100_001)
    );
}

#[test]
fn stored_verifier_round_trips_and_rejects_damage() {
    let mut rng = StdRng::seed_from_u64(6);
    let run = device(24_681_357, &mut rng);
    let bytes = run.verifier.to_bytes();
    let parsed = Verifier::from_bytes(&bytes).unwrap();
    assert_eq!(&parsed.to_bytes()[..], &bytes[..]);
    assert_eq!(parsed.iterations(), 1000);
    for cut in 0..bytes.len() {
        assert!(Verifier::from_bytes(&bytes[..cut]).is_err());
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(Verifier::from_bytes(&longer).is_err());
    let mut bad_point = bytes.to_vec();
    let last = bad_point.len() - 1;
    bad_point[last] ^= 1;
    assert_eq!(
        Verifier::from_bytes(&bad_point).unwrap_err(),
        Spake2Error::MalformedVerifier
    );
}

proptest! {
    #[test]
    fn verifier_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        let _ = Verifier::from_bytes(&bytes);
    }
}
