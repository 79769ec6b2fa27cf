//! Capped exponential backoff with full jitter (EN 303 645 4.9 resilience; AWS Architecture
//! Blog, "Exponential Backoff and Jitter"): before retry `n` (0-based) wait a uniformly random
//! time in `[0, min(cap, base * 2^n)]`, so clients returning after an outage spread out instead
//! of arriving together.
//!
//! The random source and the sleep are injected, so the schedule is tested without waiting.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; at least 1.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Upper bound of the wait before retry `retry` (0-based): `min(cap, base * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// Full jitter: a uniform draw in `[0, ceiling(retry)]` from `random`.
    pub fn delay(&self, retry: u32, random: &mut dyn JitterSource) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_nanos()).unwrap_or(u64::MAX);
        // Modulo bias is below 2^-30 for ceilings under a second-scale range; irrelevant here.
        let nanos = random.next_u64() % ceiling.saturating_add(1);
        Duration::from_nanos(nanos)
    }
}

/// Source of uniformly random 64-bit values.
pub trait JitterSource: Send {
    fn next_u64(&mut self) -> u64;
}

/// The operating system's random generator.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsJitter;

impl JitterSource for OsJitter {
    fn next_u64(&mut self) -> u64 {
        // On failure (no entropy source), no jitter is better than no retry.
        getrandom::u64().unwrap_or(0)
    }
}

/// Something that waits; the tokio timer in production, a recorder in tests.
pub trait Sleeper: Send + Sync + std::fmt::Debug {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Fixed(u64);
    impl JitterSource for Fixed {
        fn next_u64(&mut self) -> u64 {
            self.0
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        let ceilings: Vec<_> = (0..7).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, vec![100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn extremes_of_the_draw_give_zero_and_the_ceiling() {
        let p = policy();
        assert_eq!(p.delay(3, &mut Fixed(0)), Duration::ZERO);
        let ceiling = u64::try_from(p.ceiling(3).as_nanos()).expect("fits");
        assert_eq!(p.delay(3, &mut Fixed(ceiling)), p.ceiling(3));
    }

    /// SplitMix64: a deterministic, well-spread sequence for tests.
    struct SplitMix(u64);
    impl JitterSource for SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn a_fleet_spreads_out() {
        // 1000 clients retrying at once: few share a 10 ms slot of the 800 ms window (without
        // jitter all 1000 would land in the same one).
        let p = policy();
        let mut slots = [0u32; 81];
        let mut rng = SplitMix(42);
        for _ in 0..1000 {
            let d = p.delay(3, &mut rng).as_millis() / 10;
            if let Some(slot) = slots.get_mut(usize::try_from(d).unwrap_or(usize::MAX)) {
                *slot += 1;
            }
        }
        let busiest = slots.iter().copied().max().unwrap_or(0);
        assert!(
            busiest < 50,
            "busiest 10 ms slot has {busiest} of 1000 clients"
        );
    }

    proptest! {
        #[test]
        fn delay_never_exceeds_the_ceiling(retry in 0u32..64, draw in any::<u64>()) {
            let p = policy();
            prop_assert!(p.delay(retry, &mut Fixed(draw)) <= p.ceiling(retry));
        }
    }
}
