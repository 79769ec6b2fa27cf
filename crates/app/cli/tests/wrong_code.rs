//! A wrong setup code is refused with the attempts left (exit 4, one plain sentence and a
//! stable code) and stores nothing; the right code, typed as the label's manual code, then
//! pairs. EN 303 645 4.1-1.

mod support;

use hearth_reference_device::control::Command;
use support::{SSID, control, hearth, hearth_stdin, pair, with_world, wrong_code};

#[test]
fn a_wrong_code_then_the_right_one() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");

        let wrong = pair(world, &wrong_code(device), "Desk").await;
        assert_eq!(wrong.code, 4, "{wrong:?}");
        let sentence = wrong.stderr.lines().last().unwrap_or_default();
        assert_eq!(
            sentence, "hearth: That setup code is wrong. Attempts left: 19. [flow.wrong_code]",
            "{wrong:?}"
        );
        assert!(
            !wrong.stdout.contains("[5/7]"),
            "no credentials were sent: {wrong:?}"
        );
        assert_eq!(control(device, Command::Status).await.failed_attempts, 1);
        let none = hearth(world, &["devices"]).await;
        assert_eq!((none.code, none.stdout.as_str()), (0, ""), "{none:?}");

        // The label's manual code, given on stdin so it stays out of the process list.
        let pass_file = world.wifi().passphrase_file.to_str().unwrap();
        let right = hearth_stdin(
            world,
            &[
                "pair",
                "--code",
                "-",
                "--wifi-ssid",
                SSID,
                "--wifi-pass-file",
                pass_file,
                "--name",
                "Desk",
            ],
            &format!("{}\n", device.setup_code),
        )
        .await;
        assert_eq!(right.code, 0, "{right:?}");
        assert!(right.stdout.contains("[7/7] done"), "{right:?}");
        let status = control(device, Command::Status).await;
        assert!(status.has_owner && status.failed_attempts == 0);
        let on = hearth(world, &["plug", "on", "Desk"]).await;
        assert_eq!((on.code, on.stdout.trim()), (0, "on"), "{on:?}");
        // Leave no key behind in the shared kernel keyring.
        let forgot = hearth(world, &["forget", "Desk"]).await;
        assert_eq!(forgot.code, 0, "{forgot:?}");
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
