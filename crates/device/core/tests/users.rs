//! Users, per-user data, authorisation and factory reset (ETSI EN 303 645
//! 4.1-1, 4.5-1, 4.11-1).

mod support;

use hearth_device::storage::MemoryStorage;
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    AddUser, DeviceError as WireError, Done, FactoryReset, GetDeviceInfo, OwnerAuth, OwnerHello,
    PlugState, RemoveUser, Request, Response, Role, SetPlug, UserAdded,
};
use proptest::prelude::*;
use support::*;

const T0: u64 = 1_700_000_000;

fn add(
    core: &mut hearth_device::DeviceCore<MemoryStorage>,
    app: &mut App,
    key: &OwnerKey,
    role: Role,
) -> u32 {
    let response = control(
        core,
        &mut app.session,
        Request::AddUser(AddUser {
            public_key: key.public(),
            role,
            name: "Renter".into(),
        }),
        T0,
    );
    let Response::UserAdded(UserAdded { user_id }) = response else {
        panic!("{response:?}")
    };
    user_id
}

#[test]
fn a_resident_cannot_remove_the_owner_but_can_delete_themselves() {
    let minted = mint(20);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut owner = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    let renter_key = OwnerKey::generate(&mut rng(21));
    let renter = add(&mut core, &mut owner, &renter_key, Role::Resident);
    control(
        &mut core,
        &mut owner.session,
        Request::SetPlug(SetPlug { on: true }),
        T0 + 1,
    );
    core.disconnect();

    let mut session = connect(
        &mut core,
        renter,
        &renter_key,
        &owner.device_identity,
        T0 + 10,
    )
    .unwrap();
    assert_eq!(
        control(
            &mut core,
            &mut session,
            Request::SetPlug(SetPlug { on: false }),
            T0 + 11
        ),
        Response::Plug(PlugState { on: false })
    );
    assert_eq!(
        core.state().user_data[&renter].usage.len(),
        1,
        "the renter's own history"
    );
    for forbidden in [
        Request::RemoveUser(RemoveUser {
            user_id: owner.user_id,
        }),
        Request::FactoryReset(FactoryReset {}),
        Request::AddUser(AddUser {
            public_key: [9; 32],
            role: Role::Guest,
            name: "Friend".into(),
        }),
    ] {
        assert_eq!(
            control(&mut core, &mut session, forbidden, T0 + 12),
            Response::Error(WireError::NotAuthorised)
        );
    }
    assert_eq!(
        control(
            &mut core,
            &mut session,
            Request::RemoveUser(RemoveUser { user_id: renter }),
            T0 + 13
        ),
        Response::Done(Done {})
    );
    assert!(!core.has_session(), "removing yourself ends your session");
    let state = core.state();
    assert!(state.user(renter).is_none() && !state.user_data.contains_key(&renter));
    assert_eq!(
        state.user_data[&owner.user_id].usage.len(),
        1,
        "the owner's data is untouched"
    );
    assert!(state.is_paired() && state.wifi.is_some());
    // The removed key no longer opens a session.
    assert_eq!(
        connect(
            &mut core,
            renter,
            &renter_key,
            &owner.device_identity,
            T0 + 14
        )
        .unwrap_err(),
        WireError::NotAuthorised
    );
}

#[test]
fn factory_reset_returns_to_the_devices_own_code_and_erases_users() {
    let minted = mint(22);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut owner = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    let guest_key = OwnerKey::generate(&mut rng(23));
    add(&mut core, &mut owner, &guest_key, Role::Guest);
    control(
        &mut core,
        &mut owner.session,
        Request::SetPlug(SetPlug { on: true }),
        T0 + 1,
    );
    assert_eq!(
        control(
            &mut core,
            &mut owner.session,
            Request::FactoryReset(FactoryReset {}),
            T0 + 2
        ),
        Response::Done(Done {})
    );
    let state = core.state();
    assert!(
        state.users.is_empty()
            && state.user_data.is_empty()
            && state.wifi.is_none()
            && !state.plug_on
    );
    assert_eq!(state.identity, minted.identity, "identity kept");
    // Old credentials are gone; the same printed code pairs again.
    assert_eq!(
        connect(
            &mut core,
            owner.user_id,
            &owner.owner,
            &owner.device_identity,
            T0 + 3
        )
        .unwrap_err(),
        WireError::NotAuthorised
    );
    let again = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0 + 4).unwrap();
    assert_ne!(again.user_id, owner.user_id, "user ids are not reused");
}

#[test]
fn the_reset_button_works_without_any_session() {
    let minted = mint(24);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    core.factory_reset_button(T0 + 100).unwrap();
    assert!(!core.state().is_paired());
    pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        WIFI_PASS,
        T0 + 101,
    )
    .unwrap();
}

#[test]
fn control_without_a_session_is_refused() {
    let minted = mint(25);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    assert_eq!(
        call(&mut core, 1, Request::SetPlug(SetPlug { on: true }), T0),
        Response::Error(WireError::NotAuthorised)
    );
    assert!(matches!(
        call(&mut core, 2, Request::GetDeviceInfo(GetDeviceInfo {}), T0),
        Response::DeviceInfo(_)
    ));
    pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    core.disconnect();
    for request in [
        Request::SetPlug(SetPlug { on: true }),
        Request::FactoryReset(FactoryReset {}),
        Request::RemoveUser(RemoveUser { user_id: 1 }),
        // After pairing the serial is a tracking identifier: session only.
        Request::GetDeviceInfo(GetDeviceInfo {}),
    ] {
        assert_eq!(
            call(&mut core, 3, request, T0),
            Response::Error(WireError::NotAuthorised)
        );
    }
    assert!(!core.state().plug_on);
}

#[test]
fn a_forged_owner_signature_opens_nothing() {
    let minted = mint(26);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let owner = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    core.disconnect();
    // Someone who knows the owner's user id but not the owner key gets a DeviceHello,
    // but whatever they sign with is refused.
    let Response::DeviceHello(_) = call(
        &mut core,
        1,
        Request::OwnerHello(OwnerHello {
            user_id: owner.user_id,
            ephemeral_public: [9; 32],
            nonce: [1; 32],
        }),
        T0 + 1,
    ) else {
        panic!("expected DeviceHello")
    };
    let impostor_signature = [0x5A; 64];
    assert_eq!(
        call(
            &mut core,
            2,
            Request::OwnerAuth(OwnerAuth {
                signature: impostor_signature,
                first_request: None,
            }),
            T0 + 1
        ),
        Response::Error(WireError::NotAuthorised)
    );
    assert!(!core.has_session());
    connect(
        &mut core,
        owner.user_id,
        &owner.owner,
        &owner.device_identity,
        T0 + 2,
    )
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// EN 303 645 4.13-1: any bytes get an answer (or a typed error), never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let minted = mint(28);
        let mut core = boot(MemoryStorage::new(), &minted, T0);
        prop_assert!(core.handle(&bytes, T0).is_ok());
        prop_assert!(!core.state().is_paired());
    }
}
