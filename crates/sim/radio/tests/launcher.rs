//! `hearth-radio up --dir DIR` as a real child process: it prints the bus address, answers on
//! the control interface and as `org.bluez`, and on SIGTERM stops itself and its dbus-daemon.

use std::time::Duration;

use hearth_radio::control::Radio1Proxy;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const STEP: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn up_prints_the_address_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth-radio"))
        .args(["up", "--dir"])
        .arg(dir.path())
        .args(["--peripherals", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn hearth-radio");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    tokio::time::timeout(STEP, BufReader::new(stdout).read_line(&mut line))
        .await
        .expect("address in time")
        .expect("read");
    let address = line
        .trim()
        .strip_prefix("DBUS_SYSTEM_BUS_ADDRESS=")
        .expect("the address line")
        .to_owned();
    assert!(address.starts_with("unix:path="), "{address}");
    assert!(dir.path().join("bus.conf").exists());
    assert!(dir.path().join("system_bus_socket").exists());

    let conn = zbus::connection::Builder::address(address.as_str())
        .build()
        .await
        .expect("connect");
    let control = Radio1Proxy::new(&conn).await.expect("proxy");
    assert_eq!(
        control.peripheral_adapters().await.expect("adapters"),
        ["hci1", "hci2", "hci3"]
    );
    assert_eq!(control.add_peripheral_adapter().await.expect("add"), "hci4");
    let dbus = zbus::fdo::DBusProxy::new(&conn).await.expect("dbus proxy");
    let owner = dbus
        .get_name_owner("org.bluez".try_into().expect("name"))
        .await;
    assert!(owner.is_ok(), "the radio owns org.bluez");
    drop(control);
    drop(conn);

    let pid = i32::try_from(child.id().expect("pid")).expect("pid fits");
    kill(Pid::from_raw(pid), Signal::SIGTERM).expect("SIGTERM");
    let status = tokio::time::timeout(STEP, child.wait())
        .await
        .expect("exits in time")
        .expect("wait");
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    // dbus-daemon removes its socket when it ends on SIGTERM.
    assert!(
        !dir.path().join("system_bus_socket").exists(),
        "the bus went down with the radio"
    );
}
