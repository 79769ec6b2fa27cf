//! `hearth support`, `collects` and `security-contact` through the `hearth` binary against the
//! real vendor service over TLS: fresh; service stopped → the saved copy, marked "Last
//! checked"; service back → fresh again. No radio, no keyring: these commands need neither.

use std::path::Path;

use hearth_testkit::in_process::InProcessVendor as Vendor;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `hearth ARGS` with its own home, the vendor profile at `profile` (if any) and `lang`.
async fn hearth(home: &Path, profile: Option<&Path>, lang: &str, args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth"));
    command
        .args(args)
        .env("HEARTH_HOME", home)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("HEARTH_VENDOR_SERVICE")
        // Proof that these commands touch neither Bluetooth nor the keyring.
        .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent")
        .env("HEARTH_KEYRING", "none")
        .kill_on_drop(true);
    if let Some(profile) = profile {
        command.env("HEARTH_VENDOR_SERVICE", profile);
    }
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), command.output())
        .await
        .expect("hearth finishes")
        .expect("hearth runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_shows_the_saved_copy_while_the_service_is_down() {
    let vendor = Vendor::init();
    let home = tempfile::tempdir().expect("home");
    let profile_path = home.path().join("vendor-service.json");

    let server = vendor.serve().await;
    vendor.write_profile_for(server.local_addr.port(), &profile_path);
    let p = Some(profile_path.as_path());

    let fresh = hearth(home.path(), p, "C", &["support", "hearth-plug-1"]).await;
    assert_eq!(fresh.code, 0, "{fresh:?}");
    assert!(
        fresh.stdout.contains("Security updates until 2031-12-31"),
        "{fresh:?}"
    );
    assert!(!fresh.stdout.contains("Last checked"), "{fresh:?}");
    let collects = hearth(home.path(), p, "C", &["collects", "hearth-plug-1"]).await;
    assert_eq!(collects.code, 0, "{collects:?}");
    assert!(
        collects.stdout.contains("What this device collects")
            && collects.stdout.contains("Kept for"),
        "{collects:?}"
    );
    let contact = hearth(home.path(), p, "C", &["security-contact"]).await;
    assert_eq!(contact.code, 0, "{contact:?}");
    assert!(
        contact.stdout.contains("Report a security problem")
            && contact.stdout.contains("mailto:security@hearth.invalid"),
        "{contact:?}"
    );

    // The service goes away; the profile still names its address, held and refusing.
    let _gone = vendor.stop_and_hold(server).await;
    let cached = hearth(home.path(), p, "C", &["support", "hearth-plug-1"]).await;
    assert_eq!(cached.code, 0, "{cached:?}");
    assert!(
        cached.stdout.contains("Security updates until 2031-12-31")
            && cached.stdout.contains("Last checked "),
        "{cached:?}"
    );
    let german = hearth(home.path(), p, "de_DE.UTF-8", &["support", "hearth-plug-1"]).await;
    assert!(
        german.stdout.contains("Sicherheitsupdates bis 2031-12-31")
            && german.stdout.contains("Zuletzt geprüft am"),
        "{german:?}"
    );
    for args in [
        &["collects", "hearth-plug-1"][..],
        &["security-contact"][..],
    ] {
        let run = hearth(home.path(), p, "C", args).await;
        assert!(
            run.code == 0 && run.stdout.contains("Last checked "),
            "{run:?}"
        );
    }
    // Never fetched, and unreachable: nothing to show.
    let never = hearth(home.path(), p, "C", &["support", "hearth-sensor-0"]).await;
    assert_eq!(never.code, 11, "{never:?}");
    assert!(never.stderr.contains("[support.unavailable]"), "{never:?}");
    // The local device list does not wait for the vendor.
    let devices = hearth(home.path(), p, "C", &["devices"]).await;
    assert_eq!(devices.code, 0, "{devices:?}");

    // Back (on a fresh port: the old one may linger in TIME_WAIT): fresh again.
    let server = vendor.serve().await;
    vendor.write_profile_for(server.local_addr.port(), &profile_path);
    let back = hearth(home.path(), p, "C", &["support", "hearth-sensor-0"]).await;
    assert_eq!(back.code, 0, "{back:?}");
    assert!(
        back.stdout.contains("This device cannot be updated")
            && back.stdout.contains("How to keep it safe:")
            && !back.stdout.contains("Last checked"),
        "{back:?}"
    );
    let refreshed = hearth(home.path(), p, "C", &["support", "hearth-plug-1"]).await;
    assert!(
        refreshed.code == 0 && !refreshed.stdout.contains("Last checked"),
        "{refreshed:?}"
    );
    let unknown = hearth(home.path(), p, "C", &["support", "no-such-model"]).await;
    assert_eq!(unknown.code, 3, "{unknown:?}");
    assert!(
        unknown.stderr.contains("[support.unknown_model]"),
        "{unknown:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_vendor_service_it_says_so() {
    let home = tempfile::tempdir().expect("home");
    let run = hearth(home.path(), None, "C", &["support", "hearth-plug-1"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("[support.not_configured]"), "{run:?}");
    assert!(
        !run.stderr.contains("support-error"),
        "a sentence, not an id: {run:?}"
    );
}

/// A name that is neither a remembered device nor shaped like a model id is a device the app
/// does not know (issue 16: not "the maker publishes nothing about the model Bedroom").
#[tokio::test]
async fn a_name_it_does_not_know_is_no_device() {
    let home = tempfile::tempdir().expect("home");
    for command in ["support", "collects"] {
        let run = hearth(home.path(), None, "C", &[command, "Bedroom"]).await;
        assert_eq!(run.code, 3, "{run:?}");
        assert!(
            run.stderr
                .contains("There is no device called Bedroom. [flow.unknown_device]"),
            "{run:?}"
        );
        assert!(!run.stderr.contains("model"), "{run:?}");
    }
}
