//! Building one operation's new files in memory, then writing them in a safe order.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metadata::{MetaFile, MetaRole, Root, SPEC_VERSION, TargetFile, Targets, tuf_time};
use crate::record::{Action, PublishingRecord, RoleSignatures, RoleVersions, TargetRecord};
use crate::repo::{State, blob_is, role_signers, sign};
use crate::{PublishError, Publisher, Role, Signer, Signers};

/// New files of one operation, written by [`Plan::commit`].
#[derive(Default)]
pub(crate) struct Plan {
    /// (path under the folder, SHA-256, bytes) of target files.
    pub blobs: Vec<(String, String, Vec<u8>)>,
    pub targets: Option<(u64, Vec<u8>)>,
    pub snapshot: Option<(u64, Vec<u8>)>,
    pub root: Option<(u64, Vec<u8>)>,
    pub timestamp: Option<Vec<u8>>,
    pub signatures: Vec<RoleSignatures>,
    pub versions: Option<RoleVersions>,
}

impl Plan {
    /// Target files first, then targets and snapshot (unreachable until a timestamp pins
    /// them), then the new root (clients probe for it), the timestamp last.
    pub fn commit(&self, publisher: &Publisher) -> Result<(), PublishError> {
        for (path, sha256, bytes) in &self.blobs {
            if !blob_is(&publisher.dir.join(path), sha256) {
                publisher.write_atomic(path, bytes)?;
            }
        }
        if let Some((version, bytes)) = &self.targets {
            publisher.write_atomic(&format!("{version}.targets.json"), bytes)?;
        }
        if let Some((version, bytes)) = &self.snapshot {
            publisher.write_atomic(&format!("{version}.snapshot.json"), bytes)?;
        }
        if let Some((version, bytes)) = &self.root {
            publisher.write_new(&format!("{version}.root.json"), bytes)?;
            publisher.write_atomic("root.json", bytes)?;
        }
        if let Some(bytes) = &self.timestamp {
            publisher.write_atomic("timestamp.json", bytes)?;
        }
        Ok(())
    }

    pub fn record(
        self,
        at: u64,
        action: Action,
        added: Vec<TargetRecord>,
        removed: Vec<TargetRecord>,
    ) -> PublishingRecord {
        PublishingRecord {
            at,
            action,
            versions: self.versions.unwrap_or(RoleVersions {
                root: 0,
                targets: 0,
                snapshot: 0,
                timestamp: 0,
            }),
            signatures: self.signatures,
            added,
            removed,
        }
    }
}

/// What to re-sign. Every role below the first is re-signed too, since each pins the one
/// above it (timestamp → snapshot → targets).
pub(crate) enum Resign {
    /// Targets with this list, then snapshot and timestamp.
    Targets(BTreeMap<String, TargetFile>),
    /// Snapshot and timestamp.
    Snapshot,
    /// The timestamp alone.
    Timestamp,
}

/// The versions and bytes of the roles below root now (none for a new repository).
pub(crate) struct Current<'a> {
    pub targets: Option<(u64, &'a [u8])>,
    pub snapshot: Option<(u64, &'a [u8])>,
    pub timestamp_version: u64,
}

impl<'a> Current<'a> {
    pub fn of(state: &'a State) -> Self {
        Self {
            targets: Some((state.targets.signed.version, &state.targets_bytes)),
            snapshot: Some((state.snapshot.signed.version, &state.snapshot_bytes)),
            timestamp_version: state.timestamp.signed.version,
        }
    }

    pub fn empty() -> Self {
        Self {
            targets: None,
            snapshot: None,
            timestamp_version: 0,
        }
    }
}

/// The record of a role version signed by `signers`.
pub(crate) fn signed_by(
    role: Role,
    version: u64,
    expires: &str,
    signers: &[&Signer],
) -> Result<RoleSignatures, PublishError> {
    Ok(RoleSignatures {
        role,
        version,
        expires: crate::metadata::parse_tuf_time(expires)?,
        key_ids: signers.iter().map(|s| s.key_id().to_owned()).collect(),
    })
}

impl Publisher {
    pub(crate) fn expires(&self, role: Role, now: u64) -> Result<String, PublishError> {
        tuf_time(now.saturating_add(self.policy.lifetime(role)))
    }

    /// Signs a new version of `role` (built by `body` from its version and expiry) and notes
    /// it in `plan`; returns the version and the file bytes.
    fn sign_role<T: Serialize>(
        &self,
        plan: &mut Plan,
        role: Role,
        version: u64,
        signers: &[&Signer],
        now: u64,
        body: impl FnOnce(u64, String) -> T,
    ) -> Result<(u64, Vec<u8>), PublishError> {
        let expires = self.expires(role, now)?;
        plan.signatures
            .push(signed_by(role, version, &expires, signers)?);
        let (_, bytes) = sign(body(version, expires), signers)?;
        Ok((version, bytes))
    }

    /// Signs new versions of the roles `what` names, under `root` (the root in force once the
    /// operation is written). Every signer is checked before anything is signed.
    pub(crate) fn cascade(
        &self,
        plan: &mut Plan,
        root: &Root,
        current: &Current<'_>,
        what: Resign,
        signers: &Signers<'_>,
        now: u64,
    ) -> Result<(), PublishError> {
        let resign_targets = matches!(what, Resign::Targets(_));
        let resign_snapshot = !matches!(what, Resign::Timestamp);
        let targets_signers = if resign_targets {
            role_signers(root, Role::Targets, signers.targets)?
        } else {
            Vec::new()
        };
        let snapshot_signers = if resign_snapshot {
            role_signers(root, Role::Snapshot, signers.snapshot)?
        } else {
            Vec::new()
        };
        let timestamp_signers = role_signers(root, Role::Timestamp, signers.timestamp)?;
        let missing = || PublishError::Corrupt("a role to keep is missing".into());

        let (targets_version, targets_bytes) = match what {
            Resign::Targets(list) => {
                let next = current.targets.map_or(0, |t| t.0) + 1;
                let new = self.sign_role(
                    plan,
                    Role::Targets,
                    next,
                    &targets_signers,
                    now,
                    |version, expires| Targets {
                        kind: "targets".into(),
                        spec_version: SPEC_VERSION.into(),
                        version,
                        expires,
                        targets: list,
                    },
                )?;
                plan.targets = Some(new.clone());
                new
            }
            Resign::Snapshot | Resign::Timestamp => {
                let (version, bytes) = current.targets.ok_or_else(missing)?;
                (version, bytes.to_vec())
            }
        };

        let (snapshot_version, snapshot_bytes) = if resign_snapshot {
            let next = current.snapshot.map_or(0, |s| s.0) + 1;
            let pin = MetaFile::of(targets_version, &targets_bytes);
            let new = self.sign_role(
                plan,
                Role::Snapshot,
                next,
                &snapshot_signers,
                now,
                |version, expires| MetaRole {
                    kind: "snapshot".into(),
                    spec_version: SPEC_VERSION.into(),
                    version,
                    expires,
                    meta: BTreeMap::from([("targets.json".to_owned(), pin)]),
                },
            )?;
            plan.snapshot = Some(new.clone());
            new
        } else {
            let (version, bytes) = current.snapshot.ok_or_else(missing)?;
            (version, bytes.to_vec())
        };

        let pin = MetaFile::of(snapshot_version, &snapshot_bytes);
        let next = current.timestamp_version + 1;
        let (timestamp_version, bytes) = self.sign_role(
            plan,
            Role::Timestamp,
            next,
            &timestamp_signers,
            now,
            |version, expires| MetaRole {
                kind: "timestamp".into(),
                spec_version: SPEC_VERSION.into(),
                version,
                expires,
                meta: BTreeMap::from([("snapshot.json".to_owned(), pin)]),
            },
        )?;
        plan.timestamp = Some(bytes);
        plan.versions = Some(RoleVersions {
            root: root.version,
            targets: targets_version,
            snapshot: snapshot_version,
            timestamp: timestamp_version,
        });
        Ok(())
    }
}
