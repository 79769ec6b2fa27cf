//! Loopback ports that stay ours: bound, never listening, so a client is refused there.
//!
//! Picking a free port by binding port 0, reading the number and closing the socket leaves a
//! gap in which any other process can take the port; the test then talks to a stranger (a
//! parallel test's server with another CA, another app's driver) or fails to start its own
//! server. A socket that is bound but never `listen`s closes the gap:
//!
//! - the kernel answers a connection attempt to it with a reset, so a client gets exactly
//!   what it gets from a stopped service: `ECONNREFUSED`. (A listener that accepts and closes
//!   would instead let the TCP and TLS handshake start and fail later with a reset or an
//!   unexpected end, a different error from "the service is down".)
//! - the kernel never hands it out for another socket's port 0, and refuses an explicit bind
//!   of it to any socket without `SO_REUSEADDR` ([`RefusingPort::new`] sets none, so there
//!   even those are refused).
//! - a port reserved with `SO_REUSEADDR` ([`RefusingPort::reserve`], [`RefusingPort::hold`])
//!   can be bound *and listened on* by the server we start on it (std's and tokio's
//!   listeners set `SO_REUSEADDR` on Unix) while we still hold it: the port goes from
//!   refusing to serving with no moment in which it is free. The price: another process
//!   that already knows the number and sets `SO_REUSEADDR` could do the same; no process
//!   gets the number from the kernel.

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};

use crate::{Error, fail};

/// A bound loopback TCP socket that never listens: connections to it are refused, and the
/// port is not free for others while it lives.
#[derive(Debug)]
pub struct RefusingPort {
    socket: Socket,
    addr: SocketAddr,
}

impl RefusingPort {
    /// A fresh loopback port no other socket can bind while this lives: a stand-in for a
    /// service that is down.
    ///
    /// # Errors
    /// No socket or no free port.
    pub fn new() -> Result<Self, Error> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), false)
    }

    /// A fresh loopback port reserved for a server this process will start on it (which may
    /// bind it while the reservation is held; see the module documentation).
    ///
    /// # Errors
    /// No socket or no free port.
    pub fn reserve() -> Result<Self, Error> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), true)
    }

    /// Holds `addr` again, for a server that just stopped there and will start there again:
    /// refused meanwhile, and the server's old connections lingering in `TIME_WAIT` do not
    /// stand in the way.
    ///
    /// # Errors
    /// The port is taken (a listener is there).
    pub fn hold(addr: SocketAddr) -> Result<Self, Error> {
        Self::bind(addr, true)
    }

    fn bind(addr: SocketAddr, reuse: bool) -> Result<Self, Error> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| fail(format!("a TCP socket: {e}")))?;
        socket
            .set_reuse_address(reuse)
            .map_err(|e| fail(format!("SO_REUSEADDR: {e}")))?;
        socket
            .bind(&addr.into())
            .map_err(|e| fail(format!("cannot hold {addr}: {e}")))?;
        let addr = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .ok_or_else(|| fail(format!("the socket bound for {addr} has no address")))?;
        Ok(Self { socket, addr })
    }

    /// The held address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The held port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Gives the port up (a server of ours is listening on it now, or the test is done).
    pub fn release(self) {
        drop(self.socket);
    }
}
