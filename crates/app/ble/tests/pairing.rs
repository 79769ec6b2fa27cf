//! A real pairing through this crate against the reference device: the device runs in-process
//! (bluer on `hci1`, over the device core, with an identity minted by the factory library);
//! the app side finds it by the label's discriminator through the btleplug transport and
//! pairs with `PairingClient` over a `Pipe`. Pairing plus provisioning takes 3 round trips
//! (design budget, EN 303 645 4.12-1) and the Wi-Fi status arrives as a device event.

mod common;

use std::time::Duration;

use common::*;
use hearth_ble::{BtleplugConfig, BtleplugTransport, HearthMessages, Pipe, PipeConfig, Transport};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{Event, FromDevice, Passphrase, Provisioning, Role, WifiStatus};
use hearth_protocol::pairing::{PairingClient, PairingStep};
use hearth_reference_device::clock::{Clock as _, SystemClock};
use hearth_reference_device::plug::{Plug, PlugConfig, read_identity};
use hearth_reference_device::wifi::SimulatedWifi;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::oneshot;

const SSID: &str = "home";
const WIFI_PASS: &str = "correct horse battery";

fn unix_now() -> u64 {
    SystemClock.now_unix()
}

#[test]
fn pairs_with_the_reference_device_in_three_round_trips() {
    with_minted_plug(async |radio, world| {
        let plug = world.devices()[0].clone();
        let (identity_dir, code, root) = (plug.identity.clone(), plug.code(), world.vendor_root());
        // The device core is not `Send` (it owns its clock, RNG and peripherals), so the device
        // gets a thread and a single-threaded runtime of its own, as in its binary.
        let state_dir = plug.state.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let device = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("device runtime");
            runtime.block_on(async move {
                let plug = Plug::boot(
                    PlugConfig {
                        identity: read_identity(&identity_dir).expect("identity"),
                        state_dir: state_dir.clone(),
                        wifi: SimulatedWifi::none().with_network(SSID, WIFI_PASS),
                        seed: 7,
                    },
                    Box::new(SystemClock),
                )
                .expect("boot");
                let socket = hearth_reference_device::control::socket_path(&state_dir);
                let listener =
                    hearth_reference_device::control::bind(&socket).expect("control socket");
                hearth_reference_device::ble::run(plug, "hci1", listener, async {
                    let _ = stopped.await;
                })
                .await
            })
        });

        let transport = within(
            "transport",
            BtleplugTransport::new(BtleplugConfig::default()),
        )
        .await
        .expect("transport");
        let found = within(
            "the plug by its label's discriminator",
            transport.find(code.discriminator, Duration::from_secs(20)),
        )
        .await
        .expect("found");
        assert!(found.advertisement.pairing_open && !found.advertisement.has_owner);
        let conn = within(
            "connect",
            transport.connect(&found.id, Duration::from_secs(10)),
        )
        .await
        .expect("connect");
        let mut pipe =
            Pipe::open(conn, PipeConfig::default(), HearthMessages::default()).expect("pipe");
        radio.control.reset_counters().await.expect("reset");

        let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(1));
        let provisioning = Provisioning {
            wifi_ssid: SSID.into(),
            wifi_passphrase: Passphrase::new(WIFI_PASS.into()),
            owner_public_key: owner.public(),
            device_name: "Kitchen plug".into(),
            role: Role::Owner,
        };
        let mut client = PairingClient::new(&code, provisioning, root).expect_model("PLUG");
        let mut rng = StdRng::seed_from_u64(2);
        let mut requests = 1;
        let mut answer = within("round trip 1", pipe.request(client.start().expect("start")))
            .await
            .expect("answer");
        let mut paired = loop {
            match client
                .handle(&answer, unix_now(), &mut rng)
                .expect("pairing step")
            {
                PairingStep::Send(next) => {
                    requests += 1;
                    answer = within("next round trip", pipe.request(next))
                        .await
                        .expect("answer");
                }
                PairingStep::Ignored => panic!("the pipe hands events to the event channel"),
                PairingStep::Paired(paired) => break *paired,
            }
        };
        assert_eq!(requests, 3, "pairing and provisioning in 3 round trips");

        let event = within("Wi-Fi status event", pipe.next_event())
            .await
            .expect("an event");
        match paired.channel.open(&event).expect("sealed event opens") {
            FromDevice::Event(event) => assert_eq!(
                event.body,
                Event::WifiStatus(WifiStatus::Joined { ssid: SSID.into() })
            ),
            other => panic!("expected the Wi-Fi status, got {other:?}"),
        }
        let counters = radio.control.counters().await.expect("counters");
        println!(
            "paired in {requests} requests: radio round_trips={} writes={} notifications={} \
             bytes_to_peripheral={} bytes_to_central={}",
            counters["round_trips"],
            counters["writes"],
            counters["notifications"],
            counters["bytes_to_peripheral"],
            counters["bytes_to_central"],
        );
        within("close", pipe.close()).await.expect("close");
        let _ = stop.send(());
        within(
            "device stops",
            tokio::task::spawn_blocking(move || device.join()),
        )
        .await
        .expect("join task")
        .expect("device thread")
        .expect("device ran cleanly");
    });
}
