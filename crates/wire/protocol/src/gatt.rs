//! How a Hearth device appears over Bluetooth LE: one GATT service with a write
//! characteristic (app → device, write with and without response) and a notify
//! characteristic (device → app), and the service data it advertises so the app
//! can tell devices apart before connecting (the setup code's discriminator).
//!
//! UUIDs are kept as `u128` so this crate needs no UUID type; `uuid::Uuid::from_u128`
//! (used by both btleplug and bluer) turns them into the stacks' own type.

/// The Hearth GATT service.
pub const SERVICE_UUID: u128 = 0x8a3f_0001_5b6c_4d1e_9f20_6c7a_8e9b_0d11;
/// App → device segments (write request or write command).
pub const WRITE_UUID: u128 = 0x8a3f_0002_5b6c_4d1e_9f20_6c7a_8e9b_0d11;
/// Device → app segments (notifications).
pub const NOTIFY_UUID: u128 = 0x8a3f_0003_5b6c_4d1e_9f20_6c7a_8e9b_0d11;

/// Version of the advertised service data layout.
pub const SERVICE_DATA_VERSION: u8 = 1;

/// What a device advertises as service data under [`SERVICE_UUID`]:
/// `[version u8, discriminator u16 little-endian (12 bits used), flags u8]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advertisement {
    /// The 12-bit discriminator printed (in full or in part) on the label.
    pub discriminator: u16,
    /// The pairing window is open, so the device accepts a setup code now.
    pub pairing_open: bool,
    /// The device already has an owner.
    pub has_owner: bool,
}

/// Why advertised service data was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdvertisementError {
    /// Not four bytes.
    #[error("service data must be 4 bytes, got {0}")]
    Length(usize),
    /// A layout this app does not know.
    #[error("unknown service data version {0}")]
    Version(u8),
    /// The discriminator does not fit in 12 bits.
    #[error("discriminator {0:#x} is wider than 12 bits")]
    Discriminator(u16),
}

impl AdvertisementError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "advertisement.length",
            Self::Version(_) => "advertisement.version",
            Self::Discriminator(_) => "advertisement.discriminator",
        }
    }
}

const FLAG_PAIRING_OPEN: u8 = 0b01;
const FLAG_HAS_OWNER: u8 = 0b10;

impl Advertisement {
    /// The service data bytes.
    pub fn encode(&self) -> [u8; 4] {
        let d = (self.discriminator & 0x0fff).to_le_bytes();
        let mut flags = 0;
        if self.pairing_open {
            flags |= FLAG_PAIRING_OPEN;
        }
        if self.has_owner {
            flags |= FLAG_HAS_OWNER;
        }
        [SERVICE_DATA_VERSION, d[0], d[1], flags]
    }

    /// Parses service data; unknown flag bits are ignored so later versions can add some.
    pub fn decode(bytes: &[u8]) -> Result<Self, AdvertisementError> {
        let [version, d0, d1, flags] =
            <[u8; 4]>::try_from(bytes).map_err(|_| AdvertisementError::Length(bytes.len()))?;
        if version != SERVICE_DATA_VERSION {
            return Err(AdvertisementError::Version(version));
        }
        let discriminator = u16::from_le_bytes([d0, d1]);
        if discriminator > 0x0fff {
            return Err(AdvertisementError::Discriminator(discriminator));
        }
        Ok(Self {
            discriminator,
            pairing_open: flags & FLAG_PAIRING_OPEN != 0,
            has_owner: flags & FLAG_HAS_OWNER != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn round_trips(discriminator in 0u16..0x1000, pairing_open: bool, has_owner: bool) {
            let ad = Advertisement { discriminator, pairing_open, has_owner };
            prop_assert_eq!(Advertisement::decode(&ad.encode()), Ok(ad));
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..8)) {
            let _ = Advertisement::decode(&bytes);
        }
    }

    #[test]
    fn rejects_bad_data_with_reasons() {
        assert_eq!(
            Advertisement::decode(&[1, 0, 0]),
            Err(AdvertisementError::Length(3))
        );
        assert_eq!(
            Advertisement::decode(&[2, 0, 0, 0]),
            Err(AdvertisementError::Version(2))
        );
        assert_eq!(
            Advertisement::decode(&[1, 0xff, 0xff, 0]),
            Err(AdvertisementError::Discriminator(0xffff))
        );
    }

    #[test]
    fn the_three_characteristics_are_distinct_and_share_the_base() {
        assert_ne!(SERVICE_UUID, WRITE_UUID);
        assert_ne!(WRITE_UUID, NOTIFY_UUID);
        let base = |u: u128| u & !(0xffff_u128 << 96);
        assert_eq!(base(SERVICE_UUID), base(NOTIFY_UUID));
    }
}
