//! Admission and supervision of connections, below TLS (EN 303 645 4.9-1, 4.6-1).
//!
//! [`Gate`] is an axum-server acceptor that runs before the TLS handshake: it refuses a
//! connection beyond `max_connections` (all clients) or `max_connections_per_client` by
//! closing it at once, and wraps the rest. The wrapped stream ([`Watched`]) ends the
//! connection with a timeout error once it has had no request in flight for `idle_ms`; the
//! wrapped per-connection service ([`Tracked`]) counts the requests in flight. Together they
//! bound every state the protocol layers leave open: a connection that never starts TLS is
//! bounded by the handshake timeout, one that never sends a request, sends half a request head,
//! keeps an HTTP/1.1 or HTTP/2 connection idle, or does not read its response by `idle_ms`.
//! Requests in flight are bounded by the request middleware (`admission`).
//!
//! A connection's slot is given back when its stream is dropped, that is when hyper is done
//! with it.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::client::ClientKey;
use crate::limits::Limits;

/// Counts the connections held, in total and per client; shared by every connection.
#[derive(Debug, Clone)]
pub struct Gate(Arc<GateInner>);

#[derive(Debug)]
struct GateInner {
    max_total: usize,
    max_per_client: usize,
    idle: Duration,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    per_client: std::collections::HashMap<ClientKey, usize>,
}

/// Why a connection was refused at accept.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("all {0} connection slots are taken")]
    Full(usize),
    #[error("this client already holds its {0} connections")]
    ClientFull(usize),
    #[error("peer address unavailable: {0}")]
    NoPeer(io::Error),
}

impl Gate {
    pub fn new(limits: &Limits) -> Self {
        Self(Arc::new(GateInner {
            max_total: limits.max_connections,
            max_per_client: limits.max_connections_per_client,
            idle: limits.idle(),
            held: Mutex::new(Held::default()),
        }))
    }

    /// Connections held now.
    pub fn held(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.0.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a slot for a connection from `peer`, or says why not.
    fn admit(&self, peer: SocketAddr) -> Result<Slot, Refused> {
        let client = ClientKey::of(peer.ip());
        let mut held = self.lock();
        if held.total >= self.0.max_total {
            return Err(Refused::Full(self.0.max_total));
        }
        let mine = held.per_client.entry(client).or_insert(0);
        if *mine >= self.0.max_per_client {
            return Err(Refused::ClientFull(self.0.max_per_client));
        }
        *mine += 1;
        held.total += 1;
        Ok(Slot {
            gate: self.clone(),
            client,
        })
    }
}

/// One connection's place in the [`Gate`]; given back on drop.
#[derive(Debug)]
struct Slot {
    gate: Gate,
    client: ClientKey,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.gate.lock();
        held.total = held.total.saturating_sub(1);
        if let Some(n) = held.per_client.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.per_client.remove(&self.client);
            }
        }
    }
}

impl<S> Accept<TcpStream, S> for Gate {
    type Stream = Watched;
    type Service = Tracked<S>;
    type Future = std::future::Ready<io::Result<(Watched, Tracked<S>)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream
            .peer_addr()
            .map_err(Refused::NoPeer)
            .and_then(|peer| self.admit(peer));
        std::future::ready(match admitted {
            Ok(slot) => {
                let activity = Arc::new(Mutex::new(Activity {
                    in_flight: 0,
                    idle_since: Some(Instant::now()),
                    waker: None,
                }));
                Ok((
                    Watched {
                        stream,
                        _slot: slot,
                        activity: activity.clone(),
                        idle: self.0.idle,
                        timer: Box::pin(tokio::time::sleep(self.0.idle)),
                    },
                    Tracked {
                        inner: service,
                        activity,
                    },
                ))
            }
            Err(refused) => {
                // No address in the log (EN 303 645 4.10-2); dropping the stream closes it.
                tracing::debug!(reason = %refused, "connection refused");
                Err(io::Error::other(refused))
            }
        })
    }
}

/// Requests in flight on one connection, and since when it has had none.
#[derive(Debug)]
struct Activity {
    in_flight: usize,
    idle_since: Option<Instant>,
    /// The connection task, woken when the last request ends so it arms the idle timer.
    waker: Option<Waker>,
}

fn lock(activity: &Mutex<Activity>) -> std::sync::MutexGuard<'_, Activity> {
    activity.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A TCP stream that fails with [`io::ErrorKind::TimedOut`] once its connection has had no
/// request in flight for the idle time.
#[derive(Debug)]
pub struct Watched {
    stream: TcpStream,
    _slot: Slot,
    activity: Arc<Mutex<Activity>>,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl Watched {
    fn check_idle(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let deadline = {
            let mut activity = lock(&self.activity);
            if !activity
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                activity.waker = Some(cx.waker().clone());
            }
            activity.idle_since.map(|since| since + self.idle)
        };
        let Some(deadline) = deadline else {
            return Ok(());
        };
        if self.timer.deadline() != deadline {
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            )),
            Poll::Pending => Ok(()),
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_idle(cx)?;
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_idle(cx)?;
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_idle(cx)?;
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_idle(cx)?;
        Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// The per-connection service, counting its requests in flight.
#[derive(Debug, Clone)]
pub struct Tracked<S> {
    inner: S,
    activity: Arc<Mutex<Activity>>,
}

/// Marks one request in flight until dropped (answered, failed or cancelled).
struct InFlight(Arc<Mutex<Activity>>);

impl InFlight {
    fn begin(activity: &Arc<Mutex<Activity>>) -> Self {
        let mut a = lock(activity);
        a.in_flight += 1;
        a.idle_since = None;
        Self(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let waker = {
            let mut a = lock(&self.0);
            a.in_flight = a.in_flight.saturating_sub(1);
            if a.in_flight > 0 {
                return;
            }
            a.idle_since = Some(Instant::now());
            a.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<S, R> tower_service::Service<R> for Tracked<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let in_flight = InFlight::begin(&self.activity);
        let future = self.inner.call(request);
        Box::pin(async move {
            let _in_flight = in_flight;
            future.await
        })
    }
}
