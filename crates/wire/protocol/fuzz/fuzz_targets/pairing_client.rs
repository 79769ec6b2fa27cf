//! `PairingClient::handle` on arbitrary device replies, at each of the three
//! round trips of a real pairing run against an honest device.
//!
//! One answer of the run is replaced by hostile bytes (raw, byte edits of the
//! genuine answer, a CBOR value from the input under any response tag, an
//! unsolicited event, or the genuine answer under another request id). Never panics; a client that failed stays finished; the
//! client sends `pake3` (the Wi-Fi passphrase and the owner key) only after
//! a `pake2` the device really sent; and a paired result always names the
//! genuine device's identity key, model and serial.
#![no_main]

use ciborium::Value;
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    self, Body, FromDevice, Limits, Passphrase, Provisioning, Response, Role,
};
use hearth_protocol::pairing::{PairingClient, PairingError, PairingStep};
use hearth_protocol_fuzz::{HonestDevice, MODEL, NOW, SERIAL, edit, genuine};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn provisioning() -> Provisioning {
    Provisioning {
        wifi_ssid: "home".into(),
        wifi_passphrase: Passphrase::new("correct horse battery".into()),
        owner_public_key: OwnerKey::from_secret_bytes(&[3; 32]).public(),
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    }
}

/// A response envelope with the given id whose body is `tag` → `body`.
fn wrapped(id: u32, tag: &str, body: Value) -> Vec<u8> {
    let envelope = Value::Map(vec![
        (Value::Text("v".into()), Value::Integer(1.into())),
        (Value::Text("id".into()), Value::Integer(id.into())),
        (
            Value::Text("body".into()),
            Value::Map(vec![(Value::Text(tag.into()), body)]),
        ),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&envelope, &mut bytes).expect("writes to a Vec");
    bytes
}

fn hostile(mode: u8, input: &[u8], genuine: &[u8], id: u32) -> Vec<u8> {
    match mode % 5 {
        0 => input.to_vec(),
        1 => edit(genuine, input),
        2 => {
            let body = ciborium::de::from_reader_with_recursion_limit::<Value, _>(input, 8)
                .unwrap_or(Value::Null);
            let tag = Response::TAGS[usize::from(mode / 4) % Response::TAGS.len()];
            wrapped(id, tag, body)
        }
        3 => {
            let body = ciborium::de::from_reader_with_recursion_limit::<Value, _>(input, 8)
                .unwrap_or(Value::Null);
            let tag = ["wifi_status", "sealed_event"][usize::from(mode / 4) % 2];
            wrapped(id, tag, body)
        }
        _ => {
            // The genuine answer, but to another request (a late or
            // duplicated answer).
            let mut envelope = message::decode::<Response>(genuine, &Limits::default())
                .expect("the genuine answer decodes");
            let mut other = [0u8; 4];
            let n = input.len().min(4);
            other[..n].copy_from_slice(&input[..n]);
            envelope.id = u32::from_le_bytes(other);
            message::encode(&envelope).expect("re-encodes")
        }
    }
}

fn same_message(a: &[u8], b: &[u8]) -> bool {
    let limits = Limits::default();
    match (
        message::decode_from_device(a, &limits),
        message::decode_from_device(b, &limits),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let [round, mode, input @ ..] = data else {
        return;
    };
    let round = usize::from(*round % 3);
    let g = genuine();
    let mut client = PairingClient::new(&g.code, provisioning(), g.root_public);
    let mut device = HonestDevice::new(2);
    let mut rng = StdRng::seed_from_u64(3);
    let mut request = client.start().expect("first request");
    let mut tampered_before = false;
    for step in 0..3 {
        let id = message::decode::<hearth_protocol::message::Request>(&request, &Limits::default())
            .expect("the client's own request")
            .id;
        let Some(genuine_answer) = device.answer(&request) else {
            // The honest device refuses what a tampered run made the client send.
            assert!(
                tampered_before,
                "the honest device refused an untampered run"
            );
            return;
        };
        let answer = if step == round {
            hostile(*mode, input, &genuine_answer, id)
        } else {
            genuine_answer.clone()
        };
        let tampered = !same_message(&answer, &genuine_answer);
        let outcome = client.handle(&answer, NOW, &mut rng);
        let outcome = match outcome {
            Ok(PairingStep::Ignored) => {
                let event = message::decode_from_device(&answer, &Limits::default());
                assert!(
                    matches!(event, Ok(FromDevice::Event(_))),
                    "ignored a response"
                );
                client.handle(&genuine_answer, NOW, &mut rng)
            }
            other => other,
        };
        match outcome {
            Ok(PairingStep::Send(next)) => {
                assert!(step < 2, "a request after the provisioning answer");
                assert!(
                    !(step == 1 && tampered),
                    "sent pake3 after a pake2 the device never sent"
                );
                tampered_before |= tampered;
                request = next;
            }
            Ok(PairingStep::Paired(paired)) => {
                assert_eq!(step, 2);
                assert!(!tampered, "paired on a forged provisioning answer");
                assert_eq!(paired.device.identity_key, g.identity.public());
                assert_eq!(paired.device_info.model, MODEL);
                assert_eq!(paired.device_info.serial, SERIAL);
                return;
            }
            Ok(PairingStep::Ignored) => panic!("ignored the genuine answer"),
            Err(_) => {
                assert!(
                    tampered || tampered_before,
                    "an untampered run failed at step {step}"
                );
                assert!(matches!(
                    client.handle(&genuine_answer, NOW, &mut rng),
                    Err(PairingError::Finished) | Ok(PairingStep::Ignored)
                ));
                return;
            }
        }
    }
    panic!("three round trips without a result");
});
