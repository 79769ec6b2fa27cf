//! Three devices paired at once by one app over one Bluetooth adapter: each is found by its
//! own label, gets its own owner key, and answers to it.

mod support;

use hearth_flows::Step;
use hearth_reference_device::control::Command;
use support::{control, flows, home_wifi, vendor, with_world, within};

#[test]
fn three_devices_pair_concurrently() {
    with_world(3, async |world| {
        for i in 0..world.devices().len() {
            world.start_device(i).await.expect("the device starts");
        }
        let flows = flows(world).await;
        let vendor = vendor(world);
        let pair = |i: usize| {
            let flows = &flows;
            let vendor = &vendor;
            async move {
                let mut steps = Vec::new();
                let paired = flows
                    .pair(
                        &world.devices()[i].qr_payload,
                        home_wifi(),
                        Some(format!("Plug {i}")),
                        vendor,
                        &mut |s: &Step| steps.push(s.number()),
                    )
                    .await;
                (paired, steps)
            }
        };
        let (a, b, c) = within("three pairings", async {
            tokio::join!(pair(0), pair(1), pair(2))
        })
        .await;
        let mut ids = Vec::new();
        for (i, (paired, steps)) in [a, b, c].into_iter().enumerate() {
            let paired = paired.unwrap_or_else(|e| panic!("device {i}: {e:?}"));
            assert_eq!(steps, [1, 2, 3, 4, 5, 6, 7], "device {i}");
            assert_eq!(paired.summary.name, format!("Plug {i}"));
            ids.push(paired.summary.id);
        }
        assert_eq!(flows.devices().await.unwrap().len(), 3);
        let keystore = world.keystore();
        let keys: std::collections::BTreeSet<_> = ids
            .iter()
            .map(|id| keystore.load_owner_key(id).expect("key").public())
            .collect();
        assert_eq!(keys.len(), 3, "one owner key per device");

        // Each device answers to its own key: switch only the middle one.
        assert!(within("plug", flows.set_plug(&ids[1], true)).await.unwrap());
        for (i, device) in world.devices().iter().enumerate() {
            let status = control(device, Command::Status).await;
            assert!(status.has_owner);
            assert_eq!(status.plug_on, i == 1, "device {i}");
        }
        for id in &ids {
            flows.forget(id, false).await.expect("forget");
        }
        flows.close().await;
        for i in 0..world.devices().len() {
            world
                .stop_device(i)
                .await
                .expect("the device exits cleanly");
        }
    });
}
