//! The reference device binary on the simulated radio, driven by btleplug
//! with the app's pairing client: found by its discriminator, a wrong code
//! costs one attempt, the label's code pairs and provisions in three round
//! trips, the owner switches the plug over a later owner session, and a
//! power cut keeps the owner (no setup code afterwards). EN 303 645 4.1-1,
//! 4.5-1, 4.12-1.

mod support;

use btleplug::api::Peripheral as _;
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    Event, FromDevice, GetPlug, PlugState, ReadTemperature, Request, Response, SetPlug, WifiStatus,
};
use hearth_protocol::pairing::{OwnerSessionClient, PairingError};
use hearth_reference_device::control::Command;
use hearth_reference_device::sensor::{MAX_CENTI_CELSIUS, MIN_CENTI_CELSIUS};
use rand::SeedableRng;
use rand::rngs::StdRng;
use support::{
    App, Connection, SSID, WIFI_PASS, client, control, control_cli, with_device, wrong_passcode,
};

#[test]
fn pair_provision_control_and_survive_a_power_cut() {
    with_device(async |world, device| {
        world.start_device(0).await.expect("the device starts");
        let mut app = App::start().await;
        let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(1));

        // Found by the discriminator on its label, window open, no owner.
        let (peripheral, ad) = app
            .advertised("open advertisement", device.discriminator, |ad| {
                ad.pairing_open && !ad.has_owner
            })
            .await;
        assert_eq!(ad.discriminator, device.discriminator);
        let name = peripheral.properties().await.unwrap().unwrap().local_name;
        assert_eq!(
            name.as_deref(),
            Some(format!("Hearth Plug {:04X}", device.discriminator).as_str())
        );

        // A wrong code: refused after round trip 2, one attempt counted.
        let mut connection = Connection::open(&peripheral).await;
        let wrong = connection
            .pair(client(
                device,
                wrong_passcode(&device.code),
                &owner,
                WIFI_PASS,
            ))
            .await;
        assert!(
            matches!(wrong, Err(PairingError::WrongCode { attempts_left: 19 })),
            "{wrong:?}"
        );
        assert_eq!(connection.round_trips, 2);
        assert_eq!(control(device, Command::Status).await.failed_attempts, 1);
        connection.close(&mut app).await;

        // The label's code on a new connection: paired and provisioned in 3 round trips.
        let mut connection = Connection::open(&peripheral).await;
        let started = std::time::Instant::now();
        let mut paired = connection
            .pair(client(
                device,
                device.code.passcode.clone(),
                &owner,
                WIFI_PASS,
            ))
            .await
            .expect("pairs with the label's code");
        assert_eq!(connection.round_trips, 3);
        println!(
            "pairing + provisioning over the simulated radio (MTU {}): {} round trips in {:?}",
            peripheral.mtu(),
            connection.round_trips,
            started.elapsed()
        );
        let event = connection.receive().await;
        match paired.channel.open(&event).unwrap() {
            FromDevice::Event(event) => assert_eq!(
                event.body,
                Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })
            ),
            other => panic!("expected the Wi-Fi status, got {other:?}"),
        }
        let status = control(device, Command::Status).await;
        assert!(status.has_owner && !status.pairing_open && status.connected);
        assert_eq!(status.failed_attempts, 0);
        app.advertised("owned advertisement", device.discriminator, |ad| {
            ad.has_owner && !ad.pairing_open
        })
        .await;
        connection.close(&mut app).await;

        // A later connection: owner session, plug on, temperature read.
        let mut connection = Connection::open(&peripheral).await;
        let started = std::time::Instant::now();
        let (session, hello) = OwnerSessionClient::start(
            &owner,
            paired.user_id,
            &paired.device.identity_key,
            &mut StdRng::seed_from_u64(2),
        )
        .unwrap();
        let device_hello = connection.exchange(hello).await;
        let (mut channel, auth) = session
            .handle(&device_hello, Some(Request::SetPlug(SetPlug { on: true })))
            .unwrap();
        let answer = connection.exchange(auth).await;
        match channel.open(&answer).unwrap() {
            FromDevice::Response(r) => assert_eq!(r.body, Response::Plug(PlugState { on: true })),
            other => panic!("expected a response, got {other:?}"),
        }
        println!(
            "owner session + first request (plug on): 2 round trips in {:?}",
            started.elapsed()
        );
        match connection
            .control(&mut channel, Request::ReadTemperature(ReadTemperature {}))
            .await
        {
            Response::Temperature(t) => {
                assert!((MIN_CENTI_CELSIUS..=MAX_CENTI_CELSIUS).contains(&t.centi_celsius));
            }
            other => panic!("expected a temperature, got {other:?}"),
        }
        assert!(control(device, Command::Status).await.plug_on);

        // Power cut (through the binary's client): the link drops, nothing is advertised.
        let off = control_cli(device, "power-off").await;
        assert!(!off.powered && !off.connected);
        app.disconnected(&peripheral).await;

        // Power back: the owner is kept, no setup code is needed, the plug is still on.
        let on = control_cli(device, "power-on").await;
        assert!(on.powered && on.has_owner && !on.pairing_open);
        let (peripheral, _) = app
            .advertised("advertisement after power-on", device.discriminator, |ad| {
                ad.has_owner && !ad.pairing_open
            })
            .await;
        let mut connection = Connection::open(&peripheral).await;
        let (session, hello) = OwnerSessionClient::start(
            &owner,
            paired.user_id,
            &paired.device.identity_key,
            &mut StdRng::seed_from_u64(3),
        )
        .unwrap();
        let device_hello = connection.exchange(hello).await;
        let (mut channel, auth) = session
            .handle(&device_hello, Some(Request::GetPlug(GetPlug {})))
            .unwrap();
        let answer = connection.exchange(auth).await;
        match channel.open(&answer).unwrap() {
            FromDevice::Response(r) => assert_eq!(r.body, Response::Plug(PlugState { on: true })),
            other => panic!("expected a response, got {other:?}"),
        }
        let off = connection
            .control(&mut channel, Request::SetPlug(SetPlug { on: false }))
            .await;
        assert_eq!(off, Response::Plug(PlugState { on: false }));
        connection.close(&mut app).await;

        let log = world.device_log(0);
        let passcode = format!("{:08}", device.code.passcode.expose_secret());
        for secret in [WIFI_PASS, passcode.as_str()] {
            assert!(!log.contains(secret), "the log leaks a secret");
        }
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
        assert!(!device.state.join("control.sock").exists());
    });
}
