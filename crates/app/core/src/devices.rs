//! The devices this app has set up, in the app's SQLite database
//! (`<data>/hearth.db`). No secrets are stored here: owner keys live in the OS
//! keyring (EN 303 645 4.4-1).

use serde::Serialize;
use sqlx::{Row, sqlite::SqlitePool};
use ts_rs::TS;

use crate::CoreError;

/// A device as the device list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeviceSummary {
    pub id: String,
    pub name: String,
    pub model: String,
    pub serial: String,
    pub firmware_version: String,
}

/// The `devices` table of the app database ([`crate::database::Database::devices`]).
#[derive(Debug, Clone)]
pub struct DeviceStore {
    pool: SqlitePool,
}

impl DeviceStore {
    pub(crate) fn on(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Every device, in the order they were added.
    pub async fn list(&self) -> Result<Vec<DeviceSummary>, CoreError> {
        let rows = sqlx::query(
            "SELECT id, name, model, serial, firmware_version FROM devices ORDER BY added_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(DeviceSummary {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    model: row.try_get("model")?,
                    serial: row.try_get("serial")?,
                    firmware_version: row.try_get("firmware_version")?,
                })
            })
            .collect()
    }

    /// Remembers a device that has just been set up.
    pub async fn add(&self, device: &DeviceSummary, added_at_unix: i64) -> Result<(), CoreError> {
        sqlx::query(
            "INSERT INTO devices (id, name, model, serial, firmware_version, added_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&device.id)
        .bind(&device.name)
        .bind(&device.model)
        .bind(&device.serial)
        .bind(&device.firmware_version)
        .bind(added_at_unix)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;

    fn plug(id: &str, serial: &str) -> DeviceSummary {
        DeviceSummary {
            id: id.into(),
            name: "Kitchen plug".into(),
            model: "hearth-plug-1".into(),
            serial: serial.into(),
            firmware_version: "1.0.0".into(),
        }
    }

    #[tokio::test]
    async fn devices_persist_across_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(dir.path()).await.expect("open");
        let store = db.devices();
        assert!(store.list().await.expect("list").is_empty());
        store.add(&plug("b", "SN-2"), 2).await.expect("add");
        store.add(&plug("a", "SN-1"), 1).await.expect("add");
        db.close().await;
        let store = Database::open(dir.path()).await.expect("reopen").devices();
        let ids: Vec<_> = store
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_duplicate_serial_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Database::open(dir.path()).await.expect("open").devices();
        store.add(&plug("a", "SN-1"), 1).await.expect("add");
        let err = store.add(&plug("b", "SN-1"), 2).await.expect_err("dup");
        assert_eq!(err.code(), crate::ErrorCode::Database);
        assert_eq!(store.list().await.expect("list").len(), 1);
    }
}
