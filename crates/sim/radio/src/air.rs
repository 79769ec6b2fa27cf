//! The air between a central and a peripheral: a deterministic link model with no I/O.
//!
//! A connection has connection events every `interval`, starting when the link is made
//! (Core spec v5.4, Vol 6, Part B, 4.5.1). Each event carries at most `bytes_per_event` bytes
//! (both directions share it), so throughput has a ceiling of `bytes_per_event / interval`.
//! A PDU waits for the next event with room, and spills into later events if it does not fit.
//! Every PDU may lose the link with probability `loss_per_pdu` (standing in for a supervision
//! timeout, Vol 6, Part B, 4.5.2), drawn from a seeded RNG, one draw per PDU, so that the same
//! sequence of PDUs meets the same fate for a given seed whatever the machine's load.
//!
//! Time is a parameter ([`Instant`] from tokio's clock, so callers may pause it); the model
//! only computes when bytes arrive.

use std::time::Duration;

use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
use tokio::time::Instant;

use crate::error::RadioError;

/// ATT (3 bytes: opcode + handle) plus L2CAP (4 bytes: length + channel) header per PDU.
pub const PDU_OVERHEAD: usize = 7;

/// The parameters of one connection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkParams {
    /// Time between connection events (7.5 ms ..= 4 s).
    pub interval: Duration,
    /// ATT MTU after exchange (23 ..= 517); notifications carry at most `mtu - 3` bytes.
    pub mtu: u16,
    /// Bytes (payload plus headers) that fit in one connection event, both directions together.
    pub bytes_per_event: u32,
    /// Probability that a PDU loses the link (0.0 ..= 1.0).
    pub loss_per_pdu: f64,
}

impl Default for LinkParams {
    /// 30 ms interval, MTU 247, 1000 bytes per event (≈ 33 kB/s, a 1M PHY with data length
    /// extension), no loss.
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(30),
            mtu: 247,
            bytes_per_event: 1000,
            loss_per_pdu: 0.0,
        }
    }
}

impl LinkParams {
    /// Checks the ranges the Core spec allows (and that the model needs to make progress).
    ///
    /// # Errors
    /// [`RadioError::InvalidLinkParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<(), RadioError> {
        if self.interval < Duration::from_micros(7_500) || self.interval > Duration::from_secs(4) {
            return Err(RadioError::InvalidLinkParameter(
                "interval must be 7.5 ms ..= 4 s",
            ));
        }
        if !(23..=517).contains(&self.mtu) {
            return Err(RadioError::InvalidLinkParameter("mtu must be 23 ..= 517"));
        }
        if self.bytes_per_event < 27 {
            return Err(RadioError::InvalidLinkParameter(
                "bytes_per_event must be at least 27",
            ));
        }
        if !(0.0..=1.0).contains(&self.loss_per_pdu) {
            return Err(RadioError::InvalidLinkParameter(
                "loss_per_pdu must be 0.0 ..= 1.0",
            ));
        }
        Ok(())
    }

    /// The most payload bytes a notification can carry (`mtu - 3`, Core spec Vol 3, Part F, 3.4.7.1).
    pub fn max_notification(&self) -> usize {
        usize::from(self.mtu).saturating_sub(3)
    }
}

/// The link was lost at `at` (the connection event whose loss was drawn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkLost {
    /// When the link is lost.
    pub at: Instant,
}

/// One connection's air: the event clock, how full the current event is, and its RNG.
#[derive(Debug)]
pub struct Link {
    params: LinkParams,
    anchor: Instant,
    event: u64,
    used: u32,
    rng: Xoshiro256PlusPlus,
}

impl Link {
    /// A link whose first connection event is at `anchor`, drawing losses from `seed`.
    pub fn new(params: LinkParams, anchor: Instant, seed: u64) -> Self {
        Self {
            params,
            anchor,
            event: 0,
            used: 0,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// The link's parameters.
    pub fn params(&self) -> &LinkParams {
        &self.params
    }

    /// Changes interval, capacity and loss from the next event on (the MTU is fixed per link, as
    /// it is negotiated once).
    pub fn update(&mut self, params: LinkParams, now: Instant) {
        let next = self.first_event_at_or_after(now);
        // Re-anchor so that the new interval starts at the next event.
        self.anchor = self.event_time(next);
        self.event = 0;
        self.used = 0;
        let mtu = self.params.mtu;
        self.params = LinkParams { mtu, ..params };
    }

    fn event_time(&self, event: u64) -> Instant {
        let nanos = self
            .params
            .interval
            .as_nanos()
            .saturating_mul(u128::from(event));
        self.anchor + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    fn first_event_at_or_after(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.anchor).as_nanos();
        let interval = self.params.interval.as_nanos().max(1);
        u64::try_from(since.div_ceil(interval)).unwrap_or(u64::MAX)
    }

    /// Sends a PDU with `payload` bytes (headers are added) at `now`; returns when its last
    /// byte is on the other side.
    ///
    /// # Errors
    /// [`LinkLost`] if the loss draw for this PDU loses the link (at the event that would have
    /// completed it); the caller drops the link then.
    pub fn transmit(&mut self, now: Instant, payload: usize) -> Result<Instant, LinkLost> {
        let mut remaining = u64::try_from(payload.saturating_add(PDU_OVERHEAD)).unwrap_or(u64::MAX);
        let first = self.first_event_at_or_after(now);
        if first > self.event {
            self.event = first;
            self.used = 0;
        }
        loop {
            let free = u64::from(self.params.bytes_per_event.saturating_sub(self.used));
            let take = free.min(remaining);
            // `take` <= bytes_per_event, a u32.
            self.used = self
                .used
                .saturating_add(u32::try_from(take).unwrap_or(u32::MAX));
            remaining -= take;
            if remaining == 0 {
                break;
            }
            self.event = self.event.saturating_add(1);
            self.used = 0;
        }
        let at = self.event_time(self.event);
        // One draw per PDU, whatever the timing: the same sequence of PDUs meets the same fate
        // for a given seed, even when a loaded machine packs them into events differently.
        let p = self.params.loss_per_pdu;
        if p > 0.0 && self.rng.random_bool(p.min(1.0)) {
            return Err(LinkLost { at });
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(bytes_per_event: u32, loss: f64) -> LinkParams {
        LinkParams {
            bytes_per_event,
            loss_per_pdu: loss,
            ..LinkParams::default()
        }
    }

    #[test]
    fn a_pdu_waits_for_the_next_event() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkParams::default(), t0, 1);
        let at = link.transmit(t0 + Duration::from_millis(1), 20).unwrap();
        assert_eq!(at, t0 + Duration::from_millis(30));
    }

    #[test]
    fn throughput_is_capped_by_bytes_per_event() {
        let t0 = Instant::now();
        let mut link = Link::new(params(100, 0.0), t0, 1);
        // 93 + 7 bytes fill exactly one event; ten of them need ten events.
        let mut last = t0;
        for _ in 0..10 {
            last = link.transmit(t0, 93).unwrap();
        }
        assert_eq!(last, t0 + Duration::from_millis(30 * 9));
        // A PDU bigger than an event spans several.
        let mut link = Link::new(params(100, 0.0), t0, 1);
        assert_eq!(
            link.transmit(t0, 293).unwrap(),
            t0 + Duration::from_millis(60)
        );
    }

    #[test]
    fn losses_are_reproducible_for_a_seed() {
        let t0 = Instant::now();
        let run = |seed| {
            let mut link = Link::new(params(1000, 0.05), t0, seed);
            let mut step = 0u64;
            loop {
                let now = t0 + Duration::from_millis(30 * step);
                match link.transmit(now, 10) {
                    Ok(_) => step += 1,
                    Err(lost) => return (step, lost.at),
                }
            }
        };
        assert_eq!(run(7), run(7));
        let steps: Vec<u64> = (0..20).map(|s| run(s).0).collect();
        assert!(
            steps.iter().any(|&s| s != steps[0]),
            "different seeds give different runs"
        );
    }

    #[test]
    fn updated_parameters_apply_from_the_next_event_and_keep_the_mtu() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkParams::default(), t0, 1);
        let faster = LinkParams {
            interval: Duration::from_millis(10),
            mtu: 100,
            ..LinkParams::default()
        };
        link.update(faster, t0 + Duration::from_millis(5));
        assert_eq!(
            link.params().mtu,
            247,
            "the MTU is negotiated once per link"
        );
        // Next event of the old schedule is at 30 ms; from there, every 10 ms.
        assert_eq!(
            link.transmit(t0 + Duration::from_millis(31), 10).unwrap(),
            t0 + Duration::from_millis(40)
        );
    }

    #[test]
    fn no_loss_without_probability() {
        let t0 = Instant::now();
        let mut link = Link::new(params(27, 0.0), t0, 3);
        assert!(link.transmit(t0, 100_000).is_ok());
    }

    proptest::proptest! {
        /// Whatever the traffic, bytes never arrive before they are sent, arrivals keep their
        /// order, and the air never carries more than `bytes_per_event` per event.
        #[test]
        fn arrivals_are_ordered_and_capacity_bound(
            cap in 27u32..2000,
            interval_us in 7_500u64..100_000,
            sends in proptest::collection::vec((0u64..50_000, 0usize..600), 1..60),
        ) {
            let t0 = Instant::now();
            let params = LinkParams {
                interval: Duration::from_micros(interval_us),
                bytes_per_event: cap,
                ..LinkParams::default()
            };
            let mut link = Link::new(params, t0, 9);
            let mut now = t0;
            let mut last = t0;
            let mut total = 0u64;
            for (gap_us, len) in sends {
                now += Duration::from_micros(gap_us);
                let at = link.transmit(now, len).unwrap();
                proptest::prop_assert!(at >= now);
                proptest::prop_assert!(at >= last);
                last = at;
                total += (len + PDU_OVERHEAD) as u64;
            }
            // Events from t0 to `last` inclusive could carry at most this much.
            let events = (last - t0).as_micros() as u64 / interval_us + 1;
            proptest::prop_assert!(total <= events * u64::from(cap));
        }
    }

    #[test]
    fn validation_rejects_out_of_range() {
        assert!(LinkParams::default().validate().is_ok());
        let bad = LinkParams {
            mtu: 22,
            ..LinkParams::default()
        };
        assert!(bad.validate().is_err());
        let bad = LinkParams {
            interval: Duration::from_millis(5),
            ..LinkParams::default()
        };
        assert!(bad.validate().is_err());
        let bad = LinkParams {
            loss_per_pdu: 1.5,
            ..LinkParams::default()
        };
        assert!(bad.validate().is_err());
    }
}
