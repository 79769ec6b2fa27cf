//! SPAKE2+ pairing (RFC 9383, suite P256-SHA256-HKDF-SHA256-HMAC-SHA256)
//! between the app (prover, knows the setup code) and the device (verifier,
//! holds only `w0` and `L`). ETSI EN 303 645 provisions 4.1-1 and 4.5-1.
//!
//! The group arithmetic, transcript and key schedule are the `spake2plus`
//! crate's, which reproduces RFC 9383 Appendix C (see
//! `tests/crypto_spake2_vectors.rs`); this module adds the password hash,
//! the device's stored record, byte-level state machines for the pairing
//! flow, and a transcript hash for the attestation signature.
//!
//! # Password hash (as Matter does it, Core spec 3.9)
//! `w0s || w1s = PBKDF2-HMAC-SHA256(passcode as 4 little-endian bytes, salt,
//! iterations, 80 bytes)`; each 40-byte half is read big-endian and reduced
//! modulo the P-256 group order `n` (40 bytes leave a bias below 2^-64).
//! `L = w1*P`. Salt is 16..=32 random bytes per device and iterations
//! 1000..=100000; both are public and sent in `PairingParamsResponse`.
//!
//! # Context and identities
//! [`PakeContext::hearth`] binds the protocol version, the salt and the
//! iteration count into RFC 9383's `Context`, with `idProver = "hearth-app"`
//! and `idVerifier` = the device serial, so both sides must agree on all of
//! them or key confirmation fails.

use std::fmt;

use rand::CryptoRng;
use sha2::{Digest, Sha256};
use spake2plus::{
    ConfirmP, ConfirmV, Context, P256Sha256, Prover, ProverConfirming, ProverSecret, ShareP,
    ShareV, Verifier as RunVerifier, VerifierConfirming, VerifierRecord,
};
use zeroize::Zeroizing;

use crate::setup_code::Passcode;

/// Length of a share (`shareP`, `shareV`): SEC1 uncompressed P-256.
pub const SHARE_LEN: usize = 65;
/// Length of a key confirmation MAC.
pub const CONFIRM_LEN: usize = 32;
/// Length of the shared key `K_shared`.
pub const SHARED_KEY_LEN: usize = 32;
/// The iteration count the factory uses unless told otherwise (Matter's minimum).
pub const DEFAULT_ITERATIONS: u32 = 1000;
/// Allowed PBKDF2 iteration counts (Matter's range).
pub const ITERATIONS: std::ops::RangeInclusive<u32> = 1000..=100_000;
/// Allowed salt lengths in bytes (Matter's range).
pub const SALT_LEN: std::ops::RangeInclusive<usize> = 16..=32;

const PBKDF_OUTPUT_LEN: usize = 80;
const RECORD_LEN: usize = 32 + 65;
const VERIFIER_FORMAT: u8 = 1;
const CONTEXT_LABEL: &[u8] = b"hearth/pairing/spake2+/v1";
const PROVER_ID: &[u8] = b"hearth-app";
const TRANSCRIPT_LABEL: &[u8] = b"hearth/pairing/transcript/v1";

/// Why a pairing step or a stored verifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Spake2Error {
    /// Salt length outside 16..=32 bytes.
    #[error("salt of {0} bytes; 16 to 32 expected")]
    BadSalt(usize),
    /// Iteration count outside 1000..=100000.
    #[error("{0} PBKDF2 iterations; 1000 to 100000 expected")]
    BadIterations(u32),
    /// A share that is not an uncompressed P-256 point on the curve, or the identity.
    #[error("the peer's share is not a valid curve point")]
    InvalidShare,
    /// A share that cancels the password mask (`w0*M` or `w0*N`).
    #[error("the peer's share is degenerate")]
    DegenerateShare,
    /// A message of the wrong length.
    #[error("wrong length: expected {expected} bytes, got {actual}")]
    WrongLength {
        /// What the field needs.
        expected: usize,
        /// What arrived.
        actual: usize,
    },
    /// The peer's key confirmation did not match: wrong setup code, or the
    /// messages were altered.
    #[error("key confirmation failed: wrong setup code or altered messages")]
    ConfirmationFailed,
    /// A stored verifier that does not parse.
    #[error("the stored verifier is malformed")]
    MalformedVerifier,
    /// The password hash gave a zero scalar (probability ~2^-256).
    #[error("the password hash gave an unusable scalar")]
    UnusableSecret,
}

impl Spake2Error {
    /// A stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadSalt(_) => "spake2.bad_salt",
            Self::BadIterations(_) => "spake2.bad_iterations",
            Self::InvalidShare => "spake2.invalid_share",
            Self::DegenerateShare => "spake2.degenerate_share",
            Self::WrongLength { .. } => "spake2.wrong_length",
            Self::ConfirmationFailed => "spake2.confirmation_failed",
            Self::MalformedVerifier => "spake2.malformed_verifier",
            Self::UnusableSecret => "spake2.unusable_secret",
        }
    }
}

impl From<spake2plus::Error> for Spake2Error {
    fn from(error: spake2plus::Error) -> Self {
        match error {
            spake2plus::Error::Length { expected, actual } => {
                Self::WrongLength { expected, actual }
            }
            spake2plus::Error::InvalidPoint => Self::InvalidShare,
            spake2plus::Error::DegenerateShare => Self::DegenerateShare,
            spake2plus::Error::ConfirmationFailed => Self::ConfirmationFailed,
            spake2plus::Error::InvalidScalar | spake2plus::Error::PbkdfOutputLength { .. } => {
                Self::UnusableSecret
            }
            _ => Self::MalformedVerifier,
        }
    }
}

fn check_params(salt: &[u8], iterations: u32) -> Result<(), Spake2Error> {
    if !SALT_LEN.contains(&salt.len()) {
        return Err(Spake2Error::BadSalt(salt.len()));
    }
    if !ITERATIONS.contains(&iterations) {
        return Err(Spake2Error::BadIterations(iterations));
    }
    Ok(())
}

/// RFC 9383's `Context`, `idProver` and `idVerifier`, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PakeContext {
    context: Vec<u8>,
    prover_id: Vec<u8>,
    verifier_id: Vec<u8>,
}

impl PakeContext {
    /// Any context and identities (the RFC's test vectors use this).
    #[must_use]
    pub fn new(context: &[u8], prover_id: &[u8], verifier_id: &[u8]) -> Self {
        Self {
            context: context.to_vec(),
            prover_id: prover_id.to_vec(),
            verifier_id: verifier_id.to_vec(),
        }
    }

    /// Hearth's context: label, iteration count (4 bytes big-endian) and
    /// salt; `idProver = "hearth-app"`, `idVerifier = device_serial`.
    #[must_use]
    pub fn hearth(device_serial: &str, salt: &[u8], iterations: u32) -> Self {
        let mut context = CONTEXT_LABEL.to_vec();
        context.extend_from_slice(&iterations.to_be_bytes());
        context.extend_from_slice(salt);
        Self {
            context,
            prover_id: PROVER_ID.to_vec(),
            verifier_id: device_serial.as_bytes().to_vec(),
        }
    }

    fn borrowed(&self) -> Context<'_> {
        Context {
            context: &self.context,
            prover_id: &self.prover_id,
            verifier_id: &self.verifier_id,
        }
    }

    /// SHA-256 over a label, this context and the public messages of the
    /// run, each length-prefixed (8 bytes little-endian, as RFC 9383 §3.3
    /// does). The device signs it to prove possession of its identity key
    /// in this very run (see [`crate::attestation`]).
    #[must_use]
    pub fn transcript_hash(&self, share_p: &[u8], share_v: &[u8], confirm_v: &[u8]) -> [u8; 32] {
        let mut hash = Sha256::new();
        for part in [
            TRANSCRIPT_LABEL,
            &self.context,
            &self.prover_id,
            &self.verifier_id,
            share_p,
            share_v,
            confirm_v,
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hash.finalize().into()
    }
}

/// The prover's secret `w0`, `w1`. Zeroized on drop; `Debug` is redacted.
#[derive(Clone)]
pub struct PakeSecret(ProverSecret<P256Sha256>);

impl fmt::Debug for PakeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PakeSecret(<redacted>)")
    }
}

impl PakeSecret {
    /// `w0` and `w1` given directly as 32-byte big-endian scalars (reduced
    /// modulo `n`), for test vectors.
    ///
    /// # Errors
    /// [`Spake2Error::UnusableSecret`] if either is zero.
    pub fn from_scalars(w0: &[u8; 32], w1: &[u8; 32]) -> Result<Self, Spake2Error> {
        let mut output = Zeroizing::new([0u8; PBKDF_OUTPUT_LEN]);
        // Eight leading zero bytes make each 40-byte half equal its scalar.
        output[8..40].copy_from_slice(w0);
        output[48..80].copy_from_slice(w1);
        Ok(Self(ProverSecret::from_pbkdf_output(&output[..])?))
    }

    /// The verifier record for the device: `w0` and `L = w1*P`, with the
    /// salt and iteration count the secret was derived with.
    ///
    /// # Errors
    /// [`Spake2Error::BadSalt`], [`Spake2Error::BadIterations`].
    pub fn verifier(&self, salt: &[u8], iterations: u32) -> Result<Verifier, Spake2Error> {
        check_params(salt, iterations)?;
        Ok(Verifier {
            record: self.0.verifier_record(),
            salt: salt.to_vec(),
            iterations,
        })
    }
}

/// The Matter-style password hash: PBKDF2-HMAC-SHA256 of the passcode
/// (4 bytes little-endian) into `w0s || w1s`, each reduced modulo `n`.
///
/// # Errors
/// [`Spake2Error::BadSalt`], [`Spake2Error::BadIterations`] for parameters
/// outside Matter's ranges.
pub fn compute_registration(
    passcode: &Passcode,
    salt: &[u8],
    iterations: u32,
) -> Result<PakeSecret, Spake2Error> {
    check_params(salt, iterations)?;
    let password = Zeroizing::new(passcode.expose_secret().to_le_bytes());
    let mut output = Zeroizing::new([0u8; PBKDF_OUTPUT_LEN]);
    pbkdf2::pbkdf2_hmac::<Sha256>(&password[..], salt, iterations, &mut output[..]);
    Ok(PakeSecret(ProverSecret::from_pbkdf_output(&output[..])?))
}

/// What the device stores instead of its setup code: `w0`, `L`, salt and
/// iteration count. Whoever holds it can pose as the device, and test
/// passcode guesses offline against `L`, so it is secret too: zeroized on
/// drop, `Debug` redacted.
#[derive(Clone)]
pub struct Verifier {
    record: VerifierRecord<P256Sha256>,
    salt: Vec<u8>,
    iterations: u32,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("record", &"<redacted>")
            .field("salt_len", &self.salt.len())
            .field("iterations", &self.iterations)
            .finish()
    }
}

impl Verifier {
    /// Registration at the factory: hash the passcode and keep only the record.
    ///
    /// # Errors
    /// As [`compute_registration`].
    pub fn from_passcode(
        passcode: &Passcode,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, Spake2Error> {
        compute_registration(passcode, salt, iterations)?.verifier(salt, iterations)
    }

    /// The salt sent in `PairingParamsResponse`.
    #[must_use]
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The iteration count sent in `PairingParamsResponse`.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Storage form: `1` (format) ‖ iterations (4 bytes BE) ‖ salt length
    /// (1 byte) ‖ salt ‖ `w0` (32 bytes BE) ‖ `L` (65 bytes SEC1).
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(6 + self.salt.len() + RECORD_LEN));
        out.push(VERIFIER_FORMAT);
        out.extend_from_slice(&self.iterations.to_be_bytes());
        // Every constructor checks the salt against `SALT_LEN` (at most 32).
        out.push(u8::try_from(self.salt.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(self.record.to_bytes().as_ref());
        out
    }

    /// Parses [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    /// [`Spake2Error::MalformedVerifier`] for any structural problem,
    /// [`Spake2Error::BadSalt`]/[`Spake2Error::BadIterations`] for
    /// parameters out of range.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Spake2Error> {
        let malformed = Spake2Error::MalformedVerifier;
        let (&format, rest) = bytes.split_first().ok_or(malformed.clone())?;
        if format != VERIFIER_FORMAT {
            return Err(malformed);
        }
        let (iterations, rest) = rest.split_first_chunk::<4>().ok_or(malformed.clone())?;
        let iterations = u32::from_be_bytes(*iterations);
        let (&salt_len, rest) = rest.split_first().ok_or(malformed.clone())?;
        let (salt, record) = rest
            .split_at_checked(usize::from(salt_len))
            .ok_or(malformed.clone())?;
        check_params(salt, iterations)?;
        if record.len() != RECORD_LEN {
            return Err(malformed);
        }
        let record = VerifierRecord::from_bytes(record).map_err(|_| malformed)?;
        Ok(Self {
            record,
            salt: salt.to_vec(),
            iterations,
        })
    }
}

/// The shared key `K_shared` after successful confirmation; feed it to
/// [`crate::session::SecureSession::from_pake`]. Zeroized on drop.
pub struct PakeKey(Zeroizing<[u8; SHARED_KEY_LEN]>);

impl PakeKey {
    /// The key bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; SHARED_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for PakeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PakeKey(<redacted>)")
    }
}

fn key_from(shared: &spake2plus::SharedKey<P256Sha256>) -> PakeKey {
    PakeKey(Zeroizing::new(*shared.as_bytes()))
}

/// The app's side (RFC 9383 prover). Round trip 2 sends [`share_p`](Self::share_p);
/// [`finish`](Self::finish) takes the device's `Pake2` fields.
pub struct PairingProver {
    run: Prover<P256Sha256>,
    share_p: [u8; SHARE_LEN],
    context: PakeContext,
}

impl fmt::Debug for PairingProver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingProver(..)")
    }
}

/// What the app has once the device's confirmation checked out.
#[derive(Debug)]
pub struct ProverOutcome {
    /// `confirmP`, to send in `Pake3`.
    pub confirm_p: [u8; CONFIRM_LEN],
    /// `K_shared`.
    pub key: PakeKey,
    /// The hash the device's attestation signature must cover.
    pub transcript_hash: [u8; 32],
}

impl PairingProver {
    /// Derives the secret from the passcode (slow: PBKDF2) and starts a run
    /// with [`PakeContext::hearth`].
    ///
    /// # Errors
    /// [`Spake2Error::BadSalt`]/[`Spake2Error::BadIterations`] when the
    /// device's parameters are out of range.
    pub fn start<R: CryptoRng + ?Sized>(
        passcode: &Passcode,
        salt: &[u8],
        iterations: u32,
        device_serial: &str,
        rng: &mut R,
    ) -> Result<Self, Spake2Error> {
        let secret = compute_registration(passcode, salt, iterations)?;
        Ok(Self::start_with_secret(
            &secret,
            PakeContext::hearth(device_serial, salt, iterations),
            rng,
        ))
    }

    /// Starts a run from an already derived secret and any context; `x`
    /// comes from `rng` (64 bytes reduced modulo `n`).
    pub fn start_with_secret<R: CryptoRng + ?Sized>(
        secret: &PakeSecret,
        context: PakeContext,
        rng: &mut R,
    ) -> Self {
        let (run, share) = Prover::start(&secret.0, &context.borrowed(), rng);
        Self {
            run,
            share_p: *share.as_bytes(),
            context,
        }
    }

    /// `shareP` for `Pake1`.
    #[must_use]
    pub fn share_p(&self) -> [u8; SHARE_LEN] {
        self.share_p
    }

    /// Takes `shareV` and `confirmV`, checks `confirmV` in constant time,
    /// and only then gives `confirmP` and the key (RFC 9383 §3.4 order).
    ///
    /// # Errors
    /// [`Spake2Error::InvalidShare`]/[`Spake2Error::WrongLength`] for a bad
    /// share, [`Spake2Error::DegenerateShare`], and
    /// [`Spake2Error::ConfirmationFailed`] for a wrong setup code or
    /// altered messages.
    pub fn finish(self, share_v: &[u8], confirm_v: &[u8]) -> Result<ProverOutcome, Spake2Error> {
        let share = ShareV::<P256Sha256>::from_bytes(share_v)?;
        let confirm = ConfirmV::<P256Sha256>::from_bytes(confirm_v)?;
        let confirming: ProverConfirming<P256Sha256> = self.run.receive(&share)?;
        let (confirm_p, key) = confirming.finish(&confirm)?;
        Ok(ProverOutcome {
            confirm_p: *confirm_p.as_bytes(),
            key: key_from(&key),
            transcript_hash: self
                .context
                .transcript_hash(&self.share_p, share_v, confirm_v),
        })
    }
}

/// The device's side (RFC 9383 verifier), between `Pake2` and `Pake3`.
pub struct PairingVerifier {
    run: VerifierConfirming<P256Sha256>,
}

impl fmt::Debug for PairingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingVerifier(..)")
    }
}

/// The device's answer to `Pake1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierReply {
    /// `shareV`.
    pub share_v: [u8; SHARE_LEN],
    /// `confirmV`.
    pub confirm_v: [u8; CONFIRM_LEN],
    /// What the device's identity key signs for attestation.
    pub transcript_hash: [u8; 32],
}

impl PairingVerifier {
    /// Answers `Pake1` with [`PakeContext::hearth`]; `y` comes from `rng`.
    ///
    /// # Errors
    /// [`Spake2Error::InvalidShare`] (off the curve, identity, compressed),
    /// [`Spake2Error::WrongLength`], [`Spake2Error::DegenerateShare`].
    pub fn respond<R: CryptoRng + ?Sized>(
        verifier: &Verifier,
        device_serial: &str,
        share_p: &[u8],
        rng: &mut R,
    ) -> Result<(Self, VerifierReply), Spake2Error> {
        let context = PakeContext::hearth(device_serial, &verifier.salt, verifier.iterations);
        Self::respond_with_context(verifier, &context, share_p, rng)
    }

    /// [`respond`](Self::respond) with any context.
    ///
    /// # Errors
    /// As [`respond`](Self::respond).
    pub fn respond_with_context<R: CryptoRng + ?Sized>(
        verifier: &Verifier,
        context: &PakeContext,
        share_p: &[u8],
        rng: &mut R,
    ) -> Result<(Self, VerifierReply), Spake2Error> {
        let share = ShareP::<P256Sha256>::from_bytes(share_p)?;
        let (run, share_v) = RunVerifier::start(&verifier.record, &context.borrowed(), rng);
        let (run, confirm_v) = run.receive(&share)?;
        let reply = VerifierReply {
            share_v: *share_v.as_bytes(),
            confirm_v: *confirm_v.as_bytes(),
            transcript_hash: context.transcript_hash(
                share_p,
                share_v.as_bytes(),
                confirm_v.as_bytes(),
            ),
        };
        Ok((Self { run }, reply))
    }

    /// Checks `confirmP` from `Pake3` in constant time and gives the key.
    /// The device must count a failure (lockout) on error, and open nothing
    /// sealed before this succeeds.
    ///
    /// # Errors
    /// [`Spake2Error::WrongLength`], [`Spake2Error::ConfirmationFailed`].
    pub fn finish(self, confirm_p: &[u8]) -> Result<PakeKey, Spake2Error> {
        let confirm = ConfirmP::<P256Sha256>::from_bytes(confirm_p)?;
        Ok(key_from(&self.run.finish(&confirm)?))
    }
}
