//! "Set up a device" through the real window, on the simulated radio with real reference
//! devices: the label's code typed (a typo caught as typed), Wi-Fi, the device on Home, the
//! plug switched; a wrong code then the right one; lockout lifted by the button; Bluetooth
//! off, out of range and a link dropped mid-pairing, each retried; a wrong Wi-Fi passphrase
//! fixed without a reset; a label photo read; the diagnostics report free of personal data;
//! a device with no security updates set up only after the person says yes.
//! Every new screen and state passes axe-core; screenshots go to `HEARTH_SCREENSHOTS`.
//!
//! Each test is a plain `#[test]` whose world comes up first (see `hearth_e2e::world`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use hearth_e2e::ui::{Ui, en, en_with, screenshots};
use hearth_e2e::world::{Command, World};
use hearth_e2e::{App, Screen};

/// The label's manual code with its check digit changed: a typo.
fn typo_of(manual: &str) -> String {
    let mut chars: Vec<char> = manual.chars().collect();
    let last = chars.last_mut().expect("a code");
    *last = if *last == '9' {
        '0'
    } else {
        (*last as u8 + 1) as char
    };
    chars.into_iter().collect()
}

/// A code for the same device (same discriminator) with another passcode: well formed,
/// wrong. `manual` picks the 11-digit form, else the QR payload.
fn wrong_code(qr: &str, manual: bool) -> String {
    use hearth_protocol::setup_code::{DiscriminatorHint, Passcode, SetupCode};
    let parsed = SetupCode::parse(qr).expect("the label's QR payload parses");
    let value = parsed.passcode.expose_secret();
    let DiscriminatorHint::Full(discriminator) = parsed.discriminator else {
        panic!("a QR payload carries the full discriminator");
    };
    let wrong = SetupCode {
        version: parsed.version,
        discriminator,
        passcode: Passcode::new(if value == 20_202_021 {
            20_202_022
        } else {
            value - 1
        })
        .or_else(|_| Passcode::new(value + 1))
        .expect("a neighbouring passcode is allowed"),
    };
    if manual {
        wrong.manual_code()
    } else {
        wrong.qr_payload()
    }
}

/// The app's remembered devices (id, name) through the `hearth` CLI beside the app binary.
fn remembered(home: &Path) -> Vec<(String, String)> {
    let app = PathBuf::from(std::env::var_os("HEARTH_APP_BIN").expect("HEARTH_APP_BIN"));
    let cli = app.with_file_name("hearth");
    let out = std::process::Command::new(&cli)
        .arg("devices")
        .env("HEARTH_HOME", home)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_owned(), cols.next()?.to_owned()))
        })
        .collect()
}

/// Launches the app into `world` with `env`, runs `body` on its window and quits the app;
/// returns what `body` returned. The app's files stay until the world goes down.
fn in_window<T>(
    world: &World,
    env: &[(String, String)],
    body: impl AsyncFnOnce(&World, &Ui<'_>) -> T,
) -> T {
    let app = world
        .block_on(App::launch_with(&world.home(), env))
        .expect("the app window comes up in the world");
    let out = world.block_on(async {
        let ui = Ui {
            app: &app,
            shots: screenshots(),
        };
        body(world, &ui).await
    });
    world.block_on(app.quit()).expect("quit");
    out
}

#[test]
fn a_typed_code_sets_the_plug_up_and_the_diagnostics_hold_nothing_personal() {
    let mut world = World::up(1).expect("the world comes up");
    // The maker's service too, so the pages show the support period as a user sees it.
    world
        .start_vendor_service()
        .expect("the vendor service starts");
    let device = world.device(0).expect("one device").clone();
    let env = world.app_env();
    let (home, key, passphrase) = in_window(&world, &env, async |world, ui| {
        // Decision 1: the code. A typo is caught as it is typed, before any radio work.
        ui.click("#setup-button").await;
        ui.heading("setup-code-title").await;
        ui.expect_attribute(".support-step", "data-step-number", "1")
            .await;
        ui.fill("#setup-code", &typo_of(&device.manual_code)).await;
        ui.expect_text("#code-status", &en("setup-code-typo")).await;
        ui.expect_attribute("#setup-code", "aria-invalid", "true")
            .await;
        ui.check("setup-1-code-typo-en").await;
        let status = world.status(0).await.expect("device status");
        assert_eq!(status.failed_attempts, 0, "a typo never reaches the device");
        ui.fill("#setup-code", &device.manual_code).await;
        ui.expect_text("#code-status", &en("setup-code-ok")).await;
        ui.check("setup-1-code-en").await;
        ui.click("#code-continue").await;

        // Decisions 2 and 3: Wi-Fi (name and passphrase), and a name for the device.
        ui.heading("setup-wifi-title").await;
        ui.expect_attribute(".support-step", "data-step-number", "2")
            .await;
        ui.fill_wifi(
            world.wifi_ssid(),
            world.wifi_passphrase(),
            "Living room plug",
        )
        .await;
        ui.check("setup-2-wifi-en").await;
        let started = Instant::now();
        ui.click("#setup-start").await;
        ui.heading("setup-done-title").await;
        let took = started.elapsed();
        println!("set-up in the window: {took:?} from the click to the done page");
        ui.expect_text(
            "#setup-done",
            &en_with("setup-done-body", &[("name", "Living room plug")]),
        )
        .await;
        ui.expect_attribute(".support-step", "data-step-name", "done")
            .await;
        ui.expect_attribute(".support-step", "data-step-number", "9")
            .await;
        ui.check("setup-9-done-en").await;

        // The device page: local control, no internet involved.
        ui.click("#open-device").await;
        ui.expect_text("#device-name", "Living room plug").await;
        ui.expect_attribute("#device-connection", "data-connection", "connected")
            .await;
        ui.expect_attribute("#plug-state", "data-plug", "off").await;
        ui.click("#plug-toggle").await;
        ui.expect_attribute("#plug-state", "data-plug", "on").await;
        let truth = world.status(0).await.expect("device status");
        assert!(truth.plug_on, "the device's own relay is on: {truth:?}");
        ui.expect_text("#plug-state", &en("device-plug-on")).await;
        ui.check("device-en").await;

        // Home lists it with its state, pushed from Rust (no reload, no polling).
        ui.app.open(Screen::Home).await.expect("Home");
        ui.expect_text(
            "[data-device='Living room plug'] .state",
            &format!(
                "{}. {}",
                en("device-connection-connected"),
                en("device-plug-on")
            ),
        )
        .await;
        ui.check("home-device-en").await;

        // About → Copy diagnostics: what support sees holds nothing personal.
        ui.app.open(Screen::About).await.expect("About");
        ui.click("#copy-diagnostics").await;
        ui.element("#diagnostics-report").await;
        let report = ui.value("#diagnostics-report").await;
        assert!(report.contains("model hearth-plug-1"), "{report}");
        assert!(report.contains("connected"), "{report}");
        let home = world.home();
        let devices = remembered(&home);
        assert_eq!(devices.len(), 1, "{devices:?}");
        let (id, name) = &devices[0];
        let key = world
            .owner_key_bytes(id)
            .expect("the owner key is in the keyring");
        let mut secrets = vec![
            ("device name", name.clone()),
            ("device id", id.clone()),
            ("serial", device.serial.clone()),
            ("Wi-Fi name", world.wifi_ssid().to_owned()),
            ("Wi-Fi passphrase", world.wifi_passphrase().to_owned()),
            ("manual code", device.manual_code.clone()),
            ("manual digits", device.manual_code.replace('-', "")),
            ("QR payload", device.qr_payload.clone()),
            ("owner key (hex)", hex(&key)),
            ("owner key (HEX)", hex(&key).to_uppercase()),
        ];
        secrets.push(("home folder", home.display().to_string()));
        for (what, value) in &secrets {
            assert!(
                !report.contains(value.as_str()),
                "the diagnostics report holds the {what}:\n{report}"
            );
        }
        // A slice of the key would be a leak too.
        let head = hex(&key[..8]);
        assert!(!report.contains(&head), "part of the owner key:\n{report}");
        ui.check("about-diagnostics-en").await;
        (home, key, world.wifi_passphrase().to_owned())
    });
    // The app's own logs, complete now it has quit, hold no secret either.
    let logs = std::fs::read_dir(home.join("logs")).expect("the app logs");
    let mut logged = String::new();
    for entry in logs.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        logged.push_str(&text);
        for (what, value) in [
            ("Wi-Fi passphrase", passphrase.clone()),
            ("manual code", device.manual_code.clone()),
            ("QR payload", device.qr_payload.clone()),
            ("owner key", hex(&key)),
        ] {
            assert!(
                !text.contains(value.as_str()),
                "{} holds the {what}",
                entry.path().display()
            );
        }
    }
    assert!(
        logged.contains("starting"),
        "the scan read the app's real log:\n{logged}"
    );
    world.down().expect("the world stops cleanly");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_wrong_code_then_the_label_photo_and_a_lockout_lifted_by_the_button() {
    let world = World::up(2).expect("the world comes up");
    let first = world.device(0).expect("device 0").clone();
    let second = world.device(1).expect("device 1").clone();
    let env = world.app_env();
    in_window(&world, &env, async |world, ui| {
        // A well-formed but wrong code: the device answers, the window says how many
        // attempts are left and offers to change the code.
        ui.start_with_code(&wrong_code(&first.qr_payload, true))
            .await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
            .await;
        let attempts = {
            ui.click("#setup-start").await;
            ui.heading("setup-failed-title").await;
            world.status(0).await.expect("status").failed_attempts
        };
        assert_eq!(attempts, 1);
        let left = hearth_device::lockout::MAX_FAILURES - attempts;
        ui.expect_text(
            ".error p:last-child",
            &en_with("flow-error-wrong-code", &[("attempts", &left.to_string())]),
        )
        .await;
        ui.check("setup-wrong-code-en").await;
        ui.click("#change-code").await;
        ui.heading("setup-code-title").await;

        // The right code, this time from a photo of the label.
        let photo = ui.element("#label-photo").await;
        photo
            .send_keys(&first.label_png.display().to_string())
            .await
            .expect("choose the label photo");
        ui.expect_text("#photo-status", &en("setup-photo-found"))
            .await;
        assert_eq!(ui.value("#setup-code").await, first.qr_payload);
        ui.check("setup-1-photo-en").await;
        ui.click("#code-continue").await;
        ui.heading("setup-wifi-title").await;
        let started = Instant::now();
        // The Wi-Fi name is remembered from the attempt before; the passphrase is still in
        // the form, never stored.
        assert_eq!(ui.value("#wifi-ssid").await, world.wifi_ssid());
        ui.click("#setup-start").await;
        ui.heading("setup-done-title").await;
        println!(
            "set-up from a label photo: {:?} from the Wi-Fi page to the done page",
            started.elapsed()
        );
        ui.app.open(Screen::Home).await.expect("Home");

        // Brute force on the second device: every wrong attempt costs a growing delay on the
        // device (skipped with its clock), until only its button lets pairing go on.
        let max = hearth_device::lockout::MAX_FAILURES;
        let wrong = wrong_code(&second.qr_payload, false);
        ui.start_with_code(&wrong).await;
        for failures in 1..=max {
            ui.click("#setup-start").await;
            ui.heading("setup-failed-title").await;
            let status = world.status(1).await.expect("status");
            assert_eq!(status.failed_attempts, failures, "{status:?}");
            let wait = hearth_device::lockout::delay_after(failures);
            if wait > 0 {
                world
                    .control(1, Command::Advance(wait))
                    .await
                    .expect("advance the device clock");
            }
            ui.click("#change-code").await;
            ui.heading("setup-code-title").await;
            ui.fill("#setup-code", &wrong).await;
            ui.expect_text("#code-status", &en("setup-code-ok")).await;
            ui.click("#code-continue").await;
            ui.heading("setup-wifi-title").await;
        }
        ui.click("#setup-start").await;
        ui.heading("setup-failed-title").await;
        ui.expect_text(".error p:last-child", &en("flow-error-locked-until-button"))
            .await;
        ui.check("setup-locked-en").await;
        // Even the right code is refused until someone at the device presses its button.
        ui.click("#try-again").await;
        ui.heading("setup-failed-title").await;
        ui.expect_text(".error p:last-child", &en("flow-error-locked-until-button"))
            .await;
        let pressed = world.press_button(1).await.expect("press");
        assert!(
            pressed.pairing_open && pressed.failed_attempts == 0,
            "{pressed:?}"
        );
        ui.app.open(Screen::Home).await.expect("Home");
        ui.start_with_code(&second.qr_payload).await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
            .await;
        ui.click("#setup-start").await;
        ui.heading("setup-done-title").await;
        assert_eq!(remembered(&world.home()).len(), 2);
    });
    world.down().expect("the world stops cleanly");
}

#[test]
fn bluetooth_off_out_of_range_a_dropped_link_and_a_wrong_passphrase_are_each_fixed() {
    let world = World::up(1).expect("the world comes up");
    let device = world.device(0).expect("one device").clone();
    let env = world.app_env();
    in_window(&world, &env, async |world, ui| {
        ui.start_with_code(&device.qr_payload).await;
        ui.fill_wifi(world.wifi_ssid(), "not the passphrase", "Desk lamp")
            .await;

        world.set_bluetooth(false).await.expect("Bluetooth off");
        ui.setup_fails_with("#setup-start", &en("flow-error-bluetooth-off"))
            .await;
        ui.check("setup-bluetooth-off-en").await;
        world.set_bluetooth(true).await.expect("Bluetooth on");

        world.power_off(0).await.expect("device off");
        ui.setup_fails_with("#try-again", &en("flow-error-out-of-range"))
            .await;
        ui.check("setup-out-of-range-en").await;
        world.power_on(0).await.expect("device on");

        // The radio drops the link right after the first pairing round trip.
        world.arm_link_drop(0, 1).await.expect("arm the drop");
        ui.setup_fails_with("#try-again", &en("flow-error-link-lost"))
            .await;
        ui.check("setup-link-lost-en").await;
        assert!(
            remembered(&world.home()).is_empty(),
            "nothing half-done is kept"
        );

        // The retry pairs, but the passphrase was wrong from the start: the device
        // reports it, and the settings are fixed without a reset.
        ui.click("#try-again").await;
        ui.heading("setup-wifi-retry-title").await;
        ui.expect_text(
            ".error p:last-child",
            &en("flow-error-wifi-wrong-passphrase"),
        )
        .await;
        ui.check("setup-wifi-retry-en").await;
        assert_eq!(remembered(&world.home()).len(), 1, "set up, Wi-Fi pending");
        ui.fill("#wifi-passphrase", world.wifi_passphrase()).await;
        ui.click("#wifi-retry").await;
        ui.heading("setup-done-title").await;
        ui.expect_text(
            "#setup-done",
            &en_with("setup-done-body", &[("name", "Desk lamp")]),
        )
        .await;
    });
    world.down().expect("the world stops cleanly");
}

/// The name a device gives itself: what the app keeps when the name field stays empty.
fn device_name(world: &World) -> String {
    let devices = remembered(&world.home());
    devices
        .first()
        .map(|(_, name)| name.clone())
        .expect("one device")
}

#[test]
fn the_whole_set_up_works_with_the_keyboard_alone() {
    use fantoccini::key::Key;
    let world = World::up(1).expect("the world comes up");
    let device = world.device(0).expect("one device").clone();
    let env = world.app_env();
    in_window(&world, &env, async |world, ui| {
        ui.heading("home-title").await;
        ui.tab_to("setup-button").await;
        ui.press(&Key::Enter).await;
        // The new screen's heading takes the focus, so a screen reader reads it first.
        ui.heading("setup-code-title").await;
        ui.tab_to("setup-code").await;
        ui.press(&device.manual_code).await;
        ui.expect_text("#code-status", &en("setup-code-ok")).await;
        ui.press(&Key::Enter).await;
        ui.heading("setup-wifi-title").await;
        ui.tab_to("wifi-ssid").await;
        ui.press(world.wifi_ssid()).await;
        ui.press(&Key::Tab).await;
        ui.press(world.wifi_passphrase()).await;
        // The reveal box is a real checkbox: Space shows the passphrase.
        ui.tab_to("wifi-reveal").await;
        ui.press(&Key::Space).await;
        ui.expect_attribute("#wifi-passphrase", "type", "text")
            .await;
        ui.tab_to("setup-start").await;
        ui.press(&Key::Enter).await;
        ui.heading("setup-done-title").await;
        ui.tab_to("open-device").await;
        ui.press(&Key::Enter).await;
        ui.expect_attribute("#plug-state", "data-plug", "off").await;
        ui.tab_to("plug-toggle").await;
        ui.press(&Key::Enter).await;
        ui.expect_attribute("#plug-state", "data-plug", "on").await;
        assert!(world.status(0).await.expect("status").plug_on);
        // Forget: asked once, the focus on the answer, then the device is reset and gone.
        ui.tab_to("forget").await;
        ui.press(&Key::Enter).await;
        ui.expect_text(
            "#forget-question",
            &en_with("device-forget-confirm", &[("name", &device_name(world))]),
        )
        .await;
        ui.tab_to("forget-yes").await;
        ui.press(&Key::Enter).await;
        ui.element("#forgotten").await;
        let status = world.status(0).await.expect("status");
        assert!(
            !status.has_owner && status.pairing_open,
            "reset: {status:?}"
        );
        assert!(remembered(&world.home()).is_empty());
        ui.app.open(Screen::Home).await.expect("Home");
        ui.expect_text("#empty-title", &en("home-empty-title"))
            .await;
    });
    world.down().expect("the world stops cleanly");
}

#[test]
fn with_no_bluetooth_adapter_the_window_says_so() {
    let world = World::up(1).expect("the world comes up");
    let device = world.device(0).expect("one device").clone();
    // The app's system bus has no Bluetooth service at all.
    let env: Vec<(String, String)> = world
        .app_env()
        .into_iter()
        .map(|(k, v)| {
            if k == "DBUS_SYSTEM_BUS_ADDRESS" {
                (k, "unix:path=/nonexistent/hearth-no-bus".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    in_window(&world, &env, async |world, ui| {
        ui.start_with_code(&device.qr_payload).await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
            .await;
        ui.setup_fails_with("#setup-start", &en("flow-error-no-adapter"))
            .await;
        ui.check("setup-no-adapter-en").await;
    });
    world.down().expect("the world stops cleanly");
}

#[test]
fn in_every_shipped_language_the_set_up_speaks_it_and_passes_axe() {
    use hearth_e2e::message;
    let world = World::up(1).expect("the world comes up");
    let device = world.device(0).expect("one device").clone();
    let env = world.app_env();
    in_window(&world, &env, async |world, ui| {
        for lang in ["de", "fr", "es"] {
            let say = |id: &str| message(lang, id).unwrap_or_else(|e| panic!("{lang}: {e:?}"));
            ui.app.open(Screen::Settings).await.expect("Settings");
            ui.app
                .select("#language", lang)
                .await
                .expect("choose the language");
            ui.expect_text("main h1", &say("settings-title")).await;
            ui.app.open(Screen::Home).await.expect("Home");
            ui.click("#setup-button").await;
            ui.expect_text("main h1", &say("setup-code-title")).await;
            ui.fill("#setup-code", &typo_of(&device.manual_code)).await;
            ui.expect_text("#code-status", &say("setup-code-typo"))
                .await;
            ui.check(&format!("setup-1-code-typo-{lang}")).await;
            ui.fill("#setup-code", &device.qr_payload).await;
            ui.expect_text("#code-status", &say("setup-code-ok")).await;
            ui.click("#code-continue").await;
            ui.expect_text("main h1", &say("setup-wifi-title")).await;
            ui.check(&format!("setup-2-wifi-{lang}")).await;
            // A failure state in the language, without touching the device: Bluetooth off.
            ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
                .await;
            world.set_bluetooth(false).await.expect("Bluetooth off");
            ui.click("#setup-start").await;
            ui.expect_text("main h1", &say("setup-failed-title")).await;
            ui.expect_text(".error p:last-child", &say("flow-error-bluetooth-off"))
                .await;
            ui.check(&format!("setup-bluetooth-off-{lang}")).await;
            world.set_bluetooth(true).await.expect("Bluetooth on");
        }
    });
    world.down().expect("the world stops cleanly");
}

#[test]
fn a_device_without_security_updates_is_set_up_only_after_the_person_says_yes() {
    // The catalogue's non-updatable model (EN 303 645 4.3-8): the window shows why, and asks.
    let mut world = World::up_with_models(&["hearth-sensor-0"]).expect("the world comes up");
    world
        .start_vendor_service()
        .expect("the vendor service starts");
    let device = world.device(0).expect("one device").clone();
    let env = world.app_env();
    in_window(&world, &env, async |world, ui| {
        // The same three decisions; then, before the code is tried, the question.
        ui.start_with_code(&device.manual_code).await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
            .await;
        ui.click("#setup-start").await;
        ui.expect_text("#confirm-title", &en("setup-confirm-title"))
            .await;
        ui.expect_attribute(".support-step", "data-step-name", "confirm")
            .await;
        ui.expect_attribute("#support-title", "data-status", "not-updatable")
            .await;
        ui.expect_text("#support-title", &en("support-not-updatable"))
            .await;
        ui.check("setup-4-confirm-not-updatable-en").await;
        let asked = world.status(0).await.expect("status");
        assert!(!asked.has_owner, "{asked:?}");
        assert_eq!(asked.failed_attempts, 0, "asking costs no attempt");

        // "Stop": back Home; the device was sent nothing and counted nothing.
        ui.click("#confirm-stop").await;
        ui.heading("home-title").await;
        ui.expect_text("#empty-title", &en("home-empty-title"))
            .await;
        let stopped = world.status(0).await.expect("status");
        assert!(!stopped.has_owner, "{stopped:?}");
        assert!(stopped.pairing_open, "{stopped:?}");
        assert_eq!(stopped.failed_attempts, 0, "{stopped:?}");
        assert!(remembered(&world.home()).is_empty());

        // Again, and "Set it up anyway": the device is set up as any other.
        ui.start_with_code(&device.manual_code).await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), "")
            .await;
        ui.click("#setup-start").await;
        ui.expect_text("#confirm-title", &en("setup-confirm-title"))
            .await;
        ui.click("#confirm-go").await;
        ui.heading("setup-done-title").await;
        ui.expect_attribute("#support-title", "data-status", "not-updatable")
            .await;
        let owned = world.status(0).await.expect("status");
        assert!(owned.has_owner, "{owned:?}");
    });
    assert_eq!(remembered(&world.home()).len(), 1);
    world.down().expect("the world stops cleanly");
}
