//! Which OS credential store holds the owner keys, and opening it.
//!
//! Every variant exists on every platform so that a name in
//! `HEARTH_KEYRING` parses the same everywhere; opening a backend that this
//! platform lacks is a typed [`KeystoreError::Unavailable`], never a
//! substitute store. keyring v3 silently fell back to an in-memory mock when
//! no platform feature matched; here no code path builds a non-OS store
//! outside `#[cfg(test)]` (ETSI EN 303 645 provision 4.4-1 [5.4-1]: secure
//! storage of security parameters).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use keyring_core::CredentialStore;

use crate::error::KeystoreError;

/// The environment variable the app and the CLI read to choose a backend.
pub const BACKEND_ENV: &str = "HEARTH_KEYRING";

const EXPECTED: &str =
    "secret-service, keyutils, keyutils-session, keychain, ios-keychain, windows, android";

/// An OS credential store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The freedesktop Secret Service on the session D-Bus (GNOME Keyring,
    /// KWallet, KeePassXC): persistent across reboots; the Linux default.
    SecretService,
    /// The kernel key retention service: the session keyring, each key also
    /// linked into the user's persistent keyring where the kernel has one,
    /// so a key stored in one login is found in the next (until the
    /// persistent keyring expires after days unused). In kernel memory only,
    /// so it does **not** survive a reboot: for headless machines (see the
    /// crate's README for why the persistent link is kept on purpose).
    Keyutils,
    /// The kernel session keyring alone, never linked into the persistent
    /// keyring: keys live exactly as long as the session keyring (the login,
    /// or a test's private `keyctl session`). For tests and throw-away
    /// sessions; nothing piles up across runs.
    KeyutilsSession,
    /// The macOS login keychain.
    AppleKeychain,
    /// The iOS data-protection keychain.
    AppleProtected,
    /// The Windows Credential Manager.
    WindowsCredentials,
    /// Android's Keystore-backed shared preferences (needs the NDK context
    /// set by the app before [`crate::Keystore::open`]).
    Android,
}

impl Backend {
    /// The persistent native store of the platform this was built for.
    #[must_use]
    pub fn platform_default() -> Self {
        if cfg!(target_os = "macos") {
            Self::AppleKeychain
        } else if cfg!(target_os = "ios") {
            Self::AppleProtected
        } else if cfg!(target_os = "windows") {
            Self::WindowsCredentials
        } else if cfg!(target_os = "android") {
            Self::Android
        } else {
            Self::SecretService
        }
    }

    /// The backend named by [`BACKEND_ENV`], or the platform default when it
    /// is unset or empty.
    ///
    /// # Errors
    /// [`KeystoreError::UnknownBackend`] for a name that is not a backend
    /// (the app reports it rather than guessing).
    pub fn from_env() -> Result<Self, KeystoreError> {
        Self::from_env_value(std::env::var(BACKEND_ENV).ok().as_deref())
    }

    /// [`Backend::from_env`] on a given value, for callers (and tests) that
    /// read the environment themselves.
    ///
    /// # Errors
    /// [`KeystoreError::UnknownBackend`].
    pub fn from_env_value(value: Option<&str>) -> Result<Self, KeystoreError> {
        match value.map(str::trim) {
            None | Some("") => Ok(Self::platform_default()),
            Some(name) => name.parse(),
        }
    }

    /// The name used in [`BACKEND_ENV`] and messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::SecretService => "secret-service",
            Self::Keyutils => "keyutils",
            Self::KeyutilsSession => "keyutils-session",
            Self::AppleKeychain => "keychain",
            Self::AppleProtected => "ios-keychain",
            Self::WindowsCredentials => "windows",
            Self::Android => "android",
        }
    }

    /// Whether keys outlive a reboot in this store.
    #[must_use]
    pub fn survives_reboot(self) -> bool {
        !matches!(self, Self::Keyutils | Self::KeyutilsSession)
    }

    /// Connects to the store.
    ///
    /// # Errors
    /// [`KeystoreError::Unavailable`] when this platform has no such store
    /// or it cannot be reached; [`KeystoreError::AccessDenied`] when it
    /// refuses.
    pub(crate) fn open_store(self) -> Result<Arc<CredentialStore>, KeystoreError> {
        let opened = match self {
            Self::SecretService => secret_service(),
            Self::Keyutils => keyutils(),
            Self::KeyutilsSession => keyutils_session(),
            Self::AppleKeychain => apple_keychain(),
            Self::AppleProtected => apple_protected(),
            Self::WindowsCredentials => windows(),
            Self::Android => android(),
        };
        match opened {
            Some(result) => result.map_err(|err| KeystoreError::from_open(self, err)),
            None => Err(KeystoreError::Unavailable {
                backend: self,
                reason: format!("this build for {} has no such store", std::env::consts::OS),
            }),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = KeystoreError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        const ALL: [Backend; 7] = [
            Backend::SecretService,
            Backend::Keyutils,
            Backend::KeyutilsSession,
            Backend::AppleKeychain,
            Backend::AppleProtected,
            Backend::WindowsCredentials,
            Backend::Android,
        ];
        ALL.into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| KeystoreError::UnknownBackend {
                name: name.chars().take(64).collect(),
                expected: EXPECTED,
            })
    }
}

type Opened = Option<keyring_core::Result<Arc<CredentialStore>>>;

// One function per store: `Some` where the store is compiled in, `None`
// elsewhere, so `open_store` has no platform conditions of its own.

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn secret_service() -> Opened {
    // Connecting opens a Secret Service session, so a bus without the
    // service fails here rather than at the first operation.
    Some(zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>))
}
#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn secret_service() -> Opened {
    None
}

#[cfg(target_os = "linux")]
fn keyutils() -> Opened {
    use std::collections::HashMap;
    // The store builds descriptions as `keyring:<user>@<service>`; refusing
    // the divider in the service keeps two (service, user) pairs from
    // sharing a description.
    let config = HashMap::from([("service_no_divider", "true")]);
    Some(
        linux_keyutils_keyring_store::Store::new_with_configuration(&config)
            .map(|s| s as Arc<CredentialStore>),
    )
}
#[cfg(not(target_os = "linux"))]
fn keyutils() -> Opened {
    None
}

#[cfg(target_os = "linux")]
fn keyutils_session() -> Opened {
    Some(Ok(crate::session_keyring::SessionKeyring::store()))
}
#[cfg(not(target_os = "linux"))]
fn keyutils_session() -> Opened {
    None
}

#[cfg(target_os = "macos")]
fn apple_keychain() -> Opened {
    Some(apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>))
}
#[cfg(not(target_os = "macos"))]
fn apple_keychain() -> Opened {
    None
}

#[cfg(target_os = "ios")]
fn apple_protected() -> Opened {
    Some(apple_native_keyring_store::protected::Store::new().map(|s| s as Arc<CredentialStore>))
}
#[cfg(not(target_os = "ios"))]
fn apple_protected() -> Opened {
    None
}

#[cfg(target_os = "windows")]
fn windows() -> Opened {
    Some(windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>))
}
#[cfg(not(target_os = "windows"))]
fn windows() -> Opened {
    None
}

#[cfg(target_os = "android")]
fn android() -> Opened {
    Some(android_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>))
}
#[cfg(not(target_os = "android"))]
fn android() -> Opened {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ignore_case() {
        for b in [
            Backend::SecretService,
            Backend::Keyutils,
            Backend::KeyutilsSession,
            Backend::AppleKeychain,
            Backend::AppleProtected,
            Backend::WindowsCredentials,
            Backend::Android,
        ] {
            assert_eq!(b.name().parse::<Backend>().ok(), Some(b));
            assert_eq!(b.name().to_uppercase().parse::<Backend>().ok(), Some(b));
        }
    }

    #[test]
    fn env_value_unset_or_blank_is_the_platform_default() {
        assert_eq!(
            Backend::from_env_value(None).ok(),
            Some(Backend::platform_default())
        );
        assert_eq!(
            Backend::from_env_value(Some("  ")).ok(),
            Some(Backend::platform_default())
        );
        assert_eq!(
            Backend::from_env_value(Some(" keyutils ")).ok(),
            Some(Backend::Keyutils)
        );
    }

    #[test]
    fn unknown_names_are_refused_not_defaulted() {
        for name in ["mock", "memory", "sample", "secret service", "file"] {
            let err = Backend::from_env_value(Some(name)).err();
            assert!(
                matches!(err, Some(KeystoreError::UnknownBackend { .. })),
                "{name}: {err:?}"
            );
        }
        let long = "x".repeat(10_000);
        match long.parse::<Backend>() {
            Err(KeystoreError::UnknownBackend { name, .. }) => assert_eq!(name.len(), 64),
            other => panic!("{other:?}"),
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_default_is_the_persistent_secret_service() {
        assert_eq!(Backend::platform_default(), Backend::SecretService);
        assert!(Backend::SecretService.survives_reboot());
        assert!(!Backend::Keyutils.survives_reboot());
        assert!(!Backend::KeyutilsSession.survives_reboot());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stores_of_other_platforms_are_unavailable_here() {
        for b in [
            Backend::AppleKeychain,
            Backend::AppleProtected,
            Backend::WindowsCredentials,
            Backend::Android,
        ] {
            match b.open_store() {
                Err(KeystoreError::Unavailable { backend, .. }) => assert_eq!(backend, b),
                Err(other) => panic!("{b}: {other:?}"),
                Ok(_) => panic!("{b} opened on Linux"),
            }
        }
    }
}
