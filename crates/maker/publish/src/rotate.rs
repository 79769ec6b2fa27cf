//! New root versions: `rotate-key ROLE` and renewing root before it expires.
//!
//! A new root is signed by a threshold of the old root keys and a threshold of the new ones
//! (TUF §5.3.4), so a client trusting any older root can verify it, and one trusting the
//! new root cannot be rolled back by an attacker holding only the old keys.

use std::collections::BTreeSet;

use crate::metadata::{RoleKeys, Root};
use crate::plan::{Current, Plan, Resign, signed_by};
use crate::record::{Action, PublishingRecord, RoleVersions};
use crate::repo::{State, role_signers, sign};
use crate::{PublishError, Publisher, Role, RoleSpec, Signer, Signers};

impl Publisher {
    /// `rotate-key ROLE`: a new root version in which `role` has the keys and threshold of
    /// `new`, signed by a threshold of the current root keys (`old_root`) and of the new
    /// root's root keys (`new_root`; pass the same signers unless `role` is root). Then what
    /// the rotated key signs is re-signed with the new key from `signers`: targets → targets,
    /// snapshot and timestamp; snapshot → snapshot and timestamp; timestamp → timestamp;
    /// root → nothing else. The new files are written before the new root and the timestamp
    /// last; between those two writes (milliseconds) a client that fetched the new root may
    /// see the old timestamp refused, and succeeds on its next check.
    ///
    /// # Errors
    /// [`PublishError::BadRoleKeys`] (no change, duplicate keys, a bad threshold, the online
    /// timestamp key in another role), [`PublishError::NotEnoughSigners`], I/O errors.
    pub fn rotate_key(
        &self,
        role: Role,
        new: &RoleSpec,
        old_root: &[&Signer],
        new_root: &[&Signer],
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        let state = self.state()?;
        let key_ids = |root: &Root| {
            root.roles
                .get(role.name())
                .map(|r| r.keyids.clone())
                .unwrap_or_default()
        };
        let mut next = state.root.signed.clone();
        set_role(&mut next, role, new)?;
        if next.roles == state.root.signed.roles {
            return Err(PublishError::BadRoleKeys {
                role,
                reason: "the new keys and threshold are the current ones".into(),
            });
        }
        check_online_key_alone(&next)?;
        let (mut plan, next) = self.next_root(&state, next, old_root, new_root, now)?;
        let what = match role {
            Role::Root => None,
            Role::Targets => Some(Resign::Targets(state.targets.signed.targets.clone())),
            Role::Snapshot => Some(Resign::Snapshot),
            Role::Timestamp => Some(Resign::Timestamp),
        };
        if let Some(what) = what {
            self.cascade(&mut plan, &next, &Current::of(&state), what, &signers, now)?;
        }
        plan.commit(self)?;
        let action = Action::RotateKey {
            role,
            old_key_ids: key_ids(&state.root.signed),
            new_key_ids: key_ids(&next),
            threshold: new.threshold,
        };
        Ok(plan.record(now, action, Vec::new(), Vec::new()))
    }

    /// A new root version with the same keys and a fresh expiry (before root's year runs
    /// out), signed by a threshold of the root keys.
    ///
    /// # Errors
    /// [`PublishError::NotEnoughSigners`], I/O errors.
    pub fn renew_root(
        &self,
        root_signers: &[&Signer],
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        let state = self.state()?;
        let next = state.root.signed.clone();
        let (plan, _) = self.next_root(&state, next, root_signers, root_signers, now)?;
        plan.commit(self)?;
        Ok(plan.record(now, Action::RenewRoot, Vec::new(), Vec::new()))
    }

    /// Signs `next` as the root version after the current one.
    fn next_root(
        &self,
        state: &State,
        mut next: Root,
        old_root: &[&Signer],
        new_root: &[&Signer],
        now: u64,
    ) -> Result<(Plan, Root), PublishError> {
        next.version = state.root.signed.version + 1;
        next.expires = self.expires(Role::Root, now)?;
        let mut chosen = role_signers(&state.root.signed, Role::Root, old_root)?;
        chosen.extend(role_signers(&next, Role::Root, new_root)?);
        let mut seen = BTreeSet::new();
        chosen.retain(|s| seen.insert(s.key_id().to_owned()));
        let mut plan = Plan::default();
        plan.signatures
            .push(signed_by(Role::Root, next.version, &next.expires, &chosen)?);
        plan.versions = Some(RoleVersions {
            root: next.version,
            targets: state.targets.signed.version,
            snapshot: state.snapshot.signed.version,
            timestamp: state.timestamp.signed.version,
        });
        let (md, bytes) = sign(next, &chosen)?;
        plan.root = Some((md.signed.version, bytes));
        Ok((plan, md.signed))
    }
}

/// Sets `role`'s keys in `root` and drops keys no role uses any more.
pub(crate) fn set_role(root: &mut Root, role: Role, spec: &RoleSpec) -> Result<(), PublishError> {
    let bad = |reason: &str| PublishError::BadRoleKeys {
        role,
        reason: reason.to_owned(),
    };
    if spec.keys.is_empty() {
        return Err(bad("no keys"));
    }
    if spec.threshold == 0 || spec.threshold as usize > spec.keys.len() {
        return Err(bad("the threshold must be from 1 to the number of keys"));
    }
    let mut ids = Vec::new();
    for key in &spec.keys {
        let raw_ok = hex::decode(&key.keyval.public).is_ok_and(|raw| raw.len() == 32);
        if key.keytype != "ed25519" || key.scheme != "ed25519" || !raw_ok {
            return Err(bad("only Ed25519 keys are used"));
        }
        let id = key.key_id();
        if ids.contains(&id) {
            return Err(bad("a key is listed twice"));
        }
        root.keys.insert(id.clone(), key.clone());
        ids.push(id);
    }
    root.roles.insert(
        role.name().to_owned(),
        RoleKeys {
            keyids: ids,
            threshold: spec.threshold,
        },
    );
    let used: BTreeSet<String> = root
        .roles
        .values()
        .flat_map(|r| r.keyids.iter().cloned())
        .collect();
    root.keys.retain(|id, _| used.contains(id));
    Ok(())
}

/// The timestamp key is online, in the service: it must not also hold another role, or a
/// break-in at the service would give more than the power to delay updates.
pub(crate) fn check_online_key_alone(root: &Root) -> Result<(), PublishError> {
    let online: Vec<&String> = root
        .roles
        .get(Role::Timestamp.name())
        .map(|r| r.keyids.iter().collect())
        .unwrap_or_default();
    for role in [Role::Root, Role::Targets, Role::Snapshot] {
        let shared = root
            .roles
            .get(role.name())
            .is_some_and(|r| r.keyids.iter().any(|k| online.contains(&k)));
        if shared {
            return Err(PublishError::BadRoleKeys {
                role: Role::Timestamp,
                reason: format!("the online timestamp key is also a {role} key"),
            });
        }
    }
    Ok(())
}
