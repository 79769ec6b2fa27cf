//! The pairing window closes on its own and only the button reopens it
//! (EN 303 645 4.1-1: pairing needs someone at the device); a wrong Wi-Fi
//! passphrase is reported with a reason, not as a failed pairing, and is
//! corrected in the same session without a reset.

mod support;

use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    DeviceError, Done, Event, FromDevice, Passphrase, Request, Response, SetWifi, WifiAuthFailure,
    WifiStatus,
};
use hearth_protocol::pairing::PairingError;
use hearth_reference_device::control::Command;
use rand::SeedableRng;
use rand::rngs::StdRng;
use support::{App, Connection, SSID, WIFI_PASS, client, control, control_cli, with_device};

/// The pairing window is 15 minutes.
const PAST_THE_WINDOW: u64 = 15 * 60 + 1;

#[test]
fn the_button_reopens_a_closed_window() {
    with_device(async |world, device| {
        world.start_device(0).await.expect("the device starts");
        let mut app = App::start().await;
        let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(4));
        app.advertised("open advertisement", device.discriminator, |ad| {
            ad.pairing_open
        })
        .await;

        // Time passes: the window closes and the advertisement says so.
        let status = control(device, Command::Advance(PAST_THE_WINDOW)).await;
        assert!(status.powered && !status.pairing_open && !status.has_owner);
        let (peripheral, _) = app
            .advertised("closed advertisement", device.discriminator, |ad| {
                !ad.pairing_open && !ad.has_owner
            })
            .await;

        // Even the right code is refused now, and costs no attempt.
        let mut connection = Connection::open(&peripheral).await;
        let refused = connection
            .pair(client(
                device,
                device.code.passcode.clone(),
                &owner,
                "wrong passphrase",
            ))
            .await;
        assert!(
            matches!(
                refused,
                Err(PairingError::Device(DeviceError::PairingWindowClosed))
            ),
            "{refused:?}"
        );
        connection.close(&mut app).await;
        assert_eq!(control(device, Command::Status).await.failed_attempts, 0);

        // Someone presses the button (through the binary's client).
        let pressed = control_cli(device, "press").await;
        assert!(pressed.pairing_open);
        let (peripheral, _) = app
            .advertised("reopened advertisement", device.discriminator, |ad| {
                ad.pairing_open
            })
            .await;

        // Pairing works again; the Wi-Fi passphrase was mistyped, which the
        // device reports with a reason while the owner is still provisioned.
        let mut connection = Connection::open(&peripheral).await;
        let mut paired = connection
            .pair(client(
                device,
                device.code.passcode.clone(),
                &owner,
                "wrong passphrase",
            ))
            .await
            .expect("pairs after the button press");
        let event = connection.receive().await;
        match paired.channel.open(&event).unwrap() {
            FromDevice::Event(event) => assert_eq!(
                event.body,
                Event::WifiStatus(WifiStatus::WrongPassphrase {
                    reason: WifiAuthFailure::HandshakeRejected
                })
            ),
            other => panic!("expected the Wi-Fi status, got {other:?}"),
        }
        assert!(control(device, Command::Status).await.has_owner);

        // The owner sends the right passphrase, sealed, in the same session.
        let done = connection
            .control(
                &mut paired.channel,
                Request::SetWifi(SetWifi {
                    ssid: SSID.into(),
                    passphrase: Passphrase::new(WIFI_PASS.into()),
                }),
            )
            .await;
        assert_eq!(done, Response::Done(Done {}));
        let event = connection.receive().await;
        match paired.channel.open(&event).unwrap() {
            FromDevice::Event(event) => assert_eq!(
                event.body,
                Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })
            ),
            other => panic!("expected the Wi-Fi status, got {other:?}"),
        }
        connection.close(&mut app).await;
        let log = world.device_log(0);
        assert!(!log.contains("wrong passphrase") && !log.contains(WIFI_PASS));
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
