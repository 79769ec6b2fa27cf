//! Release versions: `MAJOR.MINOR.PATCH`, compared as numbers (0.10.0 is newer than 0.9.9).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A release version. Written without leading zeros, so each version has one spelling and
/// one target name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// Text that is not `MAJOR.MINOR.PATCH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a version (MAJOR.MINOR.PATCH, digits only, no leading zeros)")]
pub struct BadVersion(pub String);

impl Version {
    #[must_use]
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion(s.to_owned());
        let mut parts = s.split('.');
        let mut next = || -> Result<u32, BadVersion> {
            let part = parts.next().ok_or_else(bad)?;
            let digits_only = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            if !digits_only || (part.len() > 1 && part.starts_with('0')) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let version = Version::new(next()?, next()?, next()?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers_and_have_one_spelling() {
        let v = |s: &str| s.parse::<Version>().expect(s);
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("0.2.1") > v("0.2.0"));
        assert_eq!(v("1.2.3").to_string(), "1.2.3");
        for bad in [
            "", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.x", "1..3", " 1.2.3", "1.2.-3",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            serde_json::to_string(&v("0.2.0")).expect("serializes"),
            "\"0.2.0\""
        );
    }
}
