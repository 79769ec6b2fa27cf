//! `hearth pair` and a model that gets no security updates (EN 303 645 4.3-8): with the
//! vendor service configured, the CLI prints the maker's support period once the device names
//! its model and stops before the setup code is tried (exit 13, no attempt used, nothing sent
//! or stored); `--accept-no-updates` pairs it. A model with updates ahead pairs as before.

mod support;

use hearth_reference_device::control::Command;
use hearth_testkit::in_process::InProcessVendor as Vendor;
use support::{SSID, control, hearth, hearth_env, with_world_of};

#[test]
fn a_model_without_updates_is_paired_only_with_accept_no_updates() {
    with_world_of("hearth-sensor-0", 1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");

        // The maker's service, over TLS on loopback, and the app's client profile for it.
        let vendor = Vendor::init();
        let server = vendor.serve().await;
        let profile_path = vendor.dir.path().join("client-profile.json");
        vendor.write_profile_for(server.local_addr.port(), &profile_path);
        let service = [(
            "HEARTH_VENDOR_SERVICE",
            profile_path.to_str().expect("utf-8 path"),
        )];
        let pass_file = world.wifi().passphrase_file.to_str().expect("utf-8 path");
        let pair = |extra: &'static [&'static str]| {
            let mut args = vec![
                "pair",
                "--code",
                device.qr_payload.as_str(),
                "--wifi-ssid",
                SSID,
                "--wifi-pass-file",
                pass_file,
                "--name",
                "Hall sensor",
            ];
            args.extend_from_slice(extra);
            args
        };

        let stopped = hearth_env(world, &pair(&[]), &service).await;
        assert_eq!(stopped.code, 13, "{stopped:?}");
        assert!(
            stopped.stdout.contains("This device cannot be updated"),
            "the support period is printed: {stopped:?}"
        );
        assert!(
            stopped.stderr.contains("--accept-no-updates"),
            "and how to go on: {stopped:?}"
        );
        assert!(
            stopped
                .stderr
                .lines()
                .last()
                .unwrap_or_default()
                .ends_with("[flow.declined]"),
            "{stopped:?}"
        );
        assert!(
            !stopped.stdout.contains("[3/7]"),
            "the code was not tried: {stopped:?}"
        );
        let status = control(device, Command::Status).await;
        assert!(!status.has_owner, "{status:?}");
        assert!(status.pairing_open, "{status:?}");
        assert_eq!(status.failed_attempts, 0, "no attempt used: {status:?}");
        let none = hearth(world, &["devices"]).await;
        assert_eq!((none.code, none.stdout.as_str()), (0, ""), "{none:?}");

        let accepted = hearth_env(world, &pair(&["--accept-no-updates"]), &service).await;
        assert_eq!(accepted.code, 0, "{accepted:?}");
        assert!(
            accepted.stdout.contains("This device cannot be updated"),
            "{accepted:?}"
        );
        assert!(accepted.stdout.contains("[7/7]"), "{accepted:?}");
        assert!(control(device, Command::Status).await.has_owner);
        let listed = hearth(world, &["devices"]).await;
        assert!(
            listed.stdout.contains("Hall sensor\thearth-sensor-0"),
            "{listed:?}"
        );

        server.shutdown().await;
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
