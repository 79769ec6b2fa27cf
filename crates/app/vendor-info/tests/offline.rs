//! What the vendor publishes, over real TLS against the real vendor service: fresh, from the
//! cache when the service is down, refreshed when it is back; a tampered cache and a foreign CA
//! are refused, never papered over.

mod common;

use common::{Vendor, clock, directory, directory_for, refusing_port};
use hearth_core::ErrorCode;
use hearth_vendor_info::SupportStatus;
use hearth_vendor_info::{Clock as _, SupportError};

const PLUG: &str = "hearth-plug-1";
const SENSOR: &str = "hearth-sensor-0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_then_from_the_cache_while_down_then_refreshed() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let t0 = clock.now_unix();

    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    let fresh = dir.support(PLUG, "de-AT").await.expect("support");
    assert!(!fresh.from_cache);
    assert_eq!(fresh.last_checked, t0);
    assert_eq!(fresh.status, SupportStatus::Supported);
    assert_eq!(fresh.security_updates_until.as_deref(), Some("2031-12-31"));
    assert!(fresh.policy.contains("2031"), "{}", fresh.policy);
    assert_ne!(
        fresh.policy,
        dir.support(PLUG, "en").await.expect("en").policy,
        "German policy, not the English one"
    );
    let collects = dir.collects(PLUG, "en").await.expect("collects");
    assert!(!collects.from_cache && !collects.fields.is_empty());
    let contact = dir.security_contact().await.expect("security.txt");
    assert!(!contact.from_cache && !contact.expired);
    assert!(
        contact.contacts.iter().any(|c| c.starts_with("mailto:")),
        "{contact:?}"
    );
    assert!(contact.canonical.is_some() && contact.policy.is_some());

    server.shutdown().await;
    clock.advance(3600);
    let gone = refusing_port();
    let dir = directory(&vendor.profile_for(gone.port()), data.path(), &clock).await;
    let cached = dir
        .support(PLUG, "de")
        .await
        .expect("support from the cache");
    assert!(cached.from_cache);
    assert_eq!(cached.last_checked, t0, "the time it was fetched, not now");
    assert_eq!(
        (
            cached.policy.as_str(),
            cached.status,
            &cached.security_updates_until
        ),
        (
            fresh.policy.as_str(),
            fresh.status,
            &fresh.security_updates_until
        )
    );
    let cached_collects = dir
        .collects(PLUG, "en")
        .await
        .expect("collects from the cache");
    assert!(cached_collects.from_cache);
    assert_eq!(cached_collects.fields, collects.fields);
    let cached_contact = dir.security_contact().await;
    // security.txt is cached per service address; this address has never answered.
    assert_eq!(
        cached_contact.expect_err("other origin").code(),
        ErrorCode::SupportUnavailable
    );

    // Back, on a new port (the old one may linger in TIME_WAIT): refreshed, newer time.
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    let refreshed = dir.support(PLUG, "de").await.expect("support");
    assert!(!refreshed.from_cache);
    assert_eq!(refreshed.last_checked, t0 + 3600);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_device_collects_is_shown_in_the_asked_language() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    for model in [PLUG, SENSOR] {
        let english = dir.collects(model, "en").await.expect("English");
        assert!(!english.fields.is_empty() && !english.data_use.personal_data.is_empty());
        for language in ["de", "fr-CH", "es"] {
            let shown = dir.collects(model, language).await.expect("collects");
            let context = format!("{model} in {language}");
            assert_ne!(
                shown.data_use.statement, english.data_use.statement,
                "{context}"
            );
            assert_eq!(
                shown.data_use.personal_data.len(),
                english.data_use.personal_data.len(),
                "{context}"
            );
            for (item, in_english) in shown
                .data_use
                .personal_data
                .iter()
                .zip(&english.data_use.personal_data)
            {
                assert!(!item.trim().is_empty(), "{context}");
                assert_ne!(item, in_english, "{context}: personal data");
            }
            assert_eq!(shown.fields.len(), english.fields.len(), "{context}");
            for (field, in_english) in shown.fields.iter().zip(&english.fields) {
                assert_eq!(field.name, in_english.name);
                for (what, text, english_text) in [
                    ("description", &field.description, &in_english.description),
                    ("purpose", &field.purpose, &in_english.purpose),
                    ("recipient", &field.recipient, &in_english.recipient),
                    (
                        "anonymisation",
                        &field.anonymisation,
                        &in_english.anonymisation,
                    ),
                ] {
                    assert!(!text.trim().is_empty(), "{context}: {}", field.name);
                    assert_ne!(
                        text, english_text,
                        "{context}: {} {what} is still English",
                        field.name
                    );
                }
            }
        }
        // A language the app does not ship falls back to English, like every vendor text.
        let unshipped = dir.collects(model, "ja").await.expect("collects");
        assert_eq!(unshipped.data_use, english.data_use);
        assert_eq!(unshipped.fields, english.fields);
    }
    let german = dir.collects(PLUG, "de").await.expect("German");
    let field = |name: &str| {
        german
            .fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} declared"))
            .clone()
    };
    assert_eq!(
        field("pairing_failures").purpose,
        "Erkennen, wenn jemand den Einrichtungscode zu erraten versucht."
    );
    assert_eq!(
        field("pairing_failures").recipient,
        "Hearth Demo Devices Ltd, Team für IT-Sicherheit"
    );
    assert!(
        german.data_use.statement.contains("deiner App"),
        "the app says du: {}",
        german.data_use.statement
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_contact_comes_from_the_cache_for_the_same_service() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let t0 = clock.now_unix();
    // The profile's address stays the same; the service behind it goes away.
    let server = vendor.serve().await;
    let port = server.local_addr.port();
    let dir = directory(&vendor.profile_for(port), data.path(), &clock).await;
    let fresh = dir.security_contact().await.expect("security.txt");
    // Held, refusing, so no other server can answer at the profile's address meanwhile.
    let _gone = vendor.stop_and_hold(server).await;
    clock.advance(60);
    let cached = dir.security_contact().await.expect("from the cache");
    assert!(cached.from_cache);
    assert_eq!(cached.last_checked, t0);
    assert_eq!(cached.contacts, fresh.contacts);
    assert_eq!(cached.expires, fresh.expires);
    // A year on, the saved file's Expires has passed: shown, but marked expired.
    clock.advance(366 * 86_400);
    let stale = dir.security_contact().await.expect("from the cache");
    assert!(stale.expired && stale.from_cache);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_cache_row_is_refused() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    dir.support(PLUG, "en").await.expect("fresh");
    server.shutdown().await;

    let cache = hearth_core::Database::open(data.path())
        .await
        .expect("the app database")
        .vendor_cache();
    let row = cache
        .get(hearth_vendor_info::KIND_CATALOGUE_ENTRY, PLUG)
        .await
        .expect("get")
        .expect("cached");
    let text = String::from_utf8(row.body).expect("utf8");
    assert!(text.contains("2031-12-31"));
    let forged = text.replace("2031-12-31", "2039-12-31");
    cache
        .put(
            hearth_vendor_info::KIND_CATALOGUE_ENTRY,
            PLUG,
            forged.as_bytes(),
            row.fetched_at,
        )
        .await
        .expect("put");

    let gone = refusing_port();
    let dir = directory(&vendor.profile_for(gone.port()), data.path(), &clock).await;
    let err = dir.support(PLUG, "en").await.expect_err("tampered");
    assert!(matches!(err, SupportError::Tampered(_)), "{err:?}");
    assert!(err.is_refusal());
    assert_eq!(err.code(), ErrorCode::SupportTampered);
    assert_eq!(err.to_dto().message_id, "support-error-tampered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_with_a_foreign_ca_is_refused_without_falling_back() {
    let vendor = Vendor::init();
    let impostor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    dir.support(PLUG, "en").await.expect("fresh, now cached");
    server.shutdown().await;

    let fake = impostor.serve().await;
    // The genuine vendor's profile (CA, key), but the address now answers with another CA.
    let dir = directory(
        &vendor.profile_for(fake.local_addr.port()),
        data.path(),
        &clock,
    )
    .await;
    let err = dir.support(PLUG, "en").await.expect_err("refused");
    assert!(matches!(err, SupportError::Untrusted(_)), "{err:?}");
    assert!(err.is_refusal());
    assert_eq!(err.code(), ErrorCode::SupportUntrusted);
    assert_eq!(err.message_id(), "support-error-untrusted");
    assert!(matches!(
        dir.security_contact().await,
        Err(SupportError::Untrusted(_))
    ));
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_cached_and_unreachable_is_unavailable() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let gone = refusing_port();
    let dir = directory(&vendor.profile_for(gone.port()), data.path(), &clock).await;
    let err = dir.support(PLUG, "en").await.expect_err("nothing to show");
    assert_eq!(err.code(), ErrorCode::SupportUnavailable);
    assert_eq!(err.to_dto().message_id, "support-error-unavailable");
    assert_eq!(
        dir.security_contact().await.expect_err("nothing").code(),
        ErrorCode::SupportUnavailable
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_model_without_updates_ahead_is_asked_about_before_setup() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    assert_eq!(dir.to_ask_about_before_setup(PLUG, "en").await, None);
    let sensor = dir
        .to_ask_about_before_setup(SENSOR, "de")
        .await
        .expect("a model that cannot be updated is asked about");
    assert_eq!(sensor.status, SupportStatus::NotUpdatable);
    // Within 180 days of the plug's end of updates (2031-12-31), it is asked about too.
    let july_2031 = time::macros::datetime!(2031-07-05 00:00 UTC).unix_timestamp();
    clock.set(u64::try_from(july_2031).expect("after 1970"));
    let ending = dir
        .to_ask_about_before_setup(PLUG, "en")
        .await
        .expect("ending soon is asked about");
    assert_eq!(ending.status, SupportStatus::EndingSoon);
    server.shutdown().await;

    // No vendor information at all: setup goes on without a question.
    let other = tempfile::tempdir().expect("data dir");
    let gone = refusing_port();
    let offline = directory(&vendor.profile_for(gone.port()), other.path(), &clock).await;
    assert_eq!(offline.to_ask_about_before_setup(SENSOR, "en").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_follows_the_injected_clock_and_non_updatable_models_say_why() {
    let vendor = Vendor::init();
    let data = tempfile::tempdir().expect("data dir");
    let clock = clock();
    let server = vendor.serve().await;
    let dir = directory_for(&vendor, &server, data.path(), &clock).await;
    let day = |iso: &str| {
        let date = time::Date::parse(
            iso,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .expect("date");
        u64::try_from(date.midnight().assume_utc().unix_timestamp()).expect("after 1970")
    };
    clock.set(day("2031-07-03")); // 181 days left
    assert_eq!(
        dir.support(PLUG, "en").await.expect("support").status,
        SupportStatus::Supported
    );
    clock.set(day("2031-07-05")); // 179 days left
    assert_eq!(
        dir.support(PLUG, "en").await.expect("support").status,
        SupportStatus::EndingSoon
    );
    clock.set(day("2031-12-31"));
    assert_eq!(
        dir.support(PLUG, "en").await.expect("support").status,
        SupportStatus::EndingSoon
    );
    clock.set(day("2032-01-01"));
    assert_eq!(
        dir.support(PLUG, "en").await.expect("support").status,
        SupportStatus::Ended
    );

    let sensor = dir.support(SENSOR, "fr").await.expect("sensor");
    assert_eq!(sensor.status, SupportStatus::NotUpdatable);
    assert!(!sensor.updatable);
    assert_eq!(sensor.security_updates_until, None);
    assert_eq!(sensor.support_until, "2028-06-30");
    for text in [&sensor.rationale, &sensor.advice, &sensor.replacement] {
        assert!(text.as_deref().is_some_and(|t| !t.is_empty()), "{sensor:?}");
    }
    assert!(sensor.policy.contains("juin"), "French: {}", sensor.policy);

    let unknown = dir.support("no-such-model", "en").await.expect_err("404");
    assert_eq!(unknown.code(), ErrorCode::SupportUnknownModel);
    assert_eq!(
        dir.support("Not A Model!", "en")
            .await
            .expect_err("bad id")
            .code(),
        ErrorCode::SupportUnknownModel
    );
    server.shutdown().await;
}
