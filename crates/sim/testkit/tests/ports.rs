//! Issue 15 item 10: a port read from a released socket can be taken before the server that
//! was meant for it binds it. A held port ([`RefusingPort`]) refuses clients as a stopped
//! service does, cannot be had by other servers, and can be bound by our own server without
//! ever being free.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream};

use hearth_testkit::ports::RefusingPort;
use socket2::{Domain, Socket, Type};

/// Binds `addr` the way most servers do (std's listener: `SO_REUSEADDR` on Unix).
fn std_server(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}

/// Binds `addr` without `SO_REUSEADDR`.
fn strict_server(addr: SocketAddr) -> std::io::Result<Socket> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&addr.into())?;
    socket.listen(8)?;
    Ok(socket)
}

#[test]
fn a_refusing_port_refuses_clients_and_no_server_can_take_it() {
    let port = RefusingPort::new().expect("a port");
    let err = TcpStream::connect(port.addr()).expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    let taken = std_server(port.addr());
    assert_eq!(
        taken.as_ref().map(|_| ()).map_err(std::io::Error::kind),
        Err(ErrorKind::AddrInUse),
        "another server cannot bind the port while it is held"
    );
    assert!(strict_server(port.addr()).is_err());
    port.release();
}

#[test]
fn a_reserved_port_goes_to_our_server_with_no_gap() {
    let reserved = RefusingPort::reserve().expect("a port");
    let addr = reserved.addr();
    assert_eq!(
        TcpStream::connect(addr).map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::ConnectionRefused)
    );
    // A server that does not share (no SO_REUSEADDR) is refused…
    assert!(strict_server(addr).is_err());
    // …ours binds while the reservation still holds the port, then the reservation goes.
    let server = std_server(addr).expect("our server binds the reserved port");
    reserved.release();
    let client = TcpStream::connect(addr).expect("our server answers");
    let (_accepted, peer) = server.accept().expect("accept");
    assert_eq!(peer, client.local_addr().expect("client address"));
}

#[test]
fn a_stopped_servers_port_is_held_despite_its_time_wait() {
    let server = std_server(SocketAddr::from(([127, 0, 0, 1], 0))).expect("server");
    let addr = server.local_addr().expect("address");
    let client = TcpStream::connect(addr).expect("connect");
    let (accepted, _) = server.accept().expect("accept");
    // The server closes first: its side of the connection lingers in TIME_WAIT on the port.
    drop(accepted);
    let mut byte = [0u8; 1];
    let _ = std::io::Read::read(&mut &client, &mut byte);
    drop(client);
    drop(server);
    let held = RefusingPort::hold(addr).expect("held despite TIME_WAIT");
    assert_eq!(
        TcpStream::connect(addr).map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::ConnectionRefused),
        "refused, as a stopped service"
    );
    assert!(strict_server(addr).is_err());
    // The server comes back on the same port.
    let again = std_server(addr).expect("the server binds its port again");
    held.release();
    drop(again);
}
