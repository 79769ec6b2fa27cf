//! Catalogue `GET` throughput and latency over TLS on loopback, SQLite against PostgreSQL.
//!
//! For each database the real service starts in-process (the tests' harness: a fresh `init`,
//! [`hearth_vendor_service::start`] on a loopback port, real rustls on ring) on a runtime of its own.
//! A load generator on a second runtime then keeps `CONNECTIONS` HTTP/1.1 keep-alive
//! connections busy with `GET /v1/catalogue/hearth-plug-1`, warms up for `WARM_UP`, measures
//! for `MEASURE`, records every latency and prints requests, req/s, req/s per core, p50, p99,
//! p99.9 and errors. The catalogue is signed at start-up and served from memory, so the same
//! run against `GET /health` (one database round trip per request) shows what the database
//! costs. Last, criterion times single requests on one warm connection for each backend.
//!
//! PostgreSQL is a throw-away cluster from the tests' helper (`initdb`/`pg_ctl`, or
//! `HEARTH_TEST_POSTGRES_URL`); when it cannot start, the run says so and reports SQLite only.
//!
//! The read rate limit is lifted for the run (one client, thousands of requests a second).
//!
//! Run: `cargo bench -p hearth-vendor-service --bench catalogue_load`. Client and server share the
//! machine's cores, so req/s per core is a lower bound for the server alone.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Harness;
use common::postgres::Cluster;
use criterion::Criterion;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

const CONNECTIONS: usize = 16;
const WARM_UP: Duration = Duration::from_secs(1);
const MEASURE: Duration = Duration::from_secs(5);
const CATALOGUE_PATH: &str = "/v1/catalogue/hearth-plug-1";
const HEALTH_PATH: &str = "/health";

/// The load generator is one client doing thousands of reads a second: lift the read limit
/// (the service's rate limits are not what this measures).
fn unthrottled(config: &mut hearth_vendor_service::Config) {
    config.limits.rates.reads = hearth_vendor_service::throttle::Rate {
        burst: u32::MAX,
        per_hour: u32::MAX,
    };
}

/// One started service and what the load generator needs to reach it.
struct Backend {
    name: &'static str,
    harness: Harness,
    ca_pem: String,
}

/// What one load run measured.
struct LoadResult {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    /// Every successful request's latency, sorted.
    latencies: Vec<Duration>,
}

impl LoadResult {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (q * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

/// An HTTP/1.1-only client (one keep-alive connection per client) trusting only the demo CA.
fn http1_client(ca_pem: &str) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.expect("CA PEM parses"))
            .expect("CA is a valid trust anchor");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .http1_only()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// One request, body read to the end; `Err` on a transport error or a status other than 200.
async fn get_once(client: &reqwest::Client, url: &str) -> Result<usize, String> {
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(format!("status {}", response.status()));
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    Ok(body.len())
}

/// `CONNECTIONS` workers, each on its own connection, loop until the deadline; requests that
/// end before `measure_from` are warm-up and not counted.
async fn load(ca_pem: &str, url: &str) -> LoadResult {
    let started = Instant::now();
    let measure_from = started + WARM_UP;
    let deadline = measure_from + MEASURE;
    let mut workers = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let client = http1_client(ca_pem);
        let url = url.to_owned();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(65_536);
            let mut errors = 0u64;
            let mut first_error = None;
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let result = get_once(&client, &url).await;
                let done = Instant::now();
                if sent < measure_from || done > deadline {
                    continue;
                }
                match result {
                    Ok(_) => latencies.push(done - sent),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (latencies, e, first_error) = worker.await.expect("load worker");
        if let Some(message) = first_error {
            eprintln!("  (first error on one connection: {message})");
        }
        all.extend(latencies);
        errors += e;
    }
    all.sort_unstable();
    LoadResult {
        requests: all.len() as u64,
        errors,
        elapsed: MEASURE,
        latencies: all,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_result(backend: &str, path: &str, r: &LoadResult, cores: usize) {
    println!(
        "{backend:<10} GET {path:<28} requests {:>7}  {:>8.0} req/s  {:>8.0} req/s per core  \
         p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  errors {}",
        r.requests,
        r.per_second(),
        r.per_second() / cores as f64,
        millis(r.quantile(0.50)),
        millis(r.quantile(0.99)),
        millis(r.quantile(0.999)),
        r.errors,
    );
}

fn main() {
    // The service's own runtime, so its tasks are not queued behind the load generator's.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("vendor-server")
        .build()
        .expect("server runtime");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("load-generator")
        .build()
        .expect("client runtime");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut backends = Vec::new();
    let harness = server_rt.block_on(Harness::start_with(None, unthrottled));
    backends.push(Backend {
        name: "SQLite",
        ca_pem: ca_pem(&harness),
        harness,
    });
    let mut cluster = None;
    let mut postgres_skipped = None;
    match Cluster::start() {
        Ok(c) => {
            let url = server_rt.block_on(c.fresh_database());
            let harness = server_rt.block_on(Harness::start_with(Some(url), unthrottled));
            backends.push(Backend {
                name: "PostgreSQL",
                ca_pem: ca_pem(&harness),
                harness,
            });
            cluster = Some(c);
        }
        Err(reason) => {
            let reason = reason.lines().next().unwrap_or_default().to_owned();
            println!("PostgreSQL run SKIPPED: the throw-away cluster did not start: {reason}");
            postgres_skipped = Some(reason);
        }
    }

    println!(
        "\ncatalogue_load: {CONNECTIONS} keep-alive HTTP/1.1 connections over TLS on loopback, \
         {} s warm-up, {} s measured, {cores} core(s) shared by client and server",
        WARM_UP.as_secs(),
        MEASURE.as_secs()
    );
    let mut catalogue_rates = Vec::new();
    for backend in &backends {
        for path in [CATALOGUE_PATH, HEALTH_PATH] {
            let url = backend.harness.url(path);
            let result = client_rt.block_on(load(&backend.ca_pem, &url));
            print_result(backend.name, path, &result, cores);
            if path == CATALOGUE_PATH {
                catalogue_rates.push(result.per_second());
            }
        }
    }
    match (catalogue_rates.as_slice(), &postgres_skipped) {
        ([sqlite, postgres], _) => println!(
            "catalogue GET throughput PostgreSQL/SQLite: {:.2}\n",
            postgres / sqlite
        ),
        (_, Some(reason)) => println!(
            "catalogue GET throughput PostgreSQL/SQLite: n/a (PostgreSQL skipped: {reason})\n"
        ),
        _ => println!("catalogue GET throughput PostgreSQL/SQLite: n/a\n"),
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for backend in &backends {
        let client = http1_client(&backend.ca_pem);
        let url = backend.harness.url(CATALOGUE_PATH);
        criterion.bench_function(
            &format!("catalogue_get_one_connection/{}", backend.name),
            |b| {
                b.iter(|| {
                    client_rt
                        .block_on(get_once(&client, &url))
                        .expect("catalogue GET succeeds")
                });
            },
        );
    }
    criterion.final_summary();

    for backend in backends {
        let database_url = backend.harness.database_url.clone();
        server_rt.block_on(backend.harness.stop());
        if let (Some(c), true) = (&cluster, database_url.starts_with("postgres")) {
            server_rt.block_on(c.drop_database(&database_url));
        }
    }
    // Stops and removes the throw-away cluster.
    drop(cluster);
}

fn ca_pem(harness: &Harness) -> String {
    std::fs::read_to_string(&harness.config.tls.ca_cert).expect("CA PEM readable")
}
