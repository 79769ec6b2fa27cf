//! Pairing window and brute-force rules (ETSI EN 303 645 4.1-1, v2.1.1 5.1-5).

mod support;

use hearth_device::lockout::{MAX_FAILURES, WINDOW_SECS, delay_after};
use hearth_device::storage::{FileStorage, MemoryStorage};
use hearth_protocol::message::{
    DeviceError as WireError, Event, PairingParamsRequest, Pake1, Pake3, Request, Response,
    WifiStatus,
};
use hearth_protocol::spake2::PairingProver;
use support::*;

const T0: u64 = 1_700_000_000;

#[test]
fn pairs_with_its_own_code_attests_and_joins_wifi() {
    let minted = mint(1);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut app = pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0 + 5).unwrap();
    assert_eq!(
        app.events,
        vec![Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })]
    );
    let state = core.state();
    assert!(state.is_paired());
    assert_eq!(
        state.user(app.user_id).unwrap().public_key,
        app.owner.public().to_vec()
    );
    assert_eq!(state.wifi.as_ref().unwrap().ssid, SSID);
    assert_eq!(
        state.brute_force.failures, 0,
        "a successful pairing clears the counter"
    );
    // The session works right away.
    let plug = control(
        &mut core,
        &mut app.session,
        Request::SetPlug(hearth_protocol::message::SetPlug { on: true }),
        T0 + 6,
    );
    assert_eq!(
        plug,
        Response::Plug(hearth_protocol::message::PlugState { on: true })
    );
}

#[test]
fn window_closes_once_paired() {
    let minted = mint(2);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    core.disconnect();
    assert_eq!(
        call(
            &mut core,
            1,
            Request::PairingParams(PairingParamsRequest {}),
            T0 + 1
        ),
        Response::Error(WireError::PairingWindowClosed)
    );
    // Not even a button press reopens pairing for a paired device.
    core.press_button(T0 + 2).unwrap();
    assert!(!core.pairing_window_open(T0 + 2));
    core.power_cycle(T0 + 3).unwrap();
    assert!(!core.pairing_window_open(T0 + 3));
}

#[test]
fn window_closes_after_fifteen_minutes_and_the_button_reopens_it() {
    let minted = mint(3);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    assert!(core.pairing_window_open(T0 + WINDOW_SECS - 1));
    assert_eq!(
        call(
            &mut core,
            1,
            Request::PairingParams(PairingParamsRequest {}),
            T0 + WINDOW_SECS
        ),
        Response::Error(WireError::PairingWindowClosed)
    );
    core.press_button(T0 + 2000).unwrap();
    pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        WIFI_PASS,
        T0 + 2000,
    )
    .unwrap();
}

#[test]
fn wrong_codes_grow_delays_then_lock_until_the_button() {
    let minted = mint(4);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let wrong = wrong_passcode(&minted.code);
    let mut now = T0;
    let mut seen_delays = Vec::new();
    for attempt in 1..=MAX_FAILURES {
        // Immediately after the previous failure: refused with the current delay, if any.
        match call(
            &mut core,
            1,
            Request::PairingParams(PairingParamsRequest {}),
            now,
        ) {
            Response::PairingParams(params) => {
                assert_eq!(params.attempts_left, MAX_FAILURES - attempt + 1);
                seen_delays.push(0);
            }
            Response::Error(WireError::LockedOut { retry_after_secs }) => {
                seen_delays.push(u64::from(retry_after_secs));
                now += u64::from(retry_after_secs);
            }
            other => panic!("attempt {attempt}: {other:?}"),
        }
        assert!(matches!(
            pair(&mut core, &minted, &wrong, WIFI_PASS, now),
            Err(Outcome::WrongCode)
        ));
        core.disconnect();
    }
    let expected: Vec<u64> = (0..MAX_FAILURES).map(delay_after).collect();
    assert_eq!(
        seen_delays, expected,
        "none for the first two, then 1 s, 2 s, 4 s … capped"
    );
    assert!(now - T0 < WINDOW_SECS, "twenty attempts fit in one window");

    // Locked: even the right code, even much later, until someone presses the button.
    for later in [now + 61, now + 3600, now + 86_400] {
        assert!(matches!(
            pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, later),
            Err(Outcome::Refused(WireError::LockedUntilButton))
        ));
    }
    core.press_button(now + 86_400).unwrap();
    pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        WIFI_PASS,
        now + 86_400,
    )
    .unwrap();
}

#[test]
fn a_wrong_confirm_p_is_refused_before_opening_anything() {
    let minted = mint(5);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let mut rng = rng(9);
    let Response::PairingParams(params) = call(
        &mut core,
        1,
        Request::PairingParams(PairingParamsRequest {}),
        T0,
    ) else {
        panic!()
    };
    let prover = PairingProver::start(
        &minted.code.passcode,
        &params.salt,
        params.iterations,
        &params.device_info.serial,
        &mut rng,
    )
    .unwrap();
    let Response::Pake2(_) = call(
        &mut core,
        2,
        Request::Pake1(Pake1 {
            share_p: prover.share_p(),
        }),
        T0,
    ) else {
        panic!()
    };
    let response = call(
        &mut core,
        3,
        Request::Pake3(Pake3 {
            confirm_p: [0xAA; 32],
            sealed_provisioning: vec![1, 2, 3],
        }),
        T0,
    );
    assert_eq!(
        response,
        Response::Error(WireError::WrongCode {
            attempts_left: MAX_FAILURES - 1
        })
    );
    assert!(!core.state().is_paired());
    assert!(!core.has_session());
}

#[test]
fn an_abandoned_attempt_still_counts() {
    // Pake2's confirm_v already tells the app whether its guess was right, so an
    // attacker who never sends Pake3 must pay for the guess too.
    let minted = mint(6);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let wrong = wrong_passcode(&minted.code);
    for _ in 0..3 {
        let _ = pair(&mut core, &minted, &wrong, WIFI_PASS, T0);
        core.disconnect();
    }
    assert_eq!(core.state().brute_force.failures, 3);
    assert_eq!(
        call(
            &mut core,
            1,
            Request::PairingParams(PairingParamsRequest {}),
            T0
        ),
        Response::Error(WireError::LockedOut {
            retry_after_secs: 1
        })
    );
}

#[test]
fn lockout_and_delays_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.bin");
    let minted = mint(7);
    let wrong = wrong_passcode(&minted.code);
    let mut now = T0;
    {
        let mut core = boot(FileStorage::new(&path), &minted, now);
        for _ in 0..6 {
            now += core.state().brute_force.wait_secs(now);
            let _ = pair(&mut core, &minted, &wrong, WIFI_PASS, now);
        }
    }
    // Power cut right after the sixth failure; the device boots again at once.
    let mut core = boot(FileStorage::new(&path), &minted, now);
    assert_eq!(core.state().brute_force.failures, 6);
    assert_eq!(
        call(
            &mut core,
            1,
            Request::PairingParams(PairingParamsRequest {}),
            now
        ),
        Response::Error(WireError::LockedOut {
            retry_after_secs: delay_after(6) as u32
        })
    );
    for _ in 6..MAX_FAILURES {
        now += core.state().brute_force.wait_secs(now);
        let _ = pair(&mut core, &minted, &wrong, WIFI_PASS, now);
    }
    drop(core);
    let mut core = boot(FileStorage::new(&path), &minted, now + 10_000);
    assert!(matches!(
        pair(
            &mut core,
            &minted,
            &minted.code.passcode,
            WIFI_PASS,
            now + 10_000
        ),
        Err(Outcome::Refused(WireError::LockedUntilButton))
    ));
    core.power_cycle(now + 20_000).unwrap();
    assert!(
        !core.pairing_window_open(now + 20_000),
        "a power cycle is not a button press"
    );
    core.press_button(now + 20_000).unwrap();
    pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        WIFI_PASS,
        now + 20_000,
    )
    .unwrap();
}

#[test]
fn a_corrupted_state_file_stops_the_boot_instead_of_resetting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.bin");
    let minted = mint(8);
    drop(boot(FileStorage::new(&path), &minted, T0));
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&path, bytes).unwrap();
    let err = hearth_device::DeviceCore::boot(
        FileStorage::new(&path),
        Some(minted.identity.clone()),
        peripherals(1),
        T0,
    )
    .unwrap_err();
    assert_eq!(err.code(), "storage_corrupted");
}

#[test]
fn wifi_problems_are_reported_as_events() {
    let minted = mint(9);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let app = pair(
        &mut core,
        &minted,
        &minted.code.passcode,
        "not the passphrase",
        T0,
    )
    .unwrap();
    assert!(matches!(
        app.events.as_slice(),
        [Event::WifiStatus(WifiStatus::WrongPassphrase { .. })]
    ));
}

#[test]
fn pake_messages_out_of_order_or_after_pairing_are_refused_uncounted() {
    let minted = mint(10);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let stray_pake3 = Request::Pake3(Pake3 {
        confirm_p: [1; 32],
        sealed_provisioning: vec![],
    });
    assert_eq!(
        call(&mut core, 1, stray_pake3.clone(), T0),
        Response::Error(WireError::UnexpectedMessage)
    );
    assert_eq!(core.state().brute_force.failures, 0);
    pair(&mut core, &minted, &minted.code.passcode, WIFI_PASS, T0).unwrap();
    let pake1 = Request::Pake1(Pake1 { share_p: [4; 65] });
    assert_eq!(
        call(&mut core, 2, pake1, T0),
        Response::Error(WireError::PairingWindowClosed)
    );
    assert_eq!(core.state().brute_force.failures, 0);
    assert!(
        core.has_session(),
        "a stray message does not end the session"
    );
}

#[test]
fn a_timed_out_window_and_the_hard_lockout_are_told_apart() {
    let minted = mint(11);
    let mut core = boot(MemoryStorage::new(), &minted, T0);
    let wrong = wrong_passcode(&minted.code);
    let params = Request::PairingParams(PairingParamsRequest {});
    let pake1 = Request::Pake1(Pake1 { share_p: [4; 65] });
    for _ in 0..3 {
        assert!(matches!(
            pair(&mut core, &minted, &wrong, WIFI_PASS, T0),
            Err(Outcome::WrongCode)
        ));
    }
    // A few failures on record, then the window simply times out.
    let late = T0 + WINDOW_SECS;
    for request in [params.clone(), pake1.clone()] {
        assert_eq!(
            call(&mut core, 1, request, late),
            Response::Error(WireError::PairingWindowClosed)
        );
    }

    core.press_button(late).unwrap();
    let mut now = late;
    for _ in 0..MAX_FAILURES {
        now += core.state().brute_force.wait_secs(now);
        assert!(matches!(
            pair(&mut core, &minted, &wrong, WIFI_PASS, now),
            Err(Outcome::WrongCode)
        ));
    }
    // Locked: inside the window and after it, for both pairing requests, and
    // the refusals themselves are not counted.
    for at in [now, now + 1, late + WINDOW_SECS + 1] {
        for request in [params.clone(), pake1.clone()] {
            assert_eq!(
                call(&mut core, 1, request, at),
                Response::Error(WireError::LockedUntilButton)
            );
        }
    }
    assert_eq!(core.state().brute_force.failures, MAX_FAILURES);
}
