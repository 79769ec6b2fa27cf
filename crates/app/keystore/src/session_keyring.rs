//! The `keyutils-session` store: the kernel session keyring alone.
//!
//! `linux-keyutils-keyring-store` links every key it stores into the user's persistent
//! keyring too, and links that keyring into the session keyring whenever it builds an entry
//! (`keyctl_get_persistent`), so a fresh session still sees every key stored in any earlier
//! one. That is what a headless user of [`crate::Backend::Keyutils`] wants; a test wants the
//! opposite: keys that die with its private session keyring and never meet another run's.
//! This store builds the same credential (`keyring:<user>@<service>` in the session keyring)
//! with no persistent keyring, and never calls `keyctl_get_persistent`.

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::api::{CredentialPersistence, CredentialStoreApi};
use keyring_core::{CredentialStore, Entry, Error, Result};
use linux_keyutils::{KeyRing, KeyRingIdentifier};
use linux_keyutils_keyring_store::Cred;

/// The key description's parts, as the upstream store writes them by default, so a key is
/// described the same way in either keyutils backend.
const PREFIX: &str = "keyring:";
const DIVIDER: &str = "@";

/// Session-keyring-only credentials (see the module documentation).
#[derive(Debug)]
pub(crate) struct SessionKeyring;

impl SessionKeyring {
    pub(crate) fn store() -> Arc<CredentialStore> {
        Arc::new(Self)
    }
}

impl CredentialStoreApi for SessionKeyring {
    fn vendor(&self) -> String {
        "Hearth: the Linux keyutils session keyring, no persistent keyring".to_owned()
    }

    fn id(&self) -> String {
        "keyutils-session".to_owned()
    }

    /// # Errors
    /// `Invalid` for a service containing the divider (so two (service, user) pairs never
    /// share a description) or for modifiers; `NoStorageAccess` when the kernel gives no
    /// session keyring.
    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(Error::Invalid(
                "modifiers".into(),
                "the session keyring store takes none".into(),
            ));
        }
        if service.contains(DIVIDER) {
            return Err(Error::Invalid(
                "service".into(),
                "cannot contain delimiter".into(),
            ));
        }
        let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .map_err(|e| Error::NoStorageAccess(Box::new(e)))?;
        let cred = Cred {
            session,
            persistent: None,
            description: format!("{PREFIX}{user}{DIVIDER}{service}"),
            specifiers: Some((service.to_owned(), user.to_owned())),
        };
        Ok(Entry::new_with_credential(Arc::new(cred)))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::UntilLogout
    }
}
