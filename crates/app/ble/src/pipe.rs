//! Whole messages over a [`Connection`]: the app's side of the GATT framing
//! ([`hearth_protocol::frame::Link`]) driven by one task per connection.
//!
//! [`Pipe::request`] sends one message (segmented to `mtu - 3`, at most `window` segments
//! unacknowledged) and waits for the device's answer; messages the device pushes on its own
//! (classified by a [`Classify`]) go to [`Pipe::next_event`]. Requests are answered in order,
//! one in flight at a time, as the protocol has it (design: "Transport over GATT").
//!
//! # Failure
//! A request that gets no answer within [`PipeConfig::request_timeout`], a lost link, or a
//! segment that breaks the framing ends the pipe: the framing's sequence numbers and window can
//! no longer be trusted (frame module docs), so every waiting request gets the same error, the
//! link is disconnected, and the app reconnects with a fresh pipe.

use std::collections::VecDeque;
use std::time::Duration;

use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::message::{self, FromDevice, Limits};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::BleError;
use crate::transport::Connection;

/// Tells device-pushed events from answers to requests.
pub trait Classify: Send + 'static {
    /// Whether `message` is an unsolicited event rather than a response.
    fn is_event(&self, message: &[u8]) -> bool;
}

/// Every message is a response (events only arrive while no request is waiting). For raw
/// byte pipes such as the echo tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl Classify for NoEvents {
    fn is_event(&self, _message: &[u8]) -> bool {
        false
    }
}

/// Hearth's CBOR messages: an `Envelope<Event>` is an event (`message::decode_from_device`);
/// anything else, including what does not decode, is handed to the waiting request, whose own
/// decoder then reports the precise error.
#[derive(Debug, Clone, Default)]
pub struct HearthMessages {
    pub limits: Limits,
}

impl Classify for HearthMessages {
    fn is_event(&self, message: &[u8]) -> bool {
        matches!(
            message::decode_from_device(message, &self.limits),
            Ok(FromDevice::Event(_))
        )
    }
}

/// Pipe parameters; the window and message limit must match the device's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipeConfig {
    /// From sending a request's first segment to its answer's last.
    pub request_timeout: Duration,
    pub window: u8,
    pub max_message_len: usize,
    /// Device-pushed events kept while the app is not reading; later ones are dropped with a
    /// warning rather than stalling responses.
    pub event_capacity: usize,
}

impl Default for PipeConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            window: FrameConfig::DEFAULT_WINDOW,
            max_message_len: FrameConfig::DEFAULT_MAX_MESSAGE_LEN,
            event_capacity: 32,
        }
    }
}

type Reply = oneshot::Sender<Result<Vec<u8>, BleError>>;

#[derive(Debug)]
enum Command {
    Request {
        message: Vec<u8>,
        reply: Reply,
    },
    Close {
        done: oneshot::Sender<Result<(), BleError>>,
    },
}

/// A framed request/response channel over one connection. Dropping it disconnects.
#[derive(Debug)]
pub struct Pipe {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Vec<u8>>,
    ended: watch::Receiver<Option<BleError>>,
    task: JoinHandle<()>,
}

impl Pipe {
    /// Starts the pipe's task on the current tokio runtime; the framing uses the connection's
    /// MTU.
    ///
    /// # Errors
    /// [`BleError::Framing`] if the MTU or window is outside what the framing allows.
    pub fn open<C: Connection, K: Classify>(
        conn: C,
        config: PipeConfig,
        classify: K,
    ) -> Result<Self, BleError> {
        let frame = FrameConfig::new(
            usize::from(conn.mtu()),
            config.window,
            config.max_message_len,
        )?;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::channel(config.event_capacity.max(1));
        let (ended_tx, ended) = watch::channel(None);
        let worker = Worker {
            conn,
            link: Link::new(frame),
            classify,
            timeout: config.request_timeout,
            events: events_tx,
            queue: VecDeque::new(),
            current: None,
        };
        let task = tokio::spawn(worker.run(commands_rx, ended_tx));
        Ok(Self {
            commands,
            events,
            ended,
            task,
        })
    }

    /// Sends `message` and returns the device's answer.
    ///
    /// # Errors
    /// [`BleError::Timeout`] (the pipe is then closed), [`BleError::Disconnected`],
    /// [`BleError::Framing`] (for a message over the limit the pipe stays open),
    /// [`BleError::Closed`], or whatever ended the pipe earlier.
    pub async fn request(&self, message: Vec<u8>) -> Result<Vec<u8>, BleError> {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Request { message, reply })
            .is_err()
        {
            return Err(self.why_ended());
        }
        answer.await.unwrap_or_else(|_| Err(self.why_ended()))
    }

    /// The next device-pushed event; `None` once the pipe has ended and the buffered events
    /// are read.
    pub async fn next_event(&mut self) -> Option<Vec<u8>> {
        self.events.recv().await
    }

    /// Why the pipe ended, if it has.
    pub fn error(&self) -> Option<BleError> {
        self.ended.borrow().clone()
    }

    /// Resolves when the pipe ends, with the reason.
    pub async fn ended(&self) -> BleError {
        let mut ended = self.ended.clone();
        let reason = ended
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|r| r.clone());
        reason.unwrap_or(BleError::Closed)
    }

    /// Fails a waiting request with [`BleError::Closed`], disconnects, and waits for the task.
    ///
    /// # Errors
    /// What the disconnect reported.
    pub async fn close(self) -> Result<(), BleError> {
        let (done, result) = oneshot::channel();
        let sent = self.commands.send(Command::Close { done }).is_ok();
        let result = if sent {
            result.await.unwrap_or(Ok(()))
        } else {
            Ok(())
        };
        if let Err(e) = self.task.await {
            // The task holds no lock and nothing else observes it; report, do not propagate.
            tracing::error!(error = %e, "pipe task ended abnormally");
        }
        result
    }

    fn why_ended(&self) -> BleError {
        self.error().unwrap_or(BleError::Closed)
    }
}

struct Worker<C, K> {
    conn: C,
    link: Link,
    classify: K,
    timeout: Duration,
    events: mpsc::Sender<Vec<u8>>,
    queue: VecDeque<(Vec<u8>, Reply)>,
    current: Option<(Reply, Instant)>,
}

/// How serving stopped without an error.
enum Stop {
    Dropped,
    Close(oneshot::Sender<Result<(), BleError>>),
}

impl<C: Connection, K: Classify> Worker<C, K> {
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        ended: watch::Sender<Option<BleError>>,
    ) {
        let outcome = self.serve(&mut commands).await;
        let reason = match &outcome {
            Ok(_) => BleError::Closed,
            Err(e) => e.clone(),
        };
        tracing::debug!(code = reason.code(), "pipe ends: {reason}");
        // Publish the reason before any waiting request learns the pipe ended.
        ended.send_replace(Some(reason.clone()));
        commands.close();
        while let Ok(command) = commands.try_recv() {
            match command {
                Command::Request { reply, .. } => {
                    let _ = reply.send(Err(reason.clone()));
                }
                Command::Close { done } => {
                    let _ = done.send(Ok(()));
                }
            }
        }
        if let Some((reply, _)) = self.current.take() {
            let _ = reply.send(Err(reason.clone()));
        }
        for (_, reply) in self.queue.drain(..) {
            let _ = reply.send(Err(reason.clone()));
        }
        let disconnected = self.conn.disconnect().await;
        match outcome {
            Ok(Stop::Close(done)) => {
                let _ = done.send(disconnected);
            }
            Ok(Stop::Dropped) | Err(_) => {
                if let Err(e) = disconnected {
                    tracing::debug!(code = e.code(), "disconnect after the pipe ended: {e}");
                }
            }
        }
    }

    async fn serve(
        &mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<Stop, BleError> {
        loop {
            self.flush().await?;
            let deadline = self.current.as_ref().map(|(_, deadline)| *deadline);
            tokio::select! {
                biased;
                segment = self.conn.recv() => {
                    if let Some(message) = self.link.receive(&segment?)? {
                        self.dispatch(message);
                    }
                }
                command = commands.recv() => match command {
                    None => return Ok(Stop::Dropped),
                    Some(Command::Close { done }) => return Ok(Stop::Close(done)),
                    Some(Command::Request { message, reply }) => {
                        self.queue.push_back((message, reply));
                        self.start_next();
                    }
                },
                () = sleep_until(deadline) => return Err(self.timed_out()),
            }
        }
    }

    /// Writes every segment the framing allows now (data within the window, or a due ack).
    async fn flush(&mut self) -> Result<(), BleError> {
        while let Some(segment) = self.link.poll_transmit() {
            let deadline = self.current.as_ref().map(|(_, deadline)| *deadline);
            tokio::select! {
                biased;
                written = self.conn.write(&segment) => written?,
                () = sleep_until(deadline) => return Err(self.timed_out()),
            }
        }
        Ok(())
    }

    fn timed_out(&self) -> BleError {
        BleError::Timeout {
            what: "the device's response",
            after: self.timeout,
        }
    }

    /// Queues the next request's message in the framing if none is in flight.
    fn start_next(&mut self) {
        while self.current.is_none() {
            let Some((message, reply)) = self.queue.pop_front() else {
                return;
            };
            match self.link.send(message) {
                Ok(()) => self.current = Some((reply, Instant::now() + self.timeout)),
                // Too large: the caller's mistake, nothing was sent, the link is intact.
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            }
        }
    }

    fn dispatch(&mut self, message: Vec<u8>) {
        if self.current.is_some() && !self.classify.is_event(&message) {
            if let Some((reply, _)) = self.current.take() {
                let _ = reply.send(Ok(message));
            }
            self.start_next();
            return;
        }
        match self.events.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("device event dropped: the app is not reading events");
            }
            // Nobody listens for events; not an error.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests;
