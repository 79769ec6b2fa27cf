//! CBOR messages: a round trip for every variant, the wire shape firmware
//! relies on, and bounded, typed rejection of hostile input.

use std::collections::BTreeSet;

use ciborium::Value;
use hearth_protocol::message::*;
use proptest::prelude::*;
use serde_bytes::ByteBuf;

fn bytes<const N: usize>() -> impl Strategy<Value = [u8; N]> {
    prop::collection::vec(any::<u8>(), N).prop_map(|v| v.try_into().unwrap())
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ._é-]{1,20}"
}

fn ssid() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ]{1,32}"
}

/// Every passphrase shape IEEE 802.11 allows: open, printable ASCII, hex PSK.
fn passphrase() -> impl Strategy<Value = Passphrase> {
    prop_oneof!["", "[ -~]{8,63}", "[0-9a-f]{64}"].prop_map(Passphrase::new)
}

fn sealed() -> impl Strategy<Value = Sealed> {
    prop::collection::vec(any::<u8>(), 0..200).prop_map(|ciphertext| Sealed { ciphertext })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Owner), Just(Role::Resident), Just(Role::Guest)]
}

fn device_info() -> impl Strategy<Value = DeviceInfo> {
    let capability = prop_oneof![
        Just(Capability::Plug),
        Just(Capability::Temperature),
        Just(Capability::FirmwareUpdate),
    ];
    (
        name(),
        name(),
        name(),
        prop::collection::vec(capability, 0..4),
    )
        .prop_map(
            |(model, serial, firmware_version, capabilities)| DeviceInfo {
                model,
                serial,
                firmware_version,
                capabilities,
            },
        )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::GetDeviceInfo(GetDeviceInfo {})),
        Just(Request::PairingParams(PairingParamsRequest {})),
        bytes::<65>().prop_map(|share_p| Request::Pake1(Pake1 { share_p })),
        (bytes::<32>(), prop::collection::vec(any::<u8>(), 0..300)).prop_map(
            |(confirm_p, sealed_provisioning)| Request::Pake3(Pake3 {
                confirm_p,
                sealed_provisioning
            })
        ),
        (any::<u32>(), bytes::<32>(), bytes::<32>()).prop_map(|(user_id, e, nonce)| {
            Request::OwnerHello(OwnerHello {
                user_id,
                ephemeral_public: e,
                nonce,
            })
        }),
        (bytes::<64>(), prop::option::of(sealed())).prop_map(|(signature, first_request)| {
            Request::OwnerAuth(OwnerAuth {
                signature,
                first_request,
            })
        }),
        any::<bool>().prop_map(|on| Request::SetPlug(SetPlug { on })),
        Just(Request::GetPlug(GetPlug {})),
        Just(Request::ReadTemperature(ReadTemperature {})),
        (bytes::<32>(), role(), name()).prop_map(|(public_key, role, name)| {
            Request::AddUser(AddUser {
                public_key,
                role,
                name,
            })
        }),
        any::<u32>().prop_map(|user_id| Request::RemoveUser(RemoveUser { user_id })),
        Just(Request::FactoryReset(FactoryReset {})),
        (ssid(), passphrase())
            .prop_map(|(ssid, passphrase)| Request::SetWifi(SetWifi { ssid, passphrase })),
        sealed().prop_map(Request::Sealed),
    ]
}

fn device_error() -> impl Strategy<Value = DeviceError> {
    prop_oneof![
        any::<u32>().prop_map(|attempts_left| DeviceError::WrongCode { attempts_left }),
        any::<u32>().prop_map(|retry_after_secs| DeviceError::LockedOut { retry_after_secs }),
        Just(DeviceError::PairingWindowClosed),
        Just(DeviceError::LockedUntilButton),
        Just(DeviceError::NotAuthorised),
        name().prop_map(|reason| DeviceError::Malformed { reason }),
        any::<u16>().prop_map(|supported| DeviceError::UnsupportedVersion { supported }),
        Just(DeviceError::UnexpectedMessage),
        Just(DeviceError::Unknown),
    ]
}

fn response() -> impl Strategy<Value = Response> {
    prop_oneof![
        device_info().prop_map(Response::DeviceInfo),
        (
            prop::collection::vec(any::<u8>(), SALT_LEN),
            ITERATIONS,
            device_info(),
            0u32..=20,
            any::<bool>()
        )
            .prop_map(
                |(salt, iterations, device_info, attempts_left, window_open)| {
                    Response::PairingParams(PairingParamsResponse {
                        salt,
                        iterations,
                        device_info,
                        attempts_left,
                        window_open,
                    })
                }
            ),
        (
            bytes::<65>(),
            bytes::<32>(),
            prop::collection::vec(prop::collection::vec(any::<u8>(), 0..400), 1..=4),
            bytes::<64>()
        )
            .prop_map(|(share_v, confirm_v, chain, attestation_signature)| {
                Response::Pake2(Pake2 {
                    share_v,
                    confirm_v,
                    certificate_chain: chain.into_iter().map(ByteBuf::from).collect(),
                    attestation_signature,
                })
            }),
        any::<u32>().prop_map(|user_id| Response::ProvisioningAck(ProvisioningAck { user_id })),
        (bytes::<32>(), bytes::<32>(), bytes::<64>()).prop_map(|(e, nonce, signature)| {
            Response::DeviceHello(DeviceHello {
                ephemeral_public: e,
                nonce,
                signature,
            })
        }),
        any::<bool>().prop_map(|on| Response::Plug(PlugState { on })),
        any::<i32>().prop_map(|centi_celsius| Response::Temperature(Temperature { centi_celsius })),
        any::<u32>().prop_map(|user_id| Response::UserAdded(UserAdded { user_id })),
        Just(Response::Done(Done {})),
        device_error().prop_map(Response::Error),
        sealed().prop_map(Response::Sealed),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let reason = prop_oneof![
        Just(WifiAuthFailure::HandshakeRejected),
        Just(WifiAuthFailure::HandshakeTimeout),
        Just(WifiAuthFailure::Other),
    ];
    prop_oneof![
        name().prop_map(|ssid| Event::WifiStatus(WifiStatus::Joined { ssid })),
        reason.prop_map(|reason| Event::WifiStatus(WifiStatus::WrongPassphrase { reason })),
        name().prop_map(|ssid| Event::WifiStatus(WifiStatus::NoNetwork { ssid })),
        sealed().prop_map(Event::Sealed),
    ]
}

fn limits() -> Limits {
    Limits::default()
}

proptest! {
    #[test]
    fn requests_round_trip(id in any::<u32>(), body in request()) {
        let envelope = Envelope::new(id, body);
        let bytes = encode(&envelope).unwrap();
        prop_assert_eq!(decode::<Request>(&bytes, &limits()).unwrap(), envelope);
    }

    #[test]
    fn responses_round_trip(id in any::<u32>(), body in response()) {
        let envelope = Envelope::new(id, body);
        let bytes = encode(&envelope).unwrap();
        prop_assert_eq!(decode::<Response>(&bytes, &limits()).unwrap(), envelope.clone());
        prop_assert_eq!(
            decode_from_device(&bytes, &limits()).unwrap(),
            FromDevice::Response(envelope)
        );
    }

    #[test]
    fn events_round_trip(id in any::<u32>(), body in event()) {
        let envelope = Envelope::new(id, body);
        let bytes = encode(&envelope).unwrap();
        prop_assert_eq!(decode::<Event>(&bytes, &limits()).unwrap(), envelope.clone());
        prop_assert_eq!(decode_from_device(&bytes, &limits()).unwrap(), FromDevice::Event(envelope));
    }

    #[test]
    fn provisioning_round_trips(
        ssid in ssid(),
        passphrase in passphrase(),
        owner_public_key in bytes::<32>(),
        device_name in name(),
        role in role(),
    ) {
        let provisioning = Provisioning {
            wifi_ssid: ssid,
            wifi_passphrase: passphrase,
            owner_public_key,
            device_name,
            role,
        };
        let bytes = provisioning.encode().unwrap();
        prop_assert_eq!(Provisioning::decode(&bytes, &limits()).unwrap(), provisioning);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::<Request>(&bytes, &limits());
        let _ = decode_from_device(&bytes, &limits());
        let _ = Provisioning::decode(&bytes, &limits());
    }
}

/// The strategies above reach every tag each kind declares, so the round
/// trips cover every variant (a new variant without a strategy fails here).
#[test]
fn strategies_cover_every_tag() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn covered<B: Body + std::fmt::Debug>(strategy: impl Strategy<Value = B>) {
        let mut runner = TestRunner::deterministic();
        let mut seen = BTreeSet::new();
        for _ in 0..2000 {
            seen.insert(strategy.new_tree(&mut runner).unwrap().current().tag());
        }
        let declared: BTreeSet<_> = B::TAGS.iter().copied().collect();
        assert_eq!(seen, declared);
    }
    covered(request());
    covered(response());
    covered(event());
}

#[test]
fn tags_are_unique_across_kinds() {
    let mut all = BTreeSet::new();
    for tag in Request::TAGS
        .iter()
        .chain(Response::TAGS)
        .chain(Event::TAGS)
    {
        assert!(all.insert(tag), "tag {tag} used twice");
    }
}

fn to_cbor(value: &Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    bytes
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn envelope_value(v: u64, body: Value) -> Value {
    Value::Map(vec![
        (text("v"), Value::Integer(v.into())),
        (text("id"), Value::Integer(7.into())),
        (text("body"), body),
    ])
}

#[test]
fn wire_shape_is_what_firmware_expects() {
    let bytes = encode(&Envelope::new(7, Request::SetPlug(SetPlug { on: true }))).unwrap();
    let expected = envelope_value(
        1,
        Value::Map(vec![(
            text("set_plug"),
            Value::Map(vec![(text("on"), Value::Bool(true))]),
        )]),
    );
    assert_eq!(bytes, to_cbor(&expected));

    // Crypto values are CBOR byte strings (major type 2), not arrays.
    let bytes = encode(&Envelope::new(
        7,
        Request::Pake1(Pake1 { share_p: [4; 65] }),
    ))
    .unwrap();
    let value: Value = ciborium::from_reader(bytes.as_slice()).unwrap();
    let body = &value.as_map().unwrap()[2].1;
    let pake1 = &body.as_map().unwrap()[0].1;
    assert_eq!(pake1.as_map().unwrap()[0].1, Value::Bytes(vec![4; 65]));
}

#[test]
fn unknown_tags_are_typed_errors() {
    let bytes = to_cbor(&envelope_value(
        1,
        Value::Map(vec![(text("firmware_chunk"), Value::Map(vec![]))]),
    ));
    assert_eq!(
        decode::<Request>(&bytes, &limits()),
        Err(MessageError::UnknownMessage {
            tag: "firmware_chunk".into()
        })
    );
    // A response tag is unknown to a device decoding requests.
    let bytes = encode(&Envelope::new(1, Response::Done(Done {}))).unwrap();
    assert_eq!(
        decode::<Request>(&bytes, &limits()).unwrap_err().code(),
        "message.unknown"
    );
}

#[test]
fn versions_and_envelope_fields_are_checked() {
    let body = Value::Map(vec![(text("get_plug"), Value::Map(vec![]))]);
    let bytes = to_cbor(&envelope_value(2, body.clone()));
    assert_eq!(
        decode::<Request>(&bytes, &limits()),
        Err(MessageError::UnsupportedVersion { got: 2 })
    );
    let no_body = to_cbor(&Value::Map(vec![
        (text("v"), Value::Integer(1.into())),
        (text("id"), Value::Integer(1.into())),
    ]));
    assert_eq!(
        decode::<Request>(&no_body, &limits()).unwrap_err().code(),
        "message.malformed"
    );
    let big_id = to_cbor(&Value::Map(vec![
        (text("v"), Value::Integer(1.into())),
        (text("id"), Value::Integer((1u64 << 40).into())),
        (text("body"), body),
    ]));
    assert_eq!(
        decode::<Request>(&big_id, &limits()),
        Err(MessageError::InvalidField {
            field: "id",
            reason: "must fit in 32 bits"
        })
    );
}

#[test]
fn hostile_input_is_bounded() {
    let limits = limits();
    let huge = vec![0u8; limits.max_input_len + 1];
    assert_eq!(
        decode::<Request>(&huge, &limits),
        Err(MessageError::TooLarge {
            len: huge.len(),
            max: limits.max_input_len
        })
    );

    // 1000 nested arrays: rejected by depth before any recursion blows the stack.
    let mut nested = vec![0x81u8; 1000];
    nested.push(0x00);
    assert_eq!(
        decode::<Request>(&nested, &limits),
        Err(MessageError::TooDeep {
            max: limits.max_depth
        })
    );

    // A byte string that claims 4 GiB but carries 3 bytes.
    assert_eq!(
        decode::<Request>(&[0x5a, 0xff, 0xff, 0xff, 0xff, 1, 2, 3], &limits),
        Err(MessageError::Truncated)
    );

    let long_text = to_cbor(&envelope_value(1, text(&"x".repeat(300))));
    assert_eq!(
        decode::<Request>(&long_text, &limits),
        Err(MessageError::OutOfBounds {
            kind: "text string",
            len: 300,
            max: 256
        })
    );
    let many = to_cbor(&Value::Array(vec![Value::Null; 65]));
    assert_eq!(
        decode::<Request>(&many, &limits),
        Err(MessageError::OutOfBounds {
            kind: "array",
            len: 65,
            max: 64
        })
    );

    let mut trailing = encode(&Envelope::new(1, Request::GetPlug(GetPlug {}))).unwrap();
    trailing.push(0);
    assert_eq!(
        decode::<Request>(&trailing, &limits),
        Err(MessageError::TrailingBytes { count: 1 })
    );
}

#[test]
fn semantic_checks_reject_bad_fields() {
    let pake1_short = to_cbor(&envelope_value(
        1,
        Value::Map(vec![(
            text("pake1"),
            Value::Map(vec![(text("share_p"), Value::Bytes(vec![4; 64]))]),
        )]),
    ));
    assert_eq!(
        decode::<Request>(&pake1_short, &limits())
            .unwrap_err()
            .code(),
        "message.malformed"
    );

    let info = DeviceInfo {
        model: "plug".into(),
        serial: "S1".into(),
        firmware_version: "1.0".into(),
        capabilities: vec![],
    };
    let params = |salt_len: usize, iterations: u32| {
        Response::PairingParams(PairingParamsResponse {
            salt: vec![0; salt_len],
            iterations,
            device_info: info.clone(),
            attempts_left: 20,
            window_open: true,
        })
    };
    assert!(encode(&Envelope::new(1, params(16, 1000))).is_ok());
    assert_eq!(
        encode(&Envelope::new(1, params(15, 1000))),
        Err(MessageError::InvalidField {
            field: "salt",
            reason: "must be 16 to 32 bytes"
        })
    );
    assert_eq!(
        encode(&Envelope::new(1, params(16, 999)))
            .unwrap_err()
            .code(),
        "message.invalid_field"
    );
    let control = Response::DeviceInfo(DeviceInfo {
        model: "plug\u{1b}[2J".into(),
        ..info
    });
    assert_eq!(
        encode(&Envelope::new(1, control)).unwrap_err().code(),
        "message.invalid_field"
    );
}

#[test]
fn passphrase_never_prints() {
    let provisioning = Provisioning {
        wifi_ssid: "home".into(),
        wifi_passphrase: Passphrase::new("correct horse battery".into()),
        owner_public_key: [1; 32],
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    };
    let debug = format!("{provisioning:?}");
    assert!(debug.contains("<redacted>"));
    assert!(!debug.contains("horse"));
    let bad = Provisioning {
        wifi_passphrase: Passphrase::new("short".into()),
        ..provisioning
    };
    assert_eq!(bad.encode().unwrap_err().code(), "message.invalid_field");
}

#[test]
fn newer_codes_and_capabilities_decode_as_unknown() {
    let bytes = to_cbor(&envelope_value(
        1,
        Value::Map(vec![(
            text("error"),
            Value::Map(vec![(text("code"), text("battery_low"))]),
        )]),
    ));
    assert_eq!(
        decode::<Response>(&bytes, &limits()).unwrap().body,
        Response::Error(DeviceError::Unknown)
    );
}

#[test]
fn message_bounds_agree_with_the_crypto_modules() {
    use hearth_protocol::spake2;
    assert_eq!(SALT_LEN, spake2::SALT_LEN);
    assert_eq!(ITERATIONS, spake2::ITERATIONS);
}

#[test]
fn locked_until_button_is_its_own_code_and_older_peers_still_decode() {
    let bytes = encode(&Envelope::new(
        3,
        Response::Error(DeviceError::LockedUntilButton),
    ))
    .unwrap();
    let expected = envelope_value(
        1,
        Value::Map(vec![(
            text("error"),
            Value::Map(vec![(text("code"), text("locked_until_button"))]),
        )]),
    );
    // envelope_value uses id 7; compare the body only.
    let value: Value = ciborium::from_reader(bytes.as_slice()).unwrap();
    assert_eq!(
        value.as_map().unwrap()[2],
        expected.as_map().unwrap()[2].clone()
    );
    assert_eq!(
        DeviceError::LockedUntilButton.code(),
        "device.locked_until_button"
    );
    assert_ne!(
        DeviceError::LockedUntilButton.code(),
        DeviceError::PairingWindowClosed.code()
    );
    // An app that predates the code: its error enum lacks the variant, and the
    // `serde(other)` fallback turns the code into `unknown` instead of failing.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    enum OlderDeviceError {
        PairingWindowClosed,
        #[serde(other)]
        Unknown,
    }
    let body = &value.as_map().unwrap()[2].1;
    let error = &body.as_map().unwrap()[0].1;
    assert_eq!(
        error.deserialized::<OlderDeviceError>().unwrap(),
        OlderDeviceError::Unknown
    );
}

#[test]
fn set_wifi_wire_shape_bounds_and_redaction() {
    let set = SetWifi {
        ssid: "home".into(),
        passphrase: Passphrase::new("correct horse battery".into()),
    };
    let bytes = encode(&Envelope::new(7, Request::SetWifi(set.clone()))).unwrap();
    let expected = envelope_value(
        1,
        Value::Map(vec![(
            text("set_wifi"),
            Value::Map(vec![
                (text("ssid"), text("home")),
                (text("passphrase"), text("correct horse battery")),
            ]),
        )]),
    );
    assert_eq!(bytes, to_cbor(&expected));
    assert_eq!(
        decode::<Request>(&bytes, &limits()).unwrap().body,
        Request::SetWifi(set.clone())
    );

    let debug = format!("{:?}", Request::SetWifi(set.clone()));
    assert!(debug.contains("<redacted>") && !debug.contains("horse"));

    let short = SetWifi {
        passphrase: Passphrase::new("short".into()),
        ..set.clone()
    };
    assert_eq!(
        encode(&Envelope::new(1, Request::SetWifi(short))),
        Err(MessageError::InvalidField {
            field: "passphrase",
            reason: "must be empty, 8 to 63 printable ASCII characters, or 64 hex digits"
        })
    );
    let long_ssid = to_cbor(&envelope_value(
        1,
        Value::Map(vec![(
            text("set_wifi"),
            Value::Map(vec![
                (text("ssid"), text(&"s".repeat(33))),
                (text("passphrase"), text("")),
            ]),
        )]),
    ));
    assert_eq!(
        decode::<Request>(&long_ssid, &limits()),
        Err(MessageError::InvalidField {
            field: "ssid",
            reason: "must be 1 to 32 bytes"
        })
    );
    let missing_passphrase = to_cbor(&envelope_value(
        1,
        Value::Map(vec![(
            text("set_wifi"),
            Value::Map(vec![(text("ssid"), text("home"))]),
        )]),
    ));
    assert_eq!(
        decode::<Request>(&missing_passphrase, &limits())
            .unwrap_err()
            .code(),
        "message.malformed"
    );
}
