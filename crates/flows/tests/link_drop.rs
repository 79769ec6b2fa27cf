//! The radio drops the link in the middle of pairing (right after round trip 1): the flow
//! reports a lost link, nothing is remembered anywhere, and a clean retry pairs.

mod support;

use hearth_flows::Step;
use hearth_reference_device::control::Command;
use support::{DeviceProcess, control, flows, home_wifi, vendor, with_world, within};

#[test]
fn a_link_dropped_during_pairing_then_a_clean_retry() {
    with_world(1, async |world| {
        let device = &world.devices[0];
        let process = DeviceProcess::spawn(world, device);
        let flows = flows(world).await;
        let vendor = vendor(world);

        let handle = tokio::runtime::Handle::current();
        let radio = world.radio.clone();
        let mut dropped = 0;
        let mut steps = Vec::new();
        // Drop the link synchronously when step 3 starts, so the next request meets a dead
        // link deterministically (no timing involved).
        let mut progress = |step: &Step| {
            steps.push(step.number());
            if *step == Step::Pairing {
                dropped = tokio::task::block_in_place(|| {
                    handle.block_on(radio.drop_link("hci1")).expect("DropLink")
                });
            }
        };
        let failed = within(
            "pairing over a dropped link",
            flows.pair(
                &device.qr,
                home_wifi(),
                Some("Hall".into()),
                &vendor,
                &mut progress,
            ),
        )
        .await
        .expect_err("the link was dropped");
        assert_eq!(dropped, 1);
        assert_eq!(failed.code(), "flow.link_lost", "{failed:?}");
        assert_eq!(failed.message_id(), "flow-error-link-lost");
        assert_eq!(steps, [1, 2, 3]);
        assert!(flows.devices().await.unwrap().is_empty());
        assert!(!control(device, Command::Status).await.has_owner);

        let mut steps = Vec::new();
        let paired = within(
            "clean retry",
            flows.pair(
                &device.qr,
                home_wifi(),
                Some("Hall".into()),
                &vendor,
                &mut |s: &Step| steps.push(s.number()),
            ),
        )
        .await
        .expect("the retry pairs");
        assert_eq!(steps, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            flows.devices().await.unwrap(),
            std::slice::from_ref(&paired.summary)
        );
        assert!(
            within("plug", flows.set_plug(&paired.summary.id, true))
                .await
                .unwrap()
        );
        flows
            .forget(&paired.summary.id, false)
            .await
            .expect("forget");
        flows.close().await;
        process.terminate().await;
    });
}
