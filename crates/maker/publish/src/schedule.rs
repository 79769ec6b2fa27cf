//! When each role must be re-signed: the service re-signs the timestamp itself (its only
//! key); the others need the maker's offline keys, so the service warns ahead of time.

use serde::{Deserialize, Serialize};

use crate::metadata::parse_tuf_time;
use crate::{PublishError, Publisher, Role};

/// One role's current version, its expiry and when it is due to be re-signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDue {
    pub role: Role,
    pub version: u64,
    /// Unix seconds.
    pub expires: u64,
    /// Unix seconds from which it should be re-signed (expiry minus the policy's margin).
    pub resign_at: u64,
}

/// The re-signing schedule of every role, in the order of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub roles: [RoleDue; 4],
}

impl Schedule {
    /// The schedule of `role`.
    #[must_use]
    pub fn of(&self, role: Role) -> RoleDue {
        let index = Role::ALL.iter().position(|r| *r == role).unwrap_or(0);
        self.roles[index]
    }

    /// When the service should next re-sign the timestamp (Unix seconds; in the past if it
    /// is overdue). Sleep until then, re-sign, ask again.
    #[must_use]
    pub fn next_timestamp_resign(&self) -> u64 {
        self.of(Role::Timestamp).resign_at
    }

    /// The roles due to be re-signed at `now`.
    #[must_use]
    pub fn due(&self, now: u64) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|r| r.resign_at <= now)
            .map(|r| r.role)
            .collect()
    }

    /// The roles already expired at `now`: clients refuse the repository until they are
    /// re-signed (TUF §5.4.4: freeze protection).
    #[must_use]
    pub fn expired(&self, now: u64) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|r| r.expires <= now)
            .map(|r| r.role)
            .collect()
    }
}

impl Publisher {
    /// The repository's re-signing schedule.
    ///
    /// # Errors
    /// [`PublishError::NotInitialised`], [`PublishError::Corrupt`], [`PublishError::Io`].
    pub fn schedule(&self) -> Result<Schedule, PublishError> {
        let state = self.state()?;
        let due = |role: Role, version: u64, expires: &str| -> Result<RoleDue, PublishError> {
            let expires = parse_tuf_time(expires)?;
            Ok(RoleDue {
                role,
                version,
                expires,
                resign_at: expires.saturating_sub(self.policy.margin(role)),
            })
        };
        Ok(Schedule {
            roles: [
                due(
                    Role::Root,
                    state.root.signed.version,
                    &state.root.signed.expires,
                )?,
                due(
                    Role::Targets,
                    state.targets.signed.version,
                    &state.targets.signed.expires,
                )?,
                due(
                    Role::Snapshot,
                    state.snapshot.signed.version,
                    &state.snapshot.signed.expires,
                )?,
                due(
                    Role::Timestamp,
                    state.timestamp.signed.version,
                    &state.timestamp.signed.expires,
                )?,
            ],
        })
    }
}
