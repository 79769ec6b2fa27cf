//! The plug's physical side over a local Unix socket: its button and its
//! power cord, plus a status read-out and a clock fast-forward for tests.
//!
//! The socket (`control.sock` in the state folder, mode 0600) stands in for
//! someone standing at the device: only the local user who runs the device
//! may use it, and nothing reachable over the radio can (EN 303 645 4.6-1).
//!
//! Protocol: one command per connection, one line each way. The client
//! writes `press-button`, `power-off`, `power-on`, `status` or
//! `advance SECS`; the device answers one JSON line, either
//! `{"status": {…}}` (see [`Status`]) or `{"error": {"code": …, "message": …}}`.

use crate::error::RefDeviceError;
use crate::plug::Status;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// Name of the control socket inside the state folder.
pub const SOCKET_FILE: &str = "control.sock";
/// Longest command line accepted.
const MAX_LINE: u64 = 64;
/// Longest answer a client accepts.
const MAX_ANSWER: u64 = 4096;

/// A physical action or question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Press the pairing button.
    PressButton,
    /// Cut the power.
    PowerOff,
    /// Restore the power.
    PowerOn,
    /// Report the status.
    Status,
    /// Move the device clock forward by this many seconds.
    Advance(u64),
}

impl Command {
    /// Parses a command line.
    #[must_use]
    pub fn parse(line: &str) -> Option<Self> {
        let mut words = line.split_whitespace();
        let command = match (words.next()?, words.next()) {
            ("press-button", None) => Self::PressButton,
            ("power-off", None) => Self::PowerOff,
            ("power-on", None) => Self::PowerOn,
            ("status", None) => Self::Status,
            ("advance", Some(secs)) => Self::Advance(secs.parse().ok()?),
            _ => return None,
        };
        words.next().is_none().then_some(command)
    }

    /// The command line for [`Command::parse`].
    #[must_use]
    pub fn line(&self) -> String {
        match self {
            Self::PressButton => "press-button".into(),
            Self::PowerOff => "power-off".into(),
            Self::PowerOn => "power-on".into(),
            Self::Status => "status".into(),
            Self::Advance(secs) => format!("advance {secs}"),
        }
    }
}

/// A refusal as sent over the socket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    /// Stable machine code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// One answer line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The command was carried out; the status afterwards.
    Status(Status),
    /// The command was refused.
    Error(Refusal),
}

/// A command on its way to the device, with where to send the answer.
#[derive(Debug)]
pub struct Request {
    /// The command.
    pub command: Command,
    /// Where the device sends its answer.
    pub reply: oneshot::Sender<Answer>,
}

/// The socket path for a state folder.
#[must_use]
pub fn socket_path(state_dir: &Path) -> PathBuf {
    state_dir.join(SOCKET_FILE)
}

/// Binds the control socket (replacing a stale one left by a crash) with mode 0600.
///
/// # Errors
/// [`RefDeviceError::ControlSocket`].
pub fn bind(path: &Path) -> Result<UnixListener, RefDeviceError> {
    use std::os::unix::fs::PermissionsExt;
    let fail = |source| RefDeviceError::ControlSocket {
        path: path.to_owned(),
        source,
    };
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(e)),
    }
    let listener = UnixListener::bind(path).map_err(fail)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
    Ok(listener)
}

/// Accepts connections forever, passing each command to `device`.
pub async fn serve(listener: UnixListener, device: mpsc::Sender<Request>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "control socket accept failed");
                continue;
            }
        };
        let device = device.clone();
        tokio::spawn(async move {
            if let Err(error) = answer_one(stream, device).await {
                tracing::warn!(%error, "control connection failed");
            }
        });
    }
}

async fn answer_one(stream: UnixStream, device: mpsc::Sender<Request>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    BufReader::new(read.take(MAX_LINE))
        .read_line(&mut line)
        .await?;
    let answer = match Command::parse(&line) {
        None => Answer::Error(Refusal {
            code: "refdevice_unknown_command".into(),
            message: "expected press-button, power-off, power-on, status or advance SECS".into(),
        }),
        Some(command) => {
            let (reply, answer) = oneshot::channel();
            let stopped = || Refusal {
                code: "refdevice_stopping".into(),
                message: "the device is shutting down".into(),
            };
            if device.send(Request { command, reply }).await.is_err() {
                Answer::Error(stopped())
            } else {
                answer.await.unwrap_or_else(|_| Answer::Error(stopped()))
            }
        }
    };
    let mut bytes = serde_json::to_vec(&answer).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    write.write_all(&bytes).await?;
    write.shutdown().await
}

/// Sends `command` to the device whose state folder is `state_dir`.
///
/// # Errors
/// [`RefDeviceError::ControlSocket`] if the device is not running;
/// [`RefDeviceError::ControlProtocol`] on a garbled answer;
/// [`RefDeviceError::Refused`] if the device refused.
pub async fn send(state_dir: &Path, command: Command) -> Result<Status, RefDeviceError> {
    let path = socket_path(state_dir);
    let fail = |source| RefDeviceError::ControlSocket {
        path: path.clone(),
        source,
    };
    let stream = UnixStream::connect(&path).await.map_err(fail)?;
    let (read, mut write) = stream.into_split();
    write
        .write_all(format!("{}\n", command.line()).as_bytes())
        .await
        .map_err(fail)?;
    let mut line = String::new();
    BufReader::new(read.take(MAX_ANSWER))
        .read_line(&mut line)
        .await
        .map_err(fail)?;
    match serde_json::from_str::<Answer>(&line)
        .map_err(|e| RefDeviceError::ControlProtocol(e.to_string()))?
    {
        Answer::Status(status) => Ok(status),
        Answer::Error(Refusal { code, message }) => Err(RefDeviceError::Refused { code, message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip_and_junk_is_refused() {
        for command in [
            Command::PressButton,
            Command::PowerOff,
            Command::PowerOn,
            Command::Status,
            Command::Advance(900),
        ] {
            assert_eq!(Command::parse(&command.line()), Some(command));
        }
        for junk in [
            "",
            "press",
            "status now",
            "advance",
            "advance -1",
            "advance 1 2",
        ] {
            assert_eq!(Command::parse(junk), None, "{junk:?}");
        }
    }
}
