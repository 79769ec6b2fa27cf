//! Finding the workspace's binaries from a test (or xtask) process.

use std::path::{Path, PathBuf};

use crate::{Error, fail};

/// A workspace binary: the path in the environment variable `env` when set, else
/// `<target>/<profile>/<bin>` beside the running executable (a test's `deps/` folder or
/// xtask's own), built with cargo when it is missing there.
///
/// # Errors
/// No target folder can be derived from the running executable, or the build failed.
pub fn workspace_binary(env: &str, package: &str, bin: &str) -> Result<PathBuf, Error> {
    if let Some(path) = std::env::var_os(env) {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| fail(format!("current exe: {e}")))?;
    let folder = exe
        .parent()
        .ok_or_else(|| fail(format!("{} has no folder", exe.display())))?;
    // target/<profile>/deps/<test> → target/<profile>/<bin>; xtask lives in target/<profile>.
    let profile = if folder.file_name().is_some_and(|n| n == "deps") {
        folder.parent().unwrap_or(folder)
    } else {
        folder
    };
    let path = profile.join(bin);
    if !path.exists() {
        build(package, bin, profile)?;
    }
    Ok(path)
}

fn build(package: &str, bin: &str, profile: &Path) -> Result<(), Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.args(["build", "--quiet", "-p", package, "--bin", bin]);
    // Build into the same target folder the caller runs from.
    if let Some(target) = profile.parent() {
        command.env("CARGO_TARGET_DIR", target);
    }
    let status = command
        .status()
        .map_err(|e| fail(format!("cargo build {bin}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "cargo build -p {package} --bin {bin}: {status}"
        )))
    }
}

/// `hearth-refdevice` (`HEARTH_REFDEVICE_BIN` overrides).
///
/// # Errors
/// As [`workspace_binary`].
pub fn refdevice() -> Result<PathBuf, Error> {
    workspace_binary(
        "HEARTH_REFDEVICE_BIN",
        "hearth-reference-device",
        "hearth-refdevice",
    )
}

/// `hearth-vendor`, the vendor service (`HEARTH_VENDOR_BIN` overrides).
///
/// # Errors
/// As [`workspace_binary`].
pub fn vendor_service() -> Result<PathBuf, Error> {
    workspace_binary(
        "HEARTH_VENDOR_BIN",
        "hearth-vendor-service",
        "hearth-vendor",
    )
}

/// `hearth-keystore-probe`, one keyring operation per process (`HEARTH_KEYSTORE_PROBE_BIN`
/// overrides).
///
/// # Errors
/// As [`workspace_binary`].
pub fn keystore_probe() -> Result<PathBuf, Error> {
    workspace_binary(
        "HEARTH_KEYSTORE_PROBE_BIN",
        "hearth-keystore",
        "hearth-keystore-probe",
    )
}
