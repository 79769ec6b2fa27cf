//! The plug without its radio: the device core, its GATT framing, its clock,
//! and the physical actions (button, power cord).
//!
//! [`crate::ble`] feeds this with GATT writes and sends what it returns as
//! notifications; tests can drive it directly. Segments are framed with
//! `hearth_protocol::frame::Link` at the MTU of the connection (segments of
//! at most MTU − 3 bytes, acked within a window), so one [`Plug`] serves one
//! central at a time, like the single-link device it models.
//!
//! Power is modelled as a real power cut: [`Plug::power_off`] drops the core
//! and every volatile thing with it (link, pairing window, queued events);
//! [`Plug::power_on`] boots a new core from the state on disk, which reopens
//! the pairing window only if no owner is stored, and keeps brute-force
//! counters (EN 303 645 v2.1.1 5.1-5).

use crate::clock::Clock;
use crate::error::RefDeviceError;
use crate::sensor::SimulatedSensor;
use crate::wifi::SimulatedWifi;
use hearth_device::state::Identity;
use hearth_device::storage::FileStorage;
use hearth_device::{DeviceCore, Peripherals};
use hearth_protocol::frame::{FrameConfig, FrameError, Link, MAX_MTU, MIN_MTU};
use hearth_protocol::gatt::Advertisement;
use std::path::{Path, PathBuf};

/// Name of the identity bundle inside an identity folder (as the factory writes it).
pub const BUNDLE_FILE: &str = "device.bundle";
/// Name of the state record inside the state folder.
pub const STATE_FILE: &str = "state.bin";
/// Largest bundle accepted (the factory's are a few kilobytes).
const MAX_BUNDLE_LEN: u64 = 64 * 1024;

/// Reads the factory bundle in the identity folder `dir`.
///
/// # Errors
/// [`RefDeviceError::IdentityRead`], [`RefDeviceError::IdentityTooLarge`] or
/// [`RefDeviceError::IdentityInvalid`].
pub fn read_identity(dir: &Path) -> Result<Identity, RefDeviceError> {
    let path = dir.join(BUNDLE_FILE);
    let read_error = |source| RefDeviceError::IdentityRead {
        path: path.clone(),
        source,
    };
    let len = std::fs::metadata(&path).map_err(read_error)?.len();
    if len > MAX_BUNDLE_LEN {
        return Err(RefDeviceError::IdentityTooLarge(path));
    }
    let bytes = zeroize::Zeroizing::new(std::fs::read(&path).map_err(read_error)?);
    Identity::from_bundle(&bytes).map_err(RefDeviceError::IdentityInvalid)
}

/// What the plug is made of.
#[derive(Debug, Clone)]
pub struct PlugConfig {
    /// The factory identity (used only when the state folder is empty).
    pub identity: Identity,
    /// The state folder (simulated flash).
    pub state_dir: PathBuf,
    /// The Wi-Fi networks in range.
    pub wifi: SimulatedWifi,
    /// Seed of the temperature sensor.
    pub seed: u64,
}

/// What the device looks like from outside, for the control socket and logs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// Whether the device has power.
    pub powered: bool,
    /// The discriminator it advertises.
    pub discriminator: u16,
    /// Whether the pairing window is open now.
    pub pairing_open: bool,
    /// Whether it has an owner.
    pub has_owner: bool,
    /// Whether a central is linked.
    pub connected: bool,
    /// Failed pairing attempts counted since the last success or button press.
    pub failed_attempts: u32,
    /// Whether the plug's relay is on.
    pub plug_on: bool,
    /// The device clock (seconds since the epoch).
    pub now: u64,
}

/// Why the current link must be dropped.
#[derive(Debug, thiserror::Error)]
pub enum LinkFault {
    /// The device is off; nothing is listening.
    #[error("the device is powered off")]
    PoweredOff,
    /// The central sent a segment that breaks the framing rules.
    #[error("bad segment: {0}")]
    Frame(#[from] FrameError),
    /// The core could not answer (e.g. a counter could not be persisted).
    #[error("the device core could not answer: {0}")]
    Core(#[from] hearth_device::DeviceError),
}

impl LinkFault {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::PoweredOff => "link_powered_off",
            Self::Frame(e) => e.code(),
            Self::Core(e) => e.code(),
        }
    }
}

#[derive(Debug)]
struct GattLink {
    central: String,
    frames: Link,
}

/// See the module documentation.
pub struct Plug {
    config: PlugConfig,
    clock: Box<dyn Clock>,
    /// Seconds the device clock runs ahead of `clock` (fast-forward for tests and demos).
    ahead: u64,
    core: Option<DeviceCore<FileStorage>>,
    link: Option<GattLink>,
    boots: u64,
}

impl std::fmt::Debug for Plug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plug")
            .field("powered", &self.core.is_some())
            .field("link", &self.link)
            .field("boots", &self.boots)
            .finish_non_exhaustive()
    }
}

impl Plug {
    /// Powers the plug up for the first time.
    ///
    /// # Errors
    /// [`RefDeviceError::StateFolder`] if the state folder cannot be created;
    /// [`RefDeviceError::Core`] if the stored state is unreadable (never a
    /// silent reset).
    pub fn boot(config: PlugConfig, clock: Box<dyn Clock>) -> Result<Self, RefDeviceError> {
        std::fs::create_dir_all(&config.state_dir).map_err(|source| {
            RefDeviceError::StateFolder {
                path: config.state_dir.clone(),
                source,
            }
        })?;
        let mut plug = Self {
            config,
            clock,
            ahead: 0,
            core: None,
            link: None,
            boots: 0,
        };
        plug.power_on()?;
        Ok(plug)
    }

    /// The device clock.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.clock.now_unix().saturating_add(self.ahead)
    }

    /// Moves the device clock forward by `secs` (the pairing window and
    /// lockout delays see the jump; nothing else changes).
    pub fn advance_clock(&mut self, secs: u64) {
        self.ahead = self.ahead.saturating_add(secs);
    }

    /// Whether the plug has power.
    #[must_use]
    pub fn is_powered(&self) -> bool {
        self.core.is_some()
    }

    /// The name it advertises: `Hearth Plug` and its discriminator in hex
    /// (already public in the service data; the serial is not, since it
    /// would let anyone track the device).
    #[must_use]
    pub fn local_name(&self) -> String {
        format!("Hearth Plug {:04X}", self.config.identity.discriminator)
    }

    /// The advertised service data, or `None` while powered off.
    #[must_use]
    pub fn advertisement(&self) -> Option<Advertisement> {
        let core = self.core.as_ref()?;
        Some(Advertisement {
            discriminator: core.state().identity.discriminator,
            pairing_open: core.pairing_window_open(self.now()),
            has_owner: core.state().is_paired(),
        })
    }

    /// What the device looks like now.
    #[must_use]
    pub fn status(&self) -> Status {
        let now = self.now();
        let core = self.core.as_ref();
        Status {
            powered: core.is_some(),
            discriminator: self.config.identity.discriminator,
            pairing_open: core.is_some_and(|c| c.pairing_window_open(now)),
            has_owner: core.is_some_and(|c| c.state().is_paired()),
            connected: self.link.is_some(),
            failed_attempts: core.map_or(0, |c| c.state().brute_force.failures),
            plug_on: core.is_some_and(|c| c.state().plug_on),
            now,
        }
    }

    /// A segment written by `central` on a link with this `mtu`. Complete
    /// messages go to the core; its answer and any events it pushed are
    /// queued for [`Plug::transmit`].
    ///
    /// # Errors
    /// A [`LinkFault`]: the link state is gone and the caller should
    /// disconnect the central.
    pub fn on_write(&mut self, central: &str, mtu: u16, segment: &[u8]) -> Result<(), LinkFault> {
        let now = self.now();
        let Some(core) = self.core.as_mut() else {
            return Err(LinkFault::PoweredOff);
        };
        if self.link.as_ref().is_some_and(|l| l.central != central) {
            // A new central means the previous link is gone, whatever BlueZ told us.
            core.disconnect();
            self.link = None;
        }
        let link = match &mut self.link {
            Some(link) => link,
            slot @ None => {
                let mtu = usize::from(mtu).clamp(MIN_MTU, MAX_MTU);
                let config = FrameConfig::with_mtu(mtu)?;
                tracing::info!(central, mtu, "link up");
                slot.insert(GattLink {
                    central: central.to_owned(),
                    frames: Link::new(config),
                })
            }
        };
        let result = (|| {
            if let Some(message) = link.frames.receive(segment)? {
                let answer = core.handle(&message, now)?;
                link.frames.send(answer)?;
                for event in core.take_events() {
                    link.frames.send(event)?;
                }
            }
            Ok(())
        })();
        if result.is_err() {
            self.drop_link();
        }
        result
    }

    /// Segments to notify now, in order (data while the window allows, then
    /// a bare ack if one is due).
    pub fn transmit(&mut self) -> Vec<Vec<u8>> {
        let Some(link) = self.link.as_mut() else {
            return Vec::new();
        };
        std::iter::from_fn(|| link.frames.poll_transmit()).collect()
    }

    /// The central went away (unsubscribed or disconnected).
    pub fn on_disconnect(&mut self) {
        if self.link.is_some() {
            tracing::info!("link down");
        }
        self.drop_link();
    }

    fn drop_link(&mut self) {
        self.link = None;
        if let Some(core) = self.core.as_mut() {
            core.disconnect();
        }
    }

    /// A press of the pairing button: lifts the lockout and, if unowned,
    /// reopens the pairing window.
    ///
    /// # Errors
    /// [`RefDeviceError::PoweredOff`], or [`RefDeviceError::Core`] if the
    /// cleared counters cannot be stored.
    pub fn press_button(&mut self) -> Result<(), RefDeviceError> {
        let now = self.now();
        let core = self.core.as_mut().ok_or(RefDeviceError::PoweredOff)?;
        core.press_button(now)?;
        tracing::info!("button pressed");
        Ok(())
    }

    /// Cuts the power: the core and all volatile state are gone.
    pub fn power_off(&mut self) {
        if self.core.take().is_some() {
            tracing::info!("power off");
        }
        self.link = None;
    }

    /// Restores power: a new core boots from the state on disk. Does nothing
    /// if the plug is already on.
    ///
    /// # Errors
    /// [`RefDeviceError::Core`] if the stored state cannot be read; the plug stays off.
    pub fn power_on(&mut self) -> Result<(), RefDeviceError> {
        if self.core.is_some() {
            return Ok(());
        }
        let now = self.now();
        let peripherals = Peripherals {
            wifi: Box::new(self.config.wifi.clone()),
            // Each boot continues with a fresh but predictable sequence.
            sensor: Box::new(SimulatedSensor::new(
                self.config.seed.wrapping_add(self.boots),
            )),
            rng: Box::new(rand::rand_core::UnwrapErr(rand::rngs::SysRng)),
        };
        let storage = FileStorage::new(self.config.state_dir.join(STATE_FILE));
        let core = DeviceCore::boot(
            storage,
            Some(self.config.identity.clone()),
            peripherals,
            now,
        )?;
        self.core = Some(core);
        self.boots += 1;
        let status = self.status();
        tracing::info!(
            pairing_open = status.pairing_open,
            has_owner = status.has_owner,
            failed_attempts = status.failed_attempts,
            "power on"
        );
        Ok(())
    }
}
