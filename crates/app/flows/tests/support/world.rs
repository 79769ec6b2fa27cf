//! The real path for the flows' and the `hearth` CLI's tests (the CLI's tests include this
//! file and add a runner for the binary): the simulated radio on a private bus, devices
//! minted by the factory library, the real `hearth-refdevice` binary per device (one
//! peripheral adapter each), the `hearth` binary with the btleplug transport, the kernel
//! keyring (`HEARTH_KEYRING=keyutils`, as `hearth-keystore` documents for headless machines)
//! and SQLite under a private `HEARTH_HOME`.
//!
//! `DBUS_SYSTEM_BUS_ADDRESS` is process-wide, so each test binary holds one test and sets it
//! before any runtime thread exists. Nothing sleeps: each step waits for a process to exit or
//! for an answer, with a timeout.

#![allow(dead_code, clippy::missing_panics_doc)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hearth_factory::mint::{MintRequest, mint};
use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::{VendorKeys, init_vendor};
use hearth_radio::control::Radio1Proxy;
use hearth_radio::{RadioConfig, Simulation};
use hearth_reference_device::control::{self, Command};
use hearth_reference_device::plug::Status;
use hearth_reference_device::process::DeviceArgs;

pub const SSID: &str = "home";
pub const WIFI_PASS: &str = "correct horse battery";
/// How long any single awaited step may take.
pub const STEP: Duration = Duration::from_secs(60);

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

/// One minted device and its files.
pub struct MintedDevice {
    pub identity: PathBuf,
    pub state: PathBuf,
    /// The QR payload printed on the label.
    pub qr: String,
    /// The 11-digit manual code printed on the label.
    pub manual: String,
    pub adapter: String,
}

/// The test world: folders, the radio, the vendor profile, the minted devices.
pub struct World {
    pub dir: PathBuf,
    pub radio: Radio1Proxy<'static>,
    pub profile: PathBuf,
    pub wifi_networks: PathBuf,
    pub pass_file: PathBuf,
    pub home: PathBuf,
    pub devices: Vec<MintedDevice>,
    /// The kernel keyring, opened on the main thread before any runtime thread exists (see
    /// [`with_world`]).
    pub keystore: hearth_keystore::Keystore,
}

/// Mints `count` identities of `model` the way the factory does.
fn mint_devices(dir: &Path, model: &str, count: usize) -> (PathBuf, Vec<MintedDevice>) {
    // A minute in the past, so the certificates are valid for the test's clock.
    let now = unix_now() - 60;
    init_vendor(&dir.join("vendor"), "Acme", now, &mut os_csprng()).unwrap();
    let keys = VendorKeys::load(&dir.join("vendor")).unwrap();
    let mut request = MintRequest::new(model, count, now);
    request.iterations = 1000;
    let minted = mint(
        &keys,
        &dir.join("out"),
        &request,
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap();
    let devices = minted
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let label = std::fs::read_to_string(m.folder.join("label.txt")).unwrap();
            let field = |prefix: &str| {
                label
                    .lines()
                    .find_map(|l| l.strip_prefix(prefix))
                    .unwrap_or_else(|| panic!("{prefix} on the label:\n{label}"))
                    .trim()
                    .to_owned()
            };
            MintedDevice {
                identity: m.folder.clone(),
                state: dir.join(format!("state-{i}")),
                qr: field("QR payload: "),
                manual: field("Setup code: "),
                adapter: format!("hci{}", i + 1),
            }
        })
        .collect();
    (dir.join("vendor").join("vendor-profile.json"), devices)
}

/// Runs `body` with a fresh radio and `count` minted devices, then tears down.
pub fn with_world(count: usize, body: impl AsyncFnOnce(&World)) {
    with_world_of("PLUG", count, body);
}

/// [`with_world`] with the devices minted as `model` (e.g. one the vendor catalogue knows).
pub fn with_world_of(model: &str, count: usize, body: impl AsyncFnOnce(&World)) {
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
    let (profile, devices) = mint_devices(dir.path(), model, count);
    let wifi_networks = dir.path().join("wifi.toml");
    std::fs::write(
        &wifi_networks,
        format!("[networks]\n{SSID} = \"{WIFI_PASS}\"\n"),
    )
    .unwrap();
    let pass_file = dir.path().join("wifi-pass");
    std::fs::write(&pass_file, format!("{WIFI_PASS}\n")).unwrap();
    // Opened before the runtime: keys stored from runtime threads of a test process that
    // first touched keyutils on a runtime thread were refused (EACCES) in this container.
    let keystore = hearth_keystore::Keystore::open(hearth_keystore::Backend::Keyutils)
        .expect("keyutils (Debian package keyutils, a session keyring)");
    let refdevice = refdevice_binary();
    assert!(refdevice.exists());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let config = RadioConfig {
            peripheral_adapters: u8::try_from(count.max(2)).unwrap(),
            ..RadioConfig::default()
        };
        let sim = Simulation::up(dir.path(), config).await.expect("radio up");
        let conn = zbus::connection::Builder::address(sim.address())
            .build()
            .await
            .expect("control connection");
        let radio = Radio1Proxy::new(&conn).await.expect("control proxy");
        let world = World {
            dir: dir.path().to_owned(),
            radio,
            profile,
            wifi_networks,
            pass_file,
            home: dir.path().join("home"),
            devices,
            keystore,
        };
        body(&world).await;
        sim.down().await.expect("radio down");
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// `target/<profile>/hearth-refdevice`, built on first use if this test run did not build it.
pub fn refdevice_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("HEARTH_REFDEVICE_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> → target/<profile>/hearth-refdevice
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("hearth-refdevice");
    if !bin.exists() {
        let status = std::process::Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .args([
                "build",
                "-p",
                "hearth-reference-device",
                "--bin",
                "hearth-refdevice",
            ])
            .status()
            .expect("cargo build hearth-refdevice");
        assert!(status.success());
    }
    bin
}

/// Starts a minted device's binary on its adapter, logging into the world's folder.
pub struct DeviceProcess;

impl DeviceProcess {
    pub fn spawn(world: &World, device: &MintedDevice) -> RunningDevice {
        Self::spawn_with(world, device, &world.wifi_networks)
    }

    pub fn spawn_with(world: &World, device: &MintedDevice, wifi_networks: &Path) -> RunningDevice {
        let args = DeviceArgs {
            identity: &device.identity,
            state: &device.state,
            adapter: &device.adapter,
            wifi_networks,
            seed: None,
        };
        let log = world.dir.join(format!("refdevice-{}.log", device.adapter));
        RunningDevice(
            hearth_reference_device::process::DeviceProcess::spawn(&refdevice_binary(), &args, log)
                .expect("spawn hearth-refdevice"),
        )
    }
}

/// The device binary as a child process.
pub struct RunningDevice(pub hearth_reference_device::process::DeviceProcess);

impl RunningDevice {
    /// Stops the device with SIGTERM and checks that it exits cleanly.
    pub async fn terminate(self) {
        let status = within("device exit", self.0.terminate()).await.unwrap();
        assert!(status.success(), "device exited with {status}");
    }

    pub fn log_text(&self) -> String {
        self.0.log_text()
    }
}

/// A command through the device's control socket (its button and power cord).
pub async fn control(device: &MintedDevice, command: Command) -> Status {
    within("control answer", control::send(&device.state, command))
        .await
        .expect("control command")
}
