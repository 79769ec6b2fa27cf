//! Owner keys in the OS keyring.
//!
//! After pairing, the app generates a per-device Ed25519 owner key
//! ([`OwnerKey`]); its secret half lives only in the OS credential store,
//! never in the app's database or files (ETSI EN 303 645 provision 4.4-1
//! [5.4-1], secure storage; 4.1-1 [5.1-1], a credential unique per device).
//!
//! Entries are namespaced: service [`SERVICE`], user
//! `owner-key:<device id>`, so one person's keyring holds the keys of many
//! devices side by side.
//!
//! ```no_run
//! # fn demo(key: &hearth_protocol::handshake::OwnerKey) -> Result<(), hearth_keystore::KeystoreError> {
//! use hearth_keystore::{Backend, Keystore};
//! let keystore = Keystore::open(Backend::from_env()?)?; // or Keystore::open_from_env()
//! keystore.store_owner_key("dev-1234", key)?;
//! let again = keystore.load_owner_key("dev-1234")?;
//! keystore.delete_owner_key("dev-1234")?;
//! # Ok(()) }
//! ```
//!
//! Calls block (D-Bus round trips, a keyring prompt); async callers run them
//! on a blocking thread.
//!
//! There is no in-memory fallback: when no store can be reached,
//! [`Keystore::open`] returns [`KeystoreError::Unavailable`].

mod backend;
mod error;
mod secret;
#[cfg(target_os = "linux")]
mod session_keyring;

use std::fmt;
use std::sync::Arc;

use hearth_protocol::handshake::OwnerKey;
use keyring_core::{CredentialStore, Entry};

pub use backend::{BACKEND_ENV, Backend};
pub use error::{CorruptProblem, KeystoreError};

use secret::SecretRecord;

/// The keyring service all Hearth entries live under.
pub const SERVICE: &str = "org.hearth.app";

/// Prefix of the keyring user name of an owner key.
const OWNER_KEY_PREFIX: &str = "owner-key:";

/// The keyring user looked up to see whether a store answers; it has no
/// `owner-key:` prefix, so no device id can name it.
const REACHABILITY_USER: &str = "reachability-check";

/// Longest device id accepted (Windows limits a target name to 32 767
/// characters and macOS labels are short in practice; ids are short tokens).
pub const MAX_DEVICE_ID_LEN: usize = 128;

/// An open OS credential store holding owner keys.
///
/// Cheap to clone; `Send + Sync`, so the app can keep one in managed state.
#[derive(Clone)]
pub struct Keystore {
    backend: Backend,
    store: Arc<CredentialStore>,
}

impl fmt::Debug for Keystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keystore")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Keystore {
    /// Connects to `backend`.
    ///
    /// For the Secret Service this opens a session with the service on the
    /// session bus, so a missing service is reported here.
    ///
    /// # Errors
    /// [`KeystoreError::Unavailable`] when the store does not exist on this
    /// platform or cannot be reached (no Secret Service on the bus);
    /// [`KeystoreError::AccessDenied`] when it refuses.
    pub fn open(backend: Backend) -> Result<Self, KeystoreError> {
        let keystore = Self {
            backend,
            store: backend.open_store()?,
        };
        keystore.check_reachable()?;
        tracing::debug!(%backend, "keyring opened");
        Ok(keystore)
    }

    /// Makes sure the store answers before anyone relies on it.
    ///
    /// The Secret Service store already talked to the service when it was
    /// opened. The keyutils store touches the kernel only per entry, and
    /// `keyctl` can be blocked (a container's seccomp profile), so one
    /// lookup of an entry that never exists is made here: "no such entry"
    /// proves the keyring answers. Other platforms' lookups may prompt the
    /// user, so they are not probed.
    ///
    /// # Errors
    /// [`KeystoreError::Unavailable`] with the platform's reason.
    fn check_reachable(&self) -> Result<(), KeystoreError> {
        if !matches!(self.backend, Backend::Keyutils | Backend::KeyutilsSession) {
            return Ok(());
        }
        let answer = Entry::new_in_store(&self.store, SERVICE, REACHABILITY_USER)
            .and_then(|entry| entry.get_secret().map(SecretRecord::from_store));
        match answer {
            Err(keyring_core::Error::NoEntry) | Ok(_) => Ok(()),
            // keyring-core's Display never prints the bytes some variants
            // carry, so its text is safe as a reason.
            Err(err) => Err(KeystoreError::Unavailable {
                backend: self.backend,
                reason: err.to_string(),
            }),
        }
    }

    /// Connects to the backend named by [`BACKEND_ENV`] (the platform's
    /// persistent store when unset): what the app and the CLI call.
    ///
    /// # Errors
    /// [`KeystoreError::UnknownBackend`], then as [`Keystore::open`].
    pub fn open_from_env() -> Result<Self, KeystoreError> {
        Self::open(Backend::from_env()?)
    }

    /// The backend in use.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Stores `key` as the owner key of `device_id`, replacing any earlier
    /// one.
    ///
    /// # Errors
    /// [`KeystoreError::InvalidDeviceId`], [`KeystoreError::Unavailable`],
    /// [`KeystoreError::AccessDenied`] (locked keyring),
    /// [`KeystoreError::Platform`].
    pub fn store_owner_key(&self, device_id: &str, key: &OwnerKey) -> Result<(), KeystoreError> {
        let entry = self.entry(device_id)?;
        let record = SecretRecord::encode(key);
        entry
            .set_secret(record.as_bytes())
            .map_err(|e| KeystoreError::from_store(self.backend, device_id, e))?;
        tracing::info!(
            backend = %self.backend,
            device_id,
            key_id = %KeyIdHex(&key.key_id().0),
            "owner key stored"
        );
        Ok(())
    }

    /// The owner key of `device_id`.
    ///
    /// # Errors
    /// [`KeystoreError::NotFound`] when the keyring has no entry for it;
    /// [`KeystoreError::Corrupt`] when the entry is not an owner key;
    /// [`KeystoreError::InvalidDeviceId`], [`KeystoreError::Unavailable`],
    /// [`KeystoreError::AccessDenied`], [`KeystoreError::Ambiguous`],
    /// [`KeystoreError::Platform`].
    pub fn load_owner_key(&self, device_id: &str) -> Result<OwnerKey, KeystoreError> {
        let entry = self.entry(device_id)?;
        let record = entry
            .get_secret()
            .map(SecretRecord::from_store)
            .map_err(|e| KeystoreError::from_store(self.backend, device_id, e))?;
        let key = record.decode().map_err(|problem| KeystoreError::Corrupt {
            device_id: device_id.to_owned(),
            problem,
        })?;
        tracing::debug!(
            backend = %self.backend,
            device_id,
            key_id = %KeyIdHex(&key.key_id().0),
            "owner key loaded"
        );
        Ok(key)
    }

    /// Removes the owner key of `device_id`. Deleting a key that is not
    /// there succeeds, so a retried "forget device" cannot fail half-way.
    ///
    /// # Errors
    /// [`KeystoreError::InvalidDeviceId`], [`KeystoreError::Unavailable`],
    /// [`KeystoreError::AccessDenied`], [`KeystoreError::Ambiguous`],
    /// [`KeystoreError::Platform`].
    pub fn delete_owner_key(&self, device_id: &str) -> Result<(), KeystoreError> {
        let entry = self.entry(device_id)?;
        match entry.delete_credential() {
            Ok(()) => {
                tracing::info!(backend = %self.backend, device_id, "owner key deleted");
                Ok(())
            }
            Err(keyring_core::Error::NoEntry) => {
                tracing::debug!(backend = %self.backend, device_id, "no owner key to delete");
                Ok(())
            }
            Err(e) => Err(KeystoreError::from_store(self.backend, device_id, e)),
        }
    }

    fn entry(&self, device_id: &str) -> Result<Entry, KeystoreError> {
        let user = owner_key_user(device_id)?;
        let entry = if self.backend == Backend::SecretService {
            // The label is what keyring apps (Seahorse, KWallet) show a
            // person browsing their secrets.
            let label = format!("Hearth owner key for device {device_id}");
            let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
            Entry::new_in_store_with_modifiers(&self.store, SERVICE, &user, &modifiers)
        } else {
            Entry::new_in_store(&self.store, SERVICE, &user)
        };
        entry.map_err(|e| KeystoreError::from_store(self.backend, device_id, e))
    }
}

/// The keyring user name for `device_id`'s owner key.
///
/// Ids are 1..=[`MAX_DEVICE_ID_LEN`] ASCII letters, digits, `-`, `_`, `.`
/// or `:`: no `@` (the keyutils description divider), no `/` or spaces
/// that some stores treat specially, nothing a log line could be forged
/// with.
///
/// # Errors
/// [`KeystoreError::InvalidDeviceId`].
fn owner_key_user(device_id: &str) -> Result<String, KeystoreError> {
    if device_id.is_empty() {
        return Err(KeystoreError::InvalidDeviceId { reason: "empty" });
    }
    if device_id.len() > MAX_DEVICE_ID_LEN {
        return Err(KeystoreError::InvalidDeviceId {
            reason: "longer than 128 bytes",
        });
    }
    if !device_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        return Err(KeystoreError::InvalidDeviceId {
            reason: "only ASCII letters, digits, '-', '_', '.' and ':' are allowed",
        });
    }
    Ok(format!("{OWNER_KEY_PREFIX}{device_id}"))
}

/// Formats a (public) key id as hex for logs.
struct KeyIdHex<'a>(&'a [u8; 16]);

impl fmt::Display for KeyIdHex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests;
