//! The repository folder: its lock, atomic writes, and reading (and checking) what it holds.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use ring::signature::{ED25519, UnparsedPublicKey};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::keys::Signer;
use crate::metadata::{MetaRole, Root, Signed, Targets, canonical, file_bytes};
use crate::{PublishError, Publisher, Role};

/// A metadata file as read, and its bytes.
type Loaded<T> = (Signed<T>, Vec<u8>);

/// The repository as clients see it now: the newest root and what the timestamp pins.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub root: Signed<Root>,
    pub timestamp: Signed<MetaRole>,
    pub snapshot: Signed<MetaRole>,
    pub snapshot_bytes: Vec<u8>,
    pub targets: Signed<Targets>,
    pub targets_bytes: Vec<u8>,
}

/// The exclusive lock on a repository folder, held for one operation so that two service
/// instances or a service and an operator never write at once.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

impl Publisher {
    pub(crate) fn lock(&self) -> Result<Lock, PublishError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| PublishError::io(&self.dir, e))?;
        let path = self.dir.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| PublishError::io(&path, e))?;
        file.lock().map_err(|e| PublishError::io(&path, e))?;
        Ok(Lock { _file: file })
    }

    /// Writes `bytes` to `name` atomically: a temporary file in the same folder, synced, then
    /// renamed over the name, then the folder synced.
    pub(crate) fn write_atomic(&self, name: &str, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.dir.join(name);
        let folder = path.parent().unwrap_or(&self.dir).to_owned();
        std::fs::create_dir_all(&folder).map_err(|e| PublishError::io(&folder, e))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = folder.join(format!(".tmp-{}-{file_name}", std::process::id()));
        let written = File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            // Best effort: a leftover temporary file is hidden and harmless.
            let _ = std::fs::remove_file(&tmp);
            return Err(PublishError::io(&path, e));
        }
        // The rename is durable only once the folder is synced.
        if let Ok(dir) = File::open(&folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Writes a metadata file that must not exist yet (a root version, once written, is
    /// public: clients probe for it).
    pub(crate) fn write_new(&self, name: &str, bytes: &[u8]) -> Result<(), PublishError> {
        if self.dir.join(name).exists() {
            return Err(PublishError::Corrupt(format!("{name} already exists")));
        }
        self.write_atomic(name, bytes)
    }

    fn read_file(&self, name: &str) -> Result<Option<Vec<u8>>, PublishError> {
        let path = self.dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(PublishError::io(&path, e)),
        }
    }

    fn read_signed<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<Loaded<T>>, PublishError> {
        let Some(bytes) = self.read_file(name)? else {
            return Ok(None);
        };
        let md = serde_json::from_slice(&bytes)
            .map_err(|e| PublishError::Corrupt(format!("{name}: {e}")))?;
        Ok(Some((md, bytes)))
    }

    /// Whether the folder holds a repository.
    pub(crate) fn initialised(&self) -> bool {
        self.dir.join("1.root.json").exists() || self.dir.join("root.json").exists()
    }

    /// The newest root: `root.json`, or a higher numbered version if an operation stopped
    /// after writing it (the numbered files are what clients walk).
    fn newest_root(&self) -> Result<(Signed<Root>, Vec<u8>), PublishError> {
        let (mut root, mut bytes) = self
            .read_signed::<Root>("root.json")?
            .ok_or_else(|| PublishError::NotInitialised(self.dir.clone()))?;
        while let Some((next, next_bytes)) =
            self.read_signed::<Root>(&format!("{}.root.json", root.signed.version + 1))?
        {
            verify(&root.signed, Role::Root, &next)?;
            verify(&next.signed, Role::Root, &next)?;
            root = next;
            bytes = next_bytes;
        }
        Ok((root, bytes))
    }

    /// The newest root's bytes: what the app ships as its bootstrap root (any later client
    /// follows rotations from it).
    ///
    /// # Errors
    /// [`PublishError::NotInitialised`], [`PublishError::Corrupt`], [`PublishError::Io`].
    pub fn trusted_root(&self) -> Result<Vec<u8>, PublishError> {
        Ok(self.newest_root()?.1)
    }

    /// Reads the current repository and checks it the way a client would (signatures by
    /// the root's keys and thresholds, pinned lengths and hashes), so an operation never
    /// builds on a damaged or altered folder. Expiry is not checked: re-signing an expired
    /// role is how it is repaired.
    pub(crate) fn state(&self) -> Result<State, PublishError> {
        let (root, _) = self.newest_root()?;
        let missing = |what: &str| PublishError::Corrupt(format!("{what} is missing"));
        let (timestamp, _) = self
            .read_signed::<MetaRole>("timestamp.json")?
            .ok_or_else(|| missing("timestamp.json"))?;
        verify(&root.signed, Role::Timestamp, &timestamp)?;
        let pin = timestamp
            .signed
            .meta
            .get("snapshot.json")
            .ok_or_else(|| missing("the timestamp's snapshot pin"))?;
        let name = format!("{}.snapshot.json", pin.version);
        let (snapshot, snapshot_bytes) = self
            .read_signed::<MetaRole>(&name)?
            .ok_or_else(|| missing(&name))?;
        if !pin.matches(&snapshot_bytes) || snapshot.signed.version != pin.version {
            return Err(PublishError::Corrupt(format!(
                "{name} is not what the timestamp pins"
            )));
        }
        verify(&root.signed, Role::Snapshot, &snapshot)?;
        let pin = snapshot
            .signed
            .meta
            .get("targets.json")
            .ok_or_else(|| missing("the snapshot's targets pin"))?;
        let name = format!("{}.targets.json", pin.version);
        let (targets, targets_bytes) = self
            .read_signed::<Targets>(&name)?
            .ok_or_else(|| missing(&name))?;
        if !pin.matches(&targets_bytes) || targets.signed.version != pin.version {
            return Err(PublishError::Corrupt(format!(
                "{name} is not what the snapshot pins"
            )));
        }
        verify(&root.signed, Role::Targets, &targets)?;
        Ok(State {
            root,
            timestamp,
            snapshot,
            snapshot_bytes,
            targets,
            targets_bytes,
        })
    }
}

/// Checks that `md` carries a threshold of valid signatures by `role`'s keys in `root`.
pub(crate) fn verify<T: Serialize>(
    root: &Root,
    role: Role,
    md: &Signed<T>,
) -> Result<(), PublishError> {
    let keys = root
        .roles
        .get(role.name())
        .ok_or_else(|| PublishError::Corrupt(format!("root has no {role} role")))?;
    let message = canonical(&md.signed)?;
    let mut valid = BTreeSet::new();
    for sig in &md.signatures {
        if !keys.keyids.contains(&sig.keyid) {
            continue;
        }
        let (Some(key), Ok(raw_sig)) = (root.keys.get(&sig.keyid), hex::decode(&sig.sig)) else {
            continue;
        };
        let Ok(raw_key) = hex::decode(&key.keyval.public) else {
            continue;
        };
        if UnparsedPublicKey::new(&ED25519, raw_key)
            .verify(&message, &raw_sig)
            .is_ok()
        {
            valid.insert(sig.keyid.as_str());
        }
    }
    if valid.len() < keys.threshold as usize {
        return Err(PublishError::Corrupt(format!(
            "{role} has {} valid signatures of the {} it needs",
            valid.len(),
            keys.threshold
        )));
    }
    Ok(())
}

/// The signers among `signers` that hold keys of `role` in `root`, once each.
///
/// # Errors
/// [`PublishError::NotEnoughSigners`] if they are fewer than the role's threshold.
pub(crate) fn role_signers<'a>(
    root: &Root,
    role: Role,
    signers: &[&'a Signer],
) -> Result<Vec<&'a Signer>, PublishError> {
    let keys = root
        .roles
        .get(role.name())
        .ok_or_else(|| PublishError::Corrupt(format!("root has no {role} role")))?;
    let mut seen = BTreeSet::new();
    let chosen: Vec<&Signer> = signers
        .iter()
        .copied()
        .filter(|s| keys.keyids.iter().any(|k| k == s.key_id()) && seen.insert(s.key_id()))
        .collect();
    if chosen.len() < keys.threshold as usize {
        return Err(PublishError::NotEnoughSigners {
            role,
            found: chosen.len(),
            threshold: keys.threshold,
        });
    }
    Ok(chosen)
}

/// Signs `signed` with each signer once; returns the metadata and its file bytes. Public for
/// tests and tools that must write metadata the operations here never would (an attacker's
/// replay signed with a stolen online key, to show that clients refuse it).
///
/// # Errors
/// [`PublishError::Encode`] if `signed` holds a float.
pub fn sign<T: Serialize>(
    signed: T,
    signers: &[&Signer],
) -> Result<(Signed<T>, Vec<u8>), PublishError> {
    let message = canonical(&signed)?;
    let mut seen = BTreeSet::new();
    let signatures = signers
        .iter()
        .filter(|s| seen.insert(s.key_id().to_owned()))
        .map(|s| s.sign(&message))
        .collect();
    let md = Signed { signed, signatures };
    let bytes = file_bytes(&md)?;
    Ok((md, bytes))
}

/// Whether a target file with `name` and hash is already in place.
pub(crate) fn blob_is(path: &Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|b| crate::metadata::sha256_hex(&b) == sha256)
}
