//! The steps behind `demo`, `test` and `fuzz`.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

use crate::{licenses, setup};

/// A step failed; the message says what to do.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Runs a command to completion, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<(), Failure> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("could not start {shown}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("{shown} failed ({status})")))
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

/// The app binary that `build` produces.
pub fn app_binary() -> PathBuf {
    target_dir().join("debug/hearth-app")
}

fn build_ui() -> Result<(), Failure> {
    run(Command::new("npm")
        .args(["run", "--silent", "build"])
        .current_dir(root().join("ui")))
}

/// One build for demo and test alike: every target of every member, so the
/// feature set never differs between them (a difference rebuilds gtk/webkit/tauri).
fn build() -> Result<(), Failure> {
    build_ui()?;
    run(cargo().args(["build", "--workspace", "--all-targets", "--locked"]))
}

/// An X server for the window when the machine has no display.
pub struct Display {
    name: String,
    xvfb: Option<Child>,
}

impl Display {
    /// The current display, or a fresh Xvfb.
    pub fn ensure() -> Result<Self, Failure> {
        if let Some(name) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) {
            return Ok(Self {
                name: name.to_string_lossy().into_owned(),
                xvfb: None,
            });
        }
        let number = (90..140)
            .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
            .ok_or_else(|| Failure("no free X display number".into()))?;
        let name = format!(":{number}");
        println!("xtask: no display found; starting a virtual one (Xvfb {name})");
        let xvfb = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .spawn()
            .map_err(|e| Failure(format!("could not start Xvfb: {e}")))?;
        let display = Self {
            name,
            xvfb: Some(xvfb),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let ready = Command::new("xdpyinfo")
                .args(["-display", &display.name])
                .output()
                .is_ok_and(|o| o.status.success());
            if ready {
                return Ok(display);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(Failure("Xvfb did not come up within 20 s".into()))
    }

    /// The `DISPLAY` value.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(child) = &mut self.xvfb {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

/// `cargo xtask demo [--screenshots DIR]`.
pub fn demo(args: &[String]) -> Result<(), Failure> {
    let screenshots = match args {
        [] => None,
        [flag, dir] if flag == "--screenshots" => Some(PathBuf::from(dir)),
        _ => {
            return Err(Failure(
                "usage: cargo xtask demo [--screenshots DIR]".into(),
            ));
        }
    };
    setup::ensure_all()?;
    build()?;
    let display = Display::ensure()?;
    match screenshots {
        Some(dir) => {
            let dir = if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir()
                    .map_err(|e| Failure(e.to_string()))?
                    .join(dir)
            };
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
            // The binary `build` made: `cargo run -p` would build with other features.
            run(Command::new(target_dir().join("debug/hearth-screenshots"))
                .arg(&dir)
                .env("DISPLAY", display.name())
                .env("HEARTH_APP_BIN", app_binary()))?;
            println!("xtask: screenshots saved in {}", dir.display());
            Ok(())
        }
        None => {
            let world = crate::demo::DemoWorld::up()?;
            world.explain();
            println!("xtask: opening Hearth (close its window to stop the demo)");
            let mut app = Command::new(app_binary());
            app.env("DISPLAY", display.name()).envs(world.app_env());
            // With no desktop session there is no Secret Service to keep the owner keys:
            // the kernel keyring is always there.
            if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                app.env("HEARTH_KEYRING", "keyutils");
            }
            let ran = run(&mut app);
            let stopped = world.down();
            ran.and(stopped)
        }
    }
}

/// `cargo xtask test`: every check, then a summary; non-zero on any failure.
pub fn test(args: &[String]) -> Result<(), Failure> {
    if !args.is_empty() {
        return Err(Failure("usage: cargo xtask test".into()));
    }
    let started = Instant::now();
    let mut results: Vec<(&str, Result<(), Failure>, Duration)> = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<(), Failure>| {
        println!("\n=== xtask test: {name}");
        let t = Instant::now();
        let r = f();
        if let Err(e) = &r {
            println!("=== {name} FAILED: {e}");
        }
        let ok = r.is_ok();
        results.push((name, r, t.elapsed()));
        ok
    };
    if !step("set-up", &mut setup::ensure_all) {
        return summary(&results, started);
    }
    step("rustfmt", &mut || {
        run(cargo().args(["fmt", "--all", "--check"]))?;
        // The fuzz directories are workspaces of their own.
        for dir in fuzz_dirs() {
            run(cargo()
                .args(["fmt", "--check", "--manifest-path"])
                .arg(dir.join("Cargo.toml")))?;
        }
        Ok(())
    });
    let ui_built = step("ui build", &mut build_ui);
    step("ui type check", &mut || {
        run(Command::new("npm")
            .args(["run", "--silent", "check"])
            .current_dir(root().join("ui")))
    });
    step("ui unit tests", &mut || {
        run(Command::new("npm")
            .args(["run", "--silent", "test"])
            .current_dir(root().join("ui")))
    });
    step("licence list", &mut || licenses::run(true));
    if ui_built {
        step("clippy", &mut || {
            run(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ]))
        });
        let built = step("build", &mut || {
            run(cargo().args(["build", "--workspace", "--all-targets", "--locked"]))
        });
        if built {
            step("rust tests", &mut || {
                // Select with a filter, not --exclude: the package set must stay the
                // whole workspace or cargo unifies features differently and rebuilds.
                run(cargo()
                    .args([
                        "nextest",
                        "run",
                        "--workspace",
                        "--locked",
                        "--no-fail-fast",
                    ])
                    .args(["-E", "not package(hearth-e2e)"])
                    // The cross-tool TUF test must run, not skip, here.
                    .env("HEARTH_PYTHON", setup::python_tuf())
                    .env("HEARTH_REQUIRE_PYTHON_TUF", "1"))
            });
            step("end-to-end tests", &mut || {
                let display = Display::ensure()?;
                run(cargo()
                    .args([
                        "nextest",
                        "run",
                        "--workspace",
                        "--locked",
                        "--no-fail-fast",
                    ])
                    .args(["-E", "package(hearth-e2e)"])
                    .env("DISPLAY", display.name())
                    .env("HEARTH_APP_BIN", app_binary())
                    .env("HEARTH_SCREENSHOTS", root().join("docs/screenshots")))
            });
        }
    }
    step("fuzz (short)", &mut || fuzz(&[CI_FUZZ_SECONDS.to_string()]));
    summary(&results, started)
}

fn summary(
    results: &[(&str, Result<(), Failure>, Duration)],
    started: Instant,
) -> Result<(), Failure> {
    println!("\n=== xtask test summary");
    for (name, r, took) in results {
        let state = if r.is_ok() { "ok    " } else { "FAILED" };
        println!("  {state} {name} ({:.0} s)", took.as_secs_f64());
    }
    let failed = results.iter().filter(|(_, r, _)| r.is_err()).count();
    println!(
        "xtask test: {} of {} steps succeeded in {:.0} s",
        results.len() - failed,
        results.len(),
        started.elapsed().as_secs_f64()
    );
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure(format!("{failed} step(s) failed")))
    }
}

/// Seconds each fuzz target runs in `cargo xtask test`: every target runs,
/// briefly, so a target that no longer builds or crashes at once fails CI.
/// Longer runs are `cargo xtask fuzz` (5 minutes a target by default).
const CI_FUZZ_SECONDS: u32 = 8;

/// Every cargo-fuzz directory: `crates/<party>/<crate>/fuzz`, each its own
/// workspace beside the crate it fuzzes.
fn fuzz_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for party in std::fs::read_dir(root().join("crates"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for krate in std::fs::read_dir(party.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let dir = krate.path().join("fuzz");
            if dir.join("Cargo.toml").is_file() {
                dirs.push(dir);
            }
        }
    }
    dirs.sort();
    dirs
}

/// `cargo fuzz` in the crate beside `fuzz_dir`, on the stable toolchain
/// (RUSTC_BOOTSTRAP=1 for the fuzz build alone), into one target directory
/// shared by every fuzz workspace so their common dependencies build once.
///
/// No sanitizer (`-s none`): every crate fuzzed denies `unsafe_code`, so what
/// the targets look for is panics, failed assertions and overflow (debug
/// assertions stay on); AddressSanitizer would double the build and halve
/// the executions for nothing it could find in safe code.
fn cargo_fuzz(fuzz_dir: &Path, subcommand: &str) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["fuzz", subcommand, "--fuzz-dir"]).arg(fuzz_dir);
    if subcommand != "list" {
        cmd.args(["--sanitizer", "none", "--target-dir"])
            .arg(target_dir().join("fuzz"));
    }
    cmd.current_dir(fuzz_dir.parent().unwrap_or(fuzz_dir))
        .env("RUSTC_BOOTSTRAP", "1");
    cmd
}

/// `cargo xtask fuzz [SECONDS] [TARGET…]`: every fuzz target of every fuzz
/// directory (or only the named ones) for SECONDS each (default 300), one
/// after the other. libFuzzer prints each run's executions and coverage
/// (`#N DONE cov: X ft: Y`); a crash stops the run and leaves its input in
/// the directory's `artifacts/`.
pub fn fuzz(args: &[String]) -> Result<(), Failure> {
    let (seconds, only): (u32, &[String]) = match args.split_first() {
        None => (300, &[]),
        Some((s, rest)) => (
            s.parse()
                .map_err(|_| Failure(format!("{s:?} is not a number of seconds")))?,
            rest,
        ),
    };
    let dirs = fuzz_dirs();
    if dirs.is_empty() {
        return Err(Failure("no fuzz directories found".into()));
    }
    let mut ran = 0;
    for dir in &dirs {
        let list = cargo_fuzz(dir, "list")
            .output()
            .map_err(|e| Failure(format!("cargo fuzz: {e}")))?;
        if !list.status.success() {
            return Err(Failure(format!(
                "cargo fuzz list in {}: {}",
                dir.display(),
                String::from_utf8_lossy(&list.stderr)
            )));
        }
        let targets: Vec<String> = String::from_utf8_lossy(&list.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .filter(|l| only.is_empty() || only.iter().any(|o| o == l))
            .map(str::to_owned)
            .collect();
        if targets.is_empty() {
            continue;
        }
        println!("xtask: building the fuzz targets in {}", dir.display());
        run(&mut cargo_fuzz(dir, "build"))?;
        for target in targets {
            println!("xtask: fuzzing {target} for {seconds} s");
            run(cargo_fuzz(dir, "run").arg(&target).args([
                "--",
                &format!("-max_total_time={seconds}"),
                // Long inputs from the start: the stateful targets read a
                // sequence of steps from their input.
                "-len_control=0",
                "-max_len=1024",
                // One input taking this long is a hang, not a slow run.
                "-timeout=10",
            ]))?;
            ran += 1;
        }
    }
    if ran == 0 {
        return Err(Failure(format!("no fuzz target matches {only:?}")));
    }
    Ok(())
}
