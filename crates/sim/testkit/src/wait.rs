//! Waits with a timeout: the only way the world (and its tests) wait for anything.

use std::future::Future;
use std::time::Duration;

use crate::{Error, fail};

/// The longest any single awaited step may take (generous: CI shares two cores with builds).
pub const STEP: Duration = Duration::from_secs(60);

/// Awaits `fut`, failing with `what` after [`STEP`].
///
/// # Errors
/// A timeout, naming `what`.
pub async fn try_within<T>(what: &str, fut: impl Future<Output = T>) -> Result<T, Error> {
    tokio::time::timeout(STEP, fut).await.map_err(|_| {
        fail(format!(
            "timed out after {} s waiting for {what}",
            STEP.as_secs()
        ))
    })
}

/// Awaits `fut` in a test, panicking with `what` after [`STEP`].
///
/// # Panics
/// On the timeout: the test fails there, naming what it waited for.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match try_within(what, fut).await {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// How long [`crate::World`] gives its runtime's leftover tasks (bluez-async's clean-up) when
/// it goes down; they are not waited for beyond this.
pub(crate) const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(1);
