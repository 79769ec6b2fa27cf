//! The radio drops the link after each pairing message in turn (round trip 1, round trip 2,
//! and the provisioning answer of round trip 3). Before the last one, the flow reports a lost
//! link, nothing is remembered anywhere and a clean retry pairs; after the last one the device
//! is already set up, so the app keeps it and reaches it again with the owner key.

mod support;

use hearth_ble::BtleplugTransport;
use hearth_flows::{FlowError, Flows, PairedDevice, Step};
use hearth_reference_device::control::Command;
use support::{Device, World, control, flows, home_wifi, vendor, with_world, within};

/// Pairs, dropping the link synchronously when `drop_at` is reported, so the next exchange
/// meets a dead link deterministically (no timing involved).
async fn pair_dropping_at(
    flows: &Flows<BtleplugTransport>,
    world: &World,
    device: &Device,
    drop_at: Step,
) -> (Result<PairedDevice, FlowError>, Vec<u8>, u32) {
    let vendor = vendor(world);
    let handle = tokio::runtime::Handle::current();
    let radio = world.radio().clone();
    let mut dropped = 0;
    let mut steps = Vec::new();
    let mut progress = |step: &Step| {
        steps.push(step.number());
        if *step == drop_at {
            dropped = tokio::task::block_in_place(|| {
                handle.block_on(radio.drop_link("hci1")).expect("DropLink")
            });
        }
    };
    let result = within(
        "pairing over a dropped link",
        flows.pair(
            &device.qr_payload,
            home_wifi(),
            Some("Hall".into()),
            &vendor,
            &mut progress,
        ),
    )
    .await;
    (result, steps, dropped)
}

#[test]
fn a_link_dropped_after_each_pairing_message_then_a_clean_retry() {
    with_world(1, async |world| {
        let device = &world.devices()[0];
        world.start_device(0).await.expect("the device starts");
        let flows = flows(world).await;
        let vendor = vendor(world);

        // After round trip 1 (step 3 starts) and after round trip 2 (step 5 starts, before
        // the provisioning request goes out).
        for (drop_at, steps_seen) in [
            (Step::Pairing, vec![1, 2, 3]),
            (Step::SendingCredentials, vec![1, 2, 3, 4, 5]),
        ] {
            let (failed, steps, dropped) = pair_dropping_at(&flows, world, device, drop_at).await;
            let failed = failed.expect_err("the link was dropped");
            assert_eq!(dropped, 1);
            assert_eq!(failed.code(), "flow.link_lost", "{failed:?}");
            assert_eq!(failed.message_id(), "flow-error-link-lost");
            assert_eq!(steps, steps_seen);
            assert!(flows.devices().await.unwrap().is_empty());
            assert!(!control(device, Command::Status).await.has_owner);

            let mut steps = Vec::new();
            let paired = within(
                "clean retry",
                flows.pair(
                    &device.qr_payload,
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
            // Back to a fresh device with the same label for the next drop point.
            within("forget", flows.forget(&paired.summary.id, false))
                .await
                .expect("forget");
            assert!(!control(device, Command::Status).await.has_owner);
        }

        // After round trip 3 (step 6 starts): the device took the owner key and the app
        // remembered it, only the Wi-Fi status is lost. The set-up stands: the app reaches the
        // device again with its owner key, no setup code.
        let (failed, steps, dropped) =
            pair_dropping_at(&flows, world, device, Step::JoiningWifi).await;
        let failed = failed.expect_err("no Wi-Fi status arrives over a dropped link");
        assert_eq!(dropped, 1);
        assert_eq!(failed.code(), "flow.wifi_no_answer", "{failed:?}");
        assert_eq!(steps, [1, 2, 3, 4, 5, 6]);
        assert!(control(device, Command::Status).await.has_owner);
        let remembered = flows.devices().await.unwrap();
        assert_eq!(remembered.len(), 1);
        assert!(
            within(
                "plug with the owner key",
                flows.set_plug(&remembered[0].id, true)
            )
            .await
            .unwrap()
        );
        flows
            .forget(&remembered[0].id, false)
            .await
            .expect("forget");
        flows.close().await;
        world
            .stop_device(0)
            .await
            .expect("the device exits cleanly");
    });
}
