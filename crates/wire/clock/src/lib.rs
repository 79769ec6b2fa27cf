//! The one clock every Hearth party reads — the app, the device, the vendor service — as whole
//! seconds since the Unix epoch (UTC). Business logic takes a [`Clock`] instead of reading the
//! system time, so expiry, lockout, backoff and "last checked" are tested without sleeping.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Source of the current time in whole seconds since the Unix epoch (UTC).
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now.
    fn now_unix(&self) -> u64;

    /// Now, for stores and formats that count time in signed seconds (SQL, `time`).
    fn now_unix_i64(&self) -> i64 {
        i64::try_from(self.now_unix()).unwrap_or(i64::MAX)
    }
}

/// The system clock. A clock before 1970 reads as the epoch: lockout delays are then charged
/// in full (never shortened) and certificates look not yet valid.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that moves only when told (tests, simulations). Clones share one reading, so a
/// test keeps a handle to the clock it gave away.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock showing `now`.
    #[must_use]
    pub fn new(now: u64) -> Self {
        Self(Arc::new(AtomicU64::new(now)))
    }

    /// Shows `now` from here on.
    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// Moves the clock on by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_unix(&self) -> u64 {
        (**self).now_unix()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now_unix(&self) -> u64 {
        (**self).now_unix()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualClock::new(1_000);
        let handle = clock.clone();
        assert_eq!(clock.now_unix(), 1_000);
        handle.advance(30);
        assert_eq!(clock.now_unix(), 1_030);
        handle.set(5);
        assert_eq!(clock.now_unix_i64(), 5);
    }

    #[test]
    fn the_system_clock_is_after_this_code_was_written() {
        // 2026-01-01T00:00:00Z
        assert!(SystemClock.now_unix() > 1_767_225_600);
    }
}
