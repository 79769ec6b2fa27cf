//! Unit tests against keyring-core's in-memory mock, which exists only
//! here: the real stores are exercised by `tests/real_backends.rs`.

use std::sync::Arc;

use hearth_protocol::handshake::OwnerKey;
use keyring_core::api::CredentialStoreApi;
use keyring_core::mock;

use super::*;

fn mock_keystore() -> (Keystore, Arc<mock::Store>) {
    let store = mock::Store::new().unwrap_or_else(|e| panic!("mock store: {e}"));
    // keyutils takes entries without modifiers, as the mock does.
    let keystore = Keystore {
        backend: Backend::Keyutils,
        store: store.clone(),
    };
    (keystore, store)
}

/// Makes the next call on the device's entry fail with `err`.
fn inject(store: &Arc<mock::Store>, device_id: &str, err: keyring_core::Error) {
    let user = owner_key_user(device_id).unwrap_or_else(|e| panic!("{e}"));
    let entry = Entry::new_in_store(&(store.clone() as Arc<CredentialStore>), SERVICE, &user)
        .unwrap_or_else(|e| panic!("{e}"));
    let cred: &mock::Cred = entry
        .as_any()
        .downcast_ref()
        .unwrap_or_else(|| panic!("not a mock credential"));
    cred.set_error(err);
}

/// Writes raw bytes where the device's owner key would be.
fn plant(store: &Arc<mock::Store>, device_id: &str, bytes: &[u8]) {
    let user = owner_key_user(device_id).unwrap_or_else(|e| panic!("{e}"));
    Entry::new_in_store(&(store.clone() as Arc<CredentialStore>), SERVICE, &user)
        .and_then(|e| e.set_secret(bytes))
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn keyutils_that_does_not_answer_is_unavailable_at_open() {
    let store = mock::Store::new().unwrap_or_else(|e| panic!("mock store: {e}"));
    let keystore = Keystore {
        backend: Backend::Keyutils,
        store: store.clone(),
    };
    assert_eq!(keystore.check_reachable(), Ok(()));

    let probe = Entry::new_in_store(
        &(store.clone() as Arc<CredentialStore>),
        SERVICE,
        REACHABILITY_USER,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cred: &mock::Cred = probe
        .as_any()
        .downcast_ref()
        .unwrap_or_else(|| panic!("not a mock credential"));
    cred.set_error(keyring_core::Error::PlatformFailure(
        "keyctl: Function not implemented".into(),
    ));
    match keystore.check_reachable() {
        Err(KeystoreError::Unavailable { backend, reason }) => {
            assert_eq!(backend, Backend::Keyutils);
            assert!(reason.contains("Function not implemented"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

fn key(seed: u8) -> OwnerKey {
    OwnerKey::from_secret_bytes(&[seed; 32])
}

#[test]
fn store_then_load_gives_the_same_key() {
    let (ks, _) = mock_keystore();
    let k = key(1);
    ks.store_owner_key("dev-1", &k)
        .unwrap_or_else(|e| panic!("{e}"));
    let back = ks.load_owner_key("dev-1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.public(), k.public());
    assert_eq!(back.key_id(), k.key_id());
}

#[test]
fn devices_do_not_share_entries() {
    let (ks, _) = mock_keystore();
    ks.store_owner_key("dev-a", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    ks.store_owner_key("dev-b", &key(2))
        .unwrap_or_else(|e| panic!("{e}"));
    let a = ks.load_owner_key("dev-a").unwrap_or_else(|e| panic!("{e}"));
    let b = ks.load_owner_key("dev-b").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.public(), key(1).public());
    assert_eq!(b.public(), key(2).public());
    ks.delete_owner_key("dev-a")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ks.load_owner_key("dev-b").is_ok());
}

#[test]
fn storing_again_replaces_the_key() {
    let (ks, _) = mock_keystore();
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    ks.store_owner_key("dev-1", &key(9))
        .unwrap_or_else(|e| panic!("{e}"));
    let back = ks.load_owner_key("dev-1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.public(), key(9).public());
}

#[test]
fn missing_key_is_not_found() {
    let (ks, _) = mock_keystore();
    let err = ks.load_owner_key("dev-404").err();
    assert_eq!(
        err,
        Some(KeystoreError::NotFound {
            device_id: "dev-404".into()
        })
    );
    assert_eq!(err.map(|e| e.code()), Some("keystore.not_found"));
}

#[test]
fn delete_is_idempotent() {
    let (ks, _) = mock_keystore();
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ks.delete_owner_key("dev-1"), Ok(()));
    assert_eq!(ks.delete_owner_key("dev-1"), Ok(()));
    assert_eq!(ks.delete_owner_key("never-stored"), Ok(()));
    assert!(matches!(
        ks.load_owner_key("dev-1"),
        Err(KeystoreError::NotFound { .. })
    ));
}

#[test]
fn foreign_entries_are_corrupt_not_keys() {
    let (ks, store) = mock_keystore();
    plant(&store, "short", &[1u8; 32]);
    plant(&store, "future", &[[2u8].as_slice(), &[0u8; 32]].concat());
    match ks.load_owner_key("short") {
        Err(KeystoreError::Corrupt {
            problem: CorruptProblem::WrongLength { actual: 32 },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    match ks.load_owner_key("future") {
        Err(
            e @ KeystoreError::Corrupt {
                problem: CorruptProblem::UnknownVersion(2),
                ..
            },
        ) => assert_eq!(e.code(), "keystore.corrupt"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn store_errors_map_to_typed_variants() {
    let (ks, store) = mock_keystore();
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<(keyring_core::Error, &str)> = vec![
        (
            keyring_core::Error::NoStorageAccess("collection is locked".into()),
            "keystore.access_denied",
        ),
        (
            keyring_core::Error::PlatformFailure("dbus went away".into()),
            "keystore.platform",
        ),
        (
            keyring_core::Error::BadDataFormat(vec![0xAA; 8], "bad padding".into()),
            "keystore.corrupt",
        ),
        (keyring_core::Error::Ambiguous(vec![]), "keystore.ambiguous"),
        (keyring_core::Error::NoDefaultStore, "keystore.unavailable"),
    ];
    for (err, code) in cases {
        inject(&store, "dev-1", err);
        let got = ks.load_owner_key("dev-1").err();
        assert_eq!(got.as_ref().map(KeystoreError::code), Some(code), "{got:?}");
    }
    // The injected error is spent; the key is still there.
    assert!(ks.load_owner_key("dev-1").is_ok());
}

#[test]
fn failures_on_store_and_delete_are_reported_not_swallowed() {
    let (ks, store) = mock_keystore();
    inject(
        &store,
        "dev-1",
        keyring_core::Error::NoStorageAccess("locked".into()),
    );
    assert!(matches!(
        ks.store_owner_key("dev-1", &key(1)),
        Err(KeystoreError::AccessDenied { .. })
    ));
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    inject(
        &store,
        "dev-1",
        keyring_core::Error::PlatformFailure("gone".into()),
    );
    assert!(matches!(
        ks.delete_owner_key("dev-1"),
        Err(KeystoreError::Platform { .. })
    ));
    assert!(ks.load_owner_key("dev-1").is_ok());
}

#[test]
fn corrupt_store_errors_never_show_the_bytes() {
    let (ks, store) = mock_keystore();
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    inject(
        &store,
        "dev-1",
        keyring_core::Error::BadDataFormat(vec![0x5A; 33], "x".into()),
    );
    let err = ks.load_owner_key("dev-1").err();
    let shown = format!(
        "{err:?} {}",
        err.as_ref().map(ToString::to_string).unwrap_or_default()
    );
    assert!(!shown.contains("90"), "{shown}"); // 0x5A as decimal in a Vec's Debug
    assert!(!shown.to_lowercase().contains("5a"), "{shown}");
}

#[test]
fn device_ids_are_validated() {
    let (ks, _) = mock_keystore();
    for bad in ["", "a@b", "a b", "a/b", "naïve", "x\n", &"d".repeat(129)] {
        assert!(
            matches!(
                ks.store_owner_key(bad, &key(1)),
                Err(KeystoreError::InvalidDeviceId { .. })
            ),
            "{bad:?}"
        );
        assert!(matches!(
            ks.load_owner_key(bad),
            Err(KeystoreError::InvalidDeviceId { .. })
        ));
        assert!(matches!(
            ks.delete_owner_key(bad),
            Err(KeystoreError::InvalidDeviceId { .. })
        ));
    }
    for good in ["d", "ABC-123_x.y:z", &"d".repeat(128)] {
        assert!(ks.store_owner_key(good, &key(1)).is_ok(), "{good:?}");
    }
}

#[test]
fn entries_are_namespaced_by_service_and_user() {
    let (ks, store) = mock_keystore();
    ks.store_owner_key("dev-1", &key(1))
        .unwrap_or_else(|e| panic!("{e}"));
    let found = store
        .search(&std::collections::HashMap::from([
            ("service", SERVICE),
            ("user", "owner-key:dev-1"),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found.first().and_then(Entry::get_specifiers),
        Some((SERVICE.to_owned(), "owner-key:dev-1".to_owned()))
    );
}

#[test]
fn debug_shows_no_key_material() {
    let (ks, _) = mock_keystore();
    assert_eq!(format!("{ks:?}"), "Keystore { backend: Keyutils, .. }");
}

#[test]
fn keystore_can_live_in_shared_app_state() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Keystore>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<KeystoreError>();
}
