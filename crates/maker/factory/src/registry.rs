//! The output folder's registry of every serial and passcode it has issued.
//!
//! ETSI EN 303 645 4.1-1 (v2.1.1 5.1-1): each device gets its own setup code.
//! Random 27-bit passcodes collide by the birthday bound (about 37 expected
//! collisions in 100 000 draws), so the minter keeps a registry and redraws a
//! code already issued; writing a duplicate passcode or serial is a typed
//! error, within one batch and across batches in the same folder.
//!
//! File `registry.tsv` (0600: it holds the passcodes, as the labels do):
//! a header line, then one line per identity `serial TAB passcode TAB discriminator`.
//! A batch is appended and fsynced *before* any identity folder is written, so
//! a crash can burn codes but never leave an identity the registry does not
//! know. A torn last line (a crash mid-append, before that batch's identities
//! were written) is cut off on open.

use crate::error::FactoryError;
use hearth_protocol::setup_code::{Discriminator, Passcode, SETUP_CODE_VERSION, SetupCode};
use rand::CryptoRng;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Registry file name inside the output folder.
pub const REGISTRY_FILE: &str = "registry.tsv";
const HEADER: &str = "# hearth-factory registry v1: serial\tpasscode\tdiscriminator";
/// Draws of a fresh passcode before giving up (each draw collides with probability
/// issued/2^27, so 64 failures in a row mean the code space is exhausted).
const MAX_DRAWS: u32 = 64;

/// One identity's serial and setup code, as the registry issued them.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// Unique serial number.
    pub serial: String,
    /// Random setup code (passcode and discriminator).
    pub code: SetupCode,
}

/// In-memory view of what has been issued; refuses duplicates.
#[derive(Debug, Default)]
pub struct Ledger {
    by_passcode: HashMap<u32, String>,
    serials: HashSet<String>,
    next_number: u64,
}

impl Ledger {
    /// Number of identities issued.
    #[must_use]
    pub fn len(&self) -> usize {
        self.serials.len()
    }

    /// Whether nothing was issued yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }

    /// Whether `passcode` was already issued.
    #[must_use]
    pub fn has_passcode(&self, passcode: u32) -> bool {
        self.by_passcode.contains_key(&passcode)
    }

    /// Records an issued identity.
    ///
    /// # Errors
    /// [`FactoryError::DuplicateSerial`] or [`FactoryError::DuplicatePasscode`];
    /// nothing is recorded then.
    pub fn claim(&mut self, serial: &str, passcode: u32) -> Result<(), FactoryError> {
        if self.serials.contains(serial) {
            return Err(FactoryError::DuplicateSerial(serial.to_owned()));
        }
        if let Some(existing) = self.by_passcode.get(&passcode) {
            return Err(FactoryError::DuplicatePasscode {
                existing_serial: existing.clone(),
            });
        }
        self.serials.insert(serial.to_owned());
        self.by_passcode.insert(passcode, serial.to_owned());
        if let Some(number) = serial_number(serial) {
            self.next_number = self.next_number.max(number.saturating_add(1));
        }
        Ok(())
    }

    /// Draws a setup code whose passcode was never issued, from `rng` (the OS CSPRNG in
    /// production), and the next serial for `model`; claims both.
    ///
    /// # Errors
    /// [`FactoryError::CodeSpaceExhausted`], or a duplicate error if the serial
    /// counter was tampered with.
    pub fn allocate<R: CryptoRng + ?Sized>(
        &mut self,
        model: &str,
        rng: &mut R,
    ) -> Result<Allocation, FactoryError> {
        let serial = format_serial(model, self.next_number.max(1));
        for _ in 0..MAX_DRAWS {
            let passcode = Passcode::generate(rng);
            if self.has_passcode(passcode.expose_secret()) {
                continue;
            }
            self.claim(&serial, passcode.expose_secret())?;
            return Ok(Allocation {
                serial,
                code: SetupCode {
                    version: SETUP_CODE_VERSION,
                    discriminator: Discriminator::generate(rng),
                    passcode,
                },
            });
        }
        Err(FactoryError::CodeSpaceExhausted(MAX_DRAWS))
    }
}

/// `MODEL-00000042`: the model, then a counter unique within the output folder.
#[must_use]
pub fn format_serial(model: &str, number: u64) -> String {
    format!("{model}-{number:08}")
}

fn serial_number(serial: &str) -> Option<u64> {
    serial.rsplit_once('-')?.1.parse().ok()
}

/// Checks a model name: 1 to 32 characters of `A-Z a-z 0-9 - _`.
///
/// # Errors
/// [`FactoryError::InvalidModel`].
pub fn validate_model(model: &str) -> Result<(), FactoryError> {
    let ok = (1..=32).contains(&model.len())
        && model
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(FactoryError::InvalidModel(model.to_owned()))
    }
}

/// The registry file of one output folder, with its [`Ledger`].
#[derive(Debug)]
pub struct Registry {
    path: PathBuf,
    ledger: Ledger,
}

impl Registry {
    /// Opens (or starts) the registry in `out_dir`, cutting off a torn last line.
    ///
    /// # Errors
    /// [`FactoryError::RegistryCorrupted`] for a malformed or duplicate line;
    /// [`FactoryError::Io`].
    pub fn open(out_dir: &Path) -> Result<Self, FactoryError> {
        let path = out_dir.join(REGISTRY_FILE);
        let mut ledger = Ledger::default();
        let mut text = String::new();
        match File::open(&path) {
            Ok(mut file) => {
                file.read_to_string(&mut text)
                    .map_err(FactoryError::io("read the registry", &path))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(FactoryError::io("open the registry", &path)(e)),
        }
        let complete_len = text.rfind('\n').map_or(0, |i| i + 1);
        if complete_len < text.len() {
            let file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(FactoryError::io("open the registry", &path))?;
            file.set_len(complete_len as u64)
                .and_then(|()| file.sync_all())
                .map_err(FactoryError::io("cut the torn end of the registry", &path))?;
            text.truncate(complete_len);
        }
        for (index, line) in text.lines().enumerate() {
            let corrupted = |reason| FactoryError::RegistryCorrupted {
                path: path.clone(),
                line: index + 1,
                reason,
            };
            if index == 0 {
                if line != HEADER {
                    return Err(corrupted("unknown header"));
                }
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(serial), Some(passcode), Some(discriminator), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(corrupted("expected three tab-separated fields"));
            };
            let passcode: u32 = passcode
                .parse()
                .map_err(|_| corrupted("passcode is not a number"))?;
            Passcode::new(passcode).map_err(|_| corrupted("passcode is not an allowed value"))?;
            let _: u16 = discriminator
                .parse()
                .map_err(|_| corrupted("discriminator is not a number"))?;
            if serial_number(serial).is_none() {
                return Err(corrupted("serial has no number"));
            }
            ledger
                .claim(serial, passcode)
                .map_err(|_| corrupted("duplicate serial or passcode"))?;
        }
        Ok(Self { path, ledger })
    }

    /// What has been issued so far.
    #[must_use]
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Allocates `count` new identities for `model` and makes them durable in the
    /// registry file before returning them.
    ///
    /// # Errors
    /// [`FactoryError::InvalidModel`], [`FactoryError::CodeSpaceExhausted`], [`FactoryError::Io`].
    pub fn allocate_batch<R: CryptoRng + ?Sized>(
        &mut self,
        model: &str,
        count: usize,
        rng: &mut R,
    ) -> Result<Vec<Allocation>, FactoryError> {
        validate_model(model)?;
        let mut batch = Vec::with_capacity(count);
        for _ in 0..count {
            batch.push(self.ledger.allocate(model, rng)?);
        }
        self.append(&batch)?;
        Ok(batch)
    }

    /// Records identities allocated elsewhere (e.g. re-importing a batch).
    ///
    /// # Errors
    /// [`FactoryError::DuplicateSerial`] / [`FactoryError::DuplicatePasscode`] if any
    /// is already known or repeated within `batch` — then nothing is recorded.
    pub fn record(&mut self, batch: &[Allocation]) -> Result<(), FactoryError> {
        let mut serials = HashSet::new();
        let mut passcodes = HashMap::new();
        for a in batch {
            let passcode = a.code.passcode.expose_secret();
            if self.ledger.serials.contains(&a.serial) || !serials.insert(a.serial.as_str()) {
                return Err(FactoryError::DuplicateSerial(a.serial.clone()));
            }
            if let Some(existing) = self
                .ledger
                .by_passcode
                .get(&passcode)
                .or(passcodes.get(&passcode))
            {
                return Err(FactoryError::DuplicatePasscode {
                    existing_serial: existing.clone(),
                });
            }
            passcodes.insert(passcode, a.serial.clone());
        }
        for a in batch {
            self.ledger
                .claim(&a.serial, a.code.passcode.expose_secret())?;
        }
        self.append(batch)
    }

    fn append(&self, batch: &[Allocation]) -> Result<(), FactoryError> {
        let is_new = !self.path.exists();
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&self.path)
            .map_err(FactoryError::io("open the registry", &self.path))?;
        let mut out = std::io::BufWriter::new(&file);
        let write = |out: &mut std::io::BufWriter<&File>| -> std::io::Result<()> {
            if is_new {
                writeln!(out, "{HEADER}")?;
            }
            for a in batch {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    a.serial,
                    a.code.passcode.expose_secret(),
                    a.code.discriminator.value()
                )?;
            }
            out.flush()
        };
        write(&mut out).map_err(FactoryError::io("append to the registry", &self.path))?;
        drop(out);
        file.sync_all()
            .map_err(FactoryError::io("sync the registry", &self.path))?;
        if is_new {
            sync_folder(&self.path)?;
        }
        Ok(())
    }
}

/// Makes a new directory entry durable.
pub(crate) fn sync_folder(path: &Path) -> Result<(), FactoryError> {
    let folder = path.parent().unwrap_or(Path::new("."));
    File::open(folder)
        .and_then(|d| d.sync_all())
        .map_err(FactoryError::io("sync the folder", folder))
}
