//! What each operation did, as a value the vendor service keeps in its database: what was
//! published or changed, when, and which keys signed it (so two service instances, and an
//! auditor, can tell what the repository should hold).

use hearth_update_notice::Version;
use serde::{Deserialize, Serialize};

use crate::Role;

/// One operation on the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishingRecord {
    /// When, in Unix seconds (the time the operation was given).
    pub at: u64,
    pub action: Action,
    /// Every role's version after the operation.
    pub versions: RoleVersions,
    /// The roles this operation signed, with the key ids that signed each.
    pub signatures: Vec<RoleSignatures>,
    /// Targets added.
    pub added: Vec<TargetRecord>,
    /// Targets removed.
    pub removed: Vec<TargetRecord>,
}

/// What the operation was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Init,
    Publish {
        model: String,
        version: Version,
        security_counter: u64,
    },
    Revoke {
        model: String,
        version: Version,
    },
    ResignTimestamp,
    ResignSnapshot,
    ResignTargets,
    RotateKey {
        role: Role,
        old_key_ids: Vec<String>,
        new_key_ids: Vec<String>,
        threshold: u32,
    },
    RenewRoot,
}

/// The version of every top-level role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleVersions {
    pub root: u64,
    pub targets: u64,
    pub snapshot: u64,
    pub timestamp: u64,
}

/// One role version signed by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSignatures {
    pub role: Role,
    pub version: u64,
    /// Expiry, Unix seconds.
    pub expires: u64,
    pub key_ids: Vec<String>,
}

/// A target file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub name: String,
    pub length: u64,
    pub sha256: String,
}
