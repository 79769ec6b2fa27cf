//! The hardware the device core talks to, behind traits so the core does no I/O.
//!
//! The reference device implements these with a real Wi-Fi interface and a
//! sensor; tests use the in-memory versions here.

use std::collections::BTreeMap;

/// Result of trying to join a Wi-Fi network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WifiJoin {
    /// Associated and authenticated.
    Joined,
    /// The network exists but rejected the passphrase (4-way handshake failed).
    WrongPassphrase,
    /// No network with that SSID is in range.
    NoNetwork,
}

/// A Wi-Fi radio that can try to join a network.
pub trait WifiNetwork {
    /// Tries to join `ssid` with `passphrase` (empty for an open network).
    fn join(&mut self, ssid: &str, passphrase: &[u8]) -> WifiJoin;
}

/// A temperature sensor.
pub trait TemperatureSensor {
    /// Current temperature in hundredths of a degree Celsius.
    fn read_centi_celsius(&mut self) -> i32;
}

/// Test Wi-Fi: knows a set of SSID/passphrase pairs within range.
#[derive(Debug, Clone, Default)]
pub struct MemoryWifi {
    networks: BTreeMap<String, Vec<u8>>,
}

impl MemoryWifi {
    /// Adds a network in range.
    #[must_use]
    pub fn with_network(mut self, ssid: &str, passphrase: &str) -> Self {
        self.networks
            .insert(ssid.to_owned(), passphrase.as_bytes().to_vec());
        self
    }
}

impl WifiNetwork for MemoryWifi {
    fn join(&mut self, ssid: &str, passphrase: &[u8]) -> WifiJoin {
        match self.networks.get(ssid) {
            None => WifiJoin::NoNetwork,
            Some(expected) if expected.as_slice() == passphrase => WifiJoin::Joined,
            Some(_) => WifiJoin::WrongPassphrase,
        }
    }
}

/// Test sensor returning a fixed reading.
#[derive(Debug, Clone, Copy)]
pub struct FixedTemperature(pub i32);

impl TemperatureSensor for FixedTemperature {
    fn read_centi_celsius(&mut self) -> i32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_wifi_tells_the_three_outcomes_apart() {
        let mut wifi = MemoryWifi::default().with_network("home", "secret-pass");
        assert_eq!(wifi.join("home", b"secret-pass"), WifiJoin::Joined);
        assert_eq!(wifi.join("home", b"secret-pasS"), WifiJoin::WrongPassphrase);
        assert_eq!(wifi.join("cafe", b"secret-pass"), WifiJoin::NoNetwork);
    }
}
