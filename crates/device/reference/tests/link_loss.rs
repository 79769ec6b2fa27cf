//! A link lost mid-session (supervision timeout in the radio) leaves no
//! half-state on the device: the next connection starts clean framing and a
//! fresh owner session, and an unauthenticated stranger cannot ride on the
//! old session.

mod support;

use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    DeviceError, FromDevice, GetPlug, PlugState, Request, Response, SetPlug,
};
use hearth_protocol::pairing::OwnerSessionClient;
use hearth_radio::control::Radio1Proxy;
use hearth_reference_device::control::Command;
use rand::SeedableRng;
use rand::rngs::StdRng;
use support::{App, Connection, WIFI_PASS, client, control, with_device, within};

#[test]
fn a_dropped_link_leaves_no_session_behind() {
    with_device(async |world, device| {
        world.start_device(0).await.expect("the device starts");
        let mut app = App::start().await;
        let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(5));
        let (peripheral, _) = app
            .advertised("open advertisement", device.discriminator, |ad| {
                ad.pairing_open
            })
            .await;
        let mut connection = Connection::open(&peripheral).await;
        let mut paired = connection
            .pair(client(
                device,
                device.code.passcode.clone(),
                &owner,
                WIFI_PASS,
            ))
            .await
            .expect("pairs");
        let wifi_status = connection.receive().await;
        assert!(matches!(
            paired.channel.open(&wifi_status).unwrap(),
            FromDevice::Event(_)
        ));
        let on = connection
            .control(&mut paired.channel, Request::SetPlug(SetPlug { on: true }))
            .await;
        assert_eq!(on, Response::Plug(PlugState { on: true }));

        // The radio loses the link.
        let address = std::env::var("DBUS_SYSTEM_BUS_ADDRESS").unwrap();
        let bus = within(
            "control bus",
            zbus::connection::Builder::address(address.as_str()).build(),
        )
        .await
        .unwrap();
        let radio = Radio1Proxy::new(&bus).await.unwrap();
        assert_eq!(radio.drop_link("hci1").await.unwrap(), 1);
        app.disconnected(&peripheral).await;

        // A new connection: a sealed request from the old session is refused
        // (the device forgot it), and a fresh owner session works.
        let mut connection = Connection::open(&peripheral).await;
        let (_, stale) = paired
            .channel
            .request(Request::SetPlug(SetPlug { on: false }))
            .unwrap();
        let answer = connection.exchange(stale).await;
        match hearth_protocol::message::decode_from_device(
            &answer,
            &hearth_protocol::message::Limits::default(),
        )
        .unwrap()
        {
            FromDevice::Response(r) => {
                assert_eq!(r.body, Response::Error(DeviceError::NotAuthorised));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let (session, hello) = OwnerSessionClient::start(
            &owner,
            paired.user_id,
            &paired.device.identity_key,
            &mut StdRng::seed_from_u64(6),
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
        assert!(control(device, Command::Status).await.connected);
        connection.close(&mut app).await;
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
