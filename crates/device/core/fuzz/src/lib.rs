//! What the device fuzz targets share: one device identity minted as the
//! factory mints it (made once per process), and the device's peripherals.

use std::sync::OnceLock;

use hearth_device::peripherals::{FixedTemperature, MemoryWifi};
use hearth_device::secret::SecretBytes;
use hearth_device::state::Identity;
use hearth_device::storage::MemoryStorage;
use hearth_device::{DeviceCore, Peripherals};
use hearth_protocol::attestation::{DeviceCa, IdentityKey, Validity, VendorRoot};
use hearth_protocol::setup_code::{ParsedSetupCode, SetupCode};
use hearth_protocol::spake2::Verifier;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// When every run starts (unix seconds).
pub const START: u64 = 1_750_000_000;
/// The Wi-Fi network in range and its passphrase.
pub const SSID: &str = "home";
pub const WIFI_PASS: &str = "correct horse battery";
/// What the temperature sensor reads.
pub const CENTI_CELSIUS: i32 = 2150;

/// A minted device: its identity, the code on its label, the vendor root.
pub struct Minted {
    pub identity: Identity,
    pub code: ParsedSetupCode,
    pub root_public: [u8; 32],
}

/// The one minted device.
pub fn minted() -> &'static Minted {
    static MINTED: OnceLock<Minted> = OnceLock::new();
    MINTED.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(1);
        // Valid long before and after any time a run reaches.
        let validity = Validity {
            not_before: 0,
            not_after: START * 2,
        };
        let root = VendorRoot::generate(&mut rng);
        let ca_key = IdentityKey::generate(&mut rng);
        let ca_cert = root
            .issue_device_ca(&ca_key.public(), "Fuzz CA", validity)
            .expect("valid fields");
        let ca = DeviceCa::new(ca_key, ca_cert).expect("matching key");
        let device_key = IdentityKey::generate(&mut rng);
        let serial = "PLUG-00000001".to_owned();
        let cert = ca
            .issue_device_certificate(&device_key.public(), "PLUG", &serial, validity)
            .expect("valid fields");
        let code = SetupCode::generate(&mut rng);
        let verifier = Verifier::from_passcode(&code.passcode, &[7; 16], 1000).expect("verifier");
        Minted {
            identity: Identity {
                serial,
                model: "PLUG".into(),
                discriminator: code.discriminator.value(),
                verifier: SecretBytes::new(verifier.to_bytes().to_vec()),
                identity_key: SecretBytes::new(device_key.secret_bytes().to_vec()),
                certificate_chain: vec![cert.to_bytes().into(), ca.certificate().to_bytes().into()],
                firmware_public_key: vec![7; 32],
            },
            code: SetupCode::parse(&code.qr_payload()).expect("own payload"),
            root_public: root.public_key(),
        }
    })
}

/// The device's Wi-Fi, sensor and a seeded RNG.
pub fn peripherals(seed: u64) -> Peripherals {
    Peripherals {
        wifi: Box::new(MemoryWifi::default().with_network(SSID, WIFI_PASS)),
        sensor: Box::new(FixedTemperature(CENTI_CELSIUS)),
        rng: Box::new(StdRng::seed_from_u64(seed)),
    }
}

/// A fresh device from the minted identity, booted at [`START`].
pub fn boot() -> DeviceCore<MemoryStorage> {
    DeviceCore::boot(
        MemoryStorage::new(),
        Some(minted().identity.clone()),
        peripherals(2),
        START,
    )
    .expect("a fresh device boots")
}
