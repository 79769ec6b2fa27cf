//! A power cut: while the device is off the CLI says it is out of range (exit 3); once it is
//! back, the owner key alone reconnects (no setup code) and the plug kept its state.
//! EN 303 645 4.1-1, 4.9-1.

mod support;

use hearth_reference_device::control::Command;
use support::{control, hearth, pair, with_world};

#[test]
fn power_off_and_on_then_reconnect_with_the_owner_key() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let run = pair(world, &device.qr_payload, "Lamp").await;
        assert_eq!(run.code, 0, "{run:?}");
        let on = hearth(world, &["plug", "on", "Lamp"]).await;
        assert_eq!((on.code, on.stdout.trim()), (0, "on"), "{on:?}");

        let off = control(device, Command::PowerOff).await;
        assert!(!off.powered);
        let away = hearth(world, &["temp", "Lamp"]).await;
        assert_eq!(away.code, 3, "{away:?}");
        assert!(away.stderr.contains("[flow.out_of_range]"), "{away:?}");

        let back = control(device, Command::PowerOn).await;
        assert!(back.powered && back.has_owner && back.plug_on);
        let off = hearth(world, &["plug", "off", "Lamp"]).await;
        assert_eq!((off.code, off.stdout.trim()), (0, "off"), "{off:?}");
        assert!(!control(device, Command::Status).await.plug_on);
        // Leave no key behind in the shared kernel keyring.
        let forgot = hearth(world, &["forget", "Lamp"]).await;
        assert_eq!(forgot.code, 0, "{forgot:?}");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
