//! How to reach a paired device again: its discriminator (to find it in a scan), the
//! identity key attested at pairing (to authenticate later owner sessions) and the
//! owner's user id on the device. One row per row of `devices`, deleted with it.
//!
//! Public values only; the owner key is in the OS keyring (EN 303 645 provision 4.4-1).

use sqlx::{Row, sqlite::SqlitePool};

use crate::CoreError;

/// What the app remembers to reconnect to a paired device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingRecord {
    /// The `devices.id` this belongs to.
    pub device_id: String,
    /// The 12-bit discriminator the device advertises.
    pub discriminator: u16,
    /// The device's Ed25519 identity key, attested by the vendor chain at pairing.
    pub identity_key: [u8; 32],
    /// The owner's user id on the device.
    pub user_id: u32,
}

/// The `pairings` table of the app database ([`crate::database::Database::pairings`]).
#[derive(Debug, Clone)]
pub struct PairingStore {
    pool: SqlitePool,
}

impl PairingStore {
    pub(crate) fn on(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Remembers `record`; its device row must exist.
    ///
    /// # Errors
    /// [`CoreError::Devices`] (no such device, or already recorded).
    pub async fn add(&self, record: &PairingRecord) -> Result<(), CoreError> {
        sqlx::query(
            "INSERT INTO pairings (device_id, discriminator, identity_key, user_id) VALUES (?, ?, ?, ?)",
        )
        .bind(&record.device_id)
        .bind(i64::from(record.discriminator))
        .bind(record.identity_key.as_slice())
        .bind(i64::from(record.user_id))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The record of `device_id`, if it has one.
    ///
    /// # Errors
    /// [`CoreError::Devices`], also for a row whose values are out of range.
    pub async fn get(&self, device_id: &str) -> Result<Option<PairingRecord>, CoreError> {
        let row = sqlx::query(
            "SELECT discriminator, identity_key, user_id FROM pairings WHERE device_id = ?",
        )
        .bind(device_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let out_of_range = |column: &str| {
            CoreError::Devices(sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: "value out of range".into(),
            })
        };
        let discriminator: i64 = row.try_get("discriminator")?;
        let identity_key: Vec<u8> = row.try_get("identity_key")?;
        let user_id: i64 = row.try_get("user_id")?;
        Ok(Some(PairingRecord {
            device_id: device_id.to_owned(),
            discriminator: u16::try_from(discriminator)
                .map_err(|_| out_of_range("discriminator"))?,
            identity_key: identity_key
                .try_into()
                .map_err(|_| out_of_range("identity_key"))?,
            user_id: u32::try_from(user_id).map_err(|_| out_of_range("user_id"))?,
        }))
    }

    /// The id of the device with `serial`, if the app knows one.
    ///
    /// # Errors
    /// [`CoreError::Devices`].
    pub async fn device_with_serial(&self, serial: &str) -> Result<Option<String>, CoreError> {
        let row = sqlx::query("SELECT id FROM devices WHERE serial = ?")
            .bind(serial)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("id")?),
            None => None,
        })
    }

    /// Forgets `device_id`: its `devices` row and (by cascade) its pairing. Forgetting
    /// an unknown id succeeds, so a retried "forget" cannot fail half-way.
    ///
    /// # Errors
    /// [`CoreError::Devices`].
    pub async fn forget_device(&self, device_id: &str) -> Result<(), CoreError> {
        sqlx::query("DELETE FROM devices WHERE id = ?")
            .bind(device_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;
    use crate::devices::DeviceSummary;

    fn plug(id: &str) -> DeviceSummary {
        DeviceSummary {
            id: id.into(),
            name: "Kitchen plug".into(),
            model: "PLUG".into(),
            serial: format!("SN-{id}"),
            firmware_version: "1.0.0".into(),
        }
    }

    #[tokio::test]
    async fn a_pairing_round_trips_and_goes_with_its_device() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(dir.path()).await.expect("database");
        let (devices, pairings) = (db.devices(), db.pairings());
        devices.add(&plug("a"), 1).await.expect("add");
        let record = PairingRecord {
            device_id: "a".into(),
            discriminator: 0xabc,
            identity_key: [7; 32],
            user_id: 3,
        };
        pairings.add(&record).await.expect("add pairing");
        assert_eq!(pairings.get("a").await.expect("get"), Some(record));
        assert_eq!(
            pairings.device_with_serial("SN-a").await.expect("serial"),
            Some("a".to_owned())
        );
        pairings.forget_device("a").await.expect("forget");
        assert_eq!(pairings.get("a").await.expect("get"), None);
        assert!(devices.list().await.expect("list").is_empty());
        pairings.forget_device("a").await.expect("forget twice");
    }

    #[tokio::test]
    async fn a_pairing_needs_its_device() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pairings = Database::open(dir.path())
            .await
            .expect("database")
            .pairings();
        let orphan = PairingRecord {
            device_id: "nobody".into(),
            discriminator: 1,
            identity_key: [0; 32],
            user_id: 1,
        };
        assert!(pairings.add(&orphan).await.is_err());
    }
}
