//! What the app window drives, with no tauri, one module per feature. Each module owns its
//! operations on [`Companion`], the DTOs the UI exchanges for them (exported to TypeScript)
//! and the way its failures become [`hearth_core::ErrorDto`]s:
//!
//! | module | feature | DTOs |
//! |---|---|---|
//! | [`devices`] | the device list, its watchers (Home and the device page are told, never poll), refresh | [`DeviceView`], [`Connection`] |
//! | [`setup`] | setting a device up: the code check as the person types, the label photo, the question before pairing | [`CodeCheck`], [`SetupRequest`], [`SetupProgress`], [`SetupResult`] |
//! | [`control`] | plug, Wi-Fi, forget | [`WifiRequest`] |
//! | [`diagnostics`] | the report support staff read; recent failures by code; the adapter's state | [`DiagnosticsReport`] |
//! | [`maker`] | what the maker publishes: support period, what a device collects, security contact | `hearth_vendor_info::views` |
//!
//! Here are only the parts they share: the radio ([`radio`]: the flows opened on first use,
//! because Bluetooth may be off when the app starts, and one radio conversation at a time) and
//! the clock. A new feature (updates, privacy) is a new module beside these
//! (EN 303 645 4.1-1, 4.3-4, 4.12-1).

pub mod control;
pub mod devices;
pub mod diagnostics;
pub mod maker;
mod radio;
pub mod setup;

use std::sync::Arc;

use hearth_ble::Transport;
use hearth_core::Database;

use crate::context::Clock;
use crate::error::FlowError;
use crate::vendor::VendorRoot;

pub use control::WifiRequest;
pub use devices::{Connection, DeviceView, Watcher};
pub use diagnostics::DiagnosticsReport;
pub use maker::MakerInfo;
pub use radio::FlowsOpener;
pub use setup::{
    ANSWER_WAIT, CodeCheck, ENTRY_STEPS, SetupProgress, SetupRequest, SetupResult, check_code,
};

/// The app's features over one database, one radio and one clock.
pub struct Companion<T: Transport> {
    devices: devices::Devices,
    radio: radio::Radio<T>,
    setup: setup::Setup,
    log: diagnostics::ErrorLog,
    maker: MakerInfo,
    clock: Arc<dyn Clock>,
}

impl<T: Transport> std::fmt::Debug for Companion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Companion").finish_non_exhaustive()
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// A companion over the app's `database` that opens its flows with `opener` when first
    /// needed, trusts devices certified under `vendor` (an unreadable profile fails setup, not
    /// the app) and shows what the maker publishes through `maker`.
    pub fn new(
        database: &Database,
        opener: FlowsOpener<T>,
        vendor: Result<VendorRoot, FlowError>,
        maker: MakerInfo,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            devices: devices::Devices::new(database.devices()),
            radio: radio::Radio::new(opener),
            setup: setup::Setup::new(vendor),
            log: diagnostics::ErrorLog::default(),
            maker,
            clock,
        }
    }
}

/// Every TypeScript declaration of the window's DTOs (this crate's, the core's and what the
/// maker publishes), for the one generated bindings file the app shell writes.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    let mut decls = hearth_core::ts_decls(cfg);
    decls.extend(setup::ts_decls(cfg));
    decls.extend(devices::ts_decls(cfg));
    decls.extend(control::ts_decls(cfg));
    decls.extend(diagnostics::ts_decls(cfg));
    decls.extend(hearth_vendor_info::views::ts_decls(cfg));
    decls
}
