//! The update client against a repository published with `hearth-publish` and served over
//! HTTPS with a test CA, with an injected clock: each attack gives its typed error, and
//! nothing from it is trusted (the store keeps the last verified metadata, the last
//! verified answer is not replaced).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{DAY, HOUR, T0, Vendor, client, demo_releases, pki, serve};
use hearth_clock::ManualClock;
use hearth_publish::metadata::{MetaFile, MetaRole, Signed};
use hearth_publish::{Role, RoleSpec, Signer, Signers, demo, sign_metadata};
use hearth_update_notice::{Locale, Notice, Version};
use hearth_updates::{Freshness, Limits, UpdateError};

const V020: Version = Version::new(0, 2, 0);
const V021: Version = Version::new(0, 2, 1);
const V010: Version = Version::new(0, 1, 0);

fn demo_notice(version: Version, locale: Locale) -> Notice {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../maker/publish/demo/hearth-plug-1")
        .join(version.to_string())
        .join(format!("{}.json", locale.tag()));
    Notice::from_json(&std::fs::read(path).expect("demo notice"), Some(locale)).expect("valid")
}

fn store_file(store: &Path, name: &str) -> Option<Vec<u8>> {
    std::fs::read(store.join("tuf").join(name)).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_update_is_found_and_its_notice_read_in_each_locale() {
    let vendor = Vendor::with_0_2_0();
    vendor.publish(&demo_releases()[1], T0 + 60);
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");

    let checked = updates.check().await.expect("check");
    assert_eq!(checked.freshness, Freshness::Fresh);
    assert_eq!(checked.checked_at, T0 + HOUR);
    assert_eq!(checked.status_message(), None);
    let plug = checked
        .answer
        .update_for(demo::MODEL, V010)
        .expect("an update for 0.1.0");
    assert_eq!(plug.newest.version, V021);
    assert!(!plug.newest.security_fix);
    assert!(
        plug.security_fix_since(V010),
        "0.1.0 → 0.2.1 includes the 0.2.0 security fix"
    );
    assert!(!plug.security_fix_since(V020));
    assert_eq!(
        plug.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [V020, V021]
    );
    assert!(
        checked.answer.update_for(demo::MODEL, V021).is_none(),
        "up to date"
    );
    assert_eq!(plug.image.name, "hearth-plug-1_0.2.1_image.bin");
    assert_eq!(plug.image.length, demo::IMAGE_BYTES as u64);
    for locale in Locale::ALL {
        assert_eq!(
            plug.notice(locale),
            Some(&demo_notice(V021, locale)),
            "{locale}"
        );
    }

    for (language, locale) in [
        ("en", Locale::En),
        ("de-DE", Locale::De),
        ("fr", Locale::Fr),
        ("es-ES", Locale::Es),
        ("pt-BR", Locale::En),
    ] {
        let notice = updates
            .notice(demo::MODEL, V020, language)
            .await
            .expect("notice");
        assert_eq!(notice, demo_notice(V020, locale), "{language}");
    }
    let de = updates.notice(demo::MODEL, V020, "de").await.expect("de");
    assert!(de.security_fix);
    assert!(de.fixes.contains("Taste am Stecker"), "{}", de.fixes);

    let image = updates.image(demo::MODEL, V021).await.expect("image");
    assert_eq!(image.bytes, demo::placeholder_image(demo::MODEL, V021));
    assert_eq!(image.security_counter, 2);

    let last = updates.last_verified().expect("read").expect("saved");
    assert_eq!(
        (last.checked_at, &last.answer),
        (T0 + HOUR, &checked.answer)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_target_bytes_of_the_same_length_or_longer_are_refused() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");
    let before = updates.check().await.expect("first check");

    let image = vendor.blob("hearth-plug-1_0.2.0_image.bin");
    let genuine = std::fs::read(&image).expect("image");
    let mut flipped = genuine.clone();
    flipped[100] ^= 0x01;
    std::fs::write(&image, &flipped).expect("tamper");
    let e = updates
        .image(demo::MODEL, V020)
        .await
        .expect_err("same length");
    assert_eq!(e.code(), "updates.tampered", "{e}");
    let mut longer = genuine.clone();
    longer.extend_from_slice(b"and a payload");
    std::fs::write(&image, &longer).expect("tamper");
    let e = updates.image(demo::MODEL, V020).await.expect_err("longer");
    assert_eq!(e.code(), "updates.tampered", "{e}");
    assert_eq!(e.message_id(), "updates-error-tampered");

    // A new version whose German notice was altered on the server, same length.
    vendor.publish(&demo_releases()[1], T0 + 2 * HOUR);
    let notice = vendor.blob("hearth-plug-1_0.2.1_notice_de.json");
    let text = std::fs::read_to_string(&notice).expect("notice");
    std::fs::write(&notice, text.replacen("Behebt", "Behebe", 1)).expect("tamper");
    clock.set(T0 + 3 * HOUR);
    let e = updates.check().await.expect_err("tampered notice");
    assert_eq!(e.code(), "updates.tampered", "{e}");
    assert_eq!(
        updates.last_verified().expect("read").expect("kept").answer,
        before.answer
    );
    assert_eq!(
        store_file(&store, "targets/hearth-plug-1_0.2.1_notice_de.json"),
        None,
        "not kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_metadata_is_refused_and_not_stored() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");
    let before = updates.check().await.expect("first check");
    let trusted_targets = store_file(&store, "targets.json").expect("stored");
    let trusted_timestamp = store_file(&store, "timestamp.json").expect("stored");

    // The timestamp's content changed after signing: its signature no longer verifies.
    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], T0 + 2 * HOUR)
        .expect("resign");
    let path = vendor.repo.join("timestamp.json");
    let mut md: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    md["signed"]["expires"] = serde_json::json!("2040-01-01T00:00:00Z");
    let genuine = std::fs::read(&path).expect("read");
    std::fs::write(&path, serde_json::to_vec_pretty(&md).expect("json")).expect("write");
    let e = updates.check().await.expect_err("altered timestamp");
    assert_eq!(e.code(), "updates.bad_signature", "{e}");
    assert_eq!(
        store_file(&store, "timestamp.json"),
        Some(trusted_timestamp.clone())
    );
    std::fs::write(&path, genuine).expect("the vendor repairs it");

    // New targets whose entries were edited: the snapshot pins their hash.
    vendor.publish(&demo_releases()[1], T0 + 2 * HOUR);
    let targets = common::current_targets(&vendor.repo);
    let version = targets["signed"]["version"].as_u64().expect("version");
    let path = vendor.repo.join(format!("{version}.targets.json"));
    let mut md = targets.clone();
    md["signed"]["targets"]["hearth-plug-1_0.2.1_image.bin"]["length"] = serde_json::json!(10);
    std::fs::write(&path, serde_json::to_vec_pretty(&md).expect("json")).expect("write");
    let e = updates.check().await.expect_err("altered targets");
    assert_eq!(e.code(), "updates.tampered", "{e}");
    assert_eq!(
        store_file(&store, "targets.json"),
        Some(trusted_targets),
        "the old targets stay trusted"
    );
    assert_eq!(
        updates.last_verified().expect("read").expect("kept").answer,
        before.answer
    );
}

/// A timestamp signed with the (stolen) online key that pins an older snapshot.
fn timestamp_pinning(vendor: &Vendor, snapshot_version: u64, timestamp_version: u64) -> Vec<u8> {
    let snapshot = std::fs::read(
        vendor
            .repo
            .join(format!("{snapshot_version}.snapshot.json")),
    )
    .expect("old snapshot");
    let timestamp = MetaRole {
        kind: "timestamp".into(),
        spec_version: "1.0.31".into(),
        version: timestamp_version,
        expires: "2030-01-05T00:00:00Z".into(),
        meta: BTreeMap::from([(
            "snapshot.json".to_owned(),
            MetaFile::of(snapshot_version, &snapshot),
        )]),
    };
    let (_, bytes): (Signed<MetaRole>, Vec<u8>) =
        sign_metadata(timestamp, &[&vendor.keys.timestamp]).expect("sign");
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_older_timestamp_or_snapshot_is_a_rollback_across_a_restart() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let open = || {
        client(
            &vendor,
            &server,
            &pki.ca_pem,
            &store,
            &clock,
            Limits::default(),
        )
        .expect("open")
    };
    let before = open().check().await.expect("first check");
    let old_timestamp = std::fs::read(vendor.repo.join("timestamp.json")).expect("v2");
    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], T0 + 2 * HOUR)
        .expect("v3");
    clock.set(T0 + 2 * HOUR);
    open().check().await.expect("trusts timestamp v3");

    // A new process (the app restarted) is served the older, still valid timestamp.
    std::fs::write(vendor.repo.join("timestamp.json"), &old_timestamp).expect("replay");
    let e = open().check().await.expect_err("replayed timestamp");
    assert!(
        matches!(&e, UpdateError::Rollback { role, trusted: 3, offered: 2 } if role == "timestamp"),
        "{e:?}"
    );
    assert_eq!(e.message_id(), "updates-error-rollback");

    // Snapshot 3 trusted; a timestamp with a new version pins snapshot 2 again.
    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], T0 + 2 * HOUR)
        .expect("v3 again");
    vendor
        .publisher
        .resign_snapshot(vendor.keys.signers(), T0 + 2 * HOUR)
        .expect("snapshot 3");
    open().check().await.expect("trusts snapshot 3");
    std::fs::write(
        vendor.repo.join("timestamp.json"),
        timestamp_pinning(&vendor, 2, 9),
    )
    .expect("replay");
    let restarted = open();
    let e = restarted.check().await.expect_err("replayed snapshot");
    // sigstore-tuf names the role "snapshot (via timestamp)": the timestamp's pin went back.
    assert!(
        matches!(&e, UpdateError::Rollback { role, trusted: 3, offered: 2 } if role.starts_with("snapshot")),
        "{e:?}"
    );
    assert_eq!(
        restarted
            .last_verified()
            .expect("read")
            .expect("kept")
            .answer,
        before.answer
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_left_unsigned_past_expiry_is_frozen_not_answered_from_the_cache() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");
    let before = updates.check().await.expect("first check");

    clock.set(T0 + DAY + HOUR);
    let e = updates.check().await.expect_err("timestamp expired");
    assert!(
        matches!(&e, UpdateError::Expired { role, .. } if role == "timestamp"),
        "{e:?}"
    );
    assert_eq!(e.code(), "updates.expired");
    assert_eq!(
        updates.last_verified().expect("read").expect("kept").answer,
        before.answer
    );

    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], T0 + DAY + HOUR)
        .expect("resign");
    updates.check().await.expect("fresh again");

    clock.set(T0 + 8 * DAY);
    vendor
        .publisher
        .resign_timestamp(&[&vendor.keys.timestamp], T0 + 8 * DAY)
        .expect("resign");
    let e = updates.check().await.expect_err("snapshot expired");
    assert!(
        matches!(&e, UpdateError::Expired { role, .. } if role == "snapshot"),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_client_follows_a_root_rotation_and_a_new_timestamp_key() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let open = |store: &Path| {
        client(
            &vendor,
            &server,
            &pki.ca_pem,
            store,
            &clock,
            Limits::default(),
        )
        .expect("open")
    };
    open(&store).check().await.expect("checks on root 1");

    let k = &vendor.keys;
    let root4 = Signer::generate(&vendor.keys_dir.join("root-4.pk8")).expect("key");
    let new_roots = RoleSpec {
        keys: vec![
            k.root[1].public().clone(),
            k.root[2].public().clone(),
            root4.public().clone(),
        ],
        threshold: 2,
    };
    vendor
        .publisher
        .rotate_key(
            Role::Root,
            &new_roots,
            &[&k.root[0], &k.root[1]],
            &[&k.root[1], &root4],
            Signers::default(),
            T0 + 2 * HOUR,
        )
        .expect("root 2");
    let new_timestamp = Signer::generate(&vendor.keys_dir.join("timestamp-2.pk8")).expect("key");
    vendor
        .publisher
        .rotate_key(
            Role::Timestamp,
            &RoleSpec::single(new_timestamp.public()),
            &[&k.root[1], &root4],
            &[&k.root[1], &root4],
            Signers {
                timestamp: &[&new_timestamp],
                ..Signers::default()
            },
            T0 + 2 * HOUR,
        )
        .expect("root 3");
    let with_new_key = Signers {
        targets: &[&k.targets],
        snapshot: &[&k.snapshot],
        timestamp: &[&new_timestamp],
    };
    vendor
        .publisher
        .publish(&demo_releases()[1], with_new_key, T0 + 2 * HOUR)
        .expect("publish with the new timestamp key");
    clock.set(T0 + 3 * HOUR);

    // The app restarts with the root it shipped with (version 1).
    let updates = open(&store);
    let checked = updates.check().await.expect("follows to root 3");
    assert_eq!(updates.root_version().await, 3);
    assert_eq!(
        checked
            .answer
            .model(demo::MODEL)
            .expect("plug")
            .newest
            .version,
        V021
    );
    let fresh = open(&vendor.store("fresh"));
    fresh
        .check()
        .await
        .expect("a new install follows from root 1 too");
    assert_eq!(fresh.root_version().await, 3);

    // Root 4 signed by one key of the threshold of two.
    vendor
        .publisher
        .renew_root(&[&k.root[1], &root4], T0 + 3 * HOUR)
        .expect("root 4");
    let path = vendor.repo.join("4.root.json");
    let mut md: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    md["signatures"]
        .as_array_mut()
        .expect("signatures")
        .truncate(1);
    std::fs::write(&path, serde_json::to_vec_pretty(&md).expect("json")).expect("write");
    let e = updates.check().await.expect_err("root 4 under threshold");
    assert_eq!(e.code(), "updates.bad_signature", "{e}");
    assert_eq!(updates.root_version().await, 3, "still on root 3");
    assert!(store_file(&store, "root_history/4.root.json").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_version_is_refused_even_when_its_files_are_cached() {
    let vendor = Vendor::with_0_2_0();
    vendor.publish(&demo_releases()[1], T0);
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");
    let checked = updates.check().await.expect("check");
    assert_eq!(
        checked
            .answer
            .model(demo::MODEL)
            .expect("plug")
            .newest
            .version,
        V021
    );
    assert!(
        store_file(&store, "targets/hearth-plug-1_0.2.1_notice_de.json").is_some(),
        "cached"
    );

    vendor
        .publisher
        .revoke(demo::MODEL, V021, vendor.keys.signers(), T0 + 2 * HOUR)
        .expect("revoke");
    clock.set(T0 + 2 * HOUR);
    let checked = updates.check().await.expect("check");
    assert_eq!(
        checked
            .answer
            .model(demo::MODEL)
            .expect("plug")
            .newest
            .version,
        V020,
        "back to 0.2.0"
    );
    let e = updates
        .notice(demo::MODEL, V021, "de")
        .await
        .expect_err("revoked notice");
    assert_eq!(e.code(), "updates.not_found", "{e}");
    assert_eq!(e.message_id(), "updates-error-not-found");
    assert!(
        store_file(&store, "targets/hearth-plug-1_0.2.1_notice_de.json").is_some(),
        "still cached, refused anyway"
    );
    let e = updates
        .image(demo::MODEL, V021)
        .await
        .expect_err("revoked image");
    assert_eq!(e.code(), "updates.not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_a_foreign_certificate_is_not_trusted_nor_answered_from_the_cache() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let before = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open")
    .check()
    .await
    .expect("check");

    let impostor = common::pki();
    let other = serve(&vendor.repo, Some(impostor.server.clone()));
    let updates = client(
        &vendor,
        &other,
        &pki.ca_pem,
        &store,
        &clock,
        Limits::default(),
    )
    .expect("open");
    let e = updates.check().await.expect_err("foreign certificate");
    assert_eq!(e.code(), "updates.untrusted_server", "{e}");
    assert_eq!(e.message_id(), "updates-error-untrusted-server");
    assert!(
        other.requests().is_empty(),
        "no request got through the handshake"
    );
    assert_eq!(
        updates.last_verified().expect("read").expect("kept").answer,
        before.answer
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_larger_than_the_slot_is_refused_before_it_is_downloaded() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let slot = Limits {
        image: 32 * 1024,
        ..Limits::default()
    };
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &vendor.store("app"),
        &clock,
        slot,
    )
    .expect("open");
    let checked = updates.check().await.expect("the check itself is fine");
    assert_eq!(
        checked
            .answer
            .model(demo::MODEL)
            .expect("plug")
            .image
            .length,
        64 * 1024
    );
    let e = updates
        .image(demo::MODEL, V020)
        .await
        .expect_err("too large");
    assert!(
        matches!(&e, UpdateError::TooLarge { limit: 32_768, .. }),
        "{e:?}"
    );
    assert!(
        server.requests().iter().all(|r| !r.ends_with("_image.bin")),
        "never fetched"
    );

    let tight = Limits {
        timestamp: 100,
        ..Limits::default()
    };
    let updates = client(
        &vendor,
        &server,
        &pki.ca_pem,
        &vendor.store("tight"),
        &clock,
        tight,
    )
    .expect("open");
    let e = updates.check().await.expect_err("timestamp over its cap");
    assert!(
        matches!(&e, UpdateError::TooLarge { what, limit: 100 } if what == "timestamp.json"),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_last_verified_answer_is_shown_marked_last_checked() {
    let vendor = Vendor::with_0_2_0();
    let pki = pki();
    let server = serve(&vendor.repo, Some(pki.server.clone()));
    let clock = ManualClock::new(T0 + HOUR);
    let store = vendor.store("app");
    let open = |store: &Path| {
        client(
            &vendor,
            &server,
            &pki.ca_pem,
            store,
            &clock,
            Limits::default(),
        )
        .expect("open")
    };
    let before = open(&store).check().await.expect("online");
    let never_checked = open(&vendor.store("never"));
    let updates = open(&store);
    server.stop().await;

    clock.set(T0 + 5 * HOUR);
    let checked = updates
        .check()
        .await
        .expect("answered from the last verified answer");
    assert_eq!(
        checked.freshness,
        Freshness::Offline {
            last_checked: T0 + HOUR
        }
    );
    assert_eq!(checked.answer, before.answer);
    let (id, args) = checked.status_message().expect("marked");
    assert_eq!(id, "updates-last-checked");
    assert_eq!(
        args,
        [("date".to_owned(), "2030-01-01T01:00:00Z".to_owned())]
    );
    let e = never_checked.check().await.expect_err("nothing to show");
    assert_eq!(e.code(), "updates.offline", "{e}");
    assert!(e.is_offline());
}
