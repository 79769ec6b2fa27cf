//! The allocation path the minter uses for serials and setup codes, at scale.
//!
//! Minting a full identity costs PBKDF2 + a P-256 scalar multiplication + an
//! Ed25519 certificate + two images and five files; 100 000 of those take far
//! longer than a test should. So 100 000 identities go through
//! `Registry::allocate_batch` (the exact function `mint` calls first, with the
//! OS CSPRNG and the registry file), and `tests/mint.rs` mints a smaller full batch.

use hearth_factory::FactoryError;
use hearth_factory::os_rng::os_csprng;
use hearth_factory::registry::{Allocation, Registry, format_serial};
use hearth_protocol::setup_code::{Passcode, SetupCode};
use rand::SeedableRng;
use std::collections::HashSet;

const N: usize = 100_000;

/// Pearson correlation between index and value.
fn correlation(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        let dy = y - mean_y;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    sxy / (sxx * syy).sqrt()
}

/// Chi-square statistic of `values` over `buckets` equal buckets by `bucket_of`.
fn chi_square(values: &[u32], buckets: usize, bucket_of: impl Fn(u32) -> usize) -> f64 {
    let mut counts = vec![0u64; buckets];
    for &v in values {
        counts[bucket_of(v)] += 1;
    }
    let expected = values.len() as f64 / buckets as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// How many consecutive differences repeat (an arithmetic progression repeats them all).
fn repeated_steps(values: &[u32]) -> usize {
    let steps: Vec<i64> = values
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    steps.windows(2).filter(|w| w[0] == w[1]).count()
}

const RANGE: u32 = 99_999_998;

/// The statistical checks, applied to real output and to broken generators alike.
/// Thresholds: |r| < 0.02 is 6 standard deviations for n = 100 000 (σ ≈ 1/√n);
/// χ² < 140 with 63 degrees of freedom has p < 1e-8 for a uniform source;
/// a random sequence repeats a step with probability ~1e-8 per pair.
fn looks_random(passcodes: &[u32]) -> Result<(), String> {
    let r = correlation(&passcodes.iter().map(|&p| f64::from(p)).collect::<Vec<_>>());
    if r.abs() >= 0.02 {
        return Err(format!("correlation with serial index {r}"));
    }
    let high = chi_square(passcodes, 64, |p| {
        (u64::from(p.saturating_sub(1)) * 64 / u64::from(RANGE)).min(63) as usize
    });
    if high >= 140.0 {
        return Err(format!("chi-square over value ranges {high}"));
    }
    let low = chi_square(passcodes, 64, |p| (p % 64) as usize);
    if low >= 140.0 {
        return Err(format!("chi-square over low bits {low}"));
    }
    let repeats = repeated_steps(passcodes);
    if repeats >= 5 {
        return Err(format!("{repeats} repeated steps"));
    }
    Ok(())
}

#[test]
fn hundred_thousand_identities_get_distinct_valid_random_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = Registry::open(dir.path()).unwrap();
    let start = std::time::Instant::now();
    let batch = registry
        .allocate_batch("PLUG", N, &mut os_csprng())
        .unwrap();
    eprintln!("allocated {N} serials and codes in {:?}", start.elapsed());

    let passcodes: Vec<u32> = batch
        .iter()
        .map(|a| a.code.passcode.expose_secret())
        .collect();
    assert_eq!(
        passcodes.iter().collect::<HashSet<_>>().len(),
        N,
        "passcodes distinct"
    );
    assert_eq!(
        batch
            .iter()
            .map(|a| &a.serial)
            .collect::<HashSet<_>>()
            .len(),
        N,
        "serials distinct"
    );
    for (a, &p) in batch.iter().zip(&passcodes) {
        // `Passcode::new` rejects exactly Matter's invalid list and out-of-range values.
        assert!(
            Passcode::new(p).is_ok(),
            "{} got a forbidden passcode",
            a.serial
        );
        let parsed = SetupCode::parse(&a.code.manual_code()).unwrap();
        assert_eq!(parsed.passcode.expose_secret(), p);
    }
    looks_random(&passcodes).unwrap();

    // The registry on disk holds all of them: a re-opened registry knows every code.
    let reopened = Registry::open(dir.path()).unwrap();
    assert_eq!(reopened.ledger().len(), N);
    assert!(passcodes.iter().all(|&p| reopened.ledger().has_passcode(p)));
}

#[test]
fn the_checks_catch_broken_generators() {
    let sequential: Vec<u32> = (1..=N as u32).map(|i| 10_000_000 + i).collect();
    assert!(looks_random(&sequential).is_err());
    let progression: Vec<u32> = (0..N as u32).map(|i| (1 + i * 997) % RANGE).collect();
    assert!(looks_random(&progression).is_err());
    // "Derived from the serial": a hash-like but serial-ordered mapping still correlates.
    let from_serial: Vec<u32> = (0..N as u32)
        .map(|i| 1 + (i * 900 + (i * 7919) % 900))
        .collect();
    assert!(looks_random(&from_serial).is_err());
    // Only 8 of 64 low-bit patterns (a generator with stuck bits).
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let weak_low_bits: Vec<u32> = (0..N)
        .map(|_| (Passcode::generate(&mut rng).expose_secret() & !0b11_0000) | 1)
        .collect();
    assert!(looks_random(&weak_low_bits).is_err());
}

#[test]
fn same_serial_in_another_folder_gets_another_code() {
    // Two output folders issue the same serials; if codes were derived from serials
    // they would match.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let batch_a = Registry::open(a.path())
        .unwrap()
        .allocate_batch("PLUG", 1000, &mut os_csprng())
        .unwrap();
    let batch_b = Registry::open(b.path())
        .unwrap()
        .allocate_batch("PLUG", 1000, &mut os_csprng())
        .unwrap();
    let same_code = batch_a
        .iter()
        .zip(&batch_b)
        .filter(|(x, y)| {
            assert_eq!(x.serial, y.serial);
            x.code.passcode == y.code.passcode
        })
        .count();
    // Expected matches: 1000 / ~1e8.
    assert!(
        same_code <= 1,
        "{same_code} serials got the same code in both folders"
    );
}

#[test]
fn duplicates_across_batches_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = Registry::open(dir.path()).unwrap();
    let first = registry
        .allocate_batch("PLUG", 10, &mut os_csprng())
        .unwrap();
    let second = registry
        .allocate_batch("PLUG", 10, &mut os_csprng())
        .unwrap();
    assert_eq!(
        second[0].serial,
        format_serial("PLUG", 11),
        "serials continue across batches"
    );
    drop(registry);

    // A later run in the same folder refuses an already-issued code and serial.
    let mut registry = Registry::open(dir.path()).unwrap();
    let reused_code = Allocation {
        serial: format_serial("PLUG", 999),
        code: first[3].code.clone(),
    };
    let err = registry.record(&[reused_code]).unwrap_err();
    assert!(
        matches!(&err, FactoryError::DuplicatePasscode { existing_serial } if *existing_serial == first[3].serial)
    );
    assert_eq!(err.code(), "factory_duplicate_passcode");

    let mut fresh_rng = rand::rngs::StdRng::seed_from_u64(99);
    let reused_serial = Allocation {
        serial: second[0].serial.clone(),
        code: SetupCode::generate(&mut fresh_rng),
    };
    assert_eq!(
        registry.record(&[reused_serial]).unwrap_err().code(),
        "factory_duplicate_serial"
    );

    // Within one batch too, and nothing from a refused batch is recorded.
    let code = SetupCode::generate(&mut fresh_rng);
    let twice = [
        Allocation {
            serial: format_serial("PLUG", 500),
            code: code.clone(),
        },
        Allocation {
            serial: format_serial("PLUG", 501),
            code,
        },
    ];
    assert_eq!(
        registry.record(&twice).unwrap_err().code(),
        "factory_duplicate_passcode"
    );
    assert_eq!(Registry::open(dir.path()).unwrap().ledger().len(), 20);
}

#[test]
fn a_torn_registry_tail_is_cut_and_a_damaged_line_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    Registry::open(dir.path())
        .unwrap()
        .allocate_batch("PLUG", 3, &mut os_csprng())
        .unwrap();
    let path = dir.path().join(hearth_factory::registry::REGISTRY_FILE);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("PLUG-00000004\t12"); // crash mid-append
    std::fs::write(&path, &text).unwrap();
    let mut registry = Registry::open(dir.path()).unwrap();
    assert_eq!(registry.ledger().len(), 3);
    let next = registry
        .allocate_batch("PLUG", 1, &mut os_csprng())
        .unwrap();
    assert_eq!(next[0].serial, "PLUG-00000004");
    assert_eq!(Registry::open(dir.path()).unwrap().ledger().len(), 4);

    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("PLUG-00000002\t", "PLUG-00000002\tx", 1);
    std::fs::write(&path, text).unwrap();
    assert_eq!(
        Registry::open(dir.path()).unwrap_err().code(),
        "factory_registry_corrupted"
    );
}
