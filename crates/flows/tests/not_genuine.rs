//! A device that cannot prove it was made by the trusted maker (its certificate chain ends
//! in another vendor's root) is refused after the code checks out: the error names the maker
//! the app trusts, in plain words, and nothing is stored — no device row, no owner key — so
//! the device never receives the Wi-Fi settings (EN 303 645 5.1 attestation).

mod support;

use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::init_vendor;
use hearth_flows::{FlowError, Step, VendorRoot};
use support::{DeviceProcess, flows, home_wifi, unix_now, with_world, within};

#[test]
fn a_device_certified_by_another_vendor_is_refused_naming_the_trusted_maker() {
    with_world(1, async |world| {
        let device = &world.devices[0];
        let process = DeviceProcess::spawn(world, device);
        let flows = flows(world).await;
        // The app trusts "Genuine Maker", whose root did not sign this device.
        let other = world.dir.join("other-vendor");
        init_vendor(&other, "Genuine Maker", unix_now() - 60, &mut os_csprng())
            .expect("another vendor");
        let trusted = VendorRoot::load(&other.join("vendor-profile.json")).expect("profile");
        let mut steps = Vec::new();
        let refused = within(
            "pairing with an untrusted device",
            flows.pair(&device.qr, home_wifi(), None, &trusted, &mut |s: &Step| {
                steps.push(s.number());
            }),
        )
        .await
        .expect_err("refused");
        assert!(
            matches!(refused, FlowError::NotGenuine { .. }),
            "{refused:?}"
        );
        assert_eq!(refused.message_id(), "flow-error-not-genuine-maker");
        assert_eq!(
            refused.message_args(),
            vec![("maker", "Genuine Maker".to_owned())]
        );
        let dto = refused.to_dto();
        assert_eq!(dto.code, hearth_core::ErrorCode::NotGenuine);
        assert!(
            !steps.contains(&Step::SendingCredentials.number()),
            "no credentials were sent: {steps:?}"
        );
        assert!(flows.devices().await.expect("list").is_empty());
        let status =
            support::control(device, hearth_reference_device::control::Command::Status).await;
        assert!(!status.has_owner, "the device got no owner: {status:?}");
        flows.close().await;
        process.terminate().await;
    });
}
