//! `hearth forget` factory-resets the device over an owner session and deletes the key and
//! the entry; the same label code then pairs again (the device is back to its own code,
//! never a universal default: EN 303 645 4.1-1).

mod support;

use hearth_keystore::KeystoreError;
use hearth_reference_device::control::Command;
use support::{control, hearth, pair, with_world};

#[test]
fn forget_resets_the_device_and_the_label_pairs_again() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let run = pair(world, &device.qr_payload, "Fan").await;
        assert_eq!(run.code, 0, "{run:?}");
        let id = run
            .stdout
            .lines()
            .last()
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_owned();
        let keystore = world.keystore();
        assert!(keystore.load_owner_key(&id).is_ok());

        let forgot = hearth(world, &["forget", "Fan"]).await;
        assert_eq!(forgot.code, 0, "{forgot:?}");
        assert_eq!(forgot.stdout.trim(), "The device was reset and forgotten.");
        let status = control(device, Command::Status).await;
        assert!(!status.has_owner && status.pairing_open);
        assert!(matches!(
            keystore.load_owner_key(&id),
            Err(KeystoreError::NotFound { .. })
        ));
        let none = hearth(world, &["devices"]).await;
        assert_eq!(none.stdout, "", "{none:?}");

        let again = pair(world, &device.qr_payload, "Fan").await;
        assert_eq!(again.code, 0, "{again:?}");
        let on = hearth(world, &["plug", "on", "Fan"]).await;
        assert_eq!((on.code, on.stdout.trim()), (0, "on"), "{on:?}");

        // Unreachable: not forgotten unless asked, and then said plainly.
        control(device, Command::PowerOff).await;
        let refused = hearth(world, &["forget", "Fan"]).await;
        assert_eq!(refused.code, 3, "{refused:?}");
        assert!(
            refused.stderr.contains("[flow.forget_unreachable]"),
            "{refused:?}"
        );
        let forced = hearth(world, &["forget", "Fan", "--even-if-unreachable"]).await;
        assert_eq!(forced.code, 0, "{forced:?}");
        assert!(forced.stdout.contains("not reset"), "{forced:?}");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
