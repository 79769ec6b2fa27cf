//! The keystore through the real Linux stores, one keyring operation per
//! process (`hearth-keystore-probe`), so a key that one process stored and
//! another loaded has provably lived in the keyring.
//!
//! Each test makes its own world and needs nothing from the caller:
//! - keyutils: a fresh session keyring from `keyctl session -`
//!   (Debian package `keyutils`);
//! - Secret Service: a private session bus from `dbus-run-session`
//!   (Debian package `dbus-daemon`) with `gnome-keyring-daemon`
//!   (`gnome-keyring`) unlocked by a throw-away password, its files under a
//!   temporary `HOME`/`XDG_*`.
//!
//! A missing tool fails the test with the package to install; nothing is
//! skipped. Every command runs under `timeout` so a stuck daemon fails the
//! test instead of hanging it.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hearth_protocol::handshake::OwnerKey;

const PROBE: &str = env!("CARGO_BIN_EXE_hearth-keystore-probe");
const KEYRING_PASSWORD: &str = "throw-away-test-password";
/// Seconds any one wrapped command may take.
const TIMEOUT_SECS: &str = "60";

/// store, load (another process), delete, delete again, load: the probe
/// path and device id come as `$0` and `$1`.
const ROUND_TRIP: &str = r#"
"$0" store "$1"
"$0" load "$1" </dev/null
"$0" delete "$1" </dev/null
"$0" delete "$1" </dev/null
"$0" load "$1" </dev/null
"#;

/// A temporary home for one test: keyring files, runtime dir, config.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        for sub in ["data", "config", "cache", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap_or_else(|e| panic!("{e}"));
        }
        // gnome-keyring refuses a runtime dir others can read.
        set_mode(&dir.path().join("run"), 0o700);
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command whose every XDG folder is inside the sandbox and which
    /// sees no session bus of the caller.
    fn command(&self, program: &str, backend: &str) -> Command {
        require(program);
        let mut cmd = Command::new("timeout");
        cmd.arg(TIMEOUT_SECS)
            .arg(program)
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env("HEARTH_KEYRING", backend)
            .env("RUST_LOG", "trace")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("GNOME_KEYRING_CONTROL")
            // No display: a keyring unlock prompt fails at once instead of
            // waiting for a person.
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        cmd
    }

    /// `script` (probe as `$0`, device id as `$1`) in a fresh session
    /// keyring.
    fn under_keyutils(&self, script: &str, device: &str) -> Command {
        self.in_fresh_session("keyutils", script, device)
    }

    /// `script` in a fresh session keyring with `backend` (`keyutils` or
    /// `keyutils-session`).
    fn in_fresh_session(&self, backend: &str, script: &str, device: &str) -> Command {
        let mut cmd = self.command("keyctl", backend);
        cmd.args(["session", "-", "sh", "-c", script, PROBE, device]);
        cmd
    }

    /// `script` on a fresh session bus with an unlocked gnome-keyring whose
    /// files live in this sandbox (so a second call finds the first one's
    /// keys on disk, as after a reboot).
    fn under_secret_service(&self, script: &str, device: &str) -> Command {
        require("gnome-keyring-daemon");
        let wrapped = format!(
            "printf %s \"$HEARTH_TEST_KEYRING_PASSWORD\" \
             | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
             || {{ echo 'gnome-keyring-daemon failed' >&2; exit 97; }}\n{script}"
        );
        let mut cmd = self.command("dbus-run-session", "secret-service");
        cmd.args(["--", "sh", "-c", &wrapped, PROBE, device])
            .env("HEARTH_TEST_KEYRING_PASSWORD", KEYRING_PASSWORD);
        cmd
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// Fails with the Debian package to install when `program` is missing.
fn require(program: &str) {
    let package = match program {
        "keyctl" => "keyutils",
        "dbus-run-session" => "dbus-daemon",
        "dbus-send" => "dbus-bin",
        "gnome-keyring-daemon" => "gnome-keyring",
        other => other,
    };
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{program}` is not installed: `apt-get install {package}`"
    );
}

fn run(mut cmd: Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(stdin)
            .unwrap_or_else(|e| panic!("write stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A fresh random key, returned with its secret so the tests can look for
/// it where it must not be.
fn fresh_key() -> (OwnerKey, [u8; 32]) {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap_or_else(|e| panic!("getrandom: {e}"));
    (OwnerKey::from_secret_bytes(&secret), secret)
}

/// A device id no other test (or earlier run) uses: keyutils links keys to
/// the user's persistent keyring, which parallel tests share.
fn fresh_device() -> String {
    let mut tag = [0u8; 8];
    getrandom::fill(&mut tag).unwrap_or_else(|e| panic!("getrandom: {e}"));
    format!("test-{}", hex_lower(&tag))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn expected_round_trip(key: &OwnerKey) -> Vec<String> {
    let id = hex_lower(&key.key_id().0);
    vec![
        format!("ok store {id}"),
        format!("ok load {} {id}", hex_lower(&key.public())),
        "ok delete".to_owned(),
        "ok delete".to_owned(),
        "error keystore.not_found".to_owned(),
    ]
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Panics if the secret appears raw, as lower- or upper-case hex, in any
/// of `outputs` or any file under `dir`.
fn assert_no_secret(secret: &[u8; 32], outputs: &[&Output], dir: &Path) {
    let lower = hex_lower(secret);
    let upper = lower.to_uppercase();
    let needles: [(&str, &[u8]); 3] = [
        ("raw", secret),
        ("hex", lower.as_bytes()),
        ("HEX", upper.as_bytes()),
    ];
    let mut scanned = 0usize;
    let mut check = |what: &str, bytes: &[u8]| {
        scanned += bytes.len();
        for (form, needle) in needles {
            assert!(!find(bytes, needle), "the key ({form}) is in {what}");
        }
    };
    for (i, out) in outputs.iter().enumerate() {
        check(&format!("stdout of run {i}"), &out.stdout);
        check(&format!("stderr of run {i}"), &out.stderr);
    }
    for file in files_under(dir) {
        if let Ok(bytes) = std::fs::read(&file) {
            check(&file.display().to_string(), &bytes);
        }
    }
    assert!(scanned > 0, "nothing was scanned");
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push(path),
                Ok(t) if t.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files
}

fn secret_stdin(secret: &[u8; 32]) -> Vec<u8> {
    format!("{}\n", hex_lower(secret)).into_bytes()
}

#[test]
fn keyutils_round_trip_across_processes() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let out = run(
        sandbox.under_keyutils(ROUND_TRIP, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(
        stdout_lines(&out),
        expected_round_trip(&key),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn keyutils_session_round_trip_across_processes() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let out = run(
        sandbox.in_fresh_session("keyutils-session", ROUND_TRIP, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(
        stdout_lines(&out),
        expected_round_trip(&key),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a later login (a new session keyring) finds of a key stored and never deleted in
/// an earlier one, with `backend` storing it: the load's answer, by either keyutils backend
/// (`keyutils` searches the persistent keyring too). Deletes the key through the persistent
/// keyring afterwards, so nothing is left behind either way.
fn found_in_the_next_session(backend: &str) -> Vec<String> {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let stored = run(
        sandbox.in_fresh_session(backend, r#""$0" store "$1""#, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(
        stdout_lines(&stored),
        [format!("ok store {}", hex_lower(&key.key_id().0))],
        "stderr:\n{}",
        String::from_utf8_lossy(&stored.stderr)
    );
    let next = run(
        sandbox.in_fresh_session(
            "keyutils",
            r#""$0" load "$1" </dev/null; "$0" delete "$1" </dev/null"#,
            &device,
        ),
        b"",
    );
    let lines = stdout_lines(&next);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("ok delete"),
        "{next:?}"
    );
    lines
}

/// The headless backend keeps keys across logins on purpose (the persistent keyring; see the
/// README): a key stored in one session is loaded in the next.
#[test]
fn keyutils_keys_reach_the_next_session_through_the_persistent_keyring() {
    let lines = found_in_the_next_session("keyutils");
    assert!(
        lines.first().is_some_and(|l| l.starts_with("ok load ")),
        "{lines:?}"
    );
}

/// The test backend never links a key into the persistent keyring: a key a crashed test left
/// behind is gone with its session, and no later run meets it.
#[test]
fn keyutils_session_keys_never_leave_their_session() {
    let lines = found_in_the_next_session("keyutils-session");
    assert_eq!(
        lines.first().map(String::as_str),
        Some("error keystore.not_found"),
        "{lines:?}"
    );
}

#[test]
fn secret_service_round_trip_across_processes() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let out = run(
        sandbox.under_secret_service(ROUND_TRIP, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(
        stdout_lines(&out),
        expected_round_trip(&key),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn secret_service_key_survives_a_keyring_daemon_restart() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let id = hex_lower(&key.key_id().0);

    // Each call is a new bus and a new gnome-keyring-daemon reading the
    // same keyring files: what the next login would see.
    let stored = run(
        sandbox.under_secret_service(r#""$0" store "$1""#, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(stdout_lines(&stored), [format!("ok store {id}")]);
    assert!(
        sandbox.path().join("data/keyrings/login.keyring").is_file(),
        "gnome-keyring wrote no login keyring under the sandbox"
    );

    let loaded = run(
        sandbox.under_secret_service(r#""$0" load "$1""#, &device),
        b"",
    );
    assert_eq!(
        stdout_lines(&loaded),
        [format!("ok load {} {id}", hex_lower(&key.public()))],
        "stderr:\n{}",
        String::from_utf8_lossy(&loaded.stderr)
    );

    let deleted = run(
        sandbox.under_secret_service(r#""$0" delete "$1""#, &device),
        b"",
    );
    assert_eq!(stdout_lines(&deleted), ["ok delete"]);
    let gone = run(
        sandbox.under_secret_service(r#""$0" load "$1""#, &device),
        b"",
    );
    assert_eq!(stdout_lines(&gone), ["error keystore.not_found"]);
}

#[test]
fn locked_secret_service_is_access_denied_not_not_found() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();
    let stored = run(
        sandbox.under_secret_service(r#""$0" store "$1""#, &device),
        &secret_stdin(&secret),
    );
    assert_eq!(
        stdout_lines(&stored),
        [format!("ok store {}", hex_lower(&key.key_id().0))]
    );

    // The next login's daemon, started without the password: the login
    // keyring stays locked and the unlock prompt cannot be shown.
    let locked = format!(
        "gnome-keyring-daemon --start --components=secrets >/dev/null || exit 97\n{ROUND_TRIP}"
    );
    let mut cmd = sandbox.command("dbus-run-session", "secret-service");
    cmd.args(["--", "sh", "-c", &locked, PROBE, &device]);
    let out = run(cmd, &secret_stdin(&secret));
    assert_eq!(
        stdout_lines(&out),
        vec!["error keystore.access_denied".to_owned(); 5],
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Still there for the owner once unlocked.
    let loaded = run(
        sandbox.under_secret_service(r#""$0" load "$1""#, &device),
        b"",
    );
    assert_eq!(
        stdout_lines(&loaded),
        [format!(
            "ok load {} {}",
            hex_lower(&key.public()),
            hex_lower(&key.key_id().0)
        )]
    );
}

/// Stores keys for `$1` and `$1-b`, then prints, through the Secret
/// Service API itself, every item under our service with its properties.
const STORE_TWO_AND_LIST: &str = r#"
"$0" store "$1"
printf %s "$HEARTH_TEST_SECOND_SECRET" | "$0" store "$1-b"
for item in $(dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets org.freedesktop.Secret.Service.SearchItems \
    dict:string:string:service,org.hearth.app \
  | sed -n 's/^ *object path "\(.*\)"$/\1/p'); do
  echo "item $item"
  dbus-send --session --print-reply --dest=org.freedesktop.secrets "$item" \
    org.freedesktop.DBus.Properties.GetAll string:org.freedesktop.Secret.Item
done
"$0" delete "$1" </dev/null
"$0" delete "$1-b" </dev/null
"#;

#[test]
fn secret_service_items_are_namespaced_per_device_and_labelled() {
    require("dbus-send");
    let sandbox = Sandbox::new();
    let (_, secret) = fresh_key();
    let (_, second) = fresh_key();
    let device = fresh_device();
    let mut cmd = sandbox.under_secret_service(STORE_TWO_AND_LIST, &device);
    cmd.env("HEARTH_TEST_SECOND_SECRET", hex_lower(&second));
    let out = run(cmd, &secret_stdin(&secret));
    let text = String::from_utf8_lossy(&out.stdout);
    let items = text.lines().filter(|l| l.starts_with("item ")).count();
    assert_eq!(
        items,
        2,
        "stdout:\n{text}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for id in [device.clone(), format!("{device}-b")] {
        assert!(
            text.contains(&format!("string \"owner-key:{id}\"")),
            "no item with user owner-key:{id}:\n{text}"
        );
        assert!(
            text.contains(&format!("string \"Hearth owner key for device {id}\"")),
            "no label for {id}:\n{text}"
        );
    }
    assert_eq!(
        text.matches("string \"org.hearth.app\"").count(),
        2,
        "{text}"
    );
    assert_eq!(text.matches("ok delete").count(), 2, "{text}");
}

/// A session bus with no Secret Service on it and no way to activate one.
const BARE_BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

#[test]
fn secret_service_missing_is_unavailable_not_a_fake_success() {
    let sandbox = Sandbox::new();
    let config = sandbox.path().join("bare-bus.conf");
    std::fs::write(&config, BARE_BUS_CONFIG).unwrap_or_else(|e| panic!("{e}"));
    let (_, secret) = fresh_key();
    let device = fresh_device();

    let mut cmd = sandbox.command("dbus-run-session", "secret-service");
    cmd.arg(format!("--config-file={}", config.display()))
        .args(["--", "sh", "-c", ROUND_TRIP, PROBE, &device]);
    let out = run(cmd, &secret_stdin(&secret));
    assert_eq!(
        stdout_lines(&out),
        vec!["error keystore.unavailable".to_owned(); 5],
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the secret-service keyring is not available"),
        "{stderr}"
    );

    // A bus address where there is no bus at all.
    let mut cmd = sandbox.command(PROBE, "secret-service");
    cmd.arg("open").env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", sandbox.path().join("no-such-bus").display()),
    );
    let out = run(cmd, b"");
    assert_eq!(stdout_lines(&out), ["error keystore.unavailable"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unknown_backend_name_is_an_error_not_a_fallback() {
    let sandbox = Sandbox::new();
    for name in ["mock", "memory", "sample"] {
        let mut cmd = sandbox.command(PROBE, name);
        cmd.arg("open");
        let out = run(cmd, b"");
        assert_eq!(
            stdout_lines(&out),
            ["error keystore.unknown_backend"],
            "{name}"
        );
    }
}

#[test]
fn key_bytes_never_reach_logs_or_the_data_folder() {
    let sandbox = Sandbox::new();
    let (key, secret) = fresh_key();
    let device = fresh_device();

    // Trace-level logs of our crate, keyring-core (through tracing-log),
    // zbus, plus everything dbus-daemon and gnome-keyring print.
    let keyutils = run(
        sandbox.under_keyutils(ROUND_TRIP, &device),
        &secret_stdin(&secret),
    );
    let secret_service = run(
        sandbox.under_secret_service(ROUND_TRIP, &device),
        &secret_stdin(&secret),
    );
    // The runs did happen, with logs to scan.
    assert_eq!(stdout_lines(&keyutils), expected_round_trip(&key));
    assert_eq!(stdout_lines(&secret_service), expected_round_trip(&key));
    for out in [&keyutils, &secret_service] {
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(log.contains("owner key stored"), "{log}");
        // keyring-core logs through `log`; seeing it proves the bridge works.
        assert!(log.contains("DEBUG keyring_core: set secret"), "{log}");
    }
    let zbus_log = String::from_utf8_lossy(&secret_service.stderr);
    assert!(zbus_log.contains("TRACE zbus"), "zbus trace was not on");
    assert!(
        !files_under(&sandbox.path().join("data")).is_empty(),
        "gnome-keyring left no files to scan"
    );
    assert_no_secret(&secret, &[&keyutils, &secret_service], sandbox.path());

    // The scanner itself finds the key when it is there.
    let leaked = std::process::Command::new("printf")
        .arg(hex_lower(&secret))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let caught = std::panic::catch_unwind(|| {
        assert_no_secret(&secret, &[&leaked], &sandbox.path().join("run"));
    });
    assert!(caught.is_err(), "the scanner missed a hex key on stdout");
}
