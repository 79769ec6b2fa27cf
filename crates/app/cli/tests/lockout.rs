//! Brute force: wrong codes (the device's growing delays skipped with its clock) until the
//! device refuses pairing until its button is pressed (exit 5); a restart keeps the lockout;
//! after a button press the label's code pairs. EN 303 645 v2.1.1 5.1-5.

mod support;

use hearth_device::lockout::{MAX_FAILURES, delay_after};
use hearth_reference_device::control::Command;
use support::{control, hearth, pair, with_world, wrong_code};

#[test]
fn lockout_survives_a_restart_and_the_button_lifts_it() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let wrong = wrong_code(device);
        for failures in 1..=MAX_FAILURES {
            let run = pair(world, &wrong, "Oven").await;
            assert_eq!(run.code, 4, "attempt {failures}: {run:?}");
            let wait = delay_after(failures);
            if wait > 0 {
                control(device, Command::Advance(wait)).await;
            }
        }
        let locked = pair(world, &device.qr_payload, "Oven").await;
        assert_eq!(locked.code, 5, "{locked:?}");
        assert!(
            locked.stderr.contains("[flow.locked_until_button]"),
            "{locked:?}"
        );

        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
        world.start_device(0).await.expect("the device starts");
        let still = pair(world, &device.qr_payload, "Oven").await;
        assert_eq!(still.code, 5, "{still:?}");
        assert!(
            still.stderr.contains("Press the button on the device"),
            "{still:?}"
        );

        let pressed = control(device, Command::PressButton).await;
        assert!(pressed.pairing_open && pressed.failed_attempts == 0);
        let run = pair(world, &device.qr_payload, "Oven").await;
        assert_eq!(run.code, 0, "{run:?}");
        // Leave no key behind in the shared kernel keyring.
        let forgot = hearth(world, &["forget", "Oven"]).await;
        assert_eq!(forgot.code, 0, "{forgot:?}");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
