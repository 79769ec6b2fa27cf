//! The vendor's TUF repository (The Update Framework, specification 1.0.31): the maker
//! publishes firmware images and their plain-language notices so that the app can check
//! where they come from (EN 303 645 4.3-7: assured provenance), that they are current (freeze
//! and rollback protection) and intact, over a secure channel.
//!
//! # Roles and keys
//! - **root**: three keys, two must sign ([`Roles::standard`]); kept offline. A new root
//!   version is signed by a threshold of the old root keys and of the new ones (TUF §5.3.4),
//!   so a client follows a rotation from any older root.
//! - **targets** (what is published), **snapshot** (which targets version is current): one
//!   offline key each.
//! - **timestamp**: the only online key, held by the vendor service, which re-signs the
//!   timestamp before it expires ([`Publisher::schedule`], [`Publisher::resign_timestamp`]).
//!
//! Every operation takes the [`Signer`]s it needs and checks that they meet the role's
//! threshold in the current root before writing anything. Time is passed in as Unix seconds,
//! never read here.
//!
//! # Layout (consistent snapshots, TUF §5.5)
//! ```text
//! DIR/1.root.json … N.root.json   every root version, and root.json (the newest)
//! DIR/N.targets.json              signed list of targets with length, SHA-256, custom metadata
//! DIR/N.snapshot.json             pins targets.json's version, length and hash
//! DIR/timestamp.json              pins snapshot.json; short-lived, re-signed by the service
//! DIR/targets/<sha256>.<name>     the target files (flat names only)
//! DIR/.lock                       held while an operation runs (not to be served)
//! ```
//! Writes are atomic (temporary file, fsync, rename) and ordered target files → targets →
//! snapshot → root → timestamp, so a client reading at any moment sees either the old
//! repository or the new one, never a timestamp pointing at files not yet written.
//!
//! # Why not `tough`'s editor
//! `tough` 0.24 cannot create or rotate a root through its library, always re-signs targets,
//! snapshot and timestamp together (so the timestamp cannot be re-signed with the online key
//! alone), and depends on aws-lc-rs unconditionally. This crate writes the four roles itself;
//! its output is verified in tests by sigstore-tuf (the app's client) and by python-tuf (the
//! reference implementation).

mod error;
pub mod keys;
pub mod metadata;
mod ops;
mod plan;
pub mod record;
pub mod release;
mod repo;
mod rotate;
mod schedule;

pub mod demo;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use error::PublishError;
pub use keys::Signer;
pub use metadata::PublicKey;
pub use record::{Action, PublishingRecord, RoleSignatures, RoleVersions, TargetRecord};
pub use release::Release;
pub use repo::sign as sign_metadata;
pub use schedule::{RoleDue, Schedule};

/// A top-level TUF role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Root,
    Targets,
    Snapshot,
    Timestamp,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Root, Role::Targets, Role::Snapshot, Role::Timestamp];

    /// The role's name in metadata.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Targets => "targets",
            Role::Snapshot => "snapshot",
            Role::Timestamp => "timestamp",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| format!("{s:?} is not a role (root, targets, snapshot, timestamp)"))
    }
}

/// The keys of one role and how many of them must sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub keys: Vec<PublicKey>,
    pub threshold: u32,
}

impl RoleSpec {
    /// One key that signs alone.
    #[must_use]
    pub fn single(key: &PublicKey) -> Self {
        Self {
            keys: vec![key.clone()],
            threshold: 1,
        }
    }
}

/// The keys of every role, as a new root lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    pub root: RoleSpec,
    pub targets: RoleSpec,
    pub snapshot: RoleSpec,
    pub timestamp: RoleSpec,
}

impl Roles {
    /// The standard plan: root 2 of 3, one key for each other role.
    #[must_use]
    pub fn standard(
        root: [&PublicKey; 3],
        targets: &PublicKey,
        snapshot: &PublicKey,
        timestamp: &PublicKey,
    ) -> Self {
        Self {
            root: RoleSpec {
                keys: root.into_iter().cloned().collect(),
                threshold: 2,
            },
            targets: RoleSpec::single(targets),
            snapshot: RoleSpec::single(snapshot),
            timestamp: RoleSpec::single(timestamp),
        }
    }
}

/// The signers of the roles below root that an operation re-signs. Only the roles the
/// operation writes are looked at; the others may be empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signers<'a> {
    pub targets: &'a [&'a Signer],
    pub snapshot: &'a [&'a Signer],
    pub timestamp: &'a [&'a Signer],
}

/// How long each role's metadata is valid, and how long before expiry it is re-signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// Seconds each role is valid after signing, in the order of [`Role::ALL`].
    pub lifetime: [u64; 4],
    /// Seconds before expiry from which a role is due to be re-signed.
    pub resign_margin: [u64; 4],
}

const DAY: u64 = 86_400;

impl Default for ExpiryPolicy {
    /// Root 365 days, targets 90, snapshot 7, timestamp 1; re-signed 60 days, 30 days,
    /// 3 days and 12 hours before expiry.
    fn default() -> Self {
        Self {
            lifetime: [365 * DAY, 90 * DAY, 7 * DAY, DAY],
            resign_margin: [60 * DAY, 30 * DAY, 3 * DAY, DAY / 2],
        }
    }
}

impl ExpiryPolicy {
    fn index(role: Role) -> usize {
        match role {
            Role::Root => 0,
            Role::Targets => 1,
            Role::Snapshot => 2,
            Role::Timestamp => 3,
        }
    }

    /// Seconds `role` stays valid after signing.
    #[must_use]
    pub fn lifetime(&self, role: Role) -> u64 {
        self.lifetime[Self::index(role)]
    }

    /// Seconds before expiry from which `role` is due to be re-signed.
    #[must_use]
    pub fn margin(&self, role: Role) -> u64 {
        self.resign_margin[Self::index(role)]
    }
}

/// Largest image accepted by default (the device's update slot is smaller still).
pub const DEFAULT_MAX_IMAGE: u64 = 16 * 1024 * 1024;

/// The publisher of one repository folder.
#[derive(Debug, Clone)]
pub struct Publisher {
    dir: PathBuf,
    policy: ExpiryPolicy,
    max_image: u64,
}

impl Publisher {
    /// The publisher of the repository in `dir`, with the default expiries.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            policy: ExpiryPolicy::default(),
            max_image: DEFAULT_MAX_IMAGE,
        }
    }

    /// With other expiries (tests of expiry, a maker's own policy).
    #[must_use]
    pub fn with_policy(mut self, policy: ExpiryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// With another largest image size.
    #[must_use]
    pub fn with_max_image(mut self, bytes: u64) -> Self {
        self.max_image = bytes;
        self
    }

    /// The repository folder (serve it at the repository's URL, without its `.lock`).
    #[must_use]
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The expiry policy in use.
    #[must_use]
    pub fn policy(&self) -> &ExpiryPolicy {
        &self.policy
    }
}
