//! The real vendor service over TLS on loopback, as `hearth-vendor init` sets it up, and the
//! client profile the app would be given for it.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_client::ClientSettings;
use hearth_vendor_client::backoff::RetryPolicy;
use hearth_vendor_info::{Clock as _, ManualClock, SupportDirectory, SystemClock};
use hearth_vendor_service::clock::SystemClock as ServiceClock;
use hearth_vendor_service::init::{InitOptions, init};
use hearth_vendor_service::{Config, RunningServer, ServeOptions, start};

/// One vendor's set-up (its own CA, catalogue key and certificate).
pub struct Vendor {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub profile: VendorProfile,
}

impl Vendor {
    pub fn init() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("hearth-vendor-info-vendor-")
            .tempdir()
            .expect("temp dir");
        let out = init(
            dir.path(),
            &InitOptions::demo(time::OffsetDateTime::now_utc()),
        )
        .expect("init");
        let config = Config::load(&out.config_path).expect("config loads");
        let profile = serde_json::from_slice(&std::fs::read(&out.profile_path).expect("profile"))
            .expect("profile parses");
        Self {
            dir,
            config,
            profile,
        }
    }

    /// Starts the real service on a free loopback port.
    pub async fn serve(&self) -> RunningServer {
        start(
            self.config.clone(),
            ServeOptions {
                database_url: None,
                bind: Some(([127, 0, 0, 1], 0).into()),
                clock: Arc::new(ServiceClock),
            },
        )
        .await
        .expect("service starts")
    }

    /// The profile the app is given, pointing at `port`.
    pub fn profile_for(&self, port: u16) -> VendorProfile {
        VendorProfile {
            service_url: format!("https://127.0.0.1:{port}"),
            ..self.profile.clone()
        }
    }

    /// Writes [`Vendor::profile_for`] `port` to `path`, as `HEARTH_VENDOR_SERVICE` names it.
    pub fn write_profile_for(&self, port: u16, path: &std::path::Path) {
        let json = serde_json::to_vec(&self.profile_for(port)).expect("profile json");
        std::fs::write(path, json).expect("write profile");
    }
}

/// The app's view of the running `server`, cached in `data`.
pub async fn directory_for(
    vendor: &Vendor,
    server: &RunningServer,
    data: &std::path::Path,
    clock: &Arc<ManualClock>,
) -> SupportDirectory {
    directory(&vendor.profile_for(server.local_addr.port()), data, clock).await
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Generous timeouts (CI shares two cores), one quick retry.
pub fn settings() -> ClientSettings {
    ClientSettings {
        connect_timeout: Duration::from_secs(20),
        request_timeout: Duration::from_secs(30),
        max_response_bytes: 256 * 1024,
        retry: RetryPolicy {
            max_attempts: 2,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(50),
        },
    }
}

/// A manual clock starting at the real time (the service's security.txt uses the real time).
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(SystemClock.now_unix()))
}

/// The app's view of `profile`, cached in `data`.
pub async fn directory(
    profile: &VendorProfile,
    data: &std::path::Path,
    clock: &Arc<ManualClock>,
) -> SupportDirectory {
    let database = hearth_core::Database::open(data)
        .await
        .expect("the app database opens");
    SupportDirectory::with_profile(profile, &database, clock.clone(), settings())
        .expect("directory opens")
}
