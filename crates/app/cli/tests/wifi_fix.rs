//! A mistyped Wi-Fi passphrase: the device is paired and remembered but reports the wrong
//! passphrase (exit 9); `hearth wifi` fixes it over an owner session, without a reset.

mod support;

use hearth_reference_device::control::Command;
use support::{SSID, control, hearth, with_world};

#[test]
fn a_wrong_passphrase_is_reported_and_fixed_without_reset() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let typo = world.dir().join("typo-pass");
        std::fs::write(&typo, format!("{} staple\n", support::WIFI_PASS)).unwrap();
        let typo = typo.to_str().unwrap();

        let run = hearth(
            world,
            &[
                "pair",
                "--code",
                &device.qr_payload,
                "--wifi-ssid",
                SSID,
                "--wifi-pass-file",
                typo,
                "--name",
                "Heater",
            ],
        )
        .await;
        assert_eq!(run.code, 9, "{run:?}");
        assert!(
            run.stderr.contains("[flow.wifi_wrong_passphrase]"),
            "{run:?}"
        );
        assert!(run.stdout.contains("[6/7] joining_wifi"), "{run:?}");
        assert!(!run.stdout.contains("[7/7]"), "{run:?}");
        assert!(control(device, Command::Status).await.has_owner);
        let listed = hearth(world, &["devices"]).await;
        assert!(listed.stdout.contains("\tHeater\t"), "{listed:?}");

        let again = hearth(
            world,
            &["wifi", "Heater", "--ssid", SSID, "--pass-file", typo],
        )
        .await;
        assert_eq!(again.code, 9, "{again:?}");

        let good = world.wifi().passphrase_file.to_str().unwrap();
        let fixed = hearth(
            world,
            &["wifi", "Heater", "--ssid", SSID, "--pass-file", good],
        )
        .await;
        assert_eq!(fixed.code, 0, "{fixed:?}");
        assert_eq!(fixed.stdout.trim(), "The device joined Wi-Fi.", "{fixed:?}");
        let status = control(device, Command::Status).await;
        assert!(status.has_owner, "no reset happened");
        let on = hearth(world, &["plug", "on", "Heater"]).await;
        assert_eq!((on.code, on.stdout.trim()), (0, "on"), "{on:?}");
        // Leave no key behind in the shared kernel keyring.
        let forgot = hearth(world, &["forget", "Heater"]).await;
        assert_eq!(forgot.code, 0, "{forgot:?}");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
