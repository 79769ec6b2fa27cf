//! The process-wide bus address, claimed at most once per process.
//!
//! btleplug (through bluez-async) and bluer connect to the system bus named by
//! `DBUS_SYSTEM_BUS_ADDRESS` and offer no way to name another one, so a test that drives them
//! *inside* its own process must point that variable at its world's bus. The variable belongs
//! to the whole process: a second world claiming it would silently move the first world's
//! Bluetooth onto the second world's radio (or keep the second on the first's). So the first
//! claim wins and every later one — while the first world lives or after — fails loudly.
//! Processes the world starts never need the claim: they are given the address explicitly.

use std::path::Path;
use std::sync::Mutex;

use crate::{BUS_ENV, Error, fail};

/// The address this process's environment was pointed at, once claimed.
static CLAIMED: Mutex<Option<String>> = Mutex::new(None);

/// Points this process's `DBUS_SYSTEM_BUS_ADDRESS` at `address`, for btleplug and bluer in
/// this process.
///
/// Call it before any thread that could read the environment exists (a plain `#[test]`,
/// before any runtime): nextest runs each test in its own process, which makes this hold.
///
/// # Errors
/// The process already claimed the bus for a world (this one's or an earlier one's): run one
/// in-process-Bluetooth world per test process.
pub fn claim_process_bus(address: &str) -> Result<(), Error> {
    let mut claimed = CLAIMED
        .lock()
        .map_err(|_| fail("the process bus claim is poisoned by a panic"))?;
    if let Some(earlier) = claimed.as_deref() {
        return Err(fail(format!(
            "this test process already pointed {BUS_ENV} at {earlier} for another world; \
             btleplug and bluer read it process-wide, so a process holds one world whose \
             Bluetooth runs in-process (nextest runs each test in its own process; with \
             `cargo test` run such tests one per binary)"
        )));
    }
    #[allow(unsafe_code)]
    // SAFETY: setting the environment races only with threads reading it at the same time.
    // The caller claims before starting any runtime (module documentation), the claim is
    // serialised by `CLAIMED`, and it happens once per process.
    unsafe {
        std::env::set_var(BUS_ENV, address);
    }
    *claimed = Some(address.to_owned());
    Ok(())
}

/// Whether this process's bus address has been claimed, and for which address.
pub fn process_bus() -> Option<String> {
    CLAIMED.lock().ok().and_then(|c| c.clone())
}

/// Claims the process bus for a bus socket in a fresh temporary folder and runs `body` with
/// that folder on a new multi-threaded runtime; `body` starts (and stops) buses and radios
/// there itself ([`crate::radio::RadioHandle::up`], `hearth_radio::bus::PrivateBus`). For
/// tests of the radio itself and of what happens with no radio at all.
///
/// # Panics
/// When the folder, the claim or the runtime cannot be had: the test fails there.
pub fn with_process_bus(body: impl AsyncFnOnce(&Path)) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp folder: {e}"));
    let address = hearth_radio::bus::socket_address(dir.path())
        .unwrap_or_else(|e| panic!("bus address: {e}"));
    claim_process_bus(&address).unwrap_or_else(|e| panic!("{e}"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    runtime.block_on(body(dir.path()));
    // bluez-async may still hold clean-up tasks; they are not waited for.
    runtime.shutdown_timeout(crate::wait::RUNTIME_SHUTDOWN);
}
