//! The app database, `<data>/hearth.db` (SQLite, WAL): one place that opens it and brings
//! it up to date, for every store that keeps a table in it.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::CoreError;

/// Opens (creating if needed) `hearth.db` in `data_dir` with at most `max_connections`
/// connections, and runs the embedded migrations.
///
/// # Errors
/// [`CoreError::Devices`] or [`CoreError::Migrate`].
pub(crate) async fn open(data_dir: &Path, max_connections: u32) -> Result<SqlitePool, CoreError> {
    let options = SqliteConnectOptions::new()
        .filename(data_dir.join("hearth.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
