//! Fixing the Wi-Fi without a factory reset: `SetWifi` in the provisioning
//! session right after a `wrong_passphrase` event, and in a later owner
//! session (owners only; EN 303 645 4.5-1, 4.12-1).

mod support;

use hearth_device::DeviceCore;
use hearth_device::Peripherals;
use hearth_device::peripherals::{FixedTemperature, MemoryWifi};
use hearth_device::storage::{FileStorage, MemoryStorage, Storage};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    AddUser, DeviceError as WireError, Done, Event, Passphrase, PlugState, Request, Response, Role,
    SetPlug, SetWifi, UserAdded, WifiAuthFailure, WifiStatus,
};
use support::*;

const T0: u64 = 1_700_000_000;
const CAFE: &str = "cafe";
const CAFE_PASS: &str = "espresso-doppio";

fn set_wifi(ssid: &str, passphrase: &str) -> Request {
    Request::SetWifi(SetWifi {
        ssid: ssid.into(),
        passphrase: Passphrase::new(passphrase.into()),
    })
}

/// A device whose radio knows `home` and `cafe`.
fn boot_with_two_networks<S: Storage>(storage: S, minted: &Minted, now: u64) -> DeviceCore<S> {
    let peripherals = Peripherals {
        wifi: Box::new(
            MemoryWifi::default()
                .with_network(SSID, WIFI_PASS)
                .with_network(CAFE, CAFE_PASS),
        ),
        sensor: Box::new(FixedTemperature(2150)),
        rng: Box::new(rng(now ^ 0xdead_beef)),
    };
    DeviceCore::boot(storage, Some(minted.identity.clone()), peripherals, now).unwrap()
}

fn stored_wifi<S: Storage>(core: &DeviceCore<S>) -> (String, Vec<u8>) {
    let wifi = core.state().wifi.as_ref().expect("a stored Wi-Fi config");
    (wifi.ssid.clone(), wifi.passphrase.expose().to_vec())
}

#[test]
fn a_wrong_passphrase_is_fixed_in_the_provisioning_session_without_a_reset() {
    let minted = mint(40);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut app = pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        "not the passphrase",
        T0,
    )
    .unwrap();
    assert_eq!(
        app.events,
        vec![Event::WifiStatus(WifiStatus::WrongPassphrase {
            reason: WifiAuthFailure::HandshakeRejected
        })]
    );
    assert_eq!(
        stored_wifi(&core),
        (SSID.to_owned(), b"not the passphrase".to_vec())
    );
    let owner_before = core.state().user(app.user_id).unwrap().clone();
    assert_eq!(
        control(
            &mut core,
            &mut app.session,
            Request::SetPlug(SetPlug { on: true }),
            T0 + 1
        ),
        Response::Plug(PlugState { on: true })
    );

    // The same sealed channel: no reconnect, no new pairing, no reset.
    assert_eq!(
        control(
            &mut core,
            &mut app.session,
            set_wifi(SSID, WIFI_PASS),
            T0 + 2
        ),
        Response::Done(Done {})
    );
    assert_eq!(
        open_events(&mut core, &mut app.session),
        vec![Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })]
    );
    assert_eq!(stored_wifi(&core), (SSID.to_owned(), WIFI_PASS.into()));

    let state = core.state();
    assert_eq!(state.users.len(), 1, "still exactly one user");
    assert_eq!(state.user(app.user_id), Some(&owner_before), "same owner");
    assert_eq!(
        state.user_data[&app.user_id].usage.len(),
        1,
        "the owner's data survived: nothing was reset"
    );
    assert!(state.plug_on);
    assert!(core.has_session(), "the session stays usable");
    assert_eq!(
        control(
            &mut core,
            &mut app.session,
            Request::SetPlug(SetPlug { on: false }),
            T0 + 3
        ),
        Response::Plug(PlugState { on: false })
    );

    // The new config is what the device keeps across a restart.
    core.power_cycle(T0 + 4).unwrap();
    assert_eq!(stored_wifi(&core), (SSID.to_owned(), WIFI_PASS.into()));
    assert!(core.state().is_paired());
}

#[test]
fn an_owner_session_later_reports_each_outcome_and_keeps_the_last_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.bin");
    let minted = mint(41);
    let mut core = boot_with_two_networks(FileStorage::new(&path), &minted, T0);
    let app = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    core.disconnect();
    drop(core);

    let mut core = boot_with_two_networks(FileStorage::new(&path), &minted, T0 + 100);
    let mut session = connect(
        &mut core,
        app.user_id,
        &app.owner,
        &app.device_identity,
        T0 + 100,
    )
    .unwrap();
    let cases = [
        (
            "moved-house",
            CAFE_PASS,
            WifiStatus::NoNetwork {
                ssid: "moved-house".into(),
            },
        ),
        (
            CAFE,
            "latte-macchiato",
            WifiStatus::WrongPassphrase {
                reason: WifiAuthFailure::HandshakeRejected,
            },
        ),
        (CAFE, CAFE_PASS, WifiStatus::Joined { ssid: CAFE.into() }),
    ];
    for (step, (ssid, passphrase, status)) in (1..).zip(cases) {
        assert_eq!(
            control(
                &mut core,
                &mut session,
                set_wifi(ssid, passphrase),
                T0 + 100 + step
            ),
            Response::Done(Done {})
        );
        assert_eq!(
            open_events(&mut core, &mut session),
            vec![Event::WifiStatus(status)],
            "{ssid}"
        );
        assert_eq!(
            stored_wifi(&core),
            (ssid.to_owned(), passphrase.as_bytes().to_vec())
        );
    }
    drop(core);
    let core = boot_with_two_networks(FileStorage::new(&path), &minted, T0 + 200);
    assert_eq!(stored_wifi(&core), (CAFE.to_owned(), CAFE_PASS.into()));
    assert_eq!(core.state().users.len(), 1);
}

#[test]
fn a_resident_or_guest_cannot_change_the_wifi() {
    let minted = mint(42);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut owner = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    for (seed, role) in [(43, Role::Resident), (44, Role::Guest)] {
        let key = OwnerKey::generate(&mut rng(seed));
        let Response::UserAdded(UserAdded { user_id }) = control(
            &mut core,
            &mut owner.session,
            Request::AddUser(AddUser {
                public_key: key.public(),
                role,
                name: "Renter".into(),
            }),
            T0 + 1,
        ) else {
            panic!("user not added");
        };
        core.disconnect();
        let mut session =
            connect(&mut core, user_id, &key, &owner.device_identity, T0 + 2).unwrap();
        assert_eq!(
            control(
                &mut core,
                &mut session,
                set_wifi(SSID, "renter's hotspot"),
                T0 + 3
            ),
            Response::Error(WireError::NotAuthorised),
            "{role:?}"
        );
        assert!(core.take_events().is_empty(), "nothing was tried");
        assert_eq!(stored_wifi(&core), (SSID.to_owned(), WIFI_PASS.into()));
        assert!(core.has_session(), "a refusal does not end the session");
        core.disconnect();
        owner.session = connect(
            &mut core,
            owner.user_id,
            &owner.owner,
            &owner.device_identity,
            T0 + 4,
        )
        .unwrap();
    }
}

#[test]
fn set_wifi_outside_a_session_or_out_of_bounds_changes_nothing() {
    let minted = mint(45);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut app = pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        "wrong pass 1",
        T0,
    )
    .unwrap();
    // Unsealed, as a nearby stranger would send it.
    assert_eq!(
        call(&mut core, 9, set_wifi(SSID, WIFI_PASS), T0 + 1),
        Response::Error(WireError::NotAuthorised)
    );
    // Sealed but breaking the IEEE 802.11 bounds (7 characters). The app's
    // encoder refuses it, so build the CBOR by hand, as a buggy app might.
    let text = |s: &str| ciborium::Value::Text(s.into());
    let envelope = ciborium::Value::Map(vec![
        (text("v"), ciborium::Value::Integer(1.into())),
        (text("id"), ciborium::Value::Integer(4.into())),
        (
            text("body"),
            ciborium::Value::Map(vec![(
                text("set_wifi"),
                ciborium::Value::Map(vec![
                    (text("ssid"), text(SSID)),
                    (text("passphrase"), text("1234567")),
                ]),
            )]),
        ),
    ]);
    let mut inner = Vec::new();
    ciborium::into_writer(&envelope, &mut inner).unwrap();
    let ciphertext = app.session.seal(&inner).unwrap();
    let outer = call(
        &mut core,
        10,
        Request::Sealed(hearth_protocol::message::Sealed { ciphertext }),
        T0 + 2,
    );
    assert_eq!(
        open_response(&mut app.session, outer),
        Response::Error(WireError::Malformed {
            reason: "message.invalid_field".into()
        })
    );
    assert!(core.take_events().is_empty(), "nothing was tried");
    assert_eq!(
        stored_wifi(&core),
        (SSID.to_owned(), b"wrong pass 1".to_vec())
    );
    // The session is unharmed.
    assert_eq!(
        control(
            &mut core,
            &mut app.session,
            set_wifi(SSID, WIFI_PASS),
            T0 + 3
        ),
        Response::Done(Done {})
    );
}
