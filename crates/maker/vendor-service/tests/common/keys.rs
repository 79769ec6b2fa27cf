//! The pseudonym period keys are not readable from the database alone (issue 14 item 2): the
//! database may be copied, backed up or readable by others, while the key that turns a device
//! id into its pseudonym must stay with the other secrets.

use std::borrow::Cow;

use hearth_vendor_service::pseudonym::pseudonym;
use serde_json::{Value, json};
use sqlx::{AnyPool, Row as _};

use super::{Harness, T0};

const PLUG: &str = "hearth-plug-1";

async fn grant(h: &Harness, device: &str) -> String {
    let r = h
        .client
        .post(h.url("/v1/telemetry/pseudonym"))
        .json(&json!({"model": PLUG, "device_id": device}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let grant: Value = r.json().await.expect("grant");
    grant["pseudonym"].as_str().expect("pseudonym").to_owned()
}

/// Every text value in every table of the database.
async fn all_text(db: &AnyPool, postgres: bool) -> Vec<String> {
    let tables = if postgres {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'"
    } else {
        "SELECT name FROM sqlite_master \
         WHERE type = 'table' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
    };
    let names: Vec<String> = sqlx::query(tables)
        .fetch_all(db)
        .await
        .expect("tables")
        .iter()
        .map(|r| r.try_get("name").expect("name"))
        .collect();
    let mut text = Vec::new();
    for name in names {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {name}")))
            .fetch_all(db)
            .await
            .expect("select");
        for row in rows {
            for i in 0..sqlx::Row::len(&row) {
                if let Ok(value) = row.try_get::<String, _>(i) {
                    text.push(value);
                }
            }
        }
    }
    text
}

/// Whether any 32-byte hex run in `values` is the key that gave `device` its `pseudonym`.
fn holds_the_key(values: &[String], device: &str, expected: &str) -> bool {
    values.iter().any(|value| {
        let bytes = value.as_bytes();
        (0..bytes.len().saturating_sub(63)).any(|start| {
            let mut key = [0u8; 32];
            hex::decode_to_slice(&bytes[start..start + 64], &mut key).is_ok()
                && pseudonym(&key, PLUG, device) == expected
        })
    })
}

pub async fn no_usable_period_key_in_the_database(h: &Harness) {
    let issued = grant(h, "plug-key-check").await;
    let db = h.db().await;
    let values = all_text(&db, h.database_url.starts_with("postgres")).await;
    db.close().await;
    assert!(!values.is_empty());
    assert!(
        !holds_the_key(&values, "plug-key-check", &issued),
        "the database alone gives the period key"
    );
}

/// A database written before keys were wrapped (plaintext `key_hex`) is migrated at start: the
/// plaintext is gone and devices keep their pseudonym for the rest of the period.
pub async fn plaintext_period_keys_are_wrapped_at_start(database_url: String) {
    sqlx::any::install_default_drivers();
    let db = AnyPool::connect(&database_url).await.expect("connect");
    let mut first = sqlx::migrate!("./migrations");
    first.migrations = Cow::Owned(first.migrations[..1].to_vec());
    first.run(&db).await.expect("first migration");
    let old_key = [7u8; 32];
    let period = T0.div_euclid(7 * 24 * 3600);
    sqlx::query("INSERT INTO pseudonym_keys (period, key_hex, created_at) VALUES ($1, $2, $3)")
        .bind(period)
        .bind(hex::encode(old_key))
        .bind(T0)
        .execute(&db)
        .await
        .expect("old key row");
    db.close().await;

    let h = Harness::start(Some(database_url)).await;
    assert_eq!(
        grant(&h, "plug-old").await,
        pseudonym(&old_key, PLUG, "plug-old"),
        "the period's key survives the migration"
    );
    let db = h.db().await;
    let values = all_text(&db, h.database_url.starts_with("postgres")).await;
    db.close().await;
    assert!(
        !values.iter().any(|v| v.contains(&hex::encode(old_key))),
        "the plaintext key is still in the database"
    );
    h.stop().await;
}
