//! The CLI on the real path: `hearth pair` with the label's code prints the seven steps and
//! remembers the device (owner key in the kernel keyring, no secret in SQLite); `plug on`
//! switches it, `temp` reads it, and `plug off` reconnects with the owner key alone.
//! EN 303 645 4.1-1, 4.4-1, 4.5-1, 4.12-1.

mod support;

use hearth_reference_device::control::Command;
use support::{WIFI_PASS, control, hearth, hearth_env, pair, with_world};

#[test]
fn pair_with_the_label_then_switch_read_and_reconnect() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");

        let scan = hearth(world, &["scan", "--seconds", "1"]).await;
        assert_eq!(scan.code, 0, "{scan:?}");
        assert!(
            scan.stdout.contains("\tpairing-open\tunowned\t"),
            "{scan:?}"
        );
        let typo = pair(world, "1234-567-8901", "Kitchen").await;
        assert_eq!(typo.code, 2, "{typo:?}");
        assert!(
            typo.stderr.contains("[flow.invalid_setup_code]"),
            "{typo:?}"
        );

        let run = pair(world, &device.qr_payload, "Kitchen").await;
        assert_eq!(run.code, 0, "{run:?}");
        let steps: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with('['))
            .map(|l| l.split(':').next().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "[1/7] searching",
                "[2/7] found",
                "[3/7] pairing",
                "[4/7] checking_genuine",
                "[5/7] sending_credentials",
                "[6/7] joining_wifi",
                "[7/7] done"
            ],
            "{run:?}"
        );
        assert!(run.stdout.contains("(PLUG)"), "{run:?}");
        let status = control(device, Command::Status).await;
        assert!(status.has_owner && !status.pairing_open);

        let twice = pair(world, &device.qr_payload, "Kitchen").await;
        assert_eq!(twice.code, 5, "{twice:?}");
        assert!(twice.stderr.contains("[flow.already_owned]"), "{twice:?}");

        let list = hearth(world, &["devices"]).await;
        assert_eq!(list.code, 0, "{list:?}");
        let rows: Vec<&str> = list.stdout.lines().collect();
        assert_eq!(rows.len(), 1, "{list:?}");
        let id = rows[0].split('\t').next().unwrap().to_owned();
        assert!(rows[0].contains("\tKitchen\tPLUG\t"), "{list:?}");

        // The owner key is in the keyring under the device id; SQLite holds no secret.
        let keystore = world.keystore();
        let key = keystore.load_owner_key(&id).expect("owner key stored");
        let db = std::fs::read(world.home().join("data/hearth.db")).unwrap_or_default();
        let wal = std::fs::read(world.home().join("data/hearth.db-wal")).unwrap_or_default();
        for bytes in [&db, &wal] {
            let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
            assert!(!has(WIFI_PASS.as_bytes()), "passphrase in the database");
            assert!(
                !has(key.secret_bytes().as_ref()),
                "owner key in the database"
            );
        }

        let on = hearth(world, &["plug", "on", "Kitchen"]).await;
        assert_eq!((on.code, on.stdout.trim()), (0, "on"), "{on:?}");
        assert!(control(device, Command::Status).await.plug_on);

        let temp = hearth(world, &["temp", &id]).await;
        assert_eq!(temp.code, 0, "{temp:?}");
        let celsius: f64 = temp
            .stdout
            .trim()
            .trim_end_matches("°C")
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{temp:?}"));
        assert!((-40.0..=125.0).contains(&celsius), "{temp:?}");

        let off = hearth(world, &["plug", "off", "kitchen"]).await;
        assert_eq!((off.code, off.stdout.trim()), (0, "off"), "{off:?}");
        assert!(!control(device, Command::Status).await.plug_on);

        let unknown = hearth(world, &["plug", "on", "Garage"]).await;
        assert_eq!(unknown.code, 3, "{unknown:?}");
        assert!(
            unknown.stderr.contains("[flow.unknown_device]"),
            "{unknown:?}"
        );

        // No keyring service: a typed refusal before anything else happens.
        let no_keyring = hearth_env(
            world,
            &["plug", "on", "Kitchen"],
            &[
                ("HEARTH_KEYRING", "secret-service"),
                (
                    "DBUS_SESSION_BUS_ADDRESS",
                    "unix:path=/nonexistent/hearth-test-bus",
                ),
            ],
        )
        .await;
        assert_eq!(no_keyring.code, 8, "{no_keyring:?}");
        assert!(
            no_keyring.stderr.contains("[flow.keyring_unavailable]"),
            "{no_keyring:?}"
        );

        // Bluetooth turned off on the app's side: exit 7 with a plain sentence.
        world
            .radio()
            .set_powered("hci0", false)
            .await
            .expect("power off hci0");
        let off = hearth(world, &["temp", "Kitchen"]).await;
        assert_eq!(off.code, 7, "{off:?}");
        assert_eq!(
            off.stderr.lines().last().unwrap_or_default(),
            "hearth: Bluetooth is turned off. Turn it on and try again. [flow.bluetooth_off]"
        );
        world
            .radio()
            .set_powered("hci0", true)
            .await
            .expect("power on hci0");
        let back = hearth(world, &["plug", "on", "Kitchen"]).await;
        assert_eq!(back.code, 0, "{back:?}");

        let log = world.device_log(0);
        assert!(
            !log.contains(WIFI_PASS),
            "the device log leaks the passphrase"
        );
        keystore.delete_owner_key(&id).expect("clean up");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
