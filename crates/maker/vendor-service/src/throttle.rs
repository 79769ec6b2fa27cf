//! Per-client rate limits and quotas, in memory, on the injected clock (EN 303 645 4.6-1
//! attack surface, 4.9-1 resilience; 4.1 for the admin token).
//!
//! [`Buckets`] is a token bucket per client (see [`crate::client`]): `burst` tokens, refilled
//! at `per_hour`. [`PeriodQuota`] counts what a client made the service store in one pseudonym
//! period. Both keep at most `tracked_clients` entries: when full, entries that carry no state
//! (a full bucket, an old period) are dropped, and if none can be, further new clients share
//! one overflow entry — memory stays bounded, and a flood of addresses throttles itself
//! instead of pushing known clients out.
//!
//! Why not `tower_governor` (0.8, axum 0.8): it reads governor's own clock, so refills and
//! lock-outs could only be tested by sleeping; it charges every request, while the admin limit
//! must charge wrong tokens only (and then refuse the right one too); and it has no per-period
//! quota. The state is per instance: behind a load balancer each instance grants its own share.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::client::ClientKey;

/// Tokens are counted in thousandths so slow refills (a few per hour) need no fractions.
const MILLI: u64 = 1000;
const SECONDS_PER_HOUR: u64 = 3600;

/// One bucket's size and refill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Requests a client may make at once.
    pub burst: u32,
    /// Requests per hour the bucket refills by.
    pub per_hour: u32,
}

impl Rate {
    fn full(self) -> u64 {
        u64::from(self.burst) * MILLI
    }

    fn refill(self, seconds: u64) -> u64 {
        seconds
            .saturating_mul(u64::from(self.per_hour))
            .saturating_mul(MILLI)
            / SECONDS_PER_HOUR
    }

    /// Seconds until a bucket holding `tokens` has one whole token.
    fn wait(self, tokens: u64) -> u64 {
        let missing = MILLI.saturating_sub(tokens);
        let per_hour = u64::from(self.per_hour).max(1);
        (missing * SECONDS_PER_HOUR)
            .div_ceil(per_hour * MILLI)
            .max(1)
    }
}

/// A refused request: come back after this many seconds (`Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u64,
    at: i64,
}

/// One token bucket per client.
#[derive(Debug)]
pub struct Buckets {
    rate: Rate,
    capacity: usize,
    state: Mutex<Table<Bucket>>,
}

#[derive(Debug)]
struct Table<T> {
    entries: HashMap<ClientKey, T>,
    overflow: Option<T>,
}

impl Buckets {
    pub fn new(rate: Rate, tracked_clients: usize) -> Self {
        Self {
            rate,
            capacity: tracked_clients.max(1),
            state: Mutex::new(Table {
                entries: HashMap::new(),
                overflow: None,
            }),
        }
    }

    /// Takes one token, or says when one will be there.
    pub fn take(&self, client: ClientKey, now: i64) -> Result<(), RetryAfter> {
        self.with(client, now, |rate, bucket| {
            if bucket.tokens >= MILLI {
                bucket.tokens -= MILLI;
                Ok(())
            } else {
                Err(RetryAfter(rate.wait(bucket.tokens)))
            }
        })
    }

    /// Whether a token is there, taking none.
    pub fn check(&self, client: ClientKey, now: i64) -> Result<(), RetryAfter> {
        self.with(client, now, |rate, bucket| {
            if bucket.tokens >= MILLI {
                Ok(())
            } else {
                Err(RetryAfter(rate.wait(bucket.tokens)))
            }
        })
    }

    /// Takes a token if there is one (charges a failure after [`Buckets::check`] let it in).
    pub fn charge(&self, client: ClientKey, now: i64) {
        let _ = self.take(client, now);
    }

    fn with<R>(&self, client: ClientKey, now: i64, f: impl FnOnce(Rate, &mut Bucket) -> R) -> R {
        let rate = self.rate;
        let fresh = Bucket {
            tokens: rate.full(),
            at: now,
        };
        let mut table = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !table.entries.contains_key(&client) && table.entries.len() >= self.capacity {
            // Forget clients whose bucket has refilled: they carry no state.
            table
                .entries
                .retain(|_, b| refilled(rate, *b, now) < rate.full());
        }
        let bucket = if table.entries.len() < self.capacity || table.entries.contains_key(&client) {
            table.entries.entry(client).or_insert(fresh)
        } else {
            table.overflow.get_or_insert(fresh)
        };
        bucket.tokens = refilled(rate, *bucket, now);
        bucket.at = bucket.at.max(now);
        f(rate, bucket)
    }
}

/// The bucket's tokens at `now`; a clock that went back refills nothing.
fn refilled(rate: Rate, bucket: Bucket, now: i64) -> u64 {
    let elapsed = u64::try_from(now.saturating_sub(bucket.at)).unwrap_or(0);
    bucket
        .tokens
        .saturating_add(rate.refill(elapsed))
        .min(rate.full())
}

/// How many things each client made the service store in the current period.
#[derive(Debug)]
pub struct PeriodQuota {
    limit: u32,
    capacity: usize,
    state: Mutex<Table<(i64, u32)>>,
}

impl PeriodQuota {
    pub fn new(limit: u32, tracked_clients: usize) -> Self {
        Self {
            limit,
            capacity: tracked_clients.max(1),
            state: Mutex::new(Table {
                entries: HashMap::new(),
                overflow: None,
            }),
        }
    }

    /// Reserves one of the client's `limit` for `period`; false if none is left.
    pub fn reserve(&self, client: ClientKey, period: i64) -> bool {
        self.with(client, period, |count| {
            if *count < self.limit {
                *count += 1;
                true
            } else {
                false
            }
        })
    }

    /// Gives back a reservation that stored nothing new.
    pub fn release(&self, client: ClientKey, period: i64) {
        self.with(client, period, |count| *count = count.saturating_sub(1));
    }

    fn with<R>(&self, client: ClientKey, period: i64, f: impl FnOnce(&mut u32) -> R) -> R {
        let mut table = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !table.entries.contains_key(&client) && table.entries.len() >= self.capacity {
            table.entries.retain(|_, (p, _)| *p >= period);
        }
        let entry = if table.entries.len() < self.capacity || table.entries.contains_key(&client) {
            table.entries.entry(client).or_insert((period, 0))
        } else {
            table.overflow.get_or_insert((period, 0))
        };
        if entry.0 != period {
            *entry = (period, 0);
        }
        f(&mut entry.1)
    }
}

/// Every limiter of one instance.
#[derive(Debug)]
pub struct Throttle {
    /// Catalogue, health, security.txt and the pages it names; also unknown routes.
    pub reads: Buckets,
    pub pseudonyms: Buckets,
    pub telemetry: Buckets,
    /// Charged by wrong admin tokens only; while empty, the right token is refused too.
    pub admin_failures: Buckets,
    /// New pseudonyms (stored rows) per client per pseudonym period.
    pub new_pseudonyms: PeriodQuota,
}

impl Throttle {
    pub fn new(rates: &RateLimits, new_pseudonyms_per_client: u32) -> Self {
        let n = rates.tracked_clients;
        Self {
            reads: Buckets::new(rates.reads, n),
            pseudonyms: Buckets::new(rates.pseudonyms, n),
            telemetry: Buckets::new(rates.telemetry, n),
            admin_failures: Buckets::new(rates.admin_failures, n),
            new_pseudonyms: PeriodQuota::new(new_pseudonyms_per_client, n),
        }
    }
}

/// The `[limits.rates]` section: one bucket per route class and client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimits {
    pub reads: Rate,
    pub pseudonyms: Rate,
    pub telemetry: Rate,
    pub admin_failures: Rate,
    /// Clients each table remembers (a few dozen bytes each) before new ones share a bucket.
    pub tracked_clients: usize,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            reads: Rate {
                burst: 300,
                per_hour: 36_000,
            },
            pseudonyms: Rate {
                burst: 30,
                per_hour: 120,
            },
            telemetry: Rate {
                burst: 120,
                per_hour: 3_600,
            },
            admin_failures: Rate {
                burst: 5,
                per_hour: 12,
            },
            tracked_clients: 100_000,
        }
    }
}

impl RateLimits {
    pub(crate) fn validate(&self) -> Result<(), String> {
        let rates = [
            self.reads,
            self.pseudonyms,
            self.telemetry,
            self.admin_failures,
        ];
        if rates.iter().any(|r| r.burst == 0 || r.per_hour == 0) || self.tracked_clients == 0 {
            return Err(
                "limits.rates: every burst, per_hour and tracked_clients must be positive".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientKey {
        ClientKey::of(std::net::IpAddr::from([192, 0, 2, n]))
    }

    #[test]
    fn a_bucket_gives_its_burst_then_refills_with_the_clock() {
        let b = Buckets::new(
            Rate {
                burst: 3,
                per_hour: 60,
            },
            10,
        );
        for _ in 0..3 {
            b.take(client(1), 0).expect("within the burst");
        }
        assert_eq!(b.take(client(1), 0), Err(RetryAfter(60)));
        assert_eq!(b.take(client(1), 30), Err(RetryAfter(30)));
        b.take(client(1), 60).expect("one token after a minute");
        b.take(client(2), 60)
            .expect("another client has its own bucket");
        // A clock that goes back gives nothing.
        assert!(b.take(client(1), 0).is_err());
    }

    #[test]
    fn check_does_not_take_and_charge_does() {
        let b = Buckets::new(
            Rate {
                burst: 2,
                per_hour: 1,
            },
            10,
        );
        b.check(client(1), 0).expect("open");
        b.check(client(1), 0)
            .expect("still open: check takes nothing");
        b.charge(client(1), 0);
        b.charge(client(1), 0);
        assert_eq!(b.check(client(1), 0), Err(RetryAfter(3600)));
        b.charge(client(1), 0);
        b.check(client(1), 3600).expect("refilled after an hour");
    }

    #[test]
    fn a_full_table_forgets_idle_clients_then_shares_an_overflow_bucket() {
        let b = Buckets::new(
            Rate {
                burst: 1,
                per_hour: 3600,
            },
            2,
        );
        b.take(client(1), 0).expect("first");
        b.take(client(2), 0).expect("second");
        // Both are empty: the third client shares the overflow bucket with the fourth.
        b.take(client(3), 0).expect("overflow's token");
        assert!(b.take(client(4), 0).is_err(), "the overflow is shared");
        // A second later both buckets are full again and forgotten: room for new clients.
        b.take(client(5), 1).expect("room again");
        b.take(client(6), 1).expect("room again");
        assert!(b.state.lock().expect("lock").entries.len() <= 2);
    }

    #[test]
    fn a_quota_counts_per_period_and_gives_back() {
        let q = PeriodQuota::new(2, 10);
        assert!(q.reserve(client(1), 5));
        assert!(q.reserve(client(1), 5));
        assert!(!q.reserve(client(1), 5));
        q.release(client(1), 5);
        assert!(q.reserve(client(1), 5));
        assert!(q.reserve(client(1), 6), "a new period starts at zero");
        assert!(q.reserve(client(2), 5), "another client has its own count");
    }
}
