//! Storage through sqlx's `Any` driver: SQLite by default, PostgreSQL for several instances.
//!
//! One set of migrations (`migrations/`, embedded with `sqlx::migrate!`) in SQL that both
//! databases accept, and one set of queries with `$n` parameters (which SQLite also accepts), so
//! the two back ends cannot drift apart. Every piece of shared state lives here, none in memory.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor as _, Row as _};
use zeroize::Zeroizing;

use crate::error::StartError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
}

pub use crate::intake::StoredValue;

/// Outcome of [`Database::insert_report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The idempotency key was used before; nothing new was stored. Holds the first report id.
    Duplicate(String),
}

/// Outcome of [`Database::record_pseudonym`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// Issued before; nothing stored.
    Existing,
    /// The table holds its maximum; nothing stored.
    Full,
}

/// Per-device total of one signal field over a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalTotal {
    pub model: String,
    pub pseudonym: String,
    pub total: i64,
    pub reports: i64,
    pub first_seen: i64,
    pub last_seen: i64,
}

impl Database {
    /// Connects and applies pending migrations (PostgreSQL serialises concurrent migrators with
    /// an advisory lock, so instances may start together).
    ///
    /// # Errors
    /// [`StartError::Database`] if unreachable, [`StartError::Migration`] if the schema cannot
    /// be brought up to date.
    pub async fn open(url: &str) -> Result<Self, StartError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StartError::Config {
                path: "--database".into(),
                message: "database URL must start with postgres:// or sqlite:".into(),
            });
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Deleted rows (erased period keys) are overwritten, not left in free
                        // pages of the file.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|source| StartError::Database {
                url: redact_url(url),
                source,
            })?;
        if backend == Backend::Sqlite {
            // WAL: readers do not wait for the writer. The setting stays with the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|source| StartError::Database {
                    url: redact_url(url),
                    source,
                })?;
        }
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Cheap liveness check for `/health`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The wrapped HMAC key of `period` ([`crate::period_key`]), stored as `candidate` if none
    /// exists yet. Concurrent callers on several instances all end up with the first one
    /// written.
    pub async fn period_key(
        &self,
        period: i64,
        candidate: &str,
        now: i64,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO period_keys (period, wrapped_hex, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (period) DO NOTHING",
        )
        .bind(period)
        .bind(candidate)
        .bind(now)
        .execute(&self.pool)
        .await?;
        sqlx::query("SELECT wrapped_hex FROM period_keys WHERE period = $1")
            .bind(period)
            .fetch_one(&self.pool)
            .await?
            .try_get("wrapped_hex")
    }

    /// Every wrapped period key, to check at start that the wrapping key opens them.
    pub async fn wrapped_period_keys(&self) -> Result<Vec<(i64, String)>, sqlx::Error> {
        sqlx::query("SELECT period, wrapped_hex FROM period_keys")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("period")?, r.try_get("wrapped_hex")?)))
            .collect()
    }

    /// Plaintext period keys left by a version that did not wrap them.
    pub async fn plaintext_period_keys(
        &self,
    ) -> Result<Vec<(i64, Zeroizing<[u8; 32]>, i64)>, sqlx::Error> {
        let rows = sqlx::query("SELECT period, key_hex, created_at FROM pseudonym_keys")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let key_hex = Zeroizing::new(r.try_get::<String, _>("key_hex")?);
                let mut key = Zeroizing::new([0u8; 32]);
                hex::decode_to_slice(key_hex.as_bytes(), key.as_mut())
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                Ok((r.try_get("period")?, key, r.try_get("created_at")?))
            })
            .collect()
    }

    /// Stores a plaintext key's wrapped form and deletes the plaintext, in one transaction.
    pub async fn replace_plaintext_period_key(
        &self,
        period: i64,
        wrapped: &str,
        created_at: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO period_keys (period, wrapped_hex, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (period) DO NOTHING",
        )
        .bind(period)
        .bind(wrapped)
        .bind(created_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM pseudonym_keys WHERE period = $1")
            .bind(period)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.checkpoint().await
    }

    /// Deletes the keys of periods before `period`: afterwards nobody, the vendor included, can
    /// recompute which device an old pseudonym stood for.
    pub async fn erase_keys_before(&self, period: i64) -> Result<u64, sqlx::Error> {
        let erased = sqlx::query("DELETE FROM period_keys WHERE period < $1")
            .bind(period)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if erased > 0 {
            self.checkpoint().await?;
        }
        Ok(erased)
    }

    /// On SQLite, copies the WAL into the database file and empties it, so erased keys do not
    /// linger in old WAL frames (`secure_delete` has zeroed them in the file itself).
    async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Stores an issued pseudonym unless it is stored already or the table holds `max` rows
    /// (one statement, so concurrent instances cannot overshoot by more than their number).
    pub async fn record_pseudonym(
        &self,
        pseudonym: &str,
        model: &str,
        period: i64,
        valid_until: i64,
        max: i64,
    ) -> Result<Recorded, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO pseudonyms (pseudonym, model, period, valid_until) \
             SELECT $1, $2, $3, $4 WHERE (SELECT COUNT(*) FROM pseudonyms) < $5 \
             ON CONFLICT (pseudonym) DO NOTHING",
        )
        .bind(pseudonym)
        .bind(model)
        .bind(period)
        .bind(valid_until)
        .bind(max)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted > 0 {
            return Ok(Recorded::New);
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM pseudonyms WHERE pseudonym = $1")
            .bind(pseudonym)
            .fetch_one(&self.pool)
            .await?;
        Ok(if row.try_get::<i64, _>("n")? > 0 {
            Recorded::Existing
        } else {
            Recorded::Full
        })
    }

    /// Whether `pseudonym` was issued for `model` and is still valid at `now`.
    pub async fn pseudonym_valid(
        &self,
        pseudonym: &str,
        model: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM pseudonyms \
             WHERE pseudonym = $1 AND model = $2 AND valid_until >= $3",
        )
        .bind(pseudonym)
        .bind(model)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Deletes expired pseudonyms and every telemetry value past its manifest retention.
    pub async fn purge_expired(&self, now: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM pseudonyms WHERE valid_until < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM telemetry_values WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM telemetry_reports WHERE NOT EXISTS \
             (SELECT 1 FROM telemetry_values v WHERE v.report_id = telemetry_reports.id)",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Stores one report atomically: all its values or nothing. With an idempotency key that
    /// was seen before, stores nothing and returns the first report's id instead.
    pub async fn insert_report(
        &self,
        id: &str,
        idempotency_key: Option<&str>,
        model: &str,
        pseudonym: &str,
        received_at: i64,
        values: &[StoredValue],
    ) -> Result<Stored, sqlx::Error> {
        if let Some(existing) = self.report_with_key(idempotency_key).await? {
            return Ok(Stored::Duplicate(existing));
        }
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO telemetry_reports (id, model, pseudonym, received_at, idempotency_key) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(id)
        .bind(model)
        .bind(pseudonym)
        .bind(received_at)
        .bind(idempotency_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Another request with the same key won the race since the check above.
            tx.rollback().await?;
            return match self.report_with_key(idempotency_key).await? {
                Some(existing) => Ok(Stored::Duplicate(existing)),
                None => Err(sqlx::Error::RowNotFound),
            };
        }
        for v in values {
            sqlx::query(
                "INSERT INTO telemetry_values (report_id, name, int_value, text_value, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&v.name)
            .bind(v.int_value)
            .bind(v.text_value.as_deref())
            .bind(v.expires_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Stored::New)
    }

    async fn report_with_key(&self, key: Option<&str>) -> Result<Option<String>, sqlx::Error> {
        let Some(key) = key else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT id FROM telemetry_reports WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get("id")).transpose()
    }

    /// Per-device sums of `field` for `model` over `[since, until]`, where the sum reaches
    /// `threshold`.
    pub async fn signal_totals(
        &self,
        model: &str,
        field: &str,
        since: i64,
        until: i64,
        threshold: i64,
    ) -> Result<Vec<SignalTotal>, sqlx::Error> {
        // CAST: PostgreSQL's SUM(BIGINT) is NUMERIC, which the Any driver cannot decode.
        let rows = sqlx::query(
            "SELECT r.model AS model, r.pseudonym AS pseudonym, \
                    CAST(SUM(v.int_value) AS BIGINT) AS total, \
                    CAST(COUNT(*) AS BIGINT) AS reports, \
                    MIN(r.received_at) AS first_seen, MAX(r.received_at) AS last_seen \
             FROM telemetry_reports r JOIN telemetry_values v ON v.report_id = r.id \
             WHERE r.model = $1 AND v.name = $2 AND r.received_at >= $3 AND r.received_at <= $4 \
             GROUP BY r.model, r.pseudonym \
             HAVING CAST(SUM(v.int_value) AS BIGINT) >= $5 \
             ORDER BY r.pseudonym",
        )
        .bind(model)
        .bind(field)
        .bind(since)
        .bind(until)
        .bind(threshold)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(signal_total).collect()
    }
}

fn signal_total(row: &AnyRow) -> Result<SignalTotal, sqlx::Error> {
    Ok(SignalTotal {
        model: row.try_get("model")?,
        pseudonym: row.try_get("pseudonym")?,
        total: row.try_get("total")?,
        reports: row.try_get("reports")?,
        first_seen: row.try_get("first_seen")?,
        last_seen: row.try_get("last_seen")?,
    })
}

/// The URL without its password, for error messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:<redacted>{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@127.0.0.1:5432/db"),
            "postgres://u:<redacted>@127.0.0.1:5432/db"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
