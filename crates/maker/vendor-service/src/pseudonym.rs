//! Rotating telemetry pseudonyms (EN 303 645 4.10-2 [6-5]: telemetry minimised and anonymised).
//!
//! Time is cut into periods of `pseudonym_period_secs` (a week by default); period `p` covers
//! `[p * len, (p + 1) * len)`. Each period has its own random 32-byte key, created by whichever
//! instance needs it first and kept in the database so every instance computes the same answer.
//! A device's pseudonym for a period is the first 16 bytes of
//! `HMAC-SHA256(key_p, "hearth-telemetry-pseudonym/v1" || 0 || model || 0 || device_id)`, in hex.
//!
//! Rotation: the pseudonym changes when the period changes, so reports from different weeks
//! cannot be joined. A pseudonym is accepted until the end of its period plus a grace time.
//! As soon as a new period's key is created the older keys are erased, after which nobody — the vendor included — can
//! recompute which device an old pseudonym stood for. The device id is never stored.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

const DOMAIN: &[u8] = b"hearth-telemetry-pseudonym/v1";

/// Period arithmetic for a period length and grace time.
#[derive(Debug, Clone, Copy)]
pub struct Rotation {
    pub period_secs: i64,
    pub grace_secs: i64,
}

impl Rotation {
    pub fn period_at(&self, now: i64) -> i64 {
        now.div_euclid(self.period_secs)
    }

    /// Last second at which a pseudonym of `period` is accepted.
    pub fn valid_until(&self, period: i64) -> i64 {
        (period + 1)
            .saturating_mul(self.period_secs)
            .saturating_add(self.grace_secs)
            .saturating_sub(1)
    }
}

/// The pseudonym of `device_id` (of `model`) under `key`.
pub fn pseudonym(key: &[u8; 32], model: &str, device_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        // HMAC accepts keys of any length; this branch cannot be taken.
        unreachable!("HMAC-SHA256 accepts a 32-byte key")
    };
    mac.update(DOMAIN);
    mac.update(&[0]);
    mac.update(model.as_bytes());
    mac.update(&[0]);
    mac.update(device_id.as_bytes());
    let tag = mac.finalize().into_bytes();
    hex::encode(&tag[..16])
}

/// `[0-9a-f]{32}`: the shape of every pseudonym.
pub fn is_pseudonym(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_pseudonym_other_key_other_pseudonym() {
        let a = pseudonym(&[1; 32], "hearth-plug-1", "dev-1");
        assert_eq!(a, pseudonym(&[1; 32], "hearth-plug-1", "dev-1"));
        assert_ne!(a, pseudonym(&[2; 32], "hearth-plug-1", "dev-1"));
        assert_ne!(a, pseudonym(&[1; 32], "hearth-plug-1", "dev-2"));
        assert!(is_pseudonym(&a));
    }

    #[test]
    fn periods_and_validity() {
        let r = Rotation {
            period_secs: 100,
            grace_secs: 10,
        };
        assert_eq!(r.period_at(0), 0);
        assert_eq!(r.period_at(99), 0);
        assert_eq!(r.period_at(100), 1);
        assert_eq!(r.period_at(-1), -1);
        assert_eq!(r.valid_until(0), 109);
    }
}
