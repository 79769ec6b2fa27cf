//! The vendor service over real TLS on loopback: every check runs against SQLite (one test
//! each) and again, unchanged, against PostgreSQL (a throw-away cluster, or
//! `HEARTH_TEST_POSTGRES_URL`).

mod common;

use common::{Harness, hardening, keys, postgres, suite};

macro_rules! same_suite {
    ($($module:ident::$check:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let h = Harness::start(None).await;
                    $module::$check(&h).await;
                    h.stop().await;
                }
            )*
        }

        /// One cluster for the whole suite (starting one takes seconds); a fresh database per
        /// check, so checks cannot see each other's rows.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn postgres_runs_the_same_suite() {
            let pg = postgres::Cluster::start()
                .unwrap_or_else(|e| panic!("PostgreSQL fixture failed: {e}"));
            $(
                eprintln!("postgres: {}", stringify!($check));
                let url = pg.fresh_database().await;
                let h = Harness::start(Some(url.clone())).await;
                $module::$check(&h).await;
                h.stop().await;
                pg.drop_database(&url).await;
            )*
            two_instances_agree(&pg).await;
            eprintln!("postgres: anonymous_storage_is_bounded");
            let url = pg.fresh_database().await;
            hardening::anonymous_storage_is_bounded(Some(url.clone())).await;
            pg.drop_database(&url).await;
            eprintln!("postgres: plaintext_period_keys_are_wrapped_at_start");
            let url = pg.fresh_database().await;
            keys::plaintext_period_keys_are_wrapped_at_start(url.clone()).await;
            pg.drop_database(&url).await;
        }
    };
}

same_suite!(
    suite::health,
    suite::catalogue_entries_verify,
    suite::tampered_entry_fails_verification,
    suite::security_txt,
    suite::undeclared_field_rejected_and_not_stored,
    suite::bad_requests_are_refused_with_codes,
    suite::pseudonyms_rotate,
    suite::failed_pairing_burst_is_flagged,
    suite::no_ip_address_is_stored,
    suite::retried_report_is_stored_once,
    hardening::pseudonym_issuance_is_rate_limited_per_client,
    hardening::admin_tokens_are_throttled_and_exact,
    hardening::invisible_and_direction_characters_are_refused,
    hardening::only_json_objects_of_the_declared_type_are_read,
    hardening::http11_without_host_is_refused,
    hardening::every_refusal_is_typed_json,
    hardening::every_url_in_security_txt_answers,
    keys::no_usable_period_key_in_the_database,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_request_leaves_the_connection_usable() {
    hardening::a_throttled_request_leaves_the_connection_usable().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_storage_is_bounded() {
    hardening::anonymous_storage_is_bounded(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_period_keys_are_wrapped_at_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("legacy.db").display()
    );
    keys::plaintext_period_keys_are_wrapped_at_start(url).await;
}

/// Two instances on one PostgreSQL: the same pseudonym for a device from either, and reports
/// posted to one are examined by the other.
async fn two_instances_agree(pg: &postgres::Cluster) {
    use hearth_vendor_api::telemetry::AnomalyList;
    use serde_json::json;

    let url = pg.fresh_database().await;
    let h = Harness::start(Some(url.clone())).await;
    let (second, second_base) = h.another_instance().await;

    let from_a = suite::pseudonym_at(&h, &h.base, "hearth-plug-1", "plug-0100").await;
    let from_b = suite::pseudonym_at(&h, &second_base, "hearth-plug-1", "plug-0100").await;
    assert_eq!(from_a, from_b, "both instances share the period key");

    let r = h
        .client
        .post(h.url("/v1/telemetry"))
        .json(&json!({
            "model": "hearth-plug-1",
            "pseudonym": from_a.pseudonym,
            "fields": {"pairing_failures": 25}
        }))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);

    let list: AnomalyList = h
        .client
        .get(format!("{second_base}/v1/anomalies"))
        .bearer_auth(&h.admin_token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("anomaly list");
    assert_eq!(list.anomalies.len(), 1, "{list:?}");
    assert_eq!(list.anomalies[0].pseudonym, from_a.pseudonym);
    assert_eq!(list.anomalies[0].total, 25);

    second.shutdown().await;
    h.stop().await;
    pg.drop_database(&url).await;
}
