//! Issue 15 item 12: btleplug and bluer read the bus address from this process's environment,
//! so a second world that wants Bluetooth in this process must fail loudly instead of moving
//! the first one's Bluetooth (or silently keeping it); a world whose Bluetooth lives in child
//! processes needs no claim and still comes up beside it.

use hearth_testkit::{BUS_ENV, World, bus};

#[test]
fn a_second_in_process_bluetooth_world_fails_loudly() {
    let first = World::builder()
        .devices(0)
        .in_process_bluetooth()
        .up()
        .expect("the first world comes up");
    assert_eq!(
        std::env::var(BUS_ENV).ok().as_deref(),
        Some(first.bus_address().split(',').next().unwrap_or_default()),
        "the process's Bluetooth points at the first world's bus"
    );

    let second = World::builder().devices(0).in_process_bluetooth().up();
    let err = second.expect_err("a second claim on the process's bus");
    assert!(
        err.0.contains("already pointed") && err.0.contains(BUS_ENV),
        "{err}"
    );

    // A world that gives the address to its processes instead comes up beside the first,
    // on its own bus, and leaves the process's environment alone.
    let third = World::builder()
        .devices(0)
        .up()
        .expect("a world without the claim comes up");
    assert_ne!(third.bus_address(), first.bus_address());
    assert_eq!(
        bus::process_bus().as_deref(),
        Some(first.bus_address().split(',').next().unwrap_or_default())
    );
    third.down().expect("the third world goes down");

    first.down().expect("the first world goes down");
    // Even with the first world gone, its threads' view of the environment stays: no new claim.
    let later = World::builder().devices(0).in_process_bluetooth().up();
    assert!(later.is_err(), "the claim is once per process");
}
