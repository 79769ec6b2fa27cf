//! The test vendor's factory: a vendor root and device CA (`init_vendor`), and devices minted
//! under it (`hearth_factory::mint`) with their labels on disk.

use std::path::{Path, PathBuf};

use hearth_factory::mint::{MintRequest, mint};
use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::{VendorKeys, init_vendor};
use hearth_protocol::setup_code::{DiscriminatorHint, ParsedSetupCode, SetupCode};
use hearth_radio::names;

use crate::{Error, fail};

/// SPAKE2+ verifier iterations for minted devices: low, so set-up is quick in debug builds.
pub const TEST_ITERATIONS: u32 = 1000;

/// A vendor as the factory keeps it: its folder (keys, device CA, `vendor-profile.json`).
#[derive(Debug, Clone)]
pub struct TestVendor {
    /// The factory's vendor folder.
    pub dir: PathBuf,
    /// `vendor-profile.json` (what `HEARTH_VENDOR_PROFILE` names for the app and the CLI).
    pub profile: PathBuf,
    /// The vendor root public key device certificate chains end in.
    pub root: [u8; 32],
}

impl TestVendor {
    /// A new vendor named `name` in `dir`, its keys valid from `now`.
    ///
    /// # Errors
    /// The factory refused (bad name, folder not empty, no randomness).
    pub fn init(dir: &Path, name: &str, now: u64) -> Result<Self, Error> {
        init_vendor(dir, name, now, &mut os_csprng())
            .map_err(|e| fail(format!("init-vendor in {}: {e}", dir.display())))?;
        Self::open(dir)
    }

    /// The vendor already in `dir`.
    ///
    /// # Errors
    /// No readable vendor profile there.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let profile = dir.join("vendor-profile.json");
        let text = std::fs::read_to_string(&profile)
            .map_err(|e| fail(format!("{}: {e}", profile.display())))?;
        let parsed: hearth_factory::vendor::VendorProfile =
            serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", profile.display())))?;
        let root = hex::decode(&parsed.root_public_key)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| fail(format!("{} has no 32-byte root key", profile.display())))?;
        Ok(Self {
            dir: dir.to_owned(),
            profile,
            root,
        })
    }

    /// Mints `count` identities of `model` into `out`, their certificates valid from `now`;
    /// returns their folders, in serial order.
    ///
    /// # Errors
    /// The vendor's keys cannot be loaded or the factory refused.
    pub fn mint(
        &self,
        out: &Path,
        model: &str,
        count: usize,
        now: u64,
    ) -> Result<Vec<PathBuf>, Error> {
        let keys = VendorKeys::load(&self.dir).map_err(|e| fail(format!("vendor keys: {e}")))?;
        let mut request = MintRequest::new(model, count, now);
        request.iterations = TEST_ITERATIONS;
        let minted = mint(&keys, out, &request, &mut os_csprng(), &mut |_, _| {})
            .map_err(|e| fail(format!("mint {count} × {model}: {e}")))?;
        Ok(minted.into_iter().map(|m| m.folder).collect())
    }
}

/// One minted device: its factory files, its label, and where it runs in the world.
#[derive(Debug, Clone)]
pub struct Device {
    /// The serial number on the label.
    pub serial: String,
    /// The model it was minted as.
    pub model: String,
    /// The factory bundle folder (`--identity`).
    pub identity: PathBuf,
    /// Its simulated flash (`--state`); the control socket lives here.
    pub state: PathBuf,
    /// The label picture with the QR code.
    pub label_png: PathBuf,
    /// The label text.
    pub label_txt: PathBuf,
    /// The setup code as printed on the label (`"1234-567-8901"`).
    pub setup_code: String,
    /// The 11 digits of the setup code, without separators (what a user types).
    pub manual_code: String,
    /// The QR payload printed on the label (`"HRT1:…"`).
    pub qr_payload: String,
    /// The peripheral adapter it advertises on (`hci1`, `hci2`, …).
    pub adapter: String,
    /// Where its process logs (stderr, tracing at debug level for the device crate).
    pub log: PathBuf,
}

impl Device {
    /// Reads the device minted into `identity` from its label; it will run on peripheral
    /// adapter number `index` (1-based) with its flash in `state`, logging into `log`.
    ///
    /// # Errors
    /// The label is missing or lacks a field; the code is not 11 digits; `index` is 0 or over
    /// 254.
    pub fn from_label(
        identity: &Path,
        state: PathBuf,
        index: usize,
        log: PathBuf,
    ) -> Result<Self, Error> {
        let label_txt = identity.join("label.txt");
        let label = std::fs::read_to_string(&label_txt)
            .map_err(|e| fail(format!("{}: {e}", label_txt.display())))?;
        let field = |prefix: &str| {
            label
                .lines()
                .find_map(|l| l.strip_prefix(prefix))
                .map(|v| v.trim().to_owned())
                .ok_or_else(|| fail(format!("no {prefix:?} line in {}", label_txt.display())))
        };
        let setup_code = field("Setup code: ")?;
        let manual_code: String = setup_code.chars().filter(char::is_ascii_digit).collect();
        if manual_code.len() != 11 {
            return Err(fail(format!(
                "{} prints the setup code {setup_code:?}, not 11 digits",
                label_txt.display()
            )));
        }
        let number = u8::try_from(index)
            .ok()
            .filter(|n| (1..=254).contains(n))
            .ok_or_else(|| fail("devices sit on peripheral adapters 1 to 254"))?;
        Ok(Self {
            serial: field("Serial: ")?,
            model: field("Model: ")?,
            identity: identity.to_owned(),
            state,
            label_png: identity.join("label.png"),
            qr_payload: field("QR payload: ")?,
            setup_code,
            manual_code,
            adapter: names::adapter_name(number),
            log,
            label_txt,
        })
    }

    /// The setup code the label's QR code carries, parsed.
    ///
    /// # Panics
    /// When the label's payload does not parse (the factory printed garbage): a test fails.
    pub fn code(&self) -> ParsedSetupCode {
        SetupCode::parse(&self.qr_payload)
            .unwrap_or_else(|e| panic!("{}: the label's QR payload: {e}", self.serial))
    }

    /// The discriminator the device advertises (from its label's QR payload, which holds it
    /// whole).
    ///
    /// # Panics
    /// As [`Device::code`].
    pub fn discriminator(&self) -> u16 {
        match self.code().discriminator {
            DiscriminatorHint::Full(d) => d.value(),
            DiscriminatorHint::Short(_) => {
                panic!(
                    "{}: a QR payload carries the whole discriminator",
                    self.serial
                )
            }
        }
    }
}

/// Where a world in `world_dir` keeps the flash (`--state`) of the device minted into
/// `identity`.
pub fn state_folder(world_dir: &Path, identity: &Path) -> PathBuf {
    world_dir
        .join("state")
        .join(identity.file_name().unwrap_or_default())
}

/// The label folders under `devices` (each minted identity's folder), sorted by name.
pub fn label_folders(devices: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(devices)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("label.txt").is_file())
        .collect();
    folders.sort();
    folders
}

/// The model printed on the label in `folder`, if any.
pub fn label_model(folder: &Path) -> Option<String> {
    std::fs::read_to_string(folder.join("label.txt"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("Model: "))
        .map(|m| m.trim().to_owned())
}
