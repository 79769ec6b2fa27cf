//! The world and its builder: everything of [`crate`] put together in one folder.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use hearth_clock::{Clock, SystemClock};
use hearth_keystore::{BACKEND_ENV, Backend, Keystore};
use hearth_radio::RadioConfig;
use hearth_reference_device::control::Command;
use hearth_reference_device::plug::Status;
use hearth_reference_device::process::DeviceProcess;

use crate::device::{self, DeviceOptions};
use crate::factory::{self, Device, TestVendor};
use crate::keyring::{KeyringMode, TestKeyring};
use crate::radio::RadioHandle;
use crate::vendor_service::VendorService;
use crate::{
    BUS_ENV, DEVICE_MODEL, Error, VENDOR_NAME, VENDOR_PROFILE_ENV, VENDOR_SERVICE_ENV,
    WIFI_PASSPHRASE, WIFI_SSID, bins, bus, fail,
};

/// How a [`World`] is made; [`World::builder`] starts with one `hearth-plug-1`, started and
/// heard advertising, a private keyring, the system clock, and no vendor service.
#[derive(Debug)]
pub struct WorldBuilder {
    models: Vec<String>,
    start_devices: bool,
    seed: Option<u64>,
    in_process_bluetooth: bool,
    keyring: KeyringMode,
    folder: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    wifi: (String, String),
    vendor_name: String,
    radio: RadioConfig,
    vendor_service: bool,
    refdevice: Option<PathBuf>,
}

impl WorldBuilder {
    /// `count` devices of the default model ([`DEVICE_MODEL`]); 0 for a radio with no devices.
    #[must_use]
    pub fn devices(self, count: usize) -> Self {
        self.models(&vec![DEVICE_MODEL; count])
    }

    /// One device minted as each of `models`, in order (`devices()[0]` is on `hci1`).
    #[must_use]
    pub fn models(mut self, models: &[&str]) -> Self {
        self.models = models.iter().map(|m| (*m).to_owned()).collect();
        self
    }

    /// Whether [`WorldBuilder::up`] starts every device's process and waits until each is
    /// heard advertising (the default), or leaves them for the test's
    /// [`World::start_device`].
    #[must_use]
    pub fn start_devices(mut self, start: bool) -> Self {
        self.start_devices = start;
        self
    }

    /// A fixed seed for the devices' temperature sensors.
    #[must_use]
    pub fn sensor_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The test drives btleplug or bluer in its own process: points this process's
    /// `DBUS_SYSTEM_BUS_ADDRESS` at the world's bus — once per process; a second world that
    /// asks fails loudly ([`bus::claim_process_bus`]).
    #[must_use]
    pub fn in_process_bluetooth(mut self) -> Self {
        self.in_process_bluetooth = true;
        self
    }

    /// Which keyring the world's processes use ([`KeyringMode::Private`] by default).
    #[must_use]
    pub fn keyring(mut self, mode: KeyringMode) -> Self {
        self.keyring = mode;
        self
    }

    /// Keeps the world in `folder` (created if missing) instead of a temporary one, and takes
    /// up what an earlier world left there: the vendor, its devices (only missing models are
    /// minted), their flash, the app's home and the vendor service's set-up and port. For
    /// `cargo xtask demo`, whose devices a person has labels for.
    #[must_use]
    pub fn folder(mut self, folder: &Path) -> Self {
        self.folder = Some(folder.to_owned());
        self
    }

    /// The clock the factory dates its certificates by (a minute before its "now", so they
    /// are valid at once).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The Wi-Fi in the devices' range.
    #[must_use]
    pub fn wifi(mut self, ssid: &str, passphrase: &str) -> Self {
        self.wifi = (ssid.to_owned(), passphrase.to_owned());
        self
    }

    /// The vendor name the devices are minted under.
    #[must_use]
    pub fn vendor_name(mut self, name: &str) -> Self {
        self.vendor_name = name.to_owned();
        self
    }

    /// The radio's configuration (seed, link); at least one peripheral adapter per device is
    /// made regardless.
    #[must_use]
    pub fn radio(mut self, config: RadioConfig) -> Self {
        self.radio = config;
        self
    }

    /// Starts the vendor service during [`WorldBuilder::up`] (before any device).
    #[must_use]
    pub fn with_vendor_service(mut self) -> Self {
        self.vendor_service = true;
        self
    }

    /// The `hearth-refdevice` binary to run (a crate's own `CARGO_BIN_EXE_…`); found in the
    /// target folder otherwise ([`bins::refdevice`]).
    #[must_use]
    pub fn refdevice_binary(mut self, path: &Path) -> Self {
        self.refdevice = Some(path.to_owned());
        self
    }

    /// Brings the world up. Call it first thing in a plain `#[test]`, before any async
    /// runtime or other thread of the test exists (see the crate documentation).
    ///
    /// # Errors
    /// Any step that fails, saying which.
    pub fn up(self) -> Result<World, Error> {
        // Before any thread: the session keyring is inherited only by threads started later.
        let keyring = match self.keyring {
            KeyringMode::Private => Some(TestKeyring::join()?),
            KeyringMode::Inherit => None,
        };
        let (folder, kept) = match &self.folder {
            Some(path) => (Folder::Kept(path.clone()), true),
            None => (
                Folder::Temp(
                    tempfile::Builder::new()
                        .prefix("hearth-world-")
                        .tempdir()
                        .map_err(|e| fail(format!("temp folder: {e}")))?,
                ),
                false,
            ),
        };
        let dir = folder.path().to_owned();
        for sub in ["home", "logs", "state", "radio"] {
            create_dir(&dir.join(sub))?;
        }
        let radio_dir = dir.join("radio");
        if self.in_process_bluetooth {
            let address = hearth_radio::bus::socket_address(&radio_dir)
                .map_err(|e| fail(format!("bus address: {e}")))?;
            bus::claim_process_bus(&address)?;
        }
        let now = self.clock.now_unix().saturating_sub(60);
        let vendor = if kept && dir.join("vendor/vendor-profile.json").is_file() {
            TestVendor::open(&dir.join("vendor"))?
        } else {
            TestVendor::init(&dir.join("vendor"), &self.vendor_name, now)?
        };
        let devices = mint_devices(&vendor, &dir, &self.models, kept, now)?;
        let wifi = Wifi::write(&dir, &self.wifi.0, &self.wifi.1)?;
        let refdevice = match self.refdevice {
            Some(path) => path,
            None if devices.is_empty() => PathBuf::from("hearth-refdevice"),
            None => bins::refdevice()?,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(format!("tokio runtime: {e}")))?;
        let mut config = self.radio;
        let needed = u8::try_from(devices.len().max(2))
            .map_err(|_| fail("at most 254 devices fit on the radio"))?;
        config.peripheral_adapters = config.peripheral_adapters.max(needed);
        let radio = runtime.block_on(RadioHandle::up(&radio_dir, config))?;
        let world = World {
            processes: Mutex::new(devices.iter().map(|_| None).collect()),
            devices,
            refdevice,
            seed: self.seed,
            wifi,
            vendor,
            keyring,
            keyring_mode: self.keyring,
            clock: self.clock,
            vendor_service: Mutex::new(None),
            vendor_service_dir: dir.join("vendor-service"),
            vendor_service_running: AtomicBool::new(false),
            radio: Some(radio),
            runtime: Some(runtime),
            folder,
        };
        if self.vendor_service {
            world.block_on(world.start_vendor_service())?;
        }
        if self.start_devices && !world.devices.is_empty() {
            world.block_on(async {
                for index in 0..world.devices.len() {
                    world.start_device(index).await?;
                }
                world.scan().await.map(|_| ())
            })?;
        }
        Ok(world)
    }

    /// [`WorldBuilder::up`], `body` on the world's runtime, then [`World::down`]: the shape of
    /// a crate's integration test.
    ///
    /// # Panics
    /// When the world does not come up or go down cleanly (the test fails with the reason),
    /// or when `body` panics.
    pub fn run(self, body: impl AsyncFnOnce(&World)) {
        let world = self
            .up()
            .unwrap_or_else(|e| panic!("the world did not come up: {e}"));
        world.block_on(body(&world));
        world
            .down()
            .unwrap_or_else(|e| panic!("the world did not go down cleanly: {e}"));
    }
}

/// The world's folder: temporary (removed at the end) or kept (the demo's).
#[derive(Debug)]
enum Folder {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Folder {
    fn path(&self) -> &Path {
        match self {
            Self::Temp(dir) => dir.path(),
            Self::Kept(path) => path,
        }
    }
}

/// The Wi-Fi the devices can join, and the files it is written in.
#[derive(Debug, Clone)]
pub struct Wifi {
    /// Its name.
    pub ssid: String,
    /// Its passphrase.
    pub passphrase: String,
    /// `[networks]` TOML the devices are started with (`--wifi-networks`).
    pub networks_file: PathBuf,
    /// The passphrase alone, for `hearth pair --wifi-pass-file`.
    pub passphrase_file: PathBuf,
}

impl Wifi {
    fn write(dir: &Path, ssid: &str, passphrase: &str) -> Result<Self, Error> {
        let wifi = Self {
            ssid: ssid.to_owned(),
            passphrase: passphrase.to_owned(),
            networks_file: dir.join("wifi.toml"),
            passphrase_file: dir.join("wifi-passphrase.txt"),
        };
        write(
            &wifi.networks_file,
            &format!("[networks]\n{ssid:?} = {passphrase:?}\n"),
        )?;
        write(&wifi.passphrase_file, &format!("{passphrase}\n"))?;
        Ok(wifi)
    }
}

fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// Mints one device of each of `models` (in a kept folder: only what is missing of each
/// model) and reads them back from their labels, in adapter order.
fn mint_devices(
    vendor: &TestVendor,
    dir: &Path,
    models: &[String],
    kept: bool,
    now: u64,
) -> Result<Vec<Device>, Error> {
    let out = dir.join("devices");
    let folders = if kept {
        let existing = factory::label_folders(&out);
        let mut wanted: Vec<(&str, usize)> = Vec::new();
        for model in models {
            match wanted.iter_mut().find(|(m, _)| m == model) {
                Some((_, n)) => *n += 1,
                None => wanted.push((model, 1)),
            }
        }
        for (model, count) in wanted {
            let have = existing
                .iter()
                .filter(|f| factory::label_model(f).as_deref() == Some(model))
                .count();
            if have < count {
                vendor.mint(&out, model, count - have, now)?;
            }
        }
        factory::label_folders(&out)
    } else {
        let mut folders = Vec::with_capacity(models.len());
        for model in models {
            folders.extend(vendor.mint(&out, model, 1, now)?);
        }
        folders
    };
    folders
        .iter()
        .enumerate()
        .map(|(i, folder)| {
            let adapter = format!("hci{}", i + 1);
            Device::from_label(
                folder,
                factory::state_folder(dir, folder),
                i + 1,
                dir.join("logs").join(format!("refdevice-{adapter}.log")),
            )
        })
        .collect()
}

/// Everything a world started; [`World::down`] (or dropping it) stops the vendor service and
/// the devices, then the radio and the bus, clears the private keyring and removes a
/// temporary folder.
pub struct World {
    folder: Folder,
    clock: Arc<dyn Clock>,
    keyring: Option<TestKeyring>,
    keyring_mode: KeyringMode,
    vendor: TestVendor,
    wifi: Wifi,
    devices: Vec<Device>,
    processes: Mutex<Vec<Option<DeviceProcess>>>,
    refdevice: PathBuf,
    seed: Option<u64>,
    radio: Option<RadioHandle>,
    /// Taken out while it starts or stops (so no lock is held across an await).
    vendor_service: Mutex<Option<VendorService>>,
    vendor_service_dir: PathBuf,
    vendor_service_running: AtomicBool,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("dir", &self.dir())
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

impl World {
    /// A builder; see [`WorldBuilder`] for the defaults.
    #[must_use]
    pub fn builder() -> WorldBuilder {
        WorldBuilder {
            models: vec![DEVICE_MODEL.to_owned()],
            start_devices: true,
            seed: None,
            in_process_bluetooth: false,
            keyring: KeyringMode::Private,
            folder: None,
            clock: Arc::new(SystemClock),
            wifi: (WIFI_SSID.to_owned(), WIFI_PASSPHRASE.to_owned()),
            vendor_name: VENDOR_NAME.to_owned(),
            radio: RadioConfig::default(),
            vendor_service: false,
            refdevice: None,
        }
    }

    /// Runs `fut` to completion on the world's runtime (where the radio lives).
    ///
    /// # Panics
    /// Only after [`World::down`], which consumes the world, so never; and, as any tokio
    /// runtime, when called from inside another `block_on`.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        match &self.runtime {
            Some(runtime) => runtime.block_on(fut),
            None => unreachable!("the runtime lives as long as the world"),
        }
    }

    /// A handle on the world's runtime (to spawn onto it, or to enter it).
    ///
    /// # Panics
    /// Never: the runtime lives as long as the world.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        match &self.runtime {
            Some(runtime) => runtime.handle(),
            None => unreachable!("the runtime lives as long as the world"),
        }
    }

    // ----- folders, clock, environment -------------------------------------------------------

    /// The world's folder (vendor, devices, state, logs, home, radio).
    pub fn dir(&self) -> &Path {
        self.folder.path()
    }

    /// A `HEARTH_HOME` for the app and the CLI, inside the world's folder.
    pub fn home(&self) -> PathBuf {
        self.dir().join("home")
    }

    /// The folder every process of the world logs into.
    pub fn logs(&self) -> PathBuf {
        self.dir().join("logs")
    }

    /// The world's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the world's clock.
    pub fn now_unix(&self) -> u64 {
        self.clock.now_unix()
    }

    /// The environment the app or the CLI needs to live in this world: the bus
    /// (`DBUS_SYSTEM_BUS_ADDRESS`), the factory's vendor profile (`HEARTH_VENDOR_PROFILE`),
    /// the private keyring (`HEARTH_KEYRING=keyutils-session`, unless the keyring is
    /// inherited) and, once the vendor service is set up, its client profile
    /// (`HEARTH_VENDOR_SERVICE`).
    pub fn app_env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (BUS_ENV.to_owned(), self.bus_address().to_owned()),
            (
                VENDOR_PROFILE_ENV.to_owned(),
                self.vendor.profile.display().to_string(),
            ),
        ];
        if self.keyring_mode == KeyringMode::Private {
            env.push((
                BACKEND_ENV.to_owned(),
                Backend::KeyutilsSession.name().to_owned(),
            ));
        }
        if let Some(profile) = self.vendor_service_profile() {
            env.push((VENDOR_SERVICE_ENV.to_owned(), profile.display().to_string()));
        }
        env
    }

    // ----- the factory -------------------------------------------------------------------------

    /// The test vendor's factory profile (what `HEARTH_VENDOR_PROFILE` names).
    pub fn vendor_profile(&self) -> &Path {
        &self.vendor.profile
    }

    /// The vendor root public key the devices' certificate chains end in.
    pub fn vendor_root(&self) -> [u8; 32] {
        self.vendor.root
    }

    /// The factory's vendor.
    pub fn vendor(&self) -> &TestVendor {
        &self.vendor
    }

    /// The Wi-Fi in the devices' range.
    pub fn wifi(&self) -> &Wifi {
        &self.wifi
    }

    /// The minted devices, in adapter order (`devices()[0]` is on `hci1`).
    pub fn devices(&self) -> &[Device] {
        &self.devices
    }

    /// Device `index`.
    ///
    /// # Errors
    /// No such device.
    pub fn device(&self, index: usize) -> Result<&Device, Error> {
        self.devices
            .get(index)
            .ok_or_else(|| fail(format!("the world has no device {index}")))
    }

    // ----- the keyring -------------------------------------------------------------------------

    /// The keystore on the world's private keyring.
    ///
    /// # Panics
    /// When the world inherits its caller's keyring ([`KeyringMode::Inherit`]): it opened none.
    pub fn keystore(&self) -> &Keystore {
        match &self.keyring {
            Some(keyring) => keyring.keystore(),
            None => panic!("this world uses its caller's keyring and opened no keystore"),
        }
    }

    /// The world's private keyring (`None` when it inherits its caller's).
    pub fn keyring(&self) -> Option<&TestKeyring> {
        self.keyring.as_ref()
    }

    /// The secret half of the owner key the app stored for `device_id` (the app's id for the
    /// device), read from the keyring the app shares with this process; `None` when none.
    ///
    /// # Panics
    /// When the keyring answers anything but a key or "no such key" (a test must not mistake
    /// that for "no key"), or the world has no keyring of its own.
    pub fn owner_key_bytes(&self, device_id: &str) -> Option<Vec<u8>> {
        match &self.keyring {
            Some(keyring) => keyring
                .owner_key_bytes(device_id)
                .unwrap_or_else(|e| panic!("{e}")),
            None => panic!("this world uses its caller's keyring"),
        }
    }
}

mod parts;
