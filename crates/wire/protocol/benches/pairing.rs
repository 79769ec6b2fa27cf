//! CPU cost of pairing on each side, and of one sealed frame against a bare
//! ChaCha20-Poly1305 seal of the same bytes.
//!
//! Run: `cargo bench -p hearth-protocol --bench pairing`. After criterion's
//! groups it prints the session/bare ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use criterion::{BenchmarkId, Criterion, Throughput};
use hearth_protocol::session::{Role, SecureSession};
use hearth_protocol::setup_code::Passcode;
use hearth_protocol::spake2::{DEFAULT_ITERATIONS, PairingProver, PairingVerifier, Verifier};
use rand::SeedableRng;
use rand::rngs::StdRng;

const SERIAL: &str = "HRT-BENCH";
const SALT: [u8; 16] = [7; 16];
const SIZES: [usize; 3] = [20, 244, 4096];

/// Times one side of a full pairing; the other side runs untimed.
fn pairing_side(iters: u64, time_prover: bool) -> Duration {
    let mut rng = StdRng::seed_from_u64(1);
    let passcode = Passcode::new(24_681_357).expect("allowed passcode");
    let verifier =
        Verifier::from_passcode(&passcode, &SALT, DEFAULT_ITERATIONS).expect("valid parameters");
    let mut prover_time = Duration::ZERO;
    let mut verifier_time = Duration::ZERO;
    for _ in 0..iters {
        let started = Instant::now();
        let prover =
            PairingProver::start(&passcode, &SALT, DEFAULT_ITERATIONS, SERIAL, &mut rng).ok();
        prover_time += started.elapsed();
        let Some(prover) = prover else { continue };

        let started = Instant::now();
        let answer = PairingVerifier::respond(&verifier, SERIAL, &prover.share_p(), &mut rng).ok();
        verifier_time += started.elapsed();
        let Some((device, reply)) = answer else {
            continue;
        };

        let started = Instant::now();
        let outcome = prover.finish(&reply.share_v, &reply.confirm_v).ok();
        prover_time += started.elapsed();
        let Some(outcome) = outcome else { continue };

        let started = Instant::now();
        black_box(device.finish(&outcome.confirm_p).ok());
        verifier_time += started.elapsed();
    }
    if time_prover {
        prover_time
    } else {
        verifier_time
    }
}

fn pairing(c: &mut Criterion) {
    let mut group = c.benchmark_group("pairing");
    group.sample_size(20);
    group.bench_function(
        format!("prover (app, PBKDF2 {DEFAULT_ITERATIONS} iterations)"),
        |b| b.iter_custom(|iters| pairing_side(iters, true)),
    );
    group.bench_function("verifier (device)", |b| {
        b.iter_custom(|iters| pairing_side(iters, false))
    });
    group.finish();
}

fn sessions() -> (SecureSession, SecureSession) {
    (
        SecureSession::from_shared_secret(&[1; 32], b"bench", Role::App),
        SecureSession::from_shared_secret(&[1; 32], b"bench", Role::Device),
    )
}

fn bare() -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(&Key::from([1u8; 32]))
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for size in SIZES {
        let payload = vec![0xA5u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("session seal", size), &payload, |b, p| {
            let (mut app, _) = sessions();
            b.iter(|| black_box(app.seal(black_box(p)).ok()));
        });
        group.bench_with_input(
            BenchmarkId::new("session seal+open", size),
            &payload,
            |b, p| {
                let (mut app, mut device) = sessions();
                b.iter(|| {
                    let frame = app.seal(black_box(p)).unwrap_or_default();
                    black_box(device.open(&frame).ok())
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("bare seal", size), &payload, |b, p| {
            let cipher = bare();
            let nonce = Nonce::from([0u8; 12]);
            b.iter(|| black_box(cipher.encrypt(&nonce, black_box(p.as_slice())).ok()));
        });
    }
    group.finish();
}

/// Mean nanoseconds per call of `f` over enough calls to take ~200 ms.
fn mean_nanos(mut f: impl FnMut()) -> f64 {
    for _ in 0..1000 {
        f();
    }
    let mut calls: u32 = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(200) {
        for _ in 0..100 {
            f();
        }
        calls += 100;
    }
    started.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn print_ratios() {
    println!();
    println!("per-frame cost, session vs bare ChaCha20-Poly1305 seal of the same bytes");
    println!(
        "{:>7} {:>12} {:>12} {:>18} {:>10} {:>10}",
        "bytes", "bare ns", "seal ns", "seal+open ns", "seal/bare", "s+o/bare"
    );
    let nonce = Nonce::from([0u8; 12]);
    for size in SIZES {
        let payload = vec![0xA5u8; size];
        let cipher = bare();
        let bare_ns = mean_nanos(|| {
            black_box(cipher.encrypt(&nonce, black_box(payload.as_slice())).ok());
        });
        let (mut app, _) = sessions();
        let seal_ns = mean_nanos(|| {
            black_box(app.seal(black_box(&payload)).ok());
        });
        let (mut app, mut device) = sessions();
        let both_ns = mean_nanos(|| {
            let frame = app.seal(black_box(&payload)).unwrap_or_default();
            black_box(device.open(&frame).ok());
        });
        println!(
            "{size:>7} {bare_ns:>12.0} {seal_ns:>12.0} {both_ns:>18.0} {:>10.2} {:>10.2}",
            seal_ns / bare_ns,
            both_ns / bare_ns
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    pairing(&mut criterion);
    frames(&mut criterion);
    criterion.final_summary();
    print_ratios();
}
