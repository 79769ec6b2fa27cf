//! Bluetooth device addresses and BlueZ's object-path conventions
//! (`/org/bluez/hciN`, `/org/bluez/hciN/dev_XX_XX_XX_XX_XX_XX`, BlueZ `doc/org.bluez.Device.rst`).

use std::fmt;

/// A 48-bit Bluetooth device address (Core spec v5.4, Vol 2, Part B, 1.2), most significant byte first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub [u8; 6]);

impl Address {
    /// The `dev_XX_XX_XX_XX_XX_XX` path segment BlueZ uses for a device object.
    pub fn path_segment(&self) -> String {
        let [a, b, c, d, e, f] = self.0;
        format!("dev_{a:02X}_{b:02X}_{c:02X}_{d:02X}_{e:02X}_{f:02X}")
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02X}:{b:02X}:{c:02X}:{d:02X}:{e:02X}:{g:02X}")
    }
}

/// The object path of adapter `name` (e.g. `hci0`).
pub fn adapter_path(name: &str) -> String {
    format!("/org/bluez/{name}")
}

/// The object path of the device with `address`, as seen from adapter `name`.
pub fn device_path(adapter: &str, address: Address) -> String {
    format!("{}/{}", adapter_path(adapter), address.path_segment())
}

/// The name of the `index`th adapter (`hci0`, `hci1`, …).
pub fn adapter_name(index: u8) -> String {
    format!("hci{index}")
}

/// The simulated address of the `index`th adapter: `00:48:52:00:00:NN` ("HR", for Hearth radio).
pub fn adapter_address(index: u8) -> Address {
    Address([0x00, 0x48, 0x52, 0x00, 0x00, index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_paths_follow_bluez() {
        let address = Address([0xC0, 0xDE, 0x00, 0x12, 0xab, 0x01]);
        assert_eq!(address.to_string(), "C0:DE:00:12:AB:01");
        assert_eq!(
            device_path("hci0", address),
            "/org/bluez/hci0/dev_C0_DE_00_12_AB_01"
        );
        assert_eq!(adapter_path(&adapter_name(3)), "/org/bluez/hci3");
    }
}
