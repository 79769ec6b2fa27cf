//! The world the window's tests pair in: `hearth_testkit::World` (the simulated radio on a
//! private bus, a test vendor, devices minted by the factory, one `hearth-refdevice` process
//! per device, a Wi-Fi, the vendor service, a private keyring), with the synchronous calls
//! the window tests make between their async steps and errors as [`E2eError`].
//!
//! ```no_run
//! # fn demo() -> Result<(), hearth_e2e::E2eError> {
//! use hearth_e2e::{App, world::World};
//! // First, before any thread: the world joins its private keyring.
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
//! - Tests are plain `#[test]` functions that build the world first and run their async part
//!   with [`World::block_on`], never `#[tokio::test]` (the keyring rule in `hearth-testkit`).
//!   The app and the devices get the bus address explicitly ([`World::app_env`]); nothing
//!   here sets this process's environment, so worlds do not meet even in one process.
//! - The radio has one central adapter (`hci0`), shared with the app: [`World::scan`] is for
//!   before the app is launched.
//! - The vendor service ([`World::start_vendor_service`]) reaches the app through
//!   [`World::app_env`], so start it before launching the app; it can then be stopped and
//!   started again (same port, same data) while the app runs.

use std::future::Future;
use std::path::{Path, PathBuf};

use hearth_radio::control::Radio1Proxy;

pub use hearth_testkit::{
    CENTRAL_ADAPTER, Command, DEVICE_MODEL, STEP, Status, VENDOR_NAME, VENDOR_SERVICE_ENV,
    WIFI_PASSPHRASE, WIFI_SSID,
};

use crate::E2eError;

/// One minted device: its factory files, its label and where it runs.
pub type WorldDevice = hearth_testkit::Device;

impl From<hearth_testkit::Error> for E2eError {
    fn from(e: hearth_testkit::Error) -> Self {
        E2eError(e.0)
    }
}

/// Awaits `fut`, failing with `what` after [`STEP`].
///
/// # Errors
/// A timeout, naming `what`.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, E2eError> {
    Ok(hearth_testkit::try_within(what, fut).await?)
}

/// Everything the world started; [`World::down`] (or dropping it) stops it all.
#[derive(Debug)]
pub struct World {
    kit: hearth_testkit::World,
}

impl World {
    /// Brings the world up with `devices` devices (1 to 254) of [`DEVICE_MODEL`] and returns
    /// once every device is heard advertising. Call it first thing in a plain `#[test]`.
    ///
    /// # Errors
    /// Any step that fails, saying which.
    pub fn up(devices: usize) -> Result<Self, E2eError> {
        Self::up_with_models(&vec![DEVICE_MODEL; devices])
    }

    /// [`World::up`] with one device minted as each of `models`, in order (a model the
    /// vendor catalogue knows, e.g. the non-updatable `hearth-sensor-0`).
    ///
    /// # Errors
    /// As [`World::up`].
    pub fn up_with_models(models: &[&str]) -> Result<Self, E2eError> {
        if models.is_empty() {
            return Err(E2eError("a world needs at least one device".into()));
        }
        Ok(Self {
            kit: hearth_testkit::World::builder().models(models).up()?,
        })
    }

    /// The testkit's world, for anything this facade does not wrap.
    pub fn kit(&self) -> &hearth_testkit::World {
        &self.kit
    }

    /// Runs `fut` to completion on the world's runtime; the async part of a test goes here,
    /// [`crate::App`] included.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.kit.block_on(fut)
    }

    /// The world's temporary folder (vendor, devices, state, logs).
    pub fn dir(&self) -> &Path {
        self.kit.dir()
    }

    /// A `HEARTH_HOME` for the app, inside the world's folder (created, empty at first).
    pub fn home(&self) -> PathBuf {
        self.kit.home()
    }

    /// The environment the app needs to live in this world, for [`crate::App::launch_with`]
    /// (see `hearth_testkit::World::app_env`).
    pub fn app_env(&self) -> Vec<(String, String)> {
        self.kit.app_env()
    }

    /// The private bus's address.
    pub fn bus_address(&self) -> &str {
        self.kit.bus_address()
    }

    /// The test vendor's profile (`vendor-profile.json`, what `HEARTH_VENDOR_PROFILE` names).
    pub fn vendor_profile(&self) -> &Path {
        self.kit.vendor_profile()
    }

    /// The Wi-Fi networks file the devices were started with.
    pub fn wifi_networks_file(&self) -> &Path {
        &self.kit.wifi().networks_file
    }

    /// The SSID of the Wi-Fi the devices can join.
    pub fn wifi_ssid(&self) -> &str {
        &self.kit.wifi().ssid
    }

    /// Its passphrase.
    pub fn wifi_passphrase(&self) -> &str {
        &self.kit.wifi().passphrase
    }

    /// The minted devices, in adapter order (`devices()[0]` is on `hci1`).
    pub fn devices(&self) -> &[WorldDevice] {
        self.kit.devices()
    }

    /// Device `index`.
    ///
    /// # Errors
    /// No such device.
    pub fn device(&self, index: usize) -> Result<&WorldDevice, E2eError> {
        Ok(self.kit.device(index)?)
    }

    /// The radio's control interface (`org.hearth.Radio1`).
    pub fn radio(&self) -> &Radio1Proxy<'static> {
        self.kit.radio()
    }

    /// Everything device `index`'s process has logged (empty if none yet).
    pub fn device_log(&self, index: usize) -> String {
        self.kit.device_log(index)
    }

    /// Sends `command` through device `index`'s control socket (its button, its power).
    ///
    /// # Errors
    /// No such device, the device process is not running, or it refused.
    pub async fn control(&self, index: usize, command: Command) -> Result<Status, E2eError> {
        Ok(self.kit.control(index, command).await?)
    }

    /// Presses device `index`'s pairing button.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn press_button(&self, index: usize) -> Result<Status, E2eError> {
        Ok(self.kit.press_button(index).await?)
    }

    /// Device `index`'s status.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn status(&self, index: usize) -> Result<Status, E2eError> {
        Ok(self.kit.status(index).await?)
    }

    /// Cuts device `index`'s power.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_off(&self, index: usize) -> Result<Status, E2eError> {
        Ok(self.kit.power_off(index).await?)
    }

    /// Restores device `index`'s power.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_on(&self, index: usize) -> Result<Status, E2eError> {
        Ok(self.kit.power_on(index).await?)
    }

    /// Drops the link to device `index` now; returns how many links were dropped.
    ///
    /// # Errors
    /// No such device; the radio refused.
    pub async fn drop_link(&self, index: usize) -> Result<u32, E2eError> {
        Ok(self.kit.drop_link(index).await?)
    }

    /// Arms a one-shot drop of the next link to device `index` after `after_round_trips`.
    ///
    /// # Errors
    /// No such device; the radio refused (0 round trips).
    pub async fn arm_link_drop(
        &self,
        index: usize,
        after_round_trips: u32,
    ) -> Result<(), E2eError> {
        Ok(self.kit.arm_link_drop(index, after_round_trips).await?)
    }

    /// Switches the app's Bluetooth (the radio's central adapter `hci0`) on or off.
    ///
    /// # Errors
    /// The radio refused.
    pub async fn set_bluetooth(&self, on: bool) -> Result<(), E2eError> {
        Ok(self.kit.set_bluetooth(on).await?)
    }

    /// Scans until every running device is heard advertising (only while the app is not
    /// running); returns the adapters heard.
    ///
    /// # Errors
    /// A device is not heard within [`STEP`]; the radio refused.
    pub async fn scan(&self) -> Result<Vec<String>, E2eError> {
        Ok(self.kit.scan().await?)
    }

    /// Starts device `index`'s process (again) on its adapter; it keeps its state folder.
    ///
    /// # Errors
    /// No such device; it is already running; the binary did not start.
    pub fn start_device(&mut self, index: usize) -> Result<(), E2eError> {
        Ok(self.kit.block_on(self.kit.start_device(index))?)
    }

    /// Stops device `index`'s process with SIGTERM and checks that it exited cleanly.
    ///
    /// # Errors
    /// No such device or it is not running; it did not exit cleanly within [`STEP`].
    pub fn stop_device(&mut self, index: usize) -> Result<(), E2eError> {
        Ok(self.kit.block_on(self.kit.stop_device(index))?)
    }

    /// Starts the vendor service and returns once it listens (first call: sets it up on a
    /// port the world keeps; later calls: the same config, port and database).
    ///
    /// # Errors
    /// It is already running; `init` failed; it did not listen within [`STEP`].
    pub fn start_vendor_service(&mut self) -> Result<(), E2eError> {
        Ok(self.kit.block_on(self.kit.start_vendor_service())?)
    }

    /// Stops the vendor service (SIGTERM) and checks it exited cleanly; its port refuses
    /// connections and stays the world's until it starts again.
    ///
    /// # Errors
    /// It is not running; it did not exit cleanly within [`STEP`].
    pub fn stop_vendor_service(&mut self) -> Result<(), E2eError> {
        Ok(self.kit.block_on(self.kit.stop_vendor_service())?)
    }

    /// The vendor service's client profile; `None` before it was first started.
    pub fn vendor_service_profile(&self) -> Option<PathBuf> {
        self.kit.vendor_service_profile()
    }

    /// The vendor service's folder; `None` before it was first started.
    pub fn vendor_service_dir(&self) -> Option<&Path> {
        self.kit.vendor_service_dir()
    }

    /// Whether the vendor service is running.
    pub fn vendor_service_running(&self) -> bool {
        self.kit.vendor_service_running()
    }

    /// Everything the vendor service has logged, over all its starts.
    pub fn vendor_service_log(&self) -> String {
        self.kit.vendor_service_log()
    }

    /// The secret half of the owner key the app stored for `device_id`; `None` when none.
    ///
    /// # Panics
    /// When the keyring answers anything but a key or "no such key".
    pub fn owner_key_bytes(&self, device_id: &str) -> Option<Vec<u8>> {
        self.kit.owner_key_bytes(device_id)
    }

    /// Stops everything and removes the world's folder.
    ///
    /// # Errors
    /// Something did not stop cleanly; everything is stopped regardless.
    pub fn down(self) -> Result<(), E2eError> {
        Ok(self.kit.down()?)
    }
}
