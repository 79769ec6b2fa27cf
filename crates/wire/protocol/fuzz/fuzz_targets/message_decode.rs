//! Message decoders on any bytes: never panic, and whatever decodes
//! re-encodes to bytes that decode to the same value.
//!
//! Inputs that are not CBOR at all rarely reach the typed decoders, so the
//! target also wraps the input's CBOR value (if any) as the body of a valid
//! envelope under each known tag, which seeds deep decoding without a corpus.
#![no_main]

use ciborium::Value;
use hearth_protocol::message::{
    Body, Event, Limits, Provisioning, Request, Response, decode, decode_from_device, encode,
};
use libfuzzer_sys::fuzz_target;

fn round_trip<B: Body + PartialEq + std::fmt::Debug>(bytes: &[u8], limits: &Limits) {
    if let Ok(envelope) = decode::<B>(bytes, limits) {
        let again = encode(&envelope).expect("a decoded message encodes");
        assert_eq!(decode::<B>(&again, limits).expect("re-decodes"), envelope);
    }
}

fn wrapped(tag: &str, body: Value) -> Vec<u8> {
    let envelope = Value::Map(vec![
        (Value::Text("v".into()), Value::Integer(1.into())),
        (Value::Text("id".into()), Value::Integer(1.into())),
        (
            Value::Text("body".into()),
            Value::Map(vec![(Value::Text(tag.into()), body)]),
        ),
    ]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&envelope, &mut bytes).expect("writes to a Vec");
    bytes
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    round_trip::<Request>(data, &limits);
    round_trip::<Response>(data, &limits);
    round_trip::<Event>(data, &limits);
    let _ = decode_from_device(data, &limits);
    if let Ok(provisioning) = Provisioning::decode(data, &limits) {
        let again = provisioning
            .encode()
            .expect("a decoded provisioning encodes");
        assert_eq!(
            Provisioning::decode(&again, &limits).expect("re-decodes"),
            provisioning
        );
    }

    let Ok(body) = ciborium::de::from_reader_with_recursion_limit::<Value, _>(data, 8) else {
        return;
    };
    let Some(&selector) = data.first() else {
        return;
    };
    let tags: Vec<&str> = [Request::TAGS, Response::TAGS, Event::TAGS].concat();
    let tag = tags[usize::from(selector) % tags.len()];
    let bytes = wrapped(tag, body);
    round_trip::<Request>(&bytes, &limits);
    round_trip::<Response>(&bytes, &limits);
    round_trip::<Event>(&bytes, &limits);
});
