//! Installs what a fresh Debian 12 / Ubuntu machine lacks: system packages (as
//! root through apt-get; otherwise the exact command is printed), tauri-driver,
//! cargo-nextest, cargo-fuzz and the UI's npm packages.

use std::{path::PathBuf, process::Command};

use crate::steps::{Failure, root, run};

/// Debian packages needed to build, run and test Hearth.
pub const PACKAGES: &[&str] = &[
    // build
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libdbus-1-dev",
    // run and test the window
    "xvfb",
    "xauth",
    "x11-utils",
    "webkit2gtk-driver",
    "fonts-dejavu-core",
    "libgl1-mesa-dri",
    // the private system bus for the simulated radio, the keyring in tests
    "dbus-daemon",
    "keyutils",
    "gnome-keyring",
    // the vendor service's PostgreSQL runs
    "postgresql",
    // python-tuf, the reference TUF client, reads the vendor's repository in a test
    "python3",
    "python3-venv",
];

fn missing_packages() -> Vec<&'static str> {
    PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            let out = Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output();
            !matches!(out, Ok(o) if String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin").join(name)
}

/// `binary` on PATH or in cargo's bin folder.
pub fn find_tool(binary: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(binary))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| Some(cargo_bin(binary)).filter(|p| p.is_file()))
}

fn ensure_cargo_tool(binary: &str, krate: &str) -> Result<(), Failure> {
    if find_tool(binary).is_some() {
        return Ok(());
    }
    println!("xtask: installing {krate} (once)");
    run(Command::new("cargo").args(["install", "--locked", krate]))
}

/// Everything, in order.
/// The python-tuf release the cross-tool test reads the vendor's repository with.
const PYTHON_TUF: &str = "tuf==7.0.1";

/// The Python of the venv that holds python-tuf (under the cargo target folder, so CI's cache
/// keeps it and a clean checkout never sees it).
pub fn python_tuf() -> PathBuf {
    crate::steps::target_dir().join("python-tuf/bin/python3")
}

/// Makes the venv with python-tuf once (from PyPI).
fn ensure_python_tuf() -> Result<(), Failure> {
    let python = python_tuf();
    let has_tuf = Command::new(&python)
        .args(["-c", "import tuf"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_tuf {
        return Ok(());
    }
    let venv = crate::steps::target_dir().join("python-tuf");
    println!(
        "xtask: installing python-tuf ({PYTHON_TUF}) into {}",
        venv.display()
    );
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PYTHON_TUF,
    ]))
}

pub fn ensure_all() -> Result<(), Failure> {
    let missing = missing_packages();
    if !missing.is_empty() {
        if is_root() {
            println!("xtask: installing system packages: {}", missing.join(" "));
            run(Command::new("apt-get").arg("update").arg("-qq"))?;
            run(Command::new("apt-get")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive"))?;
        } else {
            return Err(Failure(format!(
                "some system packages are missing. Install them with:\n  sudo apt-get install -y {}\nthen run this command again.",
                missing.join(" ")
            )));
        }
    }
    ensure_cargo_tool("tauri-driver", "tauri-driver")?;
    ensure_cargo_tool("cargo-nextest", "cargo-nextest")?;
    ensure_cargo_tool("cargo-fuzz", "cargo-fuzz")?;
    ensure_python_tuf()?;
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let lock = ui.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        println!("xtask: installing the UI's npm packages");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui))?;
    }
    Ok(())
}
