//! When the device accepts a pairing attempt: the pairing window and brute-force protection.
//!
//! ETSI EN 303 645 4.1-1 / v2.1.1 5.1-5 ("the device shall have a mechanism to
//! make brute-force attacks on authentication mechanisms via network
//! interfaces impracticable"):
//! - the window opens at power-up or on a button press (only while unpaired)
//!   and closes [`WINDOW_SECS`] later or as soon as an owner is provisioned;
//! - the first [`FREE_FAILURES`] failures cost nothing, then each failure
//!   doubles the wait before the next attempt (1 s, 2 s, 4 s … capped at
//!   [`MAX_DELAY_SECS`]);
//! - after [`MAX_FAILURES`] failures the device refuses all pairing until a
//!   button press, i.e. until someone is physically present.
//!
//! The counters ([`BruteForceRecord`]) are part of the persisted state, and the
//! device core stores them *before* it answers, so power-cycling gives an
//! attacker nothing. The window itself is volatile: power-up reopens it anyway.
//!
//! Time is seconds since a fixed epoch supplied by the caller (the device's
//! real-time clock); nothing here sleeps or reads a clock.

use serde::{Deserialize, Serialize};

/// How long the pairing window stays open, in seconds (15 minutes).
pub const WINDOW_SECS: u64 = 15 * 60;
/// Failures allowed without any delay (typos happen).
pub const FREE_FAILURES: u32 = 2;
/// Failures after which pairing is refused until a button press.
pub const MAX_FAILURES: u32 = 20;
/// Upper bound of the growing delay between attempts, in seconds.
///
/// Chosen so that [`MAX_FAILURES`] attempts fit in one window (about 12 minutes of
/// waiting): a remote attacker reaches the hard lockout, after which only
/// someone at the device can continue.
pub const MAX_DELAY_SECS: u64 = 60;

/// Persisted brute-force counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BruteForceRecord {
    /// Failed (or abandoned) pairing attempts since the last success or button press.
    pub failures: u32,
    /// When the last failure was counted (seconds since the epoch).
    pub last_failure_at: Option<u64>,
}

/// Delay that must pass after the `failures`-th failure before the next attempt.
#[must_use]
pub fn delay_after(failures: u32) -> u64 {
    if failures <= FREE_FAILURES {
        return 0;
    }
    let exponent = failures - FREE_FAILURES - 1;
    if exponent >= 63 {
        return MAX_DELAY_SECS;
    }
    (1u64 << exponent).min(MAX_DELAY_SECS)
}

impl BruteForceRecord {
    /// Attempts left before the button-press lockout.
    #[must_use]
    pub fn attempts_left(&self) -> u32 {
        MAX_FAILURES.saturating_sub(self.failures)
    }

    /// Whether the device refuses pairing until a button press.
    #[must_use]
    pub fn locked_until_button(&self) -> bool {
        self.failures >= MAX_FAILURES
    }

    /// Seconds to wait before the next attempt is accepted (0 = now).
    ///
    /// If the clock reads earlier than the last failure (the real-time clock
    /// was reset), the full delay is charged from `now`: never shorter.
    #[must_use]
    pub fn wait_secs(&self, now: u64) -> u64 {
        let Some(last) = self.last_failure_at else {
            return 0;
        };
        let delay = delay_after(self.failures);
        if now < last {
            return delay;
        }
        last.saturating_add(delay).saturating_sub(now)
    }

    /// Counts one failure at `now`.
    pub fn record_failure(&mut self, now: u64) {
        self.failures = self.failures.saturating_add(1);
        self.last_failure_at = Some(now);
    }

    /// Clears the counters (after a successful pairing or a button press).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Why a pairing attempt is not accepted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairingRefusal {
    /// The device already has an owner; pairing again needs a factory reset.
    #[error("the device is already paired")]
    AlreadyPaired,
    /// The window is closed (15 minutes passed); press the button to reopen it.
    #[error("the pairing window is closed; press the button on the device")]
    WindowClosed,
    /// Too many failures: locked until someone presses the button.
    #[error("too many failed attempts; press the button on the device")]
    LockedOut,
    /// Too soon after the last failure.
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    TooSoon {
        /// Seconds until the next attempt is accepted.
        retry_after_secs: u64,
    },
}

impl PairingRefusal {
    /// Stable machine code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyPaired => "pairing_already_paired",
            Self::WindowClosed => "pairing_window_closed",
            Self::LockedOut => "pairing_locked_out",
            Self::TooSoon { .. } => "pairing_too_soon",
        }
    }
}

/// The volatile pairing window: when it was last opened, if at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairingWindow {
    opened_at: Option<u64>,
}

impl PairingWindow {
    /// Opens (or re-opens) the window at `now`.
    pub fn open(&mut self, now: u64) {
        self.opened_at = Some(now);
    }

    /// Closes the window (an owner was provisioned).
    pub fn close(&mut self) {
        self.opened_at = None;
    }

    /// Whether the window is open at `now`.
    #[must_use]
    pub fn is_open(&self, now: u64) -> bool {
        // A clock reading before the opening (RTC reset) counts as closed: failing
        // safe costs the user one button press.
        self.opened_at
            .is_some_and(|opened| now >= opened && now - opened < WINDOW_SECS)
    }

    /// Decides whether a pairing attempt may start at `now`.
    ///
    /// # Errors
    /// A [`PairingRefusal`] saying why not; lockout is reported before the
    /// window state so the user learns a button press is needed.
    pub fn admit(
        &self,
        paired: bool,
        record: &BruteForceRecord,
        now: u64,
    ) -> Result<(), PairingRefusal> {
        if paired {
            return Err(PairingRefusal::AlreadyPaired);
        }
        if record.locked_until_button() {
            return Err(PairingRefusal::LockedOut);
        }
        if !self.is_open(now) {
            return Err(PairingRefusal::WindowClosed);
        }
        match record.wait_secs(now) {
            0 => Ok(()),
            retry_after_secs => Err(PairingRefusal::TooSoon { retry_after_secs }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_free_then_double_then_cap() {
        let delays: Vec<u64> = (0..=14).map(delay_after).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]
        );
        assert_eq!(delay_after(u32::MAX), MAX_DELAY_SECS);
    }

    #[test]
    fn window_closes_after_fifteen_minutes() {
        let mut window = PairingWindow::default();
        let record = BruteForceRecord::default();
        assert_eq!(
            window.admit(false, &record, 0),
            Err(PairingRefusal::WindowClosed)
        );
        window.open(1000);
        assert_eq!(window.admit(false, &record, 1000 + WINDOW_SECS - 1), Ok(()));
        assert_eq!(
            window.admit(false, &record, 1000 + WINDOW_SECS),
            Err(PairingRefusal::WindowClosed)
        );
    }

    #[test]
    fn twenty_failures_lock_until_cleared() {
        let mut window = PairingWindow::default();
        window.open(0);
        let mut record = BruteForceRecord::default();
        let mut now = 0;
        for _ in 0..MAX_FAILURES {
            now += record.wait_secs(now);
            assert_eq!(window.admit(false, &record, now), Ok(()));
            record.record_failure(now);
        }
        assert_eq!(record.attempts_left(), 0);
        assert!(now < WINDOW_SECS, "all attempts fit in one window");
        assert_eq!(
            window.admit(false, &record, now + 10_000),
            Err(PairingRefusal::LockedOut)
        );
        record.clear();
        window.open(now + 10_000);
        assert_eq!(window.admit(false, &record, now + 10_000), Ok(()));
    }

    #[test]
    fn clock_reset_does_not_shorten_the_delay() {
        let mut record = BruteForceRecord::default();
        for _ in 0..5 {
            record.record_failure(5_000);
        }
        assert_eq!(record.wait_secs(5_000), 4);
        assert_eq!(record.wait_secs(10), 4);
    }
}
