//! Issue 15 item 10 for the vendor service process: it binds the port the world reserved
//! before `init` wrote it into its config (no moment in which the port is free), reports the
//! address it bound in its ready line, refuses while stopped, comes back on the same port with
//! its data, and fails loudly when another server has taken the port.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream};

use hearth_testkit::World;
use socket2::{Domain, Socket, Type};

fn refused(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).is_err_and(|e| e.kind() == ErrorKind::ConnectionRefused)
}

/// The `host:port` of an `https://` URL, as a loopback socket address.
fn loopback(url: &str) -> SocketAddr {
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"));
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[test]
fn the_vendor_service_keeps_its_port_across_restarts_and_fails_loudly_when_it_is_taken() {
    let world = World::builder()
        .devices(0)
        .with_vendor_service()
        .up()
        .expect("the world comes up with its vendor service");
    let url = world.vendor_service_url().expect("a URL");
    let addr = loopback(&url);
    assert_ne!(addr.port(), 0, "{url}");
    let log = world.vendor_service_log();
    assert!(
        log.contains(&format!("local_addr={addr}")),
        "the ready line reports the bound address:\n{log}"
    );
    TcpStream::connect(addr).expect("the service answers on the profile's port");

    world
        .block_on(world.stop_vendor_service())
        .expect("it stops cleanly");
    assert!(refused(addr), "stopped: refused, as a service that is down");
    let profile =
        std::fs::read_to_string(world.vendor_service_profile().expect("profile")).expect("profile");

    world
        .block_on(world.start_vendor_service())
        .expect("it starts again on its port");
    TcpStream::connect(addr).expect("back on the same port");
    assert_eq!(
        std::fs::read_to_string(world.vendor_service_profile().expect("profile")).expect("profile"),
        profile,
        "same URL, CA and keys"
    );
    assert_eq!(
        world
            .vendor_service_log()
            .matches("vendor service listening")
            .count(),
        2
    );

    // Another program listens on the port while the service is down: the restart says so.
    world
        .block_on(world.stop_vendor_service())
        .expect("it stops cleanly");
    let intruder = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    intruder.set_reuse_address(true).expect("SO_REUSEADDR");
    intruder
        .bind(&addr.into())
        .expect("a program that already knows the port");
    intruder.listen(8).expect("listen");
    let err = world
        .block_on(world.start_vendor_service())
        .expect_err("the port is taken");
    assert!(
        err.0.contains("in use") || err.0.contains("AddrInUse"),
        "the failure names the taken port: {err}"
    );
    assert!(!world.vendor_service_running());
    drop(intruder);
    world.down().expect("the world goes down");
}
