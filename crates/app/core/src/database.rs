//! The app database, `<data>/hearth.db` (SQLite, WAL): one handle, one connection pool, the
//! migrations run once when it opens. Every store is a typed table on it
//! ([`Database::devices`], [`Database::pairings`], [`Database::vendor_cache`]), so the app
//! and the CLI open the file once and hand the same handle to the flows and to what the
//! maker publishes.
//!
//! The migrations under `migrations/` are append-only: a database written by any earlier
//! version opens and is brought up to date; none is ever edited or removed.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::CoreError;
use crate::devices::DeviceStore;
use crate::pairings::PairingStore;
use crate::vendor_cache::VendorCache;

/// Connections in the one pool: a command, the background check and a vendor lookup at once.
const MAX_CONNECTIONS: u32 = 4;

/// The open app database. Cloning it shares the pool.
#[derive(Debug, Clone)]
pub struct Database {
    pool: SqlitePool,
}

impl Database {
    /// Opens (creating the folder and the file if needed) `hearth.db` in `data_dir`, and
    /// runs the embedded migrations.
    ///
    /// # Errors
    /// [`CoreError::FolderCreate`], [`CoreError::Devices`] or [`CoreError::Migrate`].
    pub async fn open(data_dir: &Path) -> Result<Self, CoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| CoreError::FolderCreate {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("hearth.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The devices this app has set up.
    #[must_use]
    pub fn devices(&self) -> DeviceStore {
        DeviceStore::on(self.pool.clone())
    }

    /// How to reach each paired device again.
    #[must_use]
    pub fn pairings(&self) -> PairingStore {
        PairingStore::on(self.pool.clone())
    }

    /// What the app last fetched from the vendor service.
    #[must_use]
    pub fn vendor_cache(&self) -> VendorCache {
        VendorCache::on(self.pool.clone())
    }

    /// Closes the pool cleanly (every store on it with it).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::DeviceSummary;

    #[tokio::test]
    async fn every_table_is_on_the_one_pool() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("new")).await.expect("open");
        db.devices()
            .add(
                &DeviceSummary {
                    id: "a".into(),
                    name: "Plug".into(),
                    model: "hearth-plug-1".into(),
                    serial: "SN-1".into(),
                    firmware_version: "1.0.0".into(),
                },
                1,
            )
            .await
            .expect("add");
        // Another table sees the row at once: the same database, no second pool to sync.
        assert_eq!(
            db.pairings()
                .device_with_serial("SN-1")
                .await
                .expect("read"),
            Some("a".to_owned())
        );
        db.close().await;
        assert!(db.devices().list().await.is_err(), "closed for every table");
    }

    /// A database written by the first version (only the devices table) opens and is brought
    /// up to date with the later migrations; its rows stay.
    #[tokio::test]
    async fn a_database_from_the_first_version_opens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("hearth.db"))
            .create_if_missing(true);
        let old = SqlitePool::connect_with(options).await.expect("old db");
        let first = sqlx::migrate!("./migrations");
        let mut only_first = sqlx::migrate::Migrator::DEFAULT;
        only_first.migrations = std::borrow::Cow::Owned(first.migrations[..1].to_vec());
        only_first.run(&old).await.expect("first migration");
        sqlx::query(
            "INSERT INTO devices (id, name, model, serial, firmware_version, added_at) VALUES ('a', 'Plug', 'm', 'SN', '1', 1)",
        )
        .execute(&old)
        .await
        .expect("old row");
        old.close().await;

        let db = Database::open(dir.path())
            .await
            .expect("opens and migrates");
        assert_eq!(db.devices().list().await.expect("list").len(), 1);
        db.vendor_cache()
            .put("k", "v", b"x", 1)
            .await
            .expect("a later table exists");
    }
}
