//! Everything the device remembers across power cycles.
//!
//! The state is one CBOR record kept through a [`Storage`]. Its parts:
//! the factory [`Identity`] (never erased), the users and their per-user data,
//! the Wi-Fi configuration, the plug state and the brute-force counters.
//!
//! ETSI EN 303 645 4.1-1 (the identity carries this device's own verifier, so
//! a reset returns to its own setup code), 4.4-1 (secrets only in
//! [`SecretBytes`]) and 4.11-1 (per-user data is kept per user so it can be
//! deleted per user).

use crate::lockout::BruteForceRecord;
use crate::secret::{SecretBytes, serde_exposed};
use crate::storage::{Storage, StorageError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most users a device keeps (owner included).
pub const MAX_USERS: usize = 16;
/// Longest user or device name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Usage events kept per user; older ones are dropped first.
pub const MAX_USAGE_EVENTS: usize = 256;
/// Schedules kept per user.
pub const MAX_SCHEDULES: usize = 32;

/// Identifies a user on this device. Never reused after removal.
pub type UserId = u32;

/// Why the state could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The storage failed (I/O or corruption).
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The record passed its checksum but is not a valid state.
    #[error("stored device state cannot be decoded: {0}")]
    Decode(String),
    /// The state could not be encoded.
    #[error("device state cannot be encoded: {0}")]
    Encode(String),
    /// No state was ever stored and no factory bundle was given.
    #[error("the device has no identity: load a factory bundle first")]
    NotProvisioned,
}

impl StateError {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Storage(e) => e.code(),
            Self::Decode(_) => "state_decode",
            Self::Encode(_) => "state_encode",
            Self::NotProvisioned => "state_not_provisioned",
        }
    }
}

/// The device's factory identity: what the factory tool mints and the device never erases.
///
/// Holds the SPAKE2+ verifier (RFC 9383 §3.2: `w0` and `L`), never the passcode.
/// The factory tool writes it as the device bundle ([`Identity::to_bundle`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Unique serial number.
    pub serial: String,
    /// Model identifier (also the hardware id firmware images are checked against).
    pub model: String,
    /// Short value printed in the setup code that tells devices apart while scanning.
    pub discriminator: u16,
    /// SPAKE2+ verifier record (RFC 9383 §3.2: `w0`, `L`, with salt and PBKDF2
    /// iterations) in [`hearth_protocol::spake2::Verifier::to_bytes`] form.
    #[serde(with = "serde_exposed")]
    pub verifier: SecretBytes,
    /// Ed25519 identity key seed (32 bytes), certified by the device CA.
    #[serde(with = "serde_exposed")]
    pub identity_key: SecretBytes,
    /// Certificate chain, device certificate first, then the device-CA certificate.
    pub certificate_chain: Vec<serde_bytes::ByteBuf>,
    /// Ed25519 public key firmware images must be signed with (EN 303 645 4.3-6).
    #[serde(with = "serde_bytes")]
    pub firmware_public_key: Vec<u8>,
}

/// What a user may do. ETSI EN 303 645 4.11-1: a resident controls the device and
/// may delete their own data, but cannot remove the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Paired the device; manages users, may reset.
    Owner,
    /// Lives there; controls the device, may remove only themselves.
    Resident,
    /// Visitor; controls the device, may remove only themselves.
    Guest,
}

/// A user known to the device, identified by their Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Device-local id.
    pub id: UserId,
    /// What the user may do.
    pub role: Role,
    /// Display name chosen by whoever added the user.
    pub name: String,
    /// Ed25519 public key the user signs owner-session transcripts with.
    #[serde(with = "serde_bytes")]
    pub public_key: Vec<u8>,
}

/// The Wi-Fi network the device joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WifiConfig {
    /// Network name.
    pub ssid: String,
    /// WPA passphrase.
    #[serde(with = "serde_exposed")]
    pub passphrase: SecretBytes,
}

/// A daily switching time set by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Minute of the day, 0..1440.
    pub minute_of_day: u16,
    /// Switch on (true) or off (false).
    pub on: bool,
}

/// One time a user switched the plug: personal data (it reveals presence at home).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// When (seconds since the epoch).
    pub at: u64,
    /// Switched on (true) or off (false).
    pub on: bool,
}

/// Personal data kept for one user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserData {
    /// The user's schedules.
    pub schedules: Vec<Schedule>,
    /// The user's recent switching history, oldest first, at most [`MAX_USAGE_EVENTS`].
    pub usage: Vec<UsageEvent>,
}

impl UserData {
    /// Appends a usage event, dropping the oldest beyond [`MAX_USAGE_EVENTS`].
    pub fn record_usage(&mut self, event: UsageEvent) {
        if self.usage.len() >= MAX_USAGE_EVENTS {
            self.usage.remove(0);
        }
        self.usage.push(event);
    }
}

/// The complete persisted state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    /// Factory identity; survives factory reset.
    pub identity: Identity,
    /// Known users; empty until paired.
    pub users: Vec<User>,
    /// Next id handed out; never decreases, even across factory reset, so an old id never names a new user.
    pub next_user_id: UserId,
    /// Wi-Fi configuration, if provisioned.
    pub wifi: Option<WifiConfig>,
    /// Whether the plug's relay is on.
    pub plug_on: bool,
    /// Per-user personal data.
    pub user_data: BTreeMap<UserId, UserData>,
    /// Brute-force counters; survive restarts and factory reset.
    pub brute_force: BruteForceRecord,
}

impl DeviceState {
    /// Fresh state for a device that has just received its factory identity.
    #[must_use]
    pub fn from_identity(identity: Identity) -> Self {
        Self {
            identity,
            users: Vec::new(),
            next_user_id: 1,
            wifi: None,
            plug_on: false,
            user_data: BTreeMap::new(),
            brute_force: BruteForceRecord::default(),
        }
    }

    /// Whether an owner is provisioned.
    #[must_use]
    pub fn is_paired(&self) -> bool {
        self.users.iter().any(|u| u.role == Role::Owner)
    }

    /// The user with `id`, if any.
    #[must_use]
    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Erases everything personal: users, owner keys, Wi-Fi, per-user data and the plug
    /// state. Keeps the identity (so the device returns to its own setup code) and the
    /// brute-force counters (a reset must not hand an attacker fresh attempts).
    pub fn factory_reset(&mut self) {
        self.users.clear();
        self.wifi = None;
        self.plug_on = false;
        self.user_data.clear();
    }

    /// Encodes the state as CBOR.
    ///
    /// # Errors
    /// [`StateError::Encode`] if serialisation fails.
    pub fn to_cbor(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, StateError> {
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        ciborium::into_writer(self, &mut *bytes).map_err(|e| StateError::Encode(e.to_string()))?;
        Ok(bytes)
    }

    /// Decodes a state written by [`DeviceState::to_cbor`].
    ///
    /// # Errors
    /// [`StateError::Decode`] on malformed CBOR or missing fields.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, StateError> {
        ciborium::from_reader(bytes).map_err(|e| StateError::Decode(e.to_string()))
    }

    /// Loads the state; if storage is empty, starts from `bundle` and stores it.
    ///
    /// A corrupted record is an error, never a silent reset to `bundle`.
    ///
    /// # Errors
    /// [`StateError::Storage`] / [`StateError::Decode`] for a damaged record;
    /// [`StateError::NotProvisioned`] if storage is empty and `bundle` is `None`.
    pub fn load_or_init(
        storage: &mut dyn Storage,
        bundle: Option<Identity>,
    ) -> Result<Self, StateError> {
        if let Some(bytes) = storage.load()? {
            let bytes = zeroize::Zeroizing::new(bytes);
            return Self::from_cbor(&bytes);
        }
        let state = Self::from_identity(bundle.ok_or(StateError::NotProvisioned)?);
        state.save(storage)?;
        Ok(state)
    }

    /// Stores the state atomically.
    ///
    /// # Errors
    /// [`StateError::Encode`] or [`StateError::Storage`].
    pub fn save(&self, storage: &mut dyn Storage) -> Result<(), StateError> {
        storage.store(&self.to_cbor()?)?;
        Ok(())
    }
}

impl Identity {
    /// Encodes the identity as the factory bundle file (CBOR).
    ///
    /// # Errors
    /// [`StateError::Encode`] if serialisation fails.
    pub fn to_bundle(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, StateError> {
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        ciborium::into_writer(self, &mut *bytes).map_err(|e| StateError::Encode(e.to_string()))?;
        Ok(bytes)
    }

    /// Decodes a factory bundle written by [`Identity::to_bundle`].
    ///
    /// # Errors
    /// [`StateError::Decode`] on malformed CBOR or missing fields.
    pub fn from_bundle(bytes: &[u8]) -> Result<Self, StateError> {
        ciborium::from_reader(bytes).map_err(|e| StateError::Decode(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;
    use proptest::prelude::*;

    fn identity() -> Identity {
        Identity {
            serial: "PLUG-00000001".into(),
            model: "PLUG".into(),
            discriminator: 0xABC,
            verifier: SecretBytes::new(vec![1; 120]),
            identity_key: SecretBytes::new(vec![2; 32]),
            certificate_chain: vec![serde_bytes::ByteBuf::from(vec![3; 100])],
            firmware_public_key: vec![4; 32],
        }
    }

    proptest! {
        #[test]
        fn state_round_trips_through_storage(
            failures in 0u32..40,
            plug_on in any::<bool>(),
            usage in proptest::collection::vec((any::<u64>(), any::<bool>()), 0..20),
        ) {
            let mut state = DeviceState::from_identity(identity());
            state.brute_force.failures = failures;
            state.plug_on = plug_on;
            let id = crate::users::insert_user(&mut state, [9; 32], Role::Owner, "Owner").unwrap();
            for (at, on) in usage {
                state.user_data.get_mut(&id).unwrap().record_usage(UsageEvent { at, on });
            }
            state.wifi = Some(WifiConfig { ssid: "home".into(), passphrase: SecretBytes::new(b"pass phrase".to_vec()) });
            let mut storage = MemoryStorage::new();
            state.save(&mut storage).unwrap();
            prop_assert_eq!(DeviceState::load_or_init(&mut storage, None).unwrap(), state);
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let mut state = DeviceState::from_identity(identity());
        state.wifi = Some(WifiConfig {
            ssid: "home".into(),
            passphrase: SecretBytes::new(b"hunter2hunter2".to_vec()),
        });
        let shown = format!("{state:?}");
        assert!(!shown.contains("hunter2") && shown.contains("<redacted>"));
    }

    #[test]
    fn a_corrupted_record_is_an_error_not_a_fresh_state() {
        let mut storage = MemoryStorage::new();
        DeviceState::load_or_init(&mut storage, Some(identity())).unwrap();
        storage.raw_record_mut().unwrap()[60] ^= 1;
        let err = DeviceState::load_or_init(&mut storage, Some(identity())).unwrap_err();
        assert_eq!(err.code(), "storage_corrupted");
        assert_eq!(
            DeviceState::load_or_init(&mut MemoryStorage::new(), None)
                .unwrap_err()
                .code(),
            "state_not_provisioned"
        );
    }

    #[test]
    fn usage_history_is_bounded() {
        let mut data = UserData::default();
        for at in 0..(MAX_USAGE_EVENTS as u64 + 10) {
            data.record_usage(UsageEvent { at, on: true });
        }
        assert_eq!(data.usage.len(), MAX_USAGE_EVENTS);
        assert_eq!(data.usage[0].at, 10, "oldest dropped first");
    }
}
