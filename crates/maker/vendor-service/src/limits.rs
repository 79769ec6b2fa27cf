//! The `[limits]` section of the config: how long a connection or a request may take and how
//! many connections clients may hold (EN 303 645 4.9-1 resilience, 4.6-1 attack surface).
//!
//! Every state a connection can be in has a bound, so a client that stalls on purpose is let
//! go within seconds:
//!
//! | state | bound |
//! |---|---|
//! | TCP accepted, TLS handshake not finished | `tls_handshake_ms` |
//! | no request in flight (before the first one, between requests, a request head still arriving, a response the client does not read) | `idle_ms` |
//! | the first request head arriving after the handshake (HTTP/1.1 or HTTP/2), and every HTTP/1.1 request head (on a kept-alive connection this starts right after the previous response) | `header_read_ms` |
//! | a request body arriving | `body_read_ms` (answered 408) |
//! | a request, body and handler | `request_ms` (answered 503) |
//!
//! Requests are also limited per client and route class ([`crate::throttle`]), and so is what
//! an anonymous client can make the service store (`max_pseudonyms`,
//! `new_pseudonyms_per_client`).
//!
//! A body larger than [`crate::routes::MAX_BODY`] is refused with 413 as soon as its
//! `Content-Length` is read, before any `100 Continue`. Missing from an older config, the
//! section takes the defaults below.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::throttle::RateLimits;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// From TCP accept to a finished TLS handshake.
    pub tls_handshake_ms: u64,
    /// For the first request head after the handshake, and every HTTP/1.1 one, to arrive.
    pub header_read_ms: u64,
    /// For a request body to arrive in full.
    pub body_read_ms: u64,
    /// How long a connection may have no request in flight.
    pub idle_ms: u64,
    /// For a request to be answered, its body included.
    pub request_ms: u64,
    /// Connections held at once, all clients together.
    pub max_connections: usize,
    /// Connections held at once by one client (an IPv4 address or an IPv6 /64).
    pub max_connections_per_client: usize,
    /// Pseudonyms the database may hold at once, all clients together; past it new ones are
    /// refused (503 `telemetry.capacity`) until old periods expire.
    pub max_pseudonyms: i64,
    /// New pseudonyms one client may have issued per pseudonym period (429
    /// `telemetry.pseudonym_quota`); asking again for one already issued is always answered.
    pub new_pseudonyms_per_client: u32,
    /// Requests per client and route class.
    pub rates: RateLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            tls_handshake_ms: 10_000,
            header_read_ms: 10_000,
            body_read_ms: 10_000,
            idle_ms: 30_000,
            request_ms: 30_000,
            max_connections: 1024,
            max_connections_per_client: 32,
            max_pseudonyms: 1_000_000,
            new_pseudonyms_per_client: 500,
            rates: RateLimits::default(),
        }
    }
}

impl Limits {
    pub fn tls_handshake(&self) -> Duration {
        Duration::from_millis(self.tls_handshake_ms)
    }

    pub fn header_read(&self) -> Duration {
        Duration::from_millis(self.header_read_ms)
    }

    pub fn body_read(&self) -> Duration {
        Duration::from_millis(self.body_read_ms)
    }

    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_ms)
    }

    pub fn request(&self) -> Duration {
        Duration::from_millis(self.request_ms)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let timeouts = [
            self.tls_handshake_ms,
            self.header_read_ms,
            self.body_read_ms,
            self.idle_ms,
            self.request_ms,
        ];
        // A day: longer is no limit at all, and keeps Instant arithmetic far from overflow.
        if timeouts.iter().any(|&ms| !(1..=86_400_000).contains(&ms)) {
            return Err("limits: every timeout must be 1 ms to 1 day".into());
        }
        if self.max_connections_per_client == 0
            || self.max_connections < self.max_connections_per_client
        {
            return Err(
                "limits: max_connections_per_client must be at least 1 and at most \
                 max_connections"
                    .into(),
            );
        }
        if self.max_pseudonyms < 1 || self.new_pseudonyms_per_client == 0 {
            return Err(
                "limits: max_pseudonyms and new_pseudonyms_per_client must be positive".into(),
            );
        }
        self.rates.validate()
    }
}
