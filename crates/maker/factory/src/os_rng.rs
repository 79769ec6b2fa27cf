//! The OS CSPRNG as an infallible [`rand::CryptoRng`].
//!
//! Passcodes and keys come straight from the operating system's generator
//! (getrandom), not from a user-space PRNG seeded once (EN 303 645 4.1-1:
//! unpredictable per-device codes).

use rand::rngs::SysError;
use rand::rngs::SysRng;

/// The OS CSPRNG. A failing OS generator is unrecoverable for a factory tool:
/// minting must stop rather than continue with weak codes, so it panics.
pub type OsCsprng = rand::rand_core::UnwrapErr<SysRng>;

/// A handle to the OS CSPRNG.
#[must_use]
pub fn os_csprng() -> OsCsprng {
    rand::rand_core::UnwrapErr(SysRng)
}

/// Checks once that the OS generator works, so a broken one is a clean error, not a panic mid-batch.
///
/// # Errors
/// The OS error.
pub fn check_os_csprng() -> Result<(), SysError> {
    use rand::TryRng;
    let mut probe = [0u8; 16];
    SysRng.try_fill_bytes(&mut probe)
}
