//! The operations on targets: init, publish, revoke, and re-signing.
//!
//! Each one takes the repository lock, reads and checks the current state, builds and signs
//! every new file in memory (so a missing signer or an invalid release is refused before
//! anything is written), then writes them in the order that keeps the repository consistent
//! for clients at every moment ([`Plan::commit`]).

use std::collections::BTreeMap;

use hearth_update_notice::target::{image_target, is_flat_target_name, notice_target};
use hearth_update_notice::{ImageMeta, NoticeMeta, TargetMeta, Version};

use crate::metadata::{Root, SPEC_VERSION, TargetFile, sha256_hex};
use crate::plan::{Current, Plan, Resign, signed_by};
use crate::record::{Action, PublishingRecord, TargetRecord};
use crate::repo::{role_signers, sign};
use crate::rotate::{check_online_key_alone, set_role};
use crate::{PublishError, Publisher, Release, Role, Roles, Signer, Signers};

fn record_of(target: &str, file: &TargetFile) -> TargetRecord {
    TargetRecord {
        name: target.to_owned(),
        length: file.length,
        sha256: file.hashes.get("sha256").cloned().unwrap_or_default(),
    }
}

fn blob_path(name: &str, sha256: &str) -> String {
    format!("targets/{sha256}.{name}")
}

/// The images listed in `targets`.
fn images(targets: &BTreeMap<String, TargetFile>) -> impl Iterator<Item = ImageMeta> + '_ {
    targets
        .values()
        .filter_map(|file| match TargetMeta::from_custom(file.custom.as_ref()) {
            Some(Ok(TargetMeta::Image(meta))) => Some(meta),
            _ => None,
        })
}

/// Whether `file` is the image or a notice of `model` `version`.
fn belongs_to(file: &TargetFile, model: &str, version: Version) -> bool {
    match TargetMeta::from_custom(file.custom.as_ref()) {
        Some(Ok(TargetMeta::Image(m))) => m.model == model && m.version == version,
        Some(Ok(TargetMeta::Notice(m))) => m.model == model && m.version == version,
        _ => false,
    }
}

impl Publisher {
    /// Creates the repository: root version 1 with `roles`, signed by `root_signers` (a
    /// threshold of the new root keys), and an empty targets, snapshot and timestamp signed
    /// by `signers`.
    ///
    /// # Errors
    /// [`PublishError::AlreadyInitialised`], [`PublishError::BadRoleKeys`] (e.g. the online
    /// timestamp key also in another role), [`PublishError::NotEnoughSigners`], I/O errors.
    pub fn init(
        &self,
        roles: &Roles,
        root_signers: &[&Signer],
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        if self.initialised() {
            return Err(PublishError::AlreadyInitialised(self.dir.clone()));
        }
        let mut root = Root {
            kind: "root".into(),
            spec_version: SPEC_VERSION.into(),
            consistent_snapshot: true,
            version: 1,
            expires: self.expires(Role::Root, now)?,
            keys: BTreeMap::new(),
            roles: BTreeMap::new(),
        };
        set_role(&mut root, Role::Root, &roles.root)?;
        set_role(&mut root, Role::Targets, &roles.targets)?;
        set_role(&mut root, Role::Snapshot, &roles.snapshot)?;
        set_role(&mut root, Role::Timestamp, &roles.timestamp)?;
        check_online_key_alone(&root)?;
        let chosen = role_signers(&root, Role::Root, root_signers)?;
        let mut plan = Plan::default();
        let everything = Resign::Targets(BTreeMap::new());
        self.cascade(
            &mut plan,
            &root,
            &Current::empty(),
            everything,
            &signers,
            now,
        )?;
        plan.signatures
            .insert(0, signed_by(Role::Root, 1, &root.expires, &chosen)?);
        let (_, bytes) = sign(root, &chosen)?;
        plan.root = Some((1, bytes));
        plan.commit(self)?;
        Ok(plan.record(now, Action::Init, Vec::new(), Vec::new()))
    }

    /// Publishes `release`: its image and its four notices as targets, then new targets,
    /// snapshot and timestamp versions.
    ///
    /// # Errors
    /// [`PublishError::AlreadyPublished`], [`PublishError::ImageSize`],
    /// [`PublishError::CounterOrder`] (a counter lower than an older version's, or higher
    /// than a newer one's), [`PublishError::NotEnoughSigners`], I/O errors.
    pub fn publish(
        &self,
        release: &Release,
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        let state = self.state()?;
        let (model, version) = (release.model.as_str(), release.version);
        let image_name = image_target(model, version);
        let mut targets = state.targets.signed.targets.clone();
        if targets.contains_key(&image_name) {
            return Err(PublishError::AlreadyPublished {
                model: model.to_owned(),
                version,
            });
        }
        let size = release.image.len() as u64;
        if size == 0 || size > self.max_image {
            return Err(PublishError::ImageSize {
                found: size,
                max: self.max_image,
            });
        }
        let counter = release.security_counter;
        if let Some(other) = images(&targets).find(|o| {
            o.model == model
                && ((o.version < version && o.security_counter > counter)
                    || (o.version > version && o.security_counter < counter))
        }) {
            return Err(PublishError::CounterOrder {
                model: model.to_owned(),
                version,
                counter,
                other: other.version,
                other_counter: other.security_counter,
            });
        }
        let mut files = vec![(
            image_name,
            release.image.clone(),
            TargetMeta::Image(ImageMeta {
                model: model.to_owned(),
                version,
                security_counter: counter,
                security_fix: release.notices.security_fix(),
            }),
        )];
        for notice in release.notices.iter() {
            let bytes = notice
                .to_json()
                .map_err(|e| PublishError::Encode(e.to_string()))?;
            let meta = TargetMeta::Notice(NoticeMeta {
                model: model.to_owned(),
                version,
                locale: notice.locale,
            });
            files.push((notice_target(model, version, notice.locale), bytes, meta));
        }
        let mut plan = Plan::default();
        let mut added = Vec::new();
        for (name, bytes, meta) in files {
            if !is_flat_target_name(&name) {
                return Err(PublishError::BadTargetName(name));
            }
            let sha256 = sha256_hex(&bytes);
            let file = TargetFile {
                length: bytes.len() as u64,
                hashes: BTreeMap::from([("sha256".to_owned(), sha256.clone())]),
                custom: Some(meta.to_custom()),
            };
            added.push(record_of(&name, &file));
            plan.blobs.push((blob_path(&name, &sha256), sha256, bytes));
            targets.insert(name, file);
        }
        let (root, current) = (&state.root.signed, Current::of(&state));
        self.cascade(
            &mut plan,
            root,
            &current,
            Resign::Targets(targets),
            &signers,
            now,
        )?;
        plan.commit(self)?;
        let action = Action::Publish {
            model: model.to_owned(),
            version,
            security_counter: counter,
        };
        Ok(plan.record(now, action, added, Vec::new()))
    }

    /// Revokes `model` `version`: its image and notices leave the targets, so every client
    /// refuses them from its next refresh on, even a copy it downloaded before; their files
    /// are deleted once the new timestamp is written.
    ///
    /// # Errors
    /// [`PublishError::NotPublished`], [`PublishError::NotEnoughSigners`], I/O errors.
    pub fn revoke(
        &self,
        model: &str,
        version: Version,
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        let state = self.state()?;
        let mut targets = state.targets.signed.targets.clone();
        if !targets.contains_key(&image_target(model, version)) {
            return Err(PublishError::NotPublished {
                model: model.to_owned(),
                version,
            });
        }
        let removed: Vec<TargetRecord> = targets
            .iter()
            .filter(|(_, file)| belongs_to(file, model, version))
            .map(|(name, file)| record_of(name, file))
            .collect();
        for target in &removed {
            targets.remove(&target.name);
        }
        let mut plan = Plan::default();
        let (root, current) = (&state.root.signed, Current::of(&state));
        self.cascade(
            &mut plan,
            root,
            &current,
            Resign::Targets(targets),
            &signers,
            now,
        )?;
        plan.commit(self)?;
        for target in &removed {
            // Already gone is as good as deleted.
            let _ = std::fs::remove_file(self.dir.join(blob_path(&target.name, &target.sha256)));
        }
        let action = Action::Revoke {
            model: model.to_owned(),
            version,
        };
        Ok(plan.record(now, action, Vec::new(), removed))
    }

    /// A new timestamp pinning the same snapshot, signed with the online timestamp key alone:
    /// what the vendor service does at [`crate::Schedule::next_timestamp_resign`].
    ///
    /// # Errors
    /// [`PublishError::NotEnoughSigners`] if `timestamp` is not the timestamp key, I/O errors.
    pub fn resign_timestamp(
        &self,
        timestamp: &[&Signer],
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let signers = Signers {
            timestamp,
            ..Signers::default()
        };
        self.resign(Role::Timestamp, signers, now)
    }

    /// New snapshot and timestamp versions over the same targets (before the snapshot's
    /// 7 days run out).
    ///
    /// # Errors
    /// As [`Publisher::resign_timestamp`], for the snapshot and timestamp keys.
    pub fn resign_snapshot(
        &self,
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        self.resign(Role::Snapshot, signers, now)
    }

    /// New targets, snapshot and timestamp versions with the same targets (before the
    /// targets' 90 days run out).
    ///
    /// # Errors
    /// As [`Publisher::resign_timestamp`], for the targets, snapshot and timestamp keys.
    pub fn resign_targets(
        &self,
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        self.resign(Role::Targets, signers, now)
    }

    fn resign(
        &self,
        from: Role,
        signers: Signers<'_>,
        now: u64,
    ) -> Result<PublishingRecord, PublishError> {
        let _lock = self.lock()?;
        let state = self.state()?;
        let (what, action) = match from {
            Role::Targets => (
                Resign::Targets(state.targets.signed.targets.clone()),
                Action::ResignTargets,
            ),
            Role::Snapshot => (Resign::Snapshot, Action::ResignSnapshot),
            Role::Root | Role::Timestamp => (Resign::Timestamp, Action::ResignTimestamp),
        };
        let mut plan = Plan::default();
        let (root, current) = (&state.root.signed, Current::of(&state));
        self.cascade(&mut plan, root, &current, what, &signers, now)?;
        plan.commit(self)?;
        Ok(plan.record(now, action, Vec::new(), Vec::new()))
    }

    /// The images currently published.
    ///
    /// # Errors
    /// [`PublishError::NotInitialised`], [`PublishError::Corrupt`], I/O errors.
    pub fn published(&self) -> Result<Vec<ImageMeta>, PublishError> {
        let state = self.state()?;
        Ok(images(&state.targets.signed.targets).collect())
    }
}
