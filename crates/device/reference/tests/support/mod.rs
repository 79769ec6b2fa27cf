//! The device's tests in the world of `hearth-testkit` (the simulated radio on a private bus,
//! an identity minted by the factory, this crate's `hearth-refdevice` binary on `hci1`), and
//! what is this crate's own: btleplug as the app's central speaking Hearth's framing and
//! pairing client, raw, so the device's answers are seen as they are.
//!
//! btleplug runs in the test process, so the world claims the process's bus (one test per
//! binary process). Nothing sleeps: every step waits for an event with a timeout.

#![allow(dead_code, clippy::missing_panics_doc)]

use btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use futures_util::{Stream, StreamExt};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::gatt::{Advertisement, NOTIFY_UUID, SERVICE_UUID, WRITE_UUID};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{FromDevice, Passphrase, Provisioning, Request, Response, Role};
use hearth_protocol::pairing::{Channel, Paired, PairingClient, PairingError, PairingStep};
use hearth_protocol::setup_code::{ParsedSetupCode, Passcode};
use hearth_reference_device::control::Command;
use hearth_reference_device::plug::Status;
use hearth_testkit::Clock as _;
use hearth_testkit::factory::TestVendor;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use uuid::Uuid;

pub use hearth_testkit::{
    WIFI_PASSPHRASE as WIFI_PASS, WIFI_SSID as SSID, World, control as world_control, within,
};

/// The model the devices are minted as.
pub const MODEL: &str = "PLUG";

pub fn unix_now() -> u64 {
    hearth_testkit::SystemClock.now_unix()
}

/// One minted device: its folders, label code and the vendor root.
pub struct MintedDevice {
    pub identity: PathBuf,
    pub state: PathBuf,
    pub wifi_file: PathBuf,
    pub code: ParsedSetupCode,
    pub discriminator: u16,
    pub root: [u8; 32],
    /// The testkit's view of it.
    pub device: hearth_testkit::Device,
}

impl MintedDevice {
    fn new(device: hearth_testkit::Device, wifi_file: PathBuf, root: [u8; 32]) -> Self {
        Self {
            identity: device.identity.clone(),
            state: device.state.clone(),
            wifi_file,
            code: device.code(),
            discriminator: device.discriminator(),
            root,
            device,
        }
    }
}

/// Mints one identity the way the factory does, for tests without a radio.
pub fn mint_device(dir: &Path) -> MintedDevice {
    let now = unix_now() - 60;
    let vendor = TestVendor::init(&dir.join("vendor"), "Acme", now).unwrap();
    let folder = vendor
        .mint(&dir.join("out"), MODEL, 1, now)
        .unwrap()
        .remove(0);
    let device =
        hearth_testkit::Device::from_label(&folder, dir.join("state"), 1, dir.join("log")).unwrap();
    let wifi_file = dir.join("wifi.toml");
    std::fs::write(
        &wifi_file,
        format!("[networks]\n{SSID:?} = {WIFI_PASS:?}\n"),
    )
    .unwrap();
    MintedDevice::new(device, wifi_file, vendor.root)
}

/// Runs `body` in a world with one minted device (not started: the test starts it, as
/// `hearth-refdevice` on `hci1` with a fixed sensor seed) and btleplug in this process.
pub fn with_device(body: impl AsyncFnOnce(&World, &MintedDevice)) {
    World::builder()
        .models(&[MODEL])
        .start_devices(false)
        .sensor_seed(7)
        .refdevice_binary(Path::new(env!("CARGO_BIN_EXE_hearth-refdevice")))
        .in_process_bluetooth()
        .run(async |world| {
            let device = MintedDevice::new(
                world.devices()[0].clone(),
                world.wifi().networks_file.clone(),
                world.vendor_root(),
            );
            body(world, &device).await;
        });
}

/// A command through the control socket (the library client).
pub async fn control(device: &MintedDevice, command: Command) -> Status {
    world_control(&device.device, command).await
}

/// A command through the binary's client subcommands (`press`, `power-off`, …).
pub async fn control_cli(device: &MintedDevice, subcommand: &str) -> Status {
    let output = within(
        subcommand,
        tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth-refdevice"))
            .arg(subcommand)
            .arg("--state")
            .arg(&device.state)
            .output(),
    )
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{subcommand}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("status JSON")
}

/// The app's central: btleplug's first adapter, scanning for Hearth devices.
pub struct App {
    pub adapter: Adapter,
    pub events: Pin<Box<dyn Stream<Item = CentralEvent> + Send>>,
    _manager: Manager,
}

impl App {
    pub async fn start() -> Self {
        let manager = within("manager", Manager::new()).await.unwrap();
        let adapter = within("adapters", manager.adapters())
            .await
            .unwrap()
            .into_iter()
            .next()
            .expect("a central adapter");
        let events = within("events", adapter.events()).await.unwrap();
        within(
            "scan",
            adapter.start_scan(ScanFilter {
                services: vec![Uuid::from_u128(SERVICE_UUID)],
            }),
        )
        .await
        .unwrap();
        Self {
            adapter,
            events,
            _manager: manager,
        }
    }

    /// Waits until the device with `discriminator` advertises something `wanted` accepts.
    pub async fn advertised(
        &mut self,
        what: &str,
        discriminator: u16,
        wanted: impl Fn(&Advertisement) -> bool,
    ) -> (Peripheral, Advertisement) {
        let service = Uuid::from_u128(SERVICE_UUID);
        within(what, async {
            loop {
                let id = match self.events.next().await.expect("event stream") {
                    CentralEvent::DeviceDiscovered(id)
                    | CentralEvent::DeviceUpdated(id)
                    | CentralEvent::ServiceDataAdvertisement { id, .. } => id,
                    _ => continue,
                };
                let peripheral = self.adapter.peripheral(&id).await.unwrap();
                let Some(properties) = peripheral.properties().await.unwrap() else {
                    continue;
                };
                let Some(data) = properties.service_data.get(&service) else {
                    continue;
                };
                let Ok(ad) = Advertisement::decode(data) else {
                    continue;
                };
                if ad.discriminator == discriminator && wanted(&ad) {
                    return (peripheral, ad);
                }
            }
        })
        .await
    }

    /// Waits for the central to see `peripheral` disconnected.
    pub async fn disconnected(&mut self, peripheral: &Peripheral) {
        let id = peripheral.id();
        within("disconnect", async {
            loop {
                if let CentralEvent::DeviceDisconnected(gone) =
                    self.events.next().await.expect("event stream")
                    && gone == id
                {
                    return;
                }
            }
        })
        .await;
    }
}

/// A GATT connection speaking Hearth's framing.
pub struct Connection {
    pub peripheral: Peripheral,
    write: Characteristic,
    notifications: Pin<Box<dyn Stream<Item = btleplug::api::ValueNotification> + Send>>,
    link: Link,
    pub round_trips: u32,
}

impl Connection {
    /// Connects, discovers, subscribes.
    pub async fn open(peripheral: &Peripheral) -> Self {
        within("connect", peripheral.connect()).await.unwrap();
        within("discover", peripheral.discover_services())
            .await
            .unwrap();
        let chars = peripheral.characteristics();
        let find = |uuid: u128| {
            chars
                .iter()
                .find(|c| c.uuid == Uuid::from_u128(uuid))
                .cloned()
                .expect("characteristic")
        };
        let write = find(WRITE_UUID);
        let notify = find(NOTIFY_UUID);
        let notifications = within("notifications", peripheral.notifications())
            .await
            .unwrap();
        within("subscribe", peripheral.subscribe(&notify))
            .await
            .unwrap();
        let mtu = usize::from(peripheral.mtu());
        Self {
            peripheral: peripheral.clone(),
            write,
            notifications,
            link: Link::new(FrameConfig::with_mtu(mtu).unwrap()),
            round_trips: 0,
        }
    }

    async fn flush(&mut self) {
        while let Some(segment) = self.link.poll_transmit() {
            within(
                "write",
                self.peripheral
                    .write(&self.write, &segment, WriteType::WithoutResponse),
            )
            .await
            .unwrap();
        }
    }

    /// The next whole message from the device.
    pub async fn receive(&mut self) -> Vec<u8> {
        loop {
            self.flush().await;
            let notification = within("notification", self.notifications.next())
                .await
                .expect("notification stream");
            if let Some(message) = self.link.receive(&notification.value).unwrap() {
                self.flush().await;
                return message;
            }
        }
    }

    /// Sends `request` and returns the device's answer.
    pub async fn exchange(&mut self, request: Vec<u8>) -> Vec<u8> {
        self.link.send(request).unwrap();
        self.round_trips += 1;
        self.receive().await
    }

    /// Runs the pairing client to the end.
    pub async fn pair(&mut self, mut client: PairingClient) -> Result<Paired, PairingError> {
        let mut rng = StdRng::seed_from_u64(unix_now());
        let mut answer = self.exchange(client.start()?).await;
        loop {
            match client.handle(&answer, unix_now(), &mut rng)? {
                PairingStep::Send(next) => answer = self.exchange(next).await,
                PairingStep::Ignored => answer = self.receive().await,
                PairingStep::Paired(paired) => return Ok(*paired),
            }
        }
    }

    /// A sealed request in `channel`; returns the opened response.
    pub async fn control(&mut self, channel: &mut Channel, body: Request) -> Response {
        let (id, request) = channel.request(body).unwrap();
        let answer = self.exchange(request).await;
        match channel.open(&answer).unwrap() {
            FromDevice::Response(response) => {
                assert_eq!(response.id, id);
                response.body
            }
            FromDevice::Event(event) => panic!("expected a response, got {event:?}"),
        }
    }

    pub async fn close(self, app: &mut App) {
        within("disconnect call", self.peripheral.disconnect())
            .await
            .unwrap();
        app.disconnected(&self.peripheral).await;
    }
}

/// The provisioning the app sends.
pub fn provisioning(owner: &OwnerKey, wifi_pass: &str) -> Provisioning {
    Provisioning {
        wifi_ssid: SSID.into(),
        wifi_passphrase: Passphrase::new(wifi_pass.into()),
        owner_public_key: owner.public(),
        device_name: "Kitchen plug".into(),
        role: Role::Owner,
    }
}

/// A pairing client for `device` with `passcode` (the label's or another).
pub fn client(
    device: &MintedDevice,
    passcode: Passcode,
    owner: &OwnerKey,
    wifi_pass: &str,
) -> PairingClient {
    let mut code = device.code.clone();
    code.passcode = passcode;
    PairingClient::new(&code, provisioning(owner, wifi_pass), device.root).expect_model(MODEL)
}

/// A passcode that is not the label's.
pub fn wrong_passcode(code: &ParsedSetupCode) -> Passcode {
    let value = code.passcode.expose_secret();
    Passcode::new(if value == 1 { 2 } else { value - 1 }).unwrap()
}
