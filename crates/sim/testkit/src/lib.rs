//! The one world Hearth's tests and `cargo xtask demo` run in: a private D-Bus system bus with
//! the simulated radio (`hearth-radio`), a test vendor whose factory mints devices (labels on
//! disk), one real `hearth-refdevice` process per device on its own peripheral adapter, a Wi-Fi
//! the devices can join, the vendor service (`hearth-vendor`, SQLite) over TLS on loopback, a
//! keyring of the test's own, an injected clock and waits with timeouts — written once here,
//! so a new scene (a power cut during an update, a second user, the service down) is added
//! once.
//!
//! ```no_run
//! # fn demo() -> Result<(), hearth_testkit::Error> {
//! use hearth_testkit::World;
//! // First thing in a plain #[test]: joins a private keyring before any thread exists.
//! let world = World::builder().models(&["hearth-plug-1"]).up()?;
//! world.block_on(async {
//!     world.press_button(0).await?;
//!     let status = world.status(0).await?;
//!     assert!(status.pairing_open);
//!     Ok::<_, hearth_testkit::Error>(())
//! })?;
//! world.down()
//! # }
//! ```
//!
//! Rules that come from the platform, not from taste:
//! - **The bus address.** btleplug and bluer find the bus only through the process-wide
//!   `DBUS_SYSTEM_BUS_ADDRESS`. Every process the world starts (devices, the vendor service,
//!   the app through [`World::app_env`]) is given the address explicitly, so worlds whose
//!   Bluetooth runs in child processes can share a test process. A world whose test drives
//!   btleplug or bluer *in* the test process asks for it with
//!   [`WorldBuilder::in_process_bluetooth`]; one such world per process, ever: a second one
//!   fails loudly ([`bus::claim_process_bus`]) instead of talking to the first one's radio.
//! - **The keyring.** Each world joins a fresh anonymous session keyring on the thread that
//!   builds it and gives the app `HEARTH_KEYRING=keyutils-session` (nothing is linked into the
//!   user's persistent keyring); [`World::down`] clears it. Build the world before any async
//!   runtime or other thread of the test exists: the kernel keeps the session keyring in each
//!   thread's credentials, and only threads and processes started afterwards inherit it.
//! - **Ports.** Servers bind port 0 and the kernel's choice is read back; a port that must
//!   stay ours between two servers is held by a bound socket that never listens
//!   ([`ports::RefusingPort`]), which the client sees as refused.
//! - **Time.** Nothing sleeps: every step waits for an answer, a signal or an exit, within
//!   [`STEP`] ([`within`], [`try_within`]). The world's clock ([`WorldBuilder::clock`]) dates
//!   what the factory mints.

pub mod bins;
pub mod bus;
pub mod device;
pub mod factory;
#[cfg(feature = "in-process-vendor")]
pub mod in_process;
pub mod keyring;
pub mod ports;
pub mod radio;
pub mod vendor_service;
mod wait;
mod world;

pub use hearth_clock::{Clock, ManualClock, SystemClock};
pub use hearth_radio::RadioConfig;
pub use hearth_reference_device::control::Command;
pub use hearth_reference_device::plug::Status;

pub use device::{DeviceOptions, control};
pub use factory::Device;
pub use keyring::KeyringMode;
pub use wait::{STEP, try_within, within};
pub use world::{World, WorldBuilder};

/// The Wi-Fi network the world's devices can join.
pub const WIFI_SSID: &str = "Hearth Test WiFi";
/// Its passphrase (a test value, not a secret).
pub const WIFI_PASSPHRASE: &str = "test passphrase 4 the plugs";
/// The vendor name the world's devices are minted under.
pub const VENDOR_NAME: &str = "Hearth Test Devices";
/// The model devices are minted as unless told otherwise (one the vendor catalogue knows).
pub const DEVICE_MODEL: &str = "hearth-plug-1";
/// The central adapter's name on the radio (the app's Bluetooth).
pub const CENTRAL_ADAPTER: &str = "hci0";
/// The variable naming the vendor service's client profile for the app and the CLI.
pub const VENDOR_SERVICE_ENV: &str = "HEARTH_VENDOR_SERVICE";
/// The variable naming the factory's vendor profile (the root devices are checked against).
pub const VENDOR_PROFILE_ENV: &str = "HEARTH_VENDOR_PROFILE";
/// The variable btleplug, bluer and every Hearth process read the bus address from.
pub const BUS_ENV: &str = "DBUS_SYSTEM_BUS_ADDRESS";

/// Anything that stops a world; the message says which step and what to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// An [`Error`] saying `what`.
pub(crate) fn fail(what: impl std::fmt::Display) -> Error {
    Error(what.to_string())
}

/// `Result` with the world's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
