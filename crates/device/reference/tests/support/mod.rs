//! Shared fixture for the end-to-end tests: the simulated radio on a private
//! bus, an identity minted by the factory library, the real
//! `hearth-refdevice` binary as a child process on `hci1`, and btleplug as
//! the app's central speaking Hearth's framing and pairing client.
//!
//! `DBUS_SYSTEM_BUS_ADDRESS` is process-wide, so each test binary holds one
//! test and sets it before any runtime thread exists. Nothing sleeps: every
//! step waits for an event (a BLE event, a notification, a control answer,
//! the child's exit) with a timeout.

#![allow(dead_code, clippy::missing_panics_doc)]

use btleplug::api::{
    Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType,
};
use btleplug::platform::{Adapter, Manager, Peripheral};
use futures_util::{Stream, StreamExt};
use hearth_factory::mint::{MintRequest, mint};
use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::{VendorKeys, init_vendor};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::gatt::{Advertisement, NOTIFY_UUID, SERVICE_UUID, WRITE_UUID};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{FromDevice, Passphrase, Provisioning, Request, Response, Role};
use hearth_protocol::pairing::{Channel, Paired, PairingClient, PairingError, PairingStep};
use hearth_protocol::setup_code::{ParsedSetupCode, Passcode, SetupCode};
use hearth_radio::{RadioConfig, Simulation};
use hearth_reference_device::control::{self, Command};
use hearth_reference_device::plug::Status;
use hearth_reference_device::process::DeviceArgs;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use uuid::Uuid;

pub const SSID: &str = "home";
pub const WIFI_PASS: &str = "correct horse battery";
/// How long any single awaited step may take.
pub const STEP: Duration = Duration::from_secs(30);

/// Awaits `fut`, failing with `what` after [`STEP`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// One minted device: its folders, label code and the vendor root.
pub struct MintedDevice {
    pub identity: PathBuf,
    pub state: PathBuf,
    pub wifi_file: PathBuf,
    pub code: ParsedSetupCode,
    pub discriminator: u16,
    pub root: [u8; 32],
}

/// Mints one PLUG identity the way the factory does and reads its label.
pub fn mint_device(dir: &Path) -> MintedDevice {
    // A minute in the past, so the certificate is valid for the test's clock.
    let now = unix_now() - 60;
    let profile = init_vendor(&dir.join("vendor"), "Acme", now, &mut os_csprng()).unwrap();
    let keys = VendorKeys::load(&dir.join("vendor")).unwrap();
    let mut request = MintRequest::new("PLUG", 1, now);
    request.iterations = 1000;
    let minted = mint(
        &keys,
        &dir.join("out"),
        &request,
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap();
    let folder = minted[0].folder.clone();
    let label = std::fs::read_to_string(folder.join("label.txt")).unwrap();
    let payload = label
        .lines()
        .find_map(|l| l.strip_prefix("QR payload: "))
        .expect("QR payload on the label");
    let code = SetupCode::parse(payload).unwrap();
    let identity = hearth_reference_device::plug::read_identity(&folder).unwrap();
    let wifi_file = dir.join("wifi.toml");
    std::fs::write(
        &wifi_file,
        format!("[networks]\n{SSID} = \"{WIFI_PASS}\"\n"),
    )
    .unwrap();
    MintedDevice {
        identity: folder,
        state: dir.join("state"),
        wifi_file,
        code,
        discriminator: identity.discriminator,
        root: hex::decode(profile.root_public_key)
            .unwrap()
            .try_into()
            .unwrap(),
    }
}

/// Runs `body` with a fresh radio and one minted device, then tears down.
pub fn with_device(body: impl AsyncFnOnce(&Path, &MintedDevice)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let address = format!(
        "unix:path={}",
        dir.path().join("system_bus_socket").display()
    );
    #[allow(unsafe_code)]
    // SAFETY: no other thread exists yet; each test binary runs this single test.
    unsafe {
        std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
    }
    let device = mint_device(dir.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let sim = Simulation::up(dir.path(), RadioConfig::default())
            .await
            .expect("radio up");
        body(dir.path(), &device).await;
        sim.down().await.expect("radio down");
    });
    // bluez-async may still hold clean-up tasks; do not wait for them.
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// The device binary as a child process, on `hci1` with a fixed sensor seed.
pub struct DeviceProcess(pub hearth_reference_device::process::DeviceProcess);

impl DeviceProcess {
    pub fn spawn(dir: &Path, device: &MintedDevice) -> Self {
        let args = DeviceArgs {
            identity: &device.identity,
            state: &device.state,
            adapter: "hci1",
            wifi_networks: &device.wifi_file,
            seed: Some(7),
        };
        Self(
            hearth_reference_device::process::DeviceProcess::spawn(
                Path::new(env!("CARGO_BIN_EXE_hearth-refdevice")),
                &args,
                dir.join("refdevice.log"),
            )
            .expect("spawn hearth-refdevice"),
        )
    }

    /// Stops the device with SIGTERM and checks that it exits cleanly.
    pub async fn terminate(self) {
        let status = within("device exit", self.0.terminate()).await.unwrap();
        assert!(status.success(), "device exited with {status}");
    }

    pub fn log_text(&self) -> String {
        self.0.log_text()
    }
}

/// A command through the control socket (the library client).
pub async fn control(device: &MintedDevice, command: Command) -> Status {
    within("control answer", control::send(&device.state, command))
        .await
        .expect("control command")
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
    PairingClient::new(&code, provisioning(owner, wifi_pass), device.root).expect_model("PLUG")
}

/// A passcode that is not the label's.
pub fn wrong_passcode(code: &ParsedSetupCode) -> Passcode {
    let value = code.passcode.expose_secret();
    Passcode::new(if value == 1 { 2 } else { value - 1 }).unwrap()
}
