//! The vendor service as its own process (`hearth-vendor init`, then `serve`, SQLite in its
//! folder), on a loopback port that stays the world's from `init` to the end: reserved before
//! `init` writes it into the config and profile, held (refusing) while the service is stopped,
//! bound again explicitly at every start. If another socket has it at a start, the start
//! fails and says so; the service's own ready line must report the address it bound.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::AsyncBufReadExt as _;

use crate::ports::RefusingPort;
use crate::{Error, fail, try_within};

/// What `hearth-vendor serve` logs once it accepts connections, with `local_addr=`.
pub const READY_LINE: &str = "vendor service listening";

/// The vendor service's folder, port and log, and its process while it runs.
#[derive(Debug)]
pub struct VendorService {
    bin: PathBuf,
    dir: PathBuf,
    log: PathBuf,
    addr: SocketAddr,
    /// The port while no service of ours listens on it.
    held: Option<RefusingPort>,
    running: Option<Running>,
}

#[derive(Debug)]
struct Running {
    child: tokio::process::Child,
    /// Copies the service's standard output (its log) into the log file until the process
    /// closes it; the pipe must be drained or the service blocks on logging.
    copier: tokio::task::JoinHandle<Result<(), Error>>,
}

impl VendorService {
    /// Runs `hearth-vendor init` into `dir` on a loopback port reserved for it, or — when
    /// `dir` already holds a set-up (the demo's, from an earlier run) — takes that set-up's
    /// port again. Logs (every start's) go to `log`.
    ///
    /// # Errors
    /// `init` failed; an earlier set-up's port is taken now (the message says which and how
    /// to start afresh).
    pub fn init(bin: &Path, dir: &Path, log: PathBuf) -> Result<Self, Error> {
        let (addr, held) = if dir.join("config.toml").is_file() {
            let addr = listen_address(&dir.join("config.toml"))?;
            let held = RefusingPort::hold(addr).map_err(|e| {
                fail(format!(
                    "the vendor service's port {} (from {}) is taken by another program: {e}; \
                     free it or delete {} to set the service up on a new port",
                    addr.port(),
                    dir.join("config.toml").display(),
                    dir.display()
                ))
            })?;
            (addr, held)
        } else {
            let held = RefusingPort::reserve()?;
            let addr = held.addr();
            let out = std::process::Command::new(bin)
                .args(["init", "--listen", &addr.to_string(), "--dir"])
                .arg(dir)
                .env("NO_COLOR", "1")
                .output()
                .map_err(|e| fail(format!("could not run {} init: {e}", bin.display())))?;
            if !out.status.success() {
                return Err(fail(format!(
                    "hearth-vendor init exited with {}:\n{}{}",
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            (addr, held)
        };
        Ok(Self {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            log,
            addr,
            held: Some(held),
            running: None,
        })
    }

    /// The service's folder (`config.toml`, `catalogue/`, keys, database).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The client profile `init` wrote (URL, CA, catalogue key): what `HEARTH_VENDOR_SERVICE`
    /// names.
    pub fn profile(&self) -> PathBuf {
        self.dir.join("vendor-profile.json")
    }

    /// The service's `https://` base URL, from its client profile.
    ///
    /// # Errors
    /// The profile cannot be read.
    pub fn url(&self) -> Result<String, Error> {
        let path = self.profile();
        let text =
            std::fs::read_to_string(&path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        value["service_url"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("{} has no service_url", path.display())))
    }

    /// The loopback address the service listens on at every start.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where its log goes.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Everything it has logged, over all its starts (empty if nothing yet).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether it runs.
    pub fn running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts `hearth-vendor serve` on the service's port and returns once it logs that it
    /// listens there. The port stays held until then, so it is never free in between.
    ///
    /// # Errors
    /// It already runs; it exited or did not listen within [`crate::STEP`] (its log is in
    /// the message: a port taken by another program shows there); it reported another
    /// address than its port.
    pub async fn start(&mut self) -> Result<(), Error> {
        if self.running.is_some() {
            return Err(fail("the vendor service is already running"));
        }
        let started = self.spawn_and_wait().await;
        match started {
            Ok(running) => {
                self.running = Some(running);
                // Our service listens there now: the reservation has done its job.
                if let Some(held) = self.held.take() {
                    held.release();
                }
                Ok(())
            }
            Err(e) => Err(fail(format!(
                "{e}; the vendor service's log ({}):\n{}",
                self.log.display(),
                self.log_text()
            ))),
        }
    }

    async fn spawn_and_wait(&self) -> Result<Running, Error> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| fail(format!("{}: {e}", self.log.display())))?;
        let mut child = tokio::process::Command::new(&self.bin)
            .arg("serve")
            .arg("--config")
            .arg(self.dir.join("config.toml"))
            .args(["--bind", &self.addr.to_string()])
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| fail(format!("could not start {} serve: {e}", self.bin.display())))?;
        let Some(stdout) = child.stdout.take() else {
            return Err(fail("the vendor service's output is not piped"));
        };
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| fail(format!("{}: {e}", self.log.display())))?;
        let path = self.log.clone();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = try_within("the vendor service to listen", async {
            while let Some(line) = lines
                .next_line()
                .await
                .map_err(|e| fail(format!("reading the vendor service's output: {e}")))?
            {
                append_line(&mut log, &path, &line)?;
                if line.contains(READY_LINE) {
                    return Ok(Some(line));
                }
            }
            Ok::<_, Error>(None)
        })
        .await
        .and_then(|r| r);
        let line = match ready {
            Ok(Some(line)) => line,
            Ok(None) => {
                let status = try_within("the vendor service to exit", child.wait())
                    .await?
                    .map_err(|e| fail(format!("waiting for the vendor service: {e}")))?;
                return Err(fail(format!(
                    "the vendor service exited with {status} before it listened on {}",
                    self.addr
                )));
            }
            Err(e) => {
                let _ = child.start_kill();
                let _ = try_within("the vendor service to exit", child.wait()).await;
                return Err(e);
            }
        };
        match reported_address(&line) {
            Some(bound) if bound == self.addr => {}
            reported => {
                let _ = child.start_kill();
                let _ = try_within("the vendor service to exit", child.wait()).await;
                return Err(fail(format!(
                    "the vendor service was to listen on {} but its ready line reports {reported:?}: {line}",
                    self.addr
                )));
            }
        }
        let copier = tokio::spawn(async move {
            while let Some(line) = lines
                .next_line()
                .await
                .map_err(|e| fail(format!("reading the vendor service's output: {e}")))?
            {
                append_line(&mut log, &path, &line)?;
            }
            Ok(())
        });
        Ok(Running { child, copier })
    }

    /// Stops the service with SIGTERM (its graceful shutdown), checks that it exited cleanly
    /// and holds its port (refusing) until the next [`VendorService::start`]; the folder and
    /// database stay.
    ///
    /// # Errors
    /// It is not running; it did not exit cleanly within [`crate::STEP`].
    pub async fn stop(&mut self) -> Result<(), Error> {
        let Running { mut child, copier } = self
            .running
            .take()
            .ok_or_else(|| fail("the vendor service is not running"))?;
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .ok_or_else(|| fail("the vendor service has already exited"))?;
        kill(Pid::from_raw(pid), Signal::SIGTERM)
            .map_err(|e| fail(format!("SIGTERM to the vendor service: {e}")))?;
        let status = try_within("the vendor service to exit", child.wait())
            .await?
            .map_err(|e| fail(format!("waiting for the vendor service: {e}")))?;
        // The output ends with the process: the log is complete once the copier ends.
        try_within("the vendor service's log", copier)
            .await?
            .map_err(|e| fail(format!("the vendor service's log copier: {e}")))??;
        // Held again at once: the app sees it refused, as a stopped service, and no one else
        // can take it before the restart. Its own old connections in TIME_WAIT are no obstacle.
        self.held = Some(RefusingPort::hold(self.addr)?);
        if status.success() {
            Ok(())
        } else {
            Err(fail(format!(
                "the vendor service exited with {status}; its log:\n{}",
                self.log_text()
            )))
        }
    }
}

/// The `listen` address in a `hearth-vendor` config.
fn listen_address(config: &Path) -> Result<SocketAddr, Error> {
    let text =
        std::fs::read_to_string(config).map_err(|e| fail(format!("{}: {e}", config.display())))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("listen"))
        .and_then(|rest| rest.trim().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"'))
        .and_then(|v| v.parse::<SocketAddr>().ok())
        .filter(|a| a.ip() == Ipv4Addr::LOCALHOST)
        .ok_or_else(|| {
            fail(format!(
                "{} has no loopback listen address",
                config.display()
            ))
        })
}

/// The `local_addr=` a ready line reports, colour codes removed.
fn reported_address(line: &str) -> Option<SocketAddr> {
    let plain = strip_ansi(line);
    plain
        .split_whitespace()
        .find_map(|word| word.strip_prefix("local_addr="))
        .and_then(|a| a.parse().ok())
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC '[' parameters… final byte in @..~
            for next in chars.by_ref() {
                if ('@'..='~').contains(&next) && next != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn append_line(file: &mut std::fs::File, path: &Path, line: &str) -> Result<(), Error> {
    use std::io::Write as _;
    writeln!(file, "{line}").map_err(|e| fail(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ready_line_reports_the_bound_address_with_or_without_colours() {
        let plain = "2026-01-01T00:00:00Z  INFO hearth_vendor_service::server: vendor service \
                     listening local_addr=127.0.0.1:41234 database=sqlite:x backend=sqlite";
        assert_eq!(
            reported_address(plain),
            Some(SocketAddr::from(([127, 0, 0, 1], 41234)))
        );
        let coloured = "\u{1b}[2mlocal_addr\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:5 x";
        assert_eq!(
            reported_address(coloured),
            Some(SocketAddr::from(([127, 0, 0, 1], 5)))
        );
        assert_eq!(reported_address("vendor service listening"), None);
    }
}
