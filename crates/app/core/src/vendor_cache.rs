//! What the app last fetched from the vendor service (catalogue entries, security.txt), kept
//! in the app database (`<data>/hearth.db`) with the time it was fetched, so the app can still
//! show it when the service cannot be reached (EN 303 645 4.9-1: keep working offline).
//!
//! The bytes are stored exactly as received. This store does not judge them: the reader checks
//! them again (a catalogue entry's signature) before showing anything.

use sqlx::{Row, sqlite::SqlitePool};

use crate::CoreError;

/// One cached answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedBody {
    /// The response body as received.
    pub body: Vec<u8>,
    /// When it was fetched, in seconds since the Unix epoch (UTC).
    pub fetched_at: u64,
}

/// The `vendor_cache` table, keyed by (kind, key), e.g. (`catalogue-entry`, `hearth-plug-1`)
/// ([`crate::database::Database::vendor_cache`]).
#[derive(Debug, Clone)]
pub struct VendorCache {
    pool: SqlitePool,
}

impl VendorCache {
    pub(crate) fn on(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Keeps `body` as the latest answer for (`kind`, `key`), replacing any earlier one.
    ///
    /// # Errors
    /// [`CoreError::Devices`], also for a time beyond SQLite's integer range.
    pub async fn put(
        &self,
        kind: &str,
        key: &str,
        body: &[u8],
        fetched_at: u64,
    ) -> Result<(), CoreError> {
        let fetched_at = i64::try_from(fetched_at).map_err(|_| out_of_range("fetched_at"))?;
        sqlx::query(
            "INSERT INTO vendor_cache (kind, key, body, fetched_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
        )
        .bind(kind)
        .bind(key)
        .bind(body)
        .bind(fetched_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest answer for (`kind`, `key`), if one was ever stored.
    ///
    /// # Errors
    /// [`CoreError::Devices`], also for a row whose time is negative.
    pub async fn get(&self, kind: &str, key: &str) -> Result<Option<CachedBody>, CoreError> {
        let row =
            sqlx::query("SELECT body, fetched_at FROM vendor_cache WHERE kind = ? AND key = ?")
                .bind(kind)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let fetched_at: i64 = row.try_get("fetched_at")?;
        Ok(Some(CachedBody {
            body: row.try_get("body")?,
            fetched_at: u64::try_from(fetched_at).map_err(|_| out_of_range("fetched_at"))?,
        }))
    }
}

fn out_of_range(column: &str) -> CoreError {
    CoreError::Devices(sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: "value out of range".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;

    #[tokio::test]
    async fn the_latest_answer_is_kept_across_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(dir.path()).await.expect("open");
        let cache = db.vendor_cache();
        assert_eq!(cache.get("catalogue-entry", "p").await.expect("get"), None);
        cache
            .put("catalogue-entry", "p", b"one", 10)
            .await
            .expect("put");
        cache
            .put("catalogue-entry", "p", b"two", 20)
            .await
            .expect("put");
        cache
            .put("security-txt", "p", b"other", 5)
            .await
            .expect("put");
        db.close().await;
        let cache = Database::open(dir.path())
            .await
            .expect("reopen")
            .vendor_cache();
        assert_eq!(
            cache.get("catalogue-entry", "p").await.expect("get"),
            Some(CachedBody {
                body: b"two".to_vec(),
                fetched_at: 20
            })
        );
    }

    #[tokio::test]
    async fn it_shares_the_database_with_the_device_list() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(dir.path()).await.expect("database");
        let (devices, cache) = (db.devices(), db.vendor_cache());
        cache.put("k", "v", b"x", 1).await.expect("put");
        assert!(devices.list().await.expect("list").is_empty());
        assert!(cache.put("k", "v", b"x", u64::MAX).await.is_err());
    }
}
