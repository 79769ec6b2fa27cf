//! The publisher on a real folder: what it writes, what it refuses (and that a refusal writes
//! nothing), its schedule, revocation and key rotation. That clients accept what it writes is
//! tested in `hearth-updates` (sigstore-tuf) and by python-tuf there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hearth_publish::metadata::{MetaRole, Root, Signed, Targets};
use hearth_publish::{
    Action, PublishError, Publisher, Release, Role, RoleSpec, Roles, Signer, Signers, demo,
};
use hearth_update_notice::{Locale, Problem, TargetMeta, Version};

/// 2030-01-01T00:00:00Z
const T0: u64 = 1_893_456_000;
const DAY: u64 = 86_400;

struct Keys {
    root: [Signer; 3],
    targets: Signer,
    snapshot: Signer,
    timestamp: Signer,
}

impl Keys {
    fn new(dir: &Path) -> Self {
        let k = |name: &str| Signer::generate(&dir.join(name)).expect("key");
        Self {
            root: [k("root-1.pk8"), k("root-2.pk8"), k("root-3.pk8")],
            targets: k("targets.pk8"),
            snapshot: k("snapshot.pk8"),
            timestamp: k("timestamp.pk8"),
        }
    }

    fn roles(&self) -> Roles {
        let [a, b, c] = &self.root;
        Roles::standard(
            [a.public(), b.public(), c.public()],
            self.targets.public(),
            self.snapshot.public(),
            self.timestamp.public(),
        )
    }
}

struct World {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    keys_dir: PathBuf,
    keys: Keys,
    publisher: Publisher,
}

fn world() -> World {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("repo");
    let keys_dir = tmp.path().join("keys");
    let keys = Keys::new(&keys_dir);
    let publisher = Publisher::new(&repo);
    let w = World {
        _tmp: tmp,
        repo,
        keys_dir,
        keys,
        publisher,
    };
    let k = &w.keys;
    w.publisher
        .init(&k.roles(), &[&k.root[0], &k.root[1]], signers(k), T0)
        .expect("init");
    w
}

fn signers(k: &Keys) -> Signers<'_> {
    // Leaked slices keep the test helpers short; a test process is short-lived.
    Signers {
        targets: Box::leak(Box::new([&k.targets])),
        snapshot: Box::leak(Box::new([&k.snapshot])),
        timestamp: Box::leak(Box::new([&k.timestamp])),
    }
}

fn demo_releases() -> Vec<Release> {
    demo::releases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")).expect("demo releases")
}

/// Every file under `dir` with its bytes.
fn snapshot_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if !path.ends_with(".lock") {
                let rel = path.strip_prefix(base).expect("prefix").to_owned();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Signed<T> {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("parse")
}

fn current_targets(repo: &Path) -> Signed<Targets> {
    let ts: Signed<MetaRole> = read(&repo.join("timestamp.json"));
    let sv = ts.signed.meta["snapshot.json"].version;
    let sn: Signed<MetaRole> = read(&repo.join(format!("{sv}.snapshot.json")));
    let tv = sn.signed.meta["targets.json"].version;
    read(&repo.join(format!("{tv}.targets.json")))
}

#[test]
fn init_writes_every_role_with_whole_second_expiries() {
    let w = world();
    let names: Vec<String> = snapshot_of(&w.repo)
        .keys()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "1.root.json",
            "1.snapshot.json",
            "1.targets.json",
            "root.json",
            "timestamp.json"
        ]
    );
    let root: Signed<Root> = read(&w.repo.join("1.root.json"));
    assert_eq!(root.signed.roles["root"].threshold, 2);
    assert_eq!(root.signed.roles["root"].keyids.len(), 3);
    assert_eq!(
        root.signatures.len(),
        2,
        "two of the three root keys signed"
    );
    assert!(root.signed.consistent_snapshot);
    assert_eq!(root.signed.expires, "2031-01-01T00:00:00Z", "365 days");
    let ts: Signed<MetaRole> = read(&w.repo.join("timestamp.json"));
    assert_eq!(ts.signed.expires, "2030-01-02T00:00:00Z", "1 day");
    assert_eq!(
        w.publisher.trusted_root().expect("root"),
        std::fs::read(w.repo.join("1.root.json")).expect("read")
    );

    let k = &w.keys;
    assert!(matches!(
        w.publisher
            .init(&k.roles(), &[&k.root[0], &k.root[1]], signers(k), T0),
        Err(PublishError::AlreadyInitialised(_))
    ));
}

#[test]
fn init_refuses_too_few_root_signers_and_a_shared_online_key() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let k = Keys::new(&tmp.path().join("keys"));
    let publisher = Publisher::new(tmp.path().join("repo"));
    let e = publisher
        .init(&k.roles(), &[&k.root[0], &k.targets], signers(&k), T0)
        .expect_err("one root key");
    assert!(
        matches!(
            e,
            PublishError::NotEnoughSigners {
                role: Role::Root,
                found: 1,
                threshold: 2
            }
        ),
        "{e}"
    );
    let mut shared = k.roles();
    shared.timestamp = RoleSpec::single(k.root[2].public());
    let e = publisher
        .init(&shared, &[&k.root[0], &k.root[1]], signers(&k), T0)
        .expect_err("online key is a root key");
    assert_eq!(e.code(), "publish.bad_role_keys");
    assert!(
        !publisher.dir().join("1.root.json").exists(),
        "nothing written"
    );
}

#[test]
fn publishing_adds_the_image_and_four_notices_and_records_who_signed() {
    let w = world();
    let release = &demo_releases()[0];
    let record = w
        .publisher
        .publish(release, signers(&w.keys), T0 + 60)
        .expect("publish");
    assert_eq!(record.at, T0 + 60);
    assert!(
        matches!(&record.action, Action::Publish { model, version, security_counter: 2 }
        if model == "hearth-plug-1" && *version == Version::new(0, 2, 0))
    );
    assert_eq!(
        (
            record.versions.root,
            record.versions.targets,
            record.versions.snapshot,
            record.versions.timestamp
        ),
        (1, 2, 2, 2)
    );
    let signed: Vec<(Role, Vec<String>)> = record
        .signatures
        .iter()
        .map(|s| (s.role, s.key_ids.clone()))
        .collect();
    assert_eq!(
        signed,
        [
            (Role::Targets, vec![w.keys.targets.key_id().to_owned()]),
            (Role::Snapshot, vec![w.keys.snapshot.key_id().to_owned()]),
            (Role::Timestamp, vec![w.keys.timestamp.key_id().to_owned()]),
        ]
    );
    let names: Vec<&str> = record.added.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "hearth-plug-1_0.2.0_image.bin",
            "hearth-plug-1_0.2.0_notice_en.json",
            "hearth-plug-1_0.2.0_notice_de.json",
            "hearth-plug-1_0.2.0_notice_fr.json",
            "hearth-plug-1_0.2.0_notice_es.json",
        ]
    );
    let targets = current_targets(&w.repo);
    for added in &record.added {
        let entry = &targets.signed.targets[&added.name];
        assert_eq!(entry.hashes["sha256"], added.sha256);
        let blob = w
            .repo
            .join("targets")
            .join(format!("{}.{}", added.sha256, added.name));
        assert_eq!(
            std::fs::read(&blob).expect("blob").len() as u64,
            added.length
        );
        assert!(
            TargetMeta::from_custom(entry.custom.as_ref())
                .is_some_and(|m| m.is_ok_and(|m| m.target_name() == added.name))
        );
    }
    let image = &targets.signed.targets["hearth-plug-1_0.2.0_image.bin"];
    assert_eq!(
        image.custom.as_ref().expect("custom")["hearth"]["security_fix"],
        true
    );
    assert!(
        snapshot_of(&w.repo)
            .keys()
            .all(|p| !p.to_string_lossy().contains(".tmp"))
    );
}

#[test]
fn a_refused_publish_writes_nothing() {
    let w = world();
    let releases = demo_releases();
    w.publisher
        .publish(&releases[1], signers(&w.keys), T0)
        .expect("0.2.1");
    let before = snapshot_of(&w.repo);

    let e = w
        .publisher
        .publish(&releases[1], signers(&w.keys), T0)
        .expect_err("twice");
    assert_eq!(e.code(), "publish.already_published");

    let mut lower = releases[0].clone();
    lower.security_counter = 3; // 0.2.0 above 0.2.1's counter 2
    let e = w
        .publisher
        .publish(&lower, signers(&w.keys), T0)
        .expect_err("counter");
    assert!(
        matches!(
            e,
            PublishError::CounterOrder {
                counter: 3,
                other_counter: 2,
                ..
            }
        ),
        "{e}"
    );

    let mut empty = releases[0].clone();
    empty.image.clear();
    assert_eq!(
        w.publisher
            .publish(&empty, signers(&w.keys), T0)
            .expect_err("empty")
            .code(),
        "publish.image_size"
    );
    let small = Publisher::new(&w.repo).with_max_image(1024);
    assert!(matches!(
        small.publish(&releases[0], signers(&w.keys), T0),
        Err(PublishError::ImageSize { max: 1024, .. })
    ));

    let k = &w.keys;
    let wrong = Signers {
        targets: &[&k.snapshot],
        snapshot: &[&k.snapshot],
        timestamp: &[&k.timestamp],
    };
    let e = w
        .publisher
        .publish(&releases[0], wrong, T0)
        .expect_err("wrong key");
    assert!(
        matches!(
            e,
            PublishError::NotEnoughSigners {
                role: Role::Targets,
                found: 0,
                threshold: 1
            }
        ),
        "{e}"
    );

    assert_eq!(snapshot_of(&w.repo), before, "no refusal wrote anything");
}

#[test]
fn a_notice_folder_is_refused_naming_the_locale_and_field() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let folder = tmp.path().join("0.2.0");
    let demo_folder = demo::notice_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("demo"),
        demo::MODEL,
        Version::new(0, 2, 0),
    );
    std::fs::create_dir_all(&folder).expect("mkdir");
    for locale in Locale::ALL {
        let name = format!("{}.json", locale.tag());
        std::fs::copy(demo_folder.join(&name), folder.join(&name)).expect("copy");
    }
    let image = tmp.path().join("image.bin");
    std::fs::write(&image, b"placeholder").expect("image");
    let load = || Release::load(demo::MODEL, Version::new(0, 2, 0), 2, &image, &folder);
    load().expect("a complete folder loads");

    std::fs::remove_file(folder.join("es.json")).expect("rm");
    match load() {
        Err(PublishError::Notice(e)) => {
            assert_eq!(
                (e.locale, e.field, e.problem),
                (Some(Locale::Es), "locale", Problem::NoNotice)
            );
        }
        other => panic!("{other:?}"),
    }
    std::fs::copy(demo_folder.join("es.json"), folder.join("es.json")).expect("copy");

    let mut de: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("de.json")).expect("read"))
            .expect("json");
    de["fixes"] = serde_json::json!(format!("{}.", "x".repeat(300)));
    std::fs::write(
        folder.join("de.json"),
        serde_json::to_vec(&de).expect("json"),
    )
    .expect("write");
    match load() {
        Err(PublishError::Notice(e)) => {
            assert_eq!((e.locale, e.field), (Some(Locale::De), "fixes"));
            assert_eq!(
                e.problem,
                Problem::TooLong {
                    max: 255,
                    found: 301
                }
            );
        }
        other => panic!("{other:?}"),
    }
    std::fs::copy(demo_folder.join("de.json"), folder.join("de.json")).expect("copy");

    std::fs::write(folder.join("it.json"), b"{}").expect("write");
    assert!(matches!(load(), Err(PublishError::UnexpectedNoticeFile(_))));
}

#[test]
fn the_timestamp_is_re_signed_with_the_online_key_alone_on_schedule() {
    let w = world();
    let schedule = w.publisher.schedule().expect("schedule");
    assert_eq!(
        schedule.next_timestamp_resign(),
        T0 + DAY / 2,
        "12 h before the 1 day expiry"
    );
    assert_eq!(schedule.of(Role::Snapshot).expires, T0 + 7 * DAY);
    assert_eq!(schedule.of(Role::Targets).expires, T0 + 90 * DAY);
    assert_eq!(schedule.of(Role::Root).expires, T0 + 365 * DAY);
    assert!(schedule.due(T0 + DAY / 2 - 1).is_empty());
    assert_eq!(schedule.due(T0 + DAY / 2), [Role::Timestamp]);
    assert_eq!(
        schedule.expired(T0 + 8 * DAY),
        [Role::Snapshot, Role::Timestamp]
    );

    let before = snapshot_of(&w.repo);
    let e = w
        .publisher
        .resign_timestamp(&[&w.keys.snapshot], T0)
        .expect_err("not the timestamp key");
    assert!(matches!(
        e,
        PublishError::NotEnoughSigners {
            role: Role::Timestamp,
            ..
        }
    ));
    let at = T0 + DAY / 2;
    let record = w
        .publisher
        .resign_timestamp(&[&w.keys.timestamp], at)
        .expect("resign");
    assert!(matches!(record.action, Action::ResignTimestamp));
    assert_eq!(record.versions.timestamp, 2);
    let after = snapshot_of(&w.repo);
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(b))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(changed, ["timestamp.json"], "only the timestamp changes");
    assert_eq!(
        w.publisher
            .schedule()
            .expect("schedule")
            .next_timestamp_resign(),
        at + DAY / 2
    );

    let record = w
        .publisher
        .resign_snapshot(signers(&w.keys), at)
        .expect("snapshot");
    assert_eq!(
        (
            record.versions.snapshot,
            record.versions.timestamp,
            record.versions.targets
        ),
        (2, 3, 1)
    );
    let record = w
        .publisher
        .resign_targets(signers(&w.keys), at)
        .expect("targets");
    assert_eq!(
        (
            record.versions.targets,
            record.versions.snapshot,
            record.versions.timestamp
        ),
        (2, 3, 4)
    );
}

#[test]
fn revoking_removes_the_version_and_its_files() {
    let w = world();
    let releases = demo_releases();
    for r in &releases {
        w.publisher
            .publish(r, signers(&w.keys), T0)
            .expect("publish");
    }
    let record = w
        .publisher
        .revoke(demo::MODEL, Version::new(0, 2, 1), signers(&w.keys), T0 + 5)
        .expect("revoke");
    assert_eq!(record.removed.len(), 5);
    let targets = current_targets(&w.repo);
    assert!(targets.signed.targets.keys().all(|n| !n.contains("0.2.1")));
    assert_eq!(targets.signed.targets.len(), 5, "0.2.0 stays");
    for removed in &record.removed {
        assert!(
            !w.repo
                .join("targets")
                .join(format!("{}.{}", removed.sha256, removed.name))
                .exists()
        );
    }
    let published: Vec<Version> = w
        .publisher
        .published()
        .expect("list")
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(published, [Version::new(0, 2, 0)]);
    assert_eq!(
        w.publisher
            .revoke(demo::MODEL, Version::new(0, 2, 1), signers(&w.keys), T0)
            .expect_err("twice")
            .code(),
        "publish.not_published"
    );
}

#[test]
fn rotating_a_key_signs_the_new_root_with_old_and_new_thresholds() {
    let w = world();
    let k = &w.keys;
    let new_ts = Signer::generate(&w.keys_dir.join("timestamp-2.pk8")).expect("key");
    let record = w
        .publisher
        .rotate_key(
            Role::Timestamp,
            &RoleSpec::single(new_ts.public()),
            &[&k.root[0], &k.root[1]],
            &[&k.root[0], &k.root[1]],
            Signers {
                timestamp: &[&new_ts],
                ..Signers::default()
            },
            T0 + 10,
        )
        .expect("rotate timestamp");
    assert_eq!((record.versions.root, record.versions.timestamp), (2, 2));
    assert!(
        matches!(&record.action, Action::RotateKey { role: Role::Timestamp, new_key_ids, .. } if new_key_ids == &[new_ts.key_id().to_owned()])
    );
    let root: Signed<Root> = read(&w.repo.join("2.root.json"));
    assert_eq!(root.signed.roles["timestamp"].keyids, [new_ts.key_id()]);
    assert!(
        !root.signed.keys.contains_key(k.timestamp.key_id()),
        "the old key is dropped"
    );
    assert_eq!(
        std::fs::read(w.repo.join("root.json")).expect("root"),
        std::fs::read(w.repo.join("2.root.json")).expect("2")
    );
    assert!(
        w.publisher
            .resign_timestamp(&[&k.timestamp], T0 + 20)
            .is_err(),
        "the old key no longer signs"
    );
    w.publisher
        .resign_timestamp(&[&new_ts], T0 + 20)
        .expect("the new key signs");

    // Replace root key 1 by a fourth: old threshold {1, 2}, new threshold {2, 4}.
    let root4 = Signer::generate(&w.keys_dir.join("root-4.pk8")).expect("key");
    let new_roots = RoleSpec {
        keys: vec![
            k.root[1].public().clone(),
            k.root[2].public().clone(),
            root4.public().clone(),
        ],
        threshold: 2,
    };
    let e = w
        .publisher
        .rotate_key(
            Role::Root,
            &new_roots,
            &[&k.root[0], &k.root[1]],
            &[&k.root[1]],
            Signers::default(),
            T0 + 30,
        )
        .expect_err("one new key");
    assert!(
        matches!(
            e,
            PublishError::NotEnoughSigners {
                role: Role::Root,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = w
        .publisher
        .rotate_key(
            Role::Root,
            &new_roots,
            &[&k.root[1], &root4],
            &[&k.root[1], &root4],
            Signers::default(),
            T0 + 30,
        )
        .expect_err("one old key");
    assert!(
        matches!(
            e,
            PublishError::NotEnoughSigners {
                role: Role::Root,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
    w.publisher
        .rotate_key(
            Role::Root,
            &new_roots,
            &[&k.root[0], &k.root[1]],
            &[&k.root[1], &root4],
            Signers::default(),
            T0 + 30,
        )
        .expect("rotate root");
    let root: Signed<Root> = read(&w.repo.join("3.root.json"));
    let signed_by: Vec<&str> = root.signatures.iter().map(|s| s.keyid.as_str()).collect();
    assert_eq!(
        signed_by,
        [k.root[0].key_id(), k.root[1].key_id(), root4.key_id()]
    );
    let same = w.publisher.rotate_key(
        Role::Root,
        &new_roots,
        &[&k.root[1], &root4],
        &[&k.root[1], &root4],
        Signers::default(),
        T0 + 40,
    );
    assert_eq!(same.expect_err("no change").code(), "publish.bad_role_keys");
    let record = w
        .publisher
        .renew_root(&[&k.root[2], &root4], T0 + 50)
        .expect("renew");
    assert_eq!(record.versions.root, 4);
}

#[test]
fn an_altered_repository_is_refused_before_anything_is_built_on_it() {
    let w = world();
    w.publisher
        .publish(&demo_releases()[0], signers(&w.keys), T0)
        .expect("publish");
    let path = w.repo.join("2.targets.json");
    let mut md: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    md["signed"]["targets"]["hearth-plug-1_0.2.0_image.bin"]["length"] = serde_json::json!(1);
    std::fs::write(&path, serde_json::to_vec_pretty(&md).expect("json")).expect("write");
    let e = w
        .publisher
        .resign_timestamp(&[&w.keys.timestamp], T0)
        .expect_err("altered");
    assert_eq!(e.code(), "publish.corrupt", "{e}");
}
