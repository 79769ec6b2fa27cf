//! The world the window's set-up tests pair in: the simulated radio on a private bus, a
//! test vendor, devices minted by the factory (labels on disk), one real `hearth-refdevice`
//! process per device on its own peripheral adapter, a Wi-Fi the devices can join, and the
//! kernel keyring shared with the app — the same pieces as `cargo xtask demo` and the flows'
//! tests, in a temporary folder.
//!
//! ```no_run
//! # fn demo() -> Result<(), hearth_e2e::E2eError> {
//! use hearth_e2e::{App, world::World};
//! // First, before any thread: World::up opens the keyring and sets the bus address.
//! let world = World::up(1)?;
//! world.block_on(async {
//!     let app = App::launch_with(&world.home(), &world.app_env()).await?;
//!     world.press_button(0).await?;
//!     // … set up world.devices()[0] in the window …
//!     app.quit().await
//! })?;
//! world.down()
//! # }
//! ```
//!
//! Rules that come from the platform, not from taste:
//! - One `World` per test process, created on the test's own thread before any async
//!   runtime exists: tests are plain `#[test]` functions that run their async part with
//!   [`World::block_on`], never `#[tokio::test]`. `DBUS_SYSTEM_BUS_ADDRESS` is process-wide
//!   (the device processes inherit it), and the kernel keyring installs its session keyring
//!   in the credentials of the thread that first uses it: opened here first, every runtime
//!   thread, the device processes and the app (through tauri-driver) share it, so the test
//!   can read the owner keys the app stores ([`World::owner_key_bytes`]).
//! - The radio has one central adapter (`hci0`), shared with the app: [`World::scan`] is
//!   for before the app is launched.
//! - The vendor service ([`World::start_vendor_service`]) reaches the app through
//!   [`World::app_env`], so start it before launching the app; it can then be stopped and
//!   started again (same port, same data) while the app runs.
//!
//! Nothing sleeps: every step waits for an answer, a signal or an exit, within [`STEP`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use hearth_factory::mint::{MintRequest, mint};
use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::{VendorKeys, init_vendor};
use hearth_keystore::{Backend, Keystore, KeystoreError};
use hearth_radio::control::Radio1Proxy;
use hearth_radio::{RadioConfig, Simulation, names};
use hearth_reference_device::process::{DeviceArgs, DeviceProcess};

pub use hearth_reference_device::control::Command;
pub use hearth_reference_device::plug::Status;

use crate::{E2eError, fail};

/// The Wi-Fi network the reference devices can join.
pub const WIFI_SSID: &str = "Hearth Test WiFi";
/// Its passphrase (a test value, not a secret).
pub const WIFI_PASSPHRASE: &str = "test passphrase 4 the plugs";
/// The vendor name the world's devices are minted under.
pub const VENDOR_NAME: &str = "Hearth Test Devices";
/// The model the devices are minted as (the demo's, which the vendor catalogue knows).
pub const DEVICE_MODEL: &str = "hearth-plug-1";
/// The longest any single awaited step of the world may take.
pub const STEP: Duration = Duration::from_secs(60);
/// The central adapter's name on the radio (the app's Bluetooth).
pub const CENTRAL_ADAPTER: &str = "hci0";
/// SPAKE2+ verifier iterations for minted devices: low, so set-up is quick in debug builds.
const TEST_ITERATIONS: u32 = 1000;
/// What `hearth-vendor serve` logs once it accepts connections (what `cargo xtask demo`
/// waits for too).
const VENDOR_SERVICE_READY_LINE: &str = "vendor service listening";
/// The variable naming the vendor service's client profile for the app and the CLI
/// (`hearth_vendor_info::PROFILE_ENV`).
pub const VENDOR_SERVICE_ENV: &str = "HEARTH_VENDOR_SERVICE";

/// Awaits `fut`, failing with `what` after [`STEP`].
///
/// # Errors
/// A timeout, naming `what`.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, E2eError> {
    tokio::time::timeout(STEP, fut).await.map_err(|_| {
        fail(format!(
            "timed out after {} s waiting for {what}",
            STEP.as_secs()
        ))
    })
}

/// One minted device: its factory files, its label and where it runs.
#[derive(Debug, Clone)]
pub struct WorldDevice {
    /// The serial number on the label.
    pub serial: String,
    /// The factory bundle folder (`--identity`).
    pub identity: PathBuf,
    /// Its simulated flash (`--state`); the control socket lives here.
    pub state: PathBuf,
    /// The label picture with the QR code.
    pub label_png: PathBuf,
    /// The label text.
    pub label_txt: PathBuf,
    /// The setup code as printed on the label (`"1234-567-8901"`).
    pub setup_code: String,
    /// The 11 digits of the setup code, without separators (what a user types).
    pub manual_code: String,
    /// The QR payload printed on the label (`"HRT1:…"`).
    pub qr_payload: String,
    /// The peripheral adapter it advertises on (`hci1`, `hci2`, …).
    pub adapter: String,
    /// Where its process logs (stderr, tracing at debug level for the device crate).
    pub log: PathBuf,
}

/// Everything the world started; [`World::down`] (or dropping it) stops the devices, the
/// radio and the bus, and removes the folder.
pub struct World {
    dir: tempfile::TempDir,
    keystore: Keystore,
    profile: PathBuf,
    wifi_networks: PathBuf,
    refdevice: PathBuf,
    devices: Vec<WorldDevice>,
    processes: Vec<Option<DeviceProcess>>,
    sim: Option<Simulation>,
    radio: Radio1Proxy<'static>,
    vendor_service: Option<VendorService>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// The world's vendor service (`hearth-vendor`), once `init` has run: its folder (keys,
/// config, catalogue, SQLite database), its log, and its process while it runs.
#[derive(Debug)]
struct VendorService {
    dir: PathBuf,
    log: PathBuf,
    running: Option<VendorServiceProcess>,
}

/// A running `hearth-vendor serve`.
#[derive(Debug)]
struct VendorServiceProcess {
    child: tokio::process::Child,
    /// Copies the service's standard output (its tracing log) into the log file until the
    /// process closes it; the pipe must be drained or the service blocks on logging.
    copier: tokio::task::JoinHandle<Result<(), E2eError>>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("dir", &self.dir.path())
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> Result<u64, E2eError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|e| fail(format!("the clock is before 1970: {e}")))
}

fn label_field(label: &str, prefix: &str, path: &Path) -> Result<String, E2eError> {
    label
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| fail(format!("no {prefix:?} line in {}", path.display())))
}

/// Creates a test vendor in `dir/vendor` and mints one device of each of `models` into `dir/devices`;
/// returns the vendor profile and the devices.
fn mint_devices(dir: &Path, models: &[&str]) -> Result<(PathBuf, Vec<WorldDevice>), E2eError> {
    // A minute in the past, so the certificates are already valid by the app's clock.
    let now = unix_now()?.saturating_sub(60);
    let vendor = dir.join("vendor");
    init_vendor(&vendor, VENDOR_NAME, now, &mut os_csprng())
        .map_err(|e| fail(format!("init-vendor: {e}")))?;
    let keys = VendorKeys::load(&vendor).map_err(|e| fail(format!("vendor keys: {e}")))?;
    let mut minted = Vec::with_capacity(models.len());
    for model in models {
        let mut request = MintRequest::new(model, 1, now);
        request.iterations = TEST_ITERATIONS;
        minted.extend(
            mint(
                &keys,
                &dir.join("devices"),
                &request,
                &mut os_csprng(),
                &mut |_, _| {},
            )
            .map_err(|e| fail(format!("mint {model}: {e}")))?,
        );
    }
    let mut devices = Vec::with_capacity(minted.len());
    for (i, m) in minted.iter().enumerate() {
        let label_txt = m.folder.join("label.txt");
        let label = std::fs::read_to_string(&label_txt)
            .map_err(|e| fail(format!("{}: {e}", label_txt.display())))?;
        let setup_code = label_field(&label, "Setup code: ", &label_txt)?;
        let manual_code: String = setup_code.chars().filter(char::is_ascii_digit).collect();
        if manual_code.len() != 11 {
            return Err(fail(format!(
                "{} prints the setup code {setup_code:?}, not 11 digits",
                label_txt.display()
            )));
        }
        let adapter = names::adapter_name(
            u8::try_from(i + 1).map_err(|_| fail("at most 254 devices fit on the radio"))?,
        );
        devices.push(WorldDevice {
            serial: m.serial.clone(),
            identity: m.folder.clone(),
            state: dir.join("state").join(&m.serial),
            label_png: m.folder.join("label.png"),
            qr_payload: label_field(&label, "QR payload: ", &label_txt)?,
            setup_code,
            manual_code,
            log: dir.join(format!("refdevice-{adapter}.log")),
            adapter,
            label_txt,
        });
    }
    Ok((vendor.join("vendor-profile.json"), devices))
}

/// Runs `hearth-vendor init` into `world_dir/vendor-service`, listening on a loopback port
/// that is free now; the port stays in its config for every later start.
fn init_vendor_service(bin: &Path, world_dir: &Path) -> Result<VendorService, E2eError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| fail(format!("no free loopback port for the vendor service: {e}")))?
        .port();
    let dir = world_dir.join("vendor-service");
    let out = std::process::Command::new(bin)
        .args(["init", "--listen", &format!("127.0.0.1:{port}"), "--dir"])
        .arg(&dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| fail(format!("could not run {} init: {e}", bin.display())))?;
    if !out.status.success() {
        return Err(fail(format!(
            "hearth-vendor init exited with {}:\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let entry = dir.join("catalogue").join(format!("{DEVICE_MODEL}.toml"));
    if !entry.is_file() {
        return Err(fail(format!(
            "the vendor service's catalogue has no entry for the world's model ({} is missing)",
            entry.display()
        )));
    }
    Ok(VendorService {
        dir,
        log: world_dir.join("vendor-service.log"),
        running: None,
    })
}

/// Appends `line` to the open log `file`.
fn append_line(file: &mut std::fs::File, path: &Path, line: &str) -> Result<(), E2eError> {
    use std::io::Write as _;
    writeln!(file, "{line}").map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// A workspace binary beside this test's own target folder (`target/<profile>/<bin>`), or
/// the path in `env` when set; built with cargo if it is missing.
fn workspace_binary(env: &str, package: &str, bin: &str) -> Result<PathBuf, E2eError> {
    if let Some(path) = std::env::var_os(env) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| fail(format!("current exe: {e}")))?;
    // target/<profile>/deps/<test> → target/<profile>/<bin>
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join(bin))
        .ok_or_else(|| fail(format!("{} has no target folder", exe.display())))?;
    if !path.exists() {
        let status = std::process::Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .args(["build", "-p", package, "--bin", bin])
            .status()
            .map_err(|e| fail(format!("cargo build {bin}: {e}")))?;
        if !status.success() {
            return Err(fail(format!("cargo build {bin}: {status}")));
        }
    }
    Ok(path)
}

impl World {
    /// Brings the world up with `devices` devices (1 to 254) and returns once every device
    /// is heard advertising on the radio: opens the kernel keyring, points
    /// `DBUS_SYSTEM_BUS_ADDRESS` at the world's bus, mints the devices, writes the Wi-Fi
    /// file, starts the bus and the radio, starts one `hearth-refdevice` per device.
    ///
    /// Call it first thing in a plain `#[test]`, before any async runtime or other thread
    /// exists (see the module documentation); one world per test process.
    ///
    /// # Errors
    /// Any step that fails, saying which; `keyutils` must be usable (Debian package
    /// `keyutils`, a session keyring).
    pub fn up(devices: usize) -> Result<Self, E2eError> {
        Self::up_with_models(&vec![DEVICE_MODEL; devices])
    }

    /// [`World::up`] with one device minted as each of `models`, in order (a model the
    /// vendor catalogue knows, e.g. the non-updatable `hearth-sensor-0`).
    ///
    /// # Errors
    /// As [`World::up`].
    pub fn up_with_models(models: &[&str]) -> Result<Self, E2eError> {
        let devices = models.len();
        if devices == 0 {
            return Err(fail("a world needs at least one device"));
        }
        // Before any thread: see the module documentation.
        let keystore = Keystore::open(Backend::Keyutils)
            .map_err(|e| fail(format!("the kernel keyring (keyutils): {e}")))?;
        let dir = tempfile::tempdir().map_err(|e| fail(format!("temp folder: {e}")))?;
        let address = hearth_radio::bus::socket_address(dir.path())
            .map_err(|e| fail(format!("bus address: {e}")))?;
        #[allow(unsafe_code)]
        // SAFETY: no other thread of this process reads the environment now: the runtime is
        // built below, and a test process holds one world (module documentation).
        unsafe {
            std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &address);
        }
        let (profile, minted) = mint_devices(dir.path(), models)?;
        let wifi_networks = dir.path().join("wifi.toml");
        std::fs::write(
            &wifi_networks,
            format!("[networks]\n\"{WIFI_SSID}\" = \"{WIFI_PASSPHRASE}\"\n"),
        )
        .map_err(|e| fail(format!("{}: {e}", wifi_networks.display())))?;
        std::fs::create_dir_all(dir.path().join("home"))
            .map_err(|e| fail(format!("home folder: {e}")))?;
        let refdevice = workspace_binary(
            "HEARTH_REFDEVICE_BIN",
            "hearth-reference-device",
            "hearth-refdevice",
        )?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(format!("tokio runtime: {e}")))?;
        let (sim, radio) = runtime.block_on(async {
            let config = RadioConfig {
                peripheral_adapters: u8::try_from(devices.max(2))
                    .map_err(|_| fail("at most 254 devices fit on the radio"))?,
                ..RadioConfig::default()
            };
            let sim = within("the radio", Simulation::up(dir.path(), config))
                .await?
                .map_err(|e| fail(format!("the radio did not start: {e}")))?;
            let radio = async {
                let conn = zbus::connection::Builder::address(sim.address())
                    .build()
                    .await?;
                Radio1Proxy::new(&conn).await
            }
            .await;
            match radio {
                Ok(radio) => Ok((sim, radio)),
                Err(e) => {
                    let _ = sim.down().await;
                    Err(fail(format!("the radio's control interface: {e}")))
                }
            }
        })?;
        let mut world = Self {
            dir,
            keystore,
            profile,
            wifi_networks,
            refdevice,
            processes: minted.iter().map(|_| None).collect(),
            devices: minted,
            sim: Some(sim),
            radio,
            vendor_service: None,
            runtime: Some(runtime),
        };
        for index in 0..world.devices.len() {
            world.start_device(index)?;
        }
        world.block_on(world.scan()).map(|_| world)
    }

    /// Runs `fut` to completion on the world's runtime (where the radio lives); the async
    /// part of a test goes here, [`crate::App`] included.
    ///
    /// # Panics
    /// Only after [`World::down`], which consumes the world, so never.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        match &self.runtime {
            Some(runtime) => runtime.block_on(fut),
            None => unreachable!("the runtime lives as long as the world"),
        }
    }

    /// The world's temporary folder (vendor, devices, state, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A `HEARTH_HOME` for the app, inside the world's folder (created, empty at first).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The environment the app needs to live in this world, for
    /// [`crate::App::launch_with`]: `DBUS_SYSTEM_BUS_ADDRESS` (the radio's bus),
    /// `HEARTH_VENDOR_PROFILE` (the test vendor's profile, with the vendor root key),
    /// `HEARTH_KEYRING=keyutils` (the keyring this process opened) and, once the vendor
    /// service has been started, `HEARTH_VENDOR_SERVICE` (its client profile).
    pub fn app_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "DBUS_SYSTEM_BUS_ADDRESS".to_owned(),
                self.bus_address().to_owned(),
            ),
            (
                "HEARTH_VENDOR_PROFILE".to_owned(),
                self.profile.display().to_string(),
            ),
            (
                hearth_keystore::BACKEND_ENV.to_owned(),
                Backend::Keyutils.name().to_owned(),
            ),
        ];
        if let Some(profile) = self.vendor_service_profile() {
            env.push((VENDOR_SERVICE_ENV.to_owned(), profile.display().to_string()));
        }
        env
    }

    /// The private bus's address.
    pub fn bus_address(&self) -> &str {
        self.sim.as_ref().map_or("", Simulation::address)
    }

    /// The test vendor's profile (`vendor-profile.json`, what `HEARTH_VENDOR_PROFILE` names).
    pub fn vendor_profile(&self) -> &Path {
        &self.profile
    }

    /// The Wi-Fi networks file the devices were started with.
    pub fn wifi_networks_file(&self) -> &Path {
        &self.wifi_networks
    }

    /// The SSID of the Wi-Fi the devices can join ([`WIFI_SSID`]).
    pub fn wifi_ssid(&self) -> &'static str {
        WIFI_SSID
    }

    /// Its passphrase ([`WIFI_PASSPHRASE`]).
    pub fn wifi_passphrase(&self) -> &'static str {
        WIFI_PASSPHRASE
    }

    /// The minted devices, in adapter order (`devices()[0]` is on `hci1`).
    pub fn devices(&self) -> &[WorldDevice] {
        &self.devices
    }

    /// Device `index`.
    ///
    /// # Errors
    /// No such device.
    pub fn device(&self, index: usize) -> Result<&WorldDevice, E2eError> {
        self.devices
            .get(index)
            .ok_or_else(|| fail(format!("the world has no device {index}")))
    }

    /// The radio's control interface (`org.hearth.Radio1`), for anything the helpers below
    /// do not wrap (counters, link parameters, RSSI).
    pub fn radio(&self) -> &Radio1Proxy<'static> {
        &self.radio
    }

    /// Everything device `index`'s process has logged (empty if none yet).
    pub fn device_log(&self, index: usize) -> String {
        self.devices
            .get(index)
            .and_then(|d| std::fs::read_to_string(&d.log).ok())
            .unwrap_or_default()
    }

    // ----- the devices' physical side -------------------------------------------------------

    /// Sends `command` through device `index`'s control socket (its button, its power).
    ///
    /// # Errors
    /// No such device, the device process is not running, or it refused.
    pub async fn control(&self, index: usize, command: Command) -> Result<Status, E2eError> {
        let device = self.device(index)?;
        within(
            "the device's control socket",
            hearth_reference_device::control::send(&device.state, command),
        )
        .await?
        .map_err(|e| fail(format!("device {index} ({}): {e}", device.serial)))
    }

    /// Presses device `index`'s pairing button.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn press_button(&self, index: usize) -> Result<Status, E2eError> {
        self.control(index, Command::PressButton).await
    }

    /// Device `index`'s status (powered, pairing window, owner, link, relay, …).
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn status(&self, index: usize) -> Result<Status, E2eError> {
        self.control(index, Command::Status).await
    }

    /// Cuts device `index`'s power (it stops advertising and drops its link).
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_off(&self, index: usize) -> Result<Status, E2eError> {
        self.control(index, Command::PowerOff).await
    }

    /// Restores device `index`'s power.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_on(&self, index: usize) -> Result<Status, E2eError> {
        self.control(index, Command::PowerOn).await
    }

    // ----- the radio ----------------------------------------------------------------------

    /// Drops the link to device `index` now, as a lost radio link; returns how many links
    /// were dropped (0 when none was up).
    ///
    /// # Errors
    /// No such device; the radio refused.
    pub async fn drop_link(&self, index: usize) -> Result<u32, E2eError> {
        let adapter = &self.device(index)?.adapter;
        within("DropLink", self.radio.drop_link(adapter))
            .await?
            .map_err(|e| fail(format!("DropLink {adapter}: {e}")))
    }

    /// Arms a one-shot drop of the next link to device `index` right after it has completed
    /// `after_round_trips` round trips (≥ 1); see the radio's `ArmLinkDrop`.
    ///
    /// # Errors
    /// No such device; the radio refused (0 round trips).
    pub async fn arm_link_drop(
        &self,
        index: usize,
        after_round_trips: u32,
    ) -> Result<(), E2eError> {
        let adapter = &self.device(index)?.adapter;
        within(
            "ArmLinkDrop",
            self.radio.arm_link_drop(adapter, after_round_trips),
        )
        .await?
        .map_err(|e| fail(format!("ArmLinkDrop {adapter} {after_round_trips}: {e}")))
    }

    /// Switches the app's Bluetooth (the radio's central adapter `hci0`) on or off.
    ///
    /// # Errors
    /// The radio refused.
    pub async fn set_bluetooth(&self, on: bool) -> Result<(), E2eError> {
        within(
            "SetPowered hci0",
            self.radio.set_powered(CENTRAL_ADAPTER, on),
        )
        .await?
        .map_err(|e| fail(format!("SetPowered {CENTRAL_ADAPTER} {on}: {e}")))
    }

    /// Scans on the central adapter until every running device is heard advertising, then
    /// stops and forgets what it heard, leaving the central as it found it; returns the
    /// adapters heard. Only while the app is not running: the central is the app's.
    ///
    /// # Errors
    /// A device is not heard within [`STEP`]; the radio refused.
    pub async fn scan(&self) -> Result<Vec<String>, E2eError> {
        let expected: Vec<(String, String)> = self
            .devices
            .iter()
            .zip(&self.processes)
            .filter(|(_, p)| p.is_some())
            .filter_map(|(d, _)| {
                let index = d.adapter.strip_prefix("hci")?.parse::<u8>().ok()?;
                Some((
                    d.adapter.clone(),
                    names::device_path(CENTRAL_ADAPTER, names::adapter_address(index)),
                ))
            })
            .collect();
        let conn = self.radio.inner().connection();
        let dbus = |e: zbus::Error| fail(format!("scanning on the radio: {e}"));
        let objects = zbus::fdo::ObjectManagerProxy::new(conn, "org.bluez", "/")
            .await
            .map_err(dbus)?;
        // Subscribed before discovery starts, so no device is heard unseen.
        let mut added = objects.receive_interfaces_added().await.map_err(dbus)?;
        let adapter = zbus::Proxy::new(
            conn,
            "org.bluez",
            names::adapter_path(CENTRAL_ADAPTER),
            "org.bluez.Adapter1",
        )
        .await
        .map_err(dbus)?;
        adapter
            .call_method("StartDiscovery", &())
            .await
            .map_err(dbus)?;
        let mut heard: std::collections::BTreeSet<String> = objects
            .get_managed_objects()
            .await
            .map_err(|e| dbus(e.into()))?
            .keys()
            .map(ToString::to_string)
            .collect();
        let all_heard = |heard: &std::collections::BTreeSet<String>| {
            expected.iter().all(|(_, path)| heard.contains(path))
        };
        let waited = within("every device to be heard advertising", async {
            while !all_heard(&heard) {
                let Some(signal) = added.next().await else {
                    break;
                };
                if let Ok(args) = signal.args() {
                    heard.insert(args.object_path().to_string());
                }
            }
        })
        .await;
        let _ = adapter.call_method("StopDiscovery", &()).await;
        for (_, path) in expected.iter().filter(|(_, p)| heard.contains(p)) {
            if let Ok(path) = zbus::ObjectPath::try_from(path.as_str()) {
                let _ = adapter.call_method("RemoveDevice", &(path,)).await;
            }
        }
        waited?;
        if !all_heard(&heard) {
            return Err(fail(
                "the radio's object manager stopped before every device was heard",
            ));
        }
        Ok(expected.into_iter().map(|(adapter, _)| adapter).collect())
    }

    // ----- device processes -----------------------------------------------------------------

    /// Starts device `index`'s process (again) on its adapter; it keeps its state folder.
    ///
    /// # Errors
    /// No such device; it is already running; the binary did not start.
    pub fn start_device(&mut self, index: usize) -> Result<(), E2eError> {
        let device = self.device(index)?.clone();
        if self.processes.get(index).is_some_and(Option::is_some) {
            return Err(fail(format!("device {index} is already running")));
        }
        let args = DeviceArgs {
            identity: &device.identity,
            state: &device.state,
            adapter: &device.adapter,
            wifi_networks: &self.wifi_networks,
            seed: None,
        };
        // tokio's child reaper needs the runtime to be entered.
        let spawned = {
            let _entered = self.runtime.as_ref().map(tokio::runtime::Runtime::enter);
            DeviceProcess::spawn(&self.refdevice, &args, device.log.clone())
        };
        let process = spawned.map_err(|e| {
            fail(format!(
                "could not start {} for device {index}: {e}",
                self.refdevice.display()
            ))
        })?;
        if let Some(slot) = self.processes.get_mut(index) {
            *slot = Some(process);
        }
        Ok(())
    }

    /// Stops device `index`'s process with SIGTERM (a clean shutdown) and checks that it
    /// exited cleanly.
    ///
    /// # Errors
    /// No such device or it is not running; it did not exit cleanly within [`STEP`].
    pub fn stop_device(&mut self, index: usize) -> Result<(), E2eError> {
        let process = self
            .processes
            .get_mut(index)
            .and_then(Option::take)
            .ok_or_else(|| fail(format!("device {index} is not running")))?;
        let status = self
            .block_on(within("the device to exit", process.terminate()))?
            .map_err(|e| fail(format!("stopping device {index}: {e}")))?;
        if status.success() {
            Ok(())
        } else {
            Err(fail(format!(
                "device {index} exited with {status}; its log:\n{}",
                self.device_log(index)
            )))
        }
    }

    // ----- the vendor service ---------------------------------------------------------------

    /// Starts the vendor service (`hearth-vendor serve`, SQLite in its folder) and returns once
    /// it logs that it is listening. The first call runs `hearth-vendor init` into
    /// `<world dir>/vendor-service` on a free loopback port; later calls (after
    /// [`World::stop_vendor_service`]) serve the same config, port and database again. Its
    /// log (standard output and error, every start) is [`World::vendor_service_log`].
    ///
    /// # Errors
    /// It is already running; `init` failed; the service exited or did not listen within
    /// [`STEP`] (its log is in the message: a port still taken shows there).
    pub fn start_vendor_service(&mut self) -> Result<(), E2eError> {
        if self
            .vendor_service
            .as_ref()
            .is_some_and(|s| s.running.is_some())
        {
            return Err(fail("the vendor service is already running"));
        }
        let bin = workspace_binary("HEARTH_VENDOR_BIN", "hearth-vendor", "hearth-vendor")?;
        let service = match self.vendor_service.take() {
            Some(service) => service,
            None => init_vendor_service(&bin, self.dir.path())?,
        };
        let started = self.serve_vendor_service(&bin, &service);
        let log = service.log.clone();
        // Kept (not running) even when the start fails: the folder and port stay the world's.
        self.vendor_service = Some(service);
        match self.wait_for_vendor_service(started?) {
            Ok(process) => {
                if let Some(service) = self.vendor_service.as_mut() {
                    service.running = Some(process);
                }
                Ok(())
            }
            Err(e) => Err(fail(format!(
                "{e}; the vendor service's log ({}):\n{}",
                log.display(),
                std::fs::read_to_string(&log).unwrap_or_default()
            ))),
        }
    }

    /// Spawns `hearth-vendor serve` for `service`, its standard output piped (read by
    /// [`World::wait_for_vendor_service`]), its standard error appended to the log.
    fn serve_vendor_service(
        &self,
        bin: &Path,
        service: &VendorService,
    ) -> Result<tokio::process::Child, E2eError> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&service.log)
            .map_err(|e| fail(format!("{}: {e}", service.log.display())))?;
        // tokio's child reaper needs the runtime to be entered.
        let _entered = self.runtime.as_ref().map(tokio::runtime::Runtime::enter);
        tokio::process::Command::new(bin)
            .arg("serve")
            .arg("--config")
            .arg(service.dir.join("config.toml"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| fail(format!("could not start {} serve: {e}", bin.display())))
    }

    /// Copies the service's output into its log until the ready line (within [`STEP`]),
    /// then leaves a task copying the rest.
    fn wait_for_vendor_service(
        &self,
        mut child: tokio::process::Child,
    ) -> Result<VendorServiceProcess, E2eError> {
        use tokio::io::AsyncBufReadExt as _;
        let path = self
            .vendor_service
            .as_ref()
            .map(|s| s.log.clone())
            .ok_or_else(|| fail("the vendor service was not initialised"))?;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let Some(stdout) = child.stdout.take() else {
            return Err(fail("the vendor service's output is not piped"));
        };
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let listening = self.block_on(within("the vendor service to listen", async {
            while let Some(line) = lines
                .next_line()
                .await
                .map_err(|e| fail(format!("reading the vendor service's output: {e}")))?
            {
                append_line(&mut log, &path, &line)?;
                if line.contains(VENDOR_SERVICE_READY_LINE) {
                    return Ok(true);
                }
            }
            Ok::<_, E2eError>(false)
        }));
        let listening = match listening {
            Ok(Ok(listening)) => listening,
            Ok(Err(e)) | Err(e) => {
                let _ = self.block_on(within("the vendor service to exit", async {
                    let _ = child.start_kill();
                    child.wait().await
                }));
                return Err(e);
            }
        };
        if !listening {
            let status = self
                .block_on(within("the vendor service to exit", child.wait()))?
                .map_err(|e| fail(format!("waiting for the vendor service: {e}")))?;
            return Err(fail(format!(
                "the vendor service exited with {status} before it listened"
            )));
        }
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| fail("the world's runtime is gone"))?;
        let copier = runtime.spawn(async move {
            while let Some(line) = lines
                .next_line()
                .await
                .map_err(|e| fail(format!("reading the vendor service's output: {e}")))?
            {
                append_line(&mut log, &path, &line)?;
            }
            Ok(())
        });
        Ok(VendorServiceProcess { child, copier })
    }

    /// Stops the vendor service with SIGTERM (its graceful shutdown) and checks that it
    /// exited cleanly; its folder, port and database stay for [`World::start_vendor_service`].
    ///
    /// # Errors
    /// It is not running; it did not exit cleanly within [`STEP`].
    pub fn stop_vendor_service(&mut self) -> Result<(), E2eError> {
        let VendorServiceProcess { mut child, copier } = self
            .vendor_service
            .as_mut()
            .and_then(|s| s.running.take())
            .ok_or_else(|| fail("the vendor service is not running"))?;
        let status = self.block_on(within("the vendor service to exit", async {
            if let Some(pid) = child.id() {
                let sent = tokio::process::Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .await
                    .map_err(|e| fail(format!("kill -TERM {pid}: {e}")))?;
                if !sent.success() {
                    return Err(fail(format!("kill -TERM {pid}: {sent}")));
                }
            }
            let status = child
                .wait()
                .await
                .map_err(|e| fail(format!("waiting for the vendor service: {e}")))?;
            // The output ends with the process: the log is complete once the copier ends.
            copier
                .await
                .map_err(|e| fail(format!("the vendor service's log copier: {e}")))??;
            Ok(status)
        }))??;
        if status.success() {
            Ok(())
        } else {
            Err(fail(format!(
                "the vendor service exited with {status}; its log:\n{}",
                self.vendor_service_log()
            )))
        }
    }

    /// The vendor service's client profile (`vendor-profile.json`: its URL, CA and catalogue
    /// key), what [`VENDOR_SERVICE_ENV`] names; `None` before it was first started.
    pub fn vendor_service_profile(&self) -> Option<PathBuf> {
        self.vendor_service
            .as_ref()
            .map(|s| s.dir.join("vendor-profile.json"))
    }

    /// The vendor service's folder (`config.toml`, `catalogue/`, keys, database); `None`
    /// before it was first started.
    pub fn vendor_service_dir(&self) -> Option<&Path> {
        self.vendor_service.as_ref().map(|s| s.dir.as_path())
    }

    /// Whether the vendor service is running.
    pub fn vendor_service_running(&self) -> bool {
        self.vendor_service
            .as_ref()
            .is_some_and(|s| s.running.is_some())
    }

    /// Everything the vendor service has logged, over all its starts (empty if none yet).
    pub fn vendor_service_log(&self) -> String {
        self.vendor_service
            .as_ref()
            .and_then(|s| std::fs::read_to_string(&s.log).ok())
            .unwrap_or_default()
    }

    // ----- the keyring --------------------------------------------------------------------

    /// The secret half of the owner key the app stored for `device_id` (the app's id for the
    /// device, not its serial), read from the keyring the app shares with this process;
    /// `None` when there is none. For checking that no key bytes leak (diagnostics, logs).
    ///
    /// # Panics
    /// When the keyring answers with anything but a key or "no such key" (locked, corrupt):
    /// a test must not mistake that for "no key".
    pub fn owner_key_bytes(&self, device_id: &str) -> Option<Vec<u8>> {
        match self.keystore.load_owner_key(device_id) {
            Ok(key) => Some(key.secret_bytes().to_vec()),
            Err(KeystoreError::NotFound { .. }) => None,
            Err(e) => panic!("reading the owner key of {device_id}: {e}"),
        }
    }

    /// Stops the vendor service (if running) and the devices, then the radio and the bus,
    /// and removes the world's folder.
    ///
    /// # Errors
    /// The vendor service or a device did not exit cleanly, or the radio could not be
    /// stopped; everything is stopped regardless.
    pub fn down(mut self) -> Result<(), E2eError> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), E2eError> {
        let mut problems = Vec::new();
        if self.vendor_service_running()
            && let Err(e) = self.stop_vendor_service()
        {
            problems.push(e.0);
        }
        for index in 0..self.processes.len() {
            if self.processes.get(index).is_some_and(Option::is_some)
                && let Err(e) = self.stop_device(index)
            {
                problems.push(e.0);
            }
        }
        if let Some(sim) = self.sim.take()
            && let Err(e) = self.block_on(sim.down())
        {
            problems.push(format!("stopping the radio: {e}"));
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(fail(problems.join("; ")))
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if self.runtime.is_some() {
            let _ = self.shut_down();
        }
    }
}
