//! The vendor service as a library inside the test process: one vendor's set-up
//! (`hearth-vendor init` in a temporary folder: its own CA, catalogue key and certificate),
//! served on a loopback port the kernel picks, and the client profile the app would be given.
//! For tests of the app's vendor client and what it shows, which need no radio.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_service::init::{InitOptions, init};
use hearth_vendor_service::{Config, RunningServer, ServeOptions, start};

use crate::ports::RefusingPort;

/// One vendor's set-up.
#[derive(Debug)]
pub struct InProcessVendor {
    /// The set-up's folder (config, keys, catalogue, SQLite).
    pub dir: tempfile::TempDir,
    /// Its config.
    pub config: Config,
    /// The client profile `init` wrote (its URL is replaced per server: [`Self::profile_for`]).
    pub profile: VendorProfile,
}

impl InProcessVendor {
    /// A fresh set-up.
    ///
    /// # Panics
    /// When `init` fails: the test fails there.
    pub fn init() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("hearth-vendor-")
            .tempdir()
            .unwrap_or_else(|e| panic!("temp folder: {e}"));
        let out = init(
            dir.path(),
            &InitOptions::demo(time::OffsetDateTime::now_utc()),
        )
        .unwrap_or_else(|e| panic!("vendor init: {e}"));
        let config = Config::load(&out.config_path).unwrap_or_else(|e| panic!("config: {e}"));
        let profile = std::fs::read(&out.profile_path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("{}: {e}", out.profile_path.display()));
        Self {
            dir,
            config,
            profile,
        }
    }

    /// Starts the real service (SQLite in the set-up's folder, the system clock) on a
    /// loopback port the kernel picks; `server.local_addr` is what it bound.
    ///
    /// # Panics
    /// When the service does not start.
    pub async fn serve(&self) -> RunningServer {
        self.serve_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the service on `addr` (a port of [`InProcessVendor::stop_and_hold`] to come
    /// back on; the held port may stay held until this returns).
    ///
    /// # Panics
    /// When the service does not start (the port is taken by another program).
    pub async fn serve_on(&self, addr: SocketAddr) -> RunningServer {
        start(
            self.config.clone(),
            ServeOptions {
                database_url: None,
                bind: Some(addr),
                clock: Arc::new(hearth_vendor_service::clock::SystemClock),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("the vendor service did not start on {addr}: {e}"))
    }

    /// Stops `server` and holds its port, refusing, so the profile's address answers as a
    /// service that is down and no other server can appear there.
    ///
    /// # Panics
    /// When the port cannot be held.
    pub async fn stop_and_hold(&self, server: RunningServer) -> RefusingPort {
        let addr = server.local_addr;
        server.shutdown().await;
        RefusingPort::hold(addr).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The profile the app is given, pointing at `port` on loopback.
    pub fn profile_for(&self, port: u16) -> VendorProfile {
        VendorProfile {
            service_url: format!("https://127.0.0.1:{port}"),
            ..self.profile.clone()
        }
    }

    /// Writes [`InProcessVendor::profile_for`] `port` to `path`, as `HEARTH_VENDOR_SERVICE`
    /// names it.
    ///
    /// # Panics
    /// When the file cannot be written.
    pub fn write_profile_for(&self, port: u16, path: &Path) {
        let json = serde_json::to_vec(&self.profile_for(port))
            .unwrap_or_else(|e| panic!("profile JSON: {e}"));
        std::fs::write(path, json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
