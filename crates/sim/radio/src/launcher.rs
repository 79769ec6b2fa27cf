//! `hearth-radio up`: a private bus plus the radio on it, as one unit.

use std::path::Path;

use crate::bus::PrivateBus;
use crate::error::RadioError;
use crate::radio::{Radio, RadioConfig};

/// A private bus with the radio serving `org.bluez` on it.
#[derive(Debug)]
pub struct Simulation {
    bus: PrivateBus,
    radio: Radio,
}

impl Simulation {
    /// Starts `dbus-daemon` with its socket in `dir`, then the radio on it.
    ///
    /// # Errors
    /// Whatever [`PrivateBus::start`] or [`Radio::serve`] report; the bus is stopped again if
    /// the radio fails.
    pub async fn up(dir: &Path, config: RadioConfig) -> Result<Self, RadioError> {
        let bus = PrivateBus::start(dir).await?;
        match Radio::serve(bus.address(), config).await {
            Ok(radio) => Ok(Self { bus, radio }),
            Err(e) => {
                let _ = bus.stop().await;
                Err(e)
            }
        }
    }

    /// The bus address; set `DBUS_SYSTEM_BUS_ADDRESS` to it.
    pub fn address(&self) -> &str {
        self.bus.address()
    }

    /// The radio.
    pub fn radio(&self) -> &Radio {
        &self.radio
    }

    /// Stops the radio, then the bus (SIGTERM).
    ///
    /// # Errors
    /// [`RadioError::ChildStop`] if the daemon could not be waited for.
    pub async fn down(self) -> Result<(), RadioError> {
        // The name goes away with the bus anyway; a failure to release it is not worth reporting.
        let _ = self.radio.stop().await;
        self.bus.stop().await
    }
}
