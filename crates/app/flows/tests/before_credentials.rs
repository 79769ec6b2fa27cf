//! Nothing reaches a device before it has proved who made it and the person has agreed to
//! it. A device that cannot prove it was made by the trusted maker (its certificate chain
//! ends in another vendor's root) is refused after the code checks out: the error names the
//! maker the app trusts, in plain words, and nothing is stored — no device row, no owner key —
//! so the device never receives the Wi-Fi settings (EN 303 645 5.1 attestation). A setup the
//! person stops when asked about the model (the app asks when its security updates have ended
//! or never come) stops before the code is tried: no attempt used, nothing sent or stored.

mod support;

use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::init_vendor;
use hearth_flows::{BoxFuture, FlowError, ModelGate, Step, VendorRoot};
use support::{flows, home_wifi, vendor, with_world, within};

/// Says `answer` and remembers the models it was asked about.
struct Answer {
    answer: bool,
    asked: Vec<String>,
}

impl ModelGate for Answer {
    fn proceed<'a>(&'a mut self, model: &'a str) -> BoxFuture<'a, Result<(), FlowError>> {
        self.asked.push(model.to_owned());
        let answer = if self.answer {
            Ok(())
        } else {
            Err(FlowError::Declined)
        };
        Box::pin(std::future::ready(answer))
    }
}

#[test]
fn a_setup_stopped_at_the_model_question_uses_no_attempt_and_sends_nothing() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let flows = flows(world).await;
        let vendor = vendor(world);
        let mut steps = Vec::new();
        let mut no = Answer {
            answer: false,
            asked: Vec::new(),
        };
        let stopped = within(
            "pairing stopped by the person",
            flows.pair_with_gate(
                &device.qr_payload,
                home_wifi(),
                None,
                &vendor,
                &mut |s: &Step| steps.push(s.clone()),
                &mut no,
            ),
        )
        .await
        .expect_err("stopped");
        assert!(matches!(stopped, FlowError::Declined), "{stopped:?}");
        assert_eq!(stopped.to_dto().code, hearth_core::ErrorCode::Declined);
        // Asked once, about the model the device named in step 2, and nothing after that.
        let Some(Step::Found { model, .. }) = steps.last() else {
            panic!("the last step is the one that found the device: {steps:?}");
        };
        assert_eq!(no.asked, vec![model.clone()]);
        assert!(!model.is_empty());
        assert!(flows.devices().await.expect("list").is_empty());
        let status =
            support::control(device, hearth_reference_device::control::Command::Status).await;
        assert!(!status.has_owner, "{status:?}");
        assert!(status.pairing_open, "{status:?}");
        assert_eq!(status.failed_attempts, 0, "no attempt used: {status:?}");

        // The same device, and a yes: set up as usual.
        let mut yes = Answer {
            answer: true,
            asked: Vec::new(),
        };
        let paired = within(
            "pairing the person agreed to",
            flows.pair_with_gate(
                &device.qr_payload,
                home_wifi(),
                None,
                &vendor,
                &mut |_| {},
                &mut yes,
            ),
        )
        .await
        .expect("pairs");
        assert_eq!(yes.asked, vec![paired.summary.model.clone()]);
        flows.close().await;
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}

#[test]
fn a_device_certified_by_another_vendor_is_refused_naming_the_trusted_maker() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let flows = flows(world).await;
        // The app trusts "Genuine Maker", whose root did not sign this device.
        let other = world.dir().join("other-vendor");
        init_vendor(
            &other,
            "Genuine Maker",
            world.now_unix() - 60,
            &mut os_csprng(),
        )
        .expect("another vendor");
        let trusted = VendorRoot::load(&other.join("vendor-profile.json")).expect("profile");
        let mut steps = Vec::new();
        let refused = within(
            "pairing with an untrusted device",
            flows.pair(
                &device.qr_payload,
                home_wifi(),
                None,
                &trusted,
                &mut |s: &Step| {
                    steps.push(s.number());
                },
            ),
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
        assert_eq!(dto.code, hearth_core::ErrorCode::NotGenuineMaker);
        assert!(
            !steps.contains(&Step::SendingCredentials.number()),
            "no credentials were sent: {steps:?}"
        );
        assert!(flows.devices().await.expect("list").is_empty());
        let status =
            support::control(device, hearth_reference_device::control::Command::Status).await;
        assert!(!status.has_owner, "the device got no owner: {status:?}");
        flows.close().await;
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
