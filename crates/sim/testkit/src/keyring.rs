//! A keyring of the test's own: a fresh anonymous kernel session keyring, used through the
//! `keyutils-session` backend (never linked into the user's persistent keyring), cleared when
//! the world goes down. See `crates/app/keystore/README.md` for why the product's `keyutils`
//! backend links keys into the persistent keyring and the tests must not.

use hearth_keystore::{Backend, Keystore, KeystoreError};

use crate::{Error, fail};

/// Which keyring a world's processes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyringMode {
    /// A fresh session keyring for this world (joined on the thread that builds it, inherited
    /// by every thread and process started afterwards), `HEARTH_KEYRING=keyutils-session`,
    /// cleared at the end. What tests use.
    #[default]
    Private,
    /// Whatever keyring the caller's session has, and no `HEARTH_KEYRING` from the world:
    /// what a person running the demo keeps their keys in, across runs.
    Inherit,
}

/// The world's private keyring: the session keyring it joined, and the keystore on it.
#[derive(Debug)]
pub struct TestKeyring {
    keystore: Keystore,
}

impl TestKeyring {
    /// Joins a fresh anonymous session keyring on this thread and opens the keystore on it.
    /// Threads and processes started from this thread afterwards share it; ones started
    /// earlier do not (the kernel keeps the session keyring in each thread's credentials).
    ///
    /// # Errors
    /// The kernel refused the new session keyring (keyutils blocked, e.g. by a container's
    /// seccomp profile) or the keystore cannot use it.
    pub fn join() -> Result<Self, Error> {
        join_session_keyring()?;
        let keystore = Keystore::open(Backend::KeyutilsSession).map_err(|e| {
            fail(format!(
                "the private session keyring (keyutils-session): {e}"
            ))
        })?;
        Ok(Self { keystore })
    }

    /// The keystore on the private keyring (what the app under test stores owner keys in).
    pub fn keystore(&self) -> &Keystore {
        &self.keystore
    }

    /// The secret half of the owner key stored for `device_id` (the app's id for the device),
    /// or `None` when there is none.
    ///
    /// # Errors
    /// The keyring answered anything but a key or "no such key" (locked, corrupt): a test
    /// must not mistake that for "no key".
    pub fn owner_key_bytes(&self, device_id: &str) -> Result<Option<Vec<u8>>, Error> {
        match self.keystore.load_owner_key(device_id) {
            Ok(key) => Ok(Some(key.secret_bytes().to_vec())),
            Err(KeystoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(fail(format!("reading the owner key of {device_id}: {e}"))),
        }
    }

    /// The descriptions of the keys linked directly into the private session keyring (an
    /// owner key reads `keyring:owner-key:<device id>@org.hearth.app`).
    ///
    /// # Errors
    /// The keyring cannot be read.
    pub fn key_descriptions(&self) -> Result<Vec<String>, Error> {
        session::key_descriptions()
    }

    /// Unlinks every key from the private session keyring, so nothing this world's processes
    /// stored outlives it.
    ///
    /// # Errors
    /// The keyring refused.
    pub fn clear(&self) -> Result<(), Error> {
        session::clear()
    }
}

#[cfg(target_os = "linux")]
mod session {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};

    use crate::{Error, fail};

    fn ring() -> Result<KeyRing, Error> {
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .map_err(|e| fail(format!("the session keyring: {e}")))
    }

    pub(super) fn key_descriptions() -> Result<Vec<String>, Error> {
        let links = ring()?
            .get_links(1024)
            .map_err(|e| fail(format!("reading the session keyring: {e}")))?;
        Ok(links
            .iter()
            .filter_map(linux_keyutils::LinkNode::as_key)
            .filter_map(|key| key.metadata().ok())
            .map(|m| m.get_description().to_owned())
            .collect())
    }

    pub(super) fn clear() -> Result<(), Error> {
        ring()?
            .clear()
            .map_err(|e| fail(format!("clearing the session keyring: {e}")))
    }
}

#[cfg(not(target_os = "linux"))]
mod session {
    use crate::{Error, fail};

    pub(super) fn key_descriptions() -> Result<Vec<String>, Error> {
        Err(fail("the test keyring needs Linux keyutils"))
    }

    pub(super) fn clear() -> Result<(), Error> {
        Err(fail("the test keyring needs Linux keyutils"))
    }
}

/// `keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)`: a new anonymous session keyring for this
/// thread. `linux-keyutils` does not offer the call, and `keyctl session -` can only start a
/// new process in one.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
#[allow(unsafe_code)]
fn join_session_keyring() -> Result<(), Error> {
    unsafe extern "C" {
        fn syscall(number: std::ffi::c_long, ...) -> std::ffi::c_long;
    }
    #[cfg(target_arch = "x86_64")]
    const SYS_KEYCTL: std::ffi::c_long = 250;
    #[cfg(target_arch = "aarch64")]
    const SYS_KEYCTL: std::ffi::c_long = 219;
    const KEYCTL_JOIN_SESSION_KEYRING: std::ffi::c_long = 1;
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL) reads no memory (a null name asks for
    // an anonymous keyring) and changes only this thread's keyring credentials.
    let serial = unsafe {
        syscall(
            SYS_KEYCTL,
            KEYCTL_JOIN_SESSION_KEYRING,
            std::ptr::null::<std::ffi::c_char>(),
        )
    };
    if serial > 0 {
        Ok(())
    } else {
        Err(fail(format!(
            "joining a fresh session keyring (keyctl): {} (Debian package keyutils; a \
             container must allow keyctl)",
            std::io::Error::last_os_error()
        )))
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn join_session_keyring() -> Result<(), Error> {
    Err(fail(
        "a private test keyring needs Linux keyutils on x86_64 or aarch64",
    ))
}
