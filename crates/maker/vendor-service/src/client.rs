//! Who "one client" is, for connection caps and rate limits — without keeping addresses.
//!
//! A client is an IPv4 address, or an IPv6 /64 (one subscriber's network: a single IPv6 host
//! can pick any address in its /64, so counting addresses would count nothing). The key is a
//! keyed hash of that prefix under a random per-process key, so the tables in memory hold no
//! address (EN 303 645 4.10-2 [6-5]: the service never stores or logs IP addresses) and a
//! client cannot choose addresses that collide with someone else's key.

use std::hash::{BuildHasher as _, RandomState};
use std::net::IpAddr;
use std::sync::OnceLock;

/// One client's key; equal for every address of the same IPv4 host or IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(u64);

impl ClientKey {
    pub fn of(ip: IpAddr) -> Self {
        static KEY: OnceLock<RandomState> = OnceLock::new();
        let prefix: [u8; 9] = match ip {
            IpAddr::V4(v4) => prefix(4, &v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => prefix(4, &v4.octets()),
                None => prefix(6, &v6.octets()[..8]),
            },
        };
        Self(KEY.get_or_init(RandomState::new).hash_one(prefix))
    }
}

/// The family tag and up to 8 bytes of prefix, so a v4 address and a v6 prefix never meet.
fn prefix(family: u8, bytes: &[u8]) -> [u8; 9] {
    let mut out = [0u8; 9];
    out[0] = family;
    out[1..=bytes.len()].copy_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> ClientKey {
        ClientKey::of(s.parse().expect("address"))
    }

    #[test]
    fn one_ipv6_64_is_one_client_and_v4_mapped_is_v4() {
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
        // 1.2.3.4 and the v6 prefix 0102:0304:: are different clients.
        assert_ne!(key("1.2.3.4"), key("102:304::1"));
    }
}
