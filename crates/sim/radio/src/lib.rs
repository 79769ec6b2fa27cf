//! A simulated Bluetooth LE radio: BlueZ's D-Bus API on a private bus.
//!
//! The app's btleplug (central) and the reference device's bluer (peripheral) both talk to
//! "BlueZ" on the system bus. Pointed at a private `dbus-daemon` with `DBUS_SYSTEM_BUS_ADDRESS`,
//! they talk to this radio instead, which owns `org.bluez`, plays both sides, and carries GATT
//! traffic between them through a seeded link model ([`air`]) with a control interface
//! (`org.hearth.Radio1`, [`control`]) for fault injection. Nothing in the app or the device
//! knows it is simulated: only the air and the controller are replaced.
//!
//! ```no_run
//! # async fn run() -> Result<(), hearth_radio::RadioError> {
//! let sim = hearth_radio::Simulation::up(std::path::Path::new("/tmp/radio"), Default::default()).await?;
//! println!("DBUS_SYSTEM_BUS_ADDRESS={}", sim.address());
//! sim.down().await
//! # }
//! ```

pub mod air;
pub mod bus;
pub mod central;
pub mod control;
mod core;
pub mod error;
pub mod launcher;
pub mod mirror;
pub mod names;
pub mod peripheral;
pub mod radio;
mod values;
mod world;

pub use air::LinkParams;
pub use error::{BluezError, RadioError};
pub use launcher::Simulation;
pub use radio::{Radio, RadioConfig};
pub use world::Counters;
