//! The owner session's client on arbitrary device replies: the
//! `device_hello` that `OwnerSessionClient::handle` checks, then whatever
//! arrives on the open `Channel`.
//!
//! Never panics; the client accepts only the `device_hello` the paired device
//! really sent (anything else would let another device take its place); the
//! channel opens only frames the device sealed, in order, and passes through
//! plain `error` answers as such; genuine answers open in order until the
//! session closes after too many rejected frames.
#![no_main]

use hearth_protocol::handshake::{self, DeviceHandshake, OwnerKey};
use hearth_protocol::message::{
    self, DeviceHello, Envelope, FromDevice, Limits, PlugState, Request, Response, Sealed, SetPlug,
};
use hearth_protocol::pairing::OwnerSessionClient;
use hearth_protocol::session::{MAX_FAILURES, SessionState};
use hearth_protocol_fuzz::{edit, genuine};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn same_message(a: &[u8], b: &[u8]) -> bool {
    let limits = Limits::default();
    match (
        message::decode::<Response>(a, &limits),
        message::decode::<Response>(b, &limits),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, split, input @ ..] = data else {
        return;
    };
    let (hello_input, frames) = input.split_at(usize::from(*split).min(input.len()));
    let g = genuine();
    let owner = OwnerKey::from_secret_bytes(&[3; 32]);
    let mut rng = StdRng::seed_from_u64(4);
    let (client, hello) =
        OwnerSessionClient::start(&owner, 1, &g.identity.public(), &mut rng).expect("hello");
    let hello = message::decode::<Request>(&hello, &Limits::default()).expect("own hello");
    let Request::OwnerHello(wire) = hello.body else {
        panic!("the client did not start with owner_hello");
    };
    let (device, reply) = DeviceHandshake::respond(
        &g.identity,
        &owner.public(),
        &handshake::OwnerHello {
            owner_key_id: owner.key_id().0,
            ephemeral: wire.ephemeral_public,
            nonce: wire.nonce,
        },
        &mut rng,
    )
    .expect("honest hello");
    let genuine_answer = message::encode(&Envelope::new(
        hello.id,
        Response::DeviceHello(DeviceHello {
            ephemeral_public: reply.ephemeral,
            nonce: reply.nonce,
            signature: reply.signature,
        }),
    ))
    .expect("encodes");
    let answer = match mode % 3 {
        0 => genuine_answer.clone(),
        1 => edit(&genuine_answer, hello_input),
        _ => hello_input.to_vec(),
    };
    let first = Some(Request::SetPlug(SetPlug { on: true }));
    let Ok((mut channel, auth)) = client.handle(&answer, first) else {
        assert!(mode % 3 != 0, "the genuine device_hello was refused");
        return;
    };
    assert!(
        same_message(&answer, &genuine_answer),
        "accepted a device_hello the device never sent"
    );
    let auth = message::decode::<Request>(&auth, &Limits::default()).expect("own auth");
    let Request::OwnerAuth(auth_body) = auth.body else {
        panic!("the client did not answer with owner_auth");
    };
    let mut session = device
        .finish(&handshake::OwnerAuth {
            signature: auth_body.signature,
        })
        .expect("the device accepts the genuine owner");

    // Hostile frames on the open channel, each prefixed by a 2-byte length.
    let mut rest = frames;
    let mut rejected = 0;
    while let Some((len, tail)) = rest.split_first_chunk::<2>() {
        let len = usize::from(u16::from_le_bytes(*len));
        let (frame, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        match channel.open(frame) {
            Ok(FromDevice::Response(Envelope {
                body: Response::Error(_),
                ..
            })) => {
                let plain = message::decode::<Response>(frame, &Limits::default());
                assert!(
                    matches!(
                        plain,
                        Ok(Envelope {
                            body: Response::Error(_),
                            ..
                        })
                    ),
                    "an error that was not sent in plain"
                );
            }
            Ok(other) => panic!("opened a frame the device never sealed: {other:?}"),
            Err(_) => rejected += 1,
        }
    }

    // The device's genuine sealed answer opens while the session is open.
    let inner = message::encode(&Envelope::new(
        auth.id,
        Response::Plug(PlugState { on: true }),
    ))
    .expect("encodes");
    let sealed = message::encode(&Envelope::new(
        auth.id,
        Response::Sealed(Sealed {
            ciphertext: session.seal(&inner).expect("seals"),
        }),
    ))
    .expect("encodes");
    let closed = channel.session().state() == SessionState::Closed;
    assert_eq!(
        closed,
        channel.session().rejections().total() >= MAX_FAILURES
    );
    match channel.open(&sealed) {
        Ok(FromDevice::Response(envelope)) => {
            assert!(!closed);
            assert_eq!(envelope.body, Response::Plug(PlugState { on: true }));
        }
        Ok(other) => panic!("the genuine answer opened as {other:?}"),
        Err(error) => assert!(
            closed,
            "the genuine answer was refused: {error:?} ({rejected} rejected before)"
        ),
    }
});
