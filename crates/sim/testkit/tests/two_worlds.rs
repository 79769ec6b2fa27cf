//! Issue 15 item 12: two worlds in one test process (as `cargo test` runs tests, on threads)
//! each keep their devices on their own radio, because every device process is given its
//! world's bus address explicitly; this process's environment is not touched.

use hearth_testkit::{BUS_ENV, World};

/// `DBUS_SYSTEM_BUS_ADDRESS` of process `pid`, read from `/proc`.
fn bus_of(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    raw.split(|b| *b == 0).find_map(|pair| {
        let pair = String::from_utf8_lossy(pair);
        pair.strip_prefix(&format!("{BUS_ENV}=")).map(str::to_owned)
    })
}

#[test]
fn two_worlds_side_by_side_keep_their_devices_apart() {
    let before = std::env::var(BUS_ENV).ok();
    let worlds: Vec<std::thread::JoinHandle<String>> = (0..2)
        .map(|_| {
            std::thread::spawn(|| {
                let world = World::builder().up().expect("a world comes up");
                let pid = world.device_pid(0).expect("its device runs");
                assert_eq!(
                    bus_of(pid).as_deref(),
                    Some(world.bus_address()),
                    "the device is on its own world's bus"
                );
                // Heard on its own radio (up already waited for that; once more, explicitly).
                let heard = world.block_on(world.scan()).expect("scan");
                assert_eq!(heard, ["hci1"]);
                let status = world.block_on(world.status(0)).expect("status");
                assert!(status.powered && !status.has_owner);
                let address = world.bus_address().to_owned();
                world.down().expect("the world goes down");
                address
            })
        })
        .collect();
    let addresses: Vec<String> = worlds
        .into_iter()
        .map(|w| w.join().expect("the world's thread"))
        .collect();
    assert_ne!(addresses[0], addresses[1], "two buses");
    assert_eq!(
        std::env::var(BUS_ENV).ok(),
        before,
        "the environment is untouched"
    );
}
