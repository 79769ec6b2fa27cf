//! The real vendor service over TLS on loopback, as `hearth-vendor init` sets it up, and the
//! client profile the app would be given for it.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use hearth_testkit::ports::RefusingPort;
use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_client::ClientSettings;
use hearth_vendor_client::backoff::RetryPolicy;
use hearth_vendor_info::{Clock as _, ManualClock, SupportDirectory, SystemClock};
use hearth_vendor_service::RunningServer;

/// One vendor's set-up (its own CA, catalogue key and certificate), served in this process.
pub use hearth_testkit::in_process::InProcessVendor as Vendor;

/// The app's view of the running `server`, cached in `data`.
pub async fn directory_for(
    vendor: &Vendor,
    server: &RunningServer,
    data: &std::path::Path,
    clock: &Arc<ManualClock>,
) -> SupportDirectory {
    directory(&vendor.profile_for(server.local_addr.port()), data, clock).await
}

/// A loopback port nothing listens on, held so that nothing can while it lives (a released
/// one could be taken by a parallel test's server, which would answer with another CA).
pub fn refusing_port() -> RefusingPort {
    RefusingPort::new().expect("a refusing port")
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
