//! `cargo bench -p hearth-updates`: a TUF refresh against a repository with 100 targets
//! (20 releases × image + 4 notices), published with `hearth-publish` and served over HTTPS
//! on 127.0.0.1 with a test CA (the app's pinned-CA path):
//!
//! - `refresh_cold` — a new install: empty store, the root chain probed, timestamp, snapshot
//!   and the 100-target targets metadata fetched, verified and stored, TLS handshake included;
//! - `refresh_restart` — the app restarted: metadata re-verified from the store, then the
//!   two requests of an unchanged repository (`2.root.json` → 404, `timestamp.json`);
//! - `check_warm` — [`UpdateClient::check`] on a running client: refresh plus the newest
//!   version's four notices (from the store once cached).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{HOUR, T0, Vendor, demo_releases, pki, serve};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hearth_clock::ManualClock;
use hearth_publish::Release;
use hearth_update_notice::{NoticeSet, Version};
use hearth_updates::{Limits, Source, StoreLayout, Tls, TufClient, UpdateClient, UpdateSettings};

const RELEASES: u32 = 20;

/// `RELEASES` releases of the demo model, each with an image and four notices.
fn repository() -> Vendor {
    let vendor = Vendor::empty();
    let template = &demo_releases()[1];
    for i in 0..RELEASES {
        let version = Version::new(0, 3, i);
        let notices = template.notices.iter().cloned().map(|mut n| {
            n.version = version;
            n
        });
        let notices = NoticeSet::new(&template.model, version, notices).expect("notices");
        let image = hearth_publish::demo::placeholder_image(&template.model, version);
        let release = Release::new(&template.model, version, 2, image, notices).expect("release");
        vendor.publish(&release, T0);
    }
    let targets = common::current_targets(&vendor.repo);
    assert_eq!(
        targets["signed"]["targets"]
            .as_object()
            .map(serde_json::Map::len),
        Some(100)
    );
    vendor
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let vendor = repository();
    let pki = pki();
    let server = runtime.block_on(async { serve(&vendor.repo, Some(pki.server.clone())) });
    let source = Source::under(&server.base, Tls::PinnedCa(pki.ca_pem.clone()));
    let now = T0 + HOUR;
    let open = |store: &std::path::Path| {
        TufClient::open(
            &source,
            &vendor.bootstrap_root,
            &StoreLayout::App(store.to_owned()),
            Limits::default(),
        )
        .expect("open")
    };
    let mut group = c.benchmark_group("tuf_100_targets");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    group.bench_function("refresh_cold", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("store"),
            |store| {
                let mut tuf = open(store.path());
                runtime.block_on(tuf.refresh(now)).expect("refresh");
                store
            },
            BatchSize::PerIteration,
        );
    });

    let warm_store = tempfile::tempdir().expect("store");
    runtime
        .block_on(open(warm_store.path()).refresh(now))
        .expect("first refresh");
    group.bench_function("refresh_restart", |b| {
        b.iter(|| {
            let mut tuf = open(warm_store.path());
            runtime.block_on(tuf.refresh(now)).expect("refresh");
        });
    });

    let clock = ManualClock::new(now);
    let app_store = tempfile::tempdir().expect("store");
    let updates = UpdateClient::open(
        UpdateSettings {
            source: source.clone(),
            bootstrap_root: vendor.bootstrap_root.clone(),
            store_dir: app_store.path().to_owned(),
            limits: Limits::default(),
        },
        Arc::new(clock),
    )
    .expect("client");
    runtime.block_on(updates.check()).expect("first check");
    group.bench_function("check_warm", |b| {
        b.iter(|| runtime.block_on(updates.check()).expect("check"));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
