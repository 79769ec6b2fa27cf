//! Fixture for the tests on the real path: the world of `hearth-testkit` (a private bus with
//! the simulated radio), and what is this crate's own: real bluer peripherals that speak
//! Hearth's framing and echo each whole message, for the app side through this crate's
//! btleplug transport.
//!
//! btleplug and bluer run in the test process, so the world claims the process's bus: every
//! test binary holds exactly one test.

#![allow(dead_code)]

use bluer::adv::AdvertisementHandle;
use bluer::gatt::local::{ApplicationHandle, CharacteristicNotifier};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::gatt::Advertisement;
use hearth_radio::control::Radio1Proxy;
use hearth_reference_device::gatt_app;
use tokio::sync::mpsc;
use uuid::Uuid;

pub use hearth_testkit::{World, within};

/// The radio of the test's world, as the tests name it.
pub struct Radio<'w> {
    /// Its control interface (counters, link drops, power).
    pub control: &'w Radio1Proxy<'static>,
}

/// Runs `body` against a fresh world with no devices (the test starts its own peripherals),
/// whose Bluetooth the test drives in this process; then tears it down.
pub fn with_radio(body: impl AsyncFnOnce(&Radio<'_>)) {
    World::builder()
        .devices(0)
        .in_process_bluetooth()
        .run(async |world| {
            body(&Radio {
                control: world.radio(),
            })
            .await;
        });
}

/// [`with_radio`] with one plug minted by the factory (not started: the test runs it).
pub fn with_minted_plug(body: impl AsyncFnOnce(&Radio<'_>, &World)) {
    World::builder()
        .models(&["PLUG"])
        .start_devices(false)
        .in_process_bluetooth()
        .run(async |world| {
            body(
                &Radio {
                    control: world.radio(),
                },
                world,
            )
            .await;
        });
}

enum Input {
    Subscribed(CharacteristicNotifier),
    Segment { value: Vec<u8>, mtu: u16 },
}

/// A bluer peripheral advertising Hearth service data and serving the Hearth GATT service;
/// it reassembles each message with the protocol's `Link` and sends it back whole.
pub struct EchoDevice {
    pub session: bluer::Session,
    pub adapter: bluer::Adapter,
    pub app: ApplicationHandle,
    pub adv: AdvertisementHandle,
    /// One item per segment the device received.
    pub segments: mpsc::UnboundedReceiver<usize>,
}

/// What a test device serves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Gatt {
    /// The Hearth service.
    Hearth,
    /// Another service only: advertises like a Hearth device, is not one.
    Other,
}

pub fn local_name(discriminator: u16) -> String {
    format!("hearth-test-{discriminator:03x}")
}

impl EchoDevice {
    pub async fn start(adapter_name: &str, discriminator: u16, gatt: Gatt) -> Self {
        let session = within("bluer session", bluer::Session::new())
            .await
            .expect("bluer session");
        let adapter = session.adapter(adapter_name).expect("bluer adapter");
        within("power on", adapter.set_powered(true))
            .await
            .expect("power on");
        let (input, inputs) = mpsc::unbounded_channel();
        let (segment_seen, segments) = mpsc::unbounded_channel();
        tokio::spawn(echo(inputs, segment_seen));
        let on_write = input.clone();
        let on_subscribe = input;
        let service_uuid = match gatt {
            Gatt::Hearth => gatt_app::hearth_service(),
            Gatt::Other => Uuid::from_u128(0x1234_0000_0000_1000_8000_0080_5f9b_34fb),
        };
        let app = gatt_app::application(
            service_uuid,
            Box::new(move |value, req| {
                let _ = on_write.send(Input::Segment {
                    value,
                    mtu: req.mtu,
                });
                Box::pin(async { Ok(()) })
            }),
            Box::new(move |n| {
                let _ = on_subscribe.send(Input::Subscribed(n));
                Box::pin(async {})
            }),
        );
        let app = within("register app", adapter.serve_gatt_application(app))
            .await
            .expect("serve app");
        let adv = gatt_app::advertisement(
            &Advertisement {
                discriminator,
                pairing_open: true,
                has_owner: false,
            },
            &local_name(discriminator),
        );
        let adv = within("advertise", adapter.advertise(adv))
            .await
            .expect("advertise");
        Self {
            session,
            adapter,
            app,
            adv,
            segments,
        }
    }

    /// Waits until the device has received `n` more segments.
    pub async fn wait_segments(&mut self, n: usize) {
        for _ in 0..n {
            within("a segment at the device", self.segments.recv())
                .await
                .expect("device task alive");
        }
    }
}

/// The device's side of the framing: a fresh `Link` for every subscription (every connection).
async fn echo(
    mut inputs: mpsc::UnboundedReceiver<Input>,
    segment_seen: mpsc::UnboundedSender<usize>,
) {
    let mut notifier: Option<CharacteristicNotifier> = None;
    let mut link: Option<Link> = None;
    while let Some(input) = inputs.recv().await {
        match input {
            Input::Subscribed(n) => {
                notifier = Some(n);
                link = None;
            }
            Input::Segment { value, mtu } => {
                let _ = segment_seen.send(value.len());
                let current = link.get_or_insert_with(|| {
                    Link::new(FrameConfig::with_mtu(usize::from(mtu)).expect("radio MTU is valid"))
                });
                match current.receive(&value) {
                    Ok(Some(message)) => {
                        if let Err(e) = current.send(message) {
                            eprintln!("device: cannot echo: {e}");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("device: framing error {e}; waiting for a new connection");
                        link = None;
                        continue;
                    }
                }
                while let Some(out) = current.poll_transmit() {
                    let Some(n) = notifier.as_mut() else { break };
                    if n.notify(out).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

/// A deterministic test message.
pub fn message(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(salt))
        .collect()
}
