//! Hearth's Bluetooth LE transport: how the app reaches a device over GATT.
//!
//! - [`transport`]: the seam for hardware — [`Transport`] (scan, connect) and [`Connection`]
//!   (MTU, write a segment, receive notified segments, disconnect, loss signal).
//! - [`btle`]: the implementation on btleplug (BlueZ on Linux), filtered by the Hearth service
//!   and the setup code's discriminator.
//! - [`memory`]: an in-memory connection for tests of everything above the transport.
//! - [`pipe`]: whole messages over any connection with the protocol's framing
//!   (`hearth_protocol::frame`): requests, responses and device-pushed events.
//!
//! Every failure is a [`BleError`] with a stable [`BleError::code`]. Input from the device is
//! untrusted and bounded by the framing (ETSI EN 303 645 provision 4.13-1); confidentiality
//! and authenticity come from the protocol's sessions above this layer (provision 4.5-1), not
//! from BLE pairing.

pub mod btle;
pub mod error;
pub mod memory;
pub mod pipe;
pub mod transport;

pub use btle::{BtleplugConfig, BtleplugConnection, BtleplugTransport, WriteKind};
pub use error::BleError;
pub use pipe::{Classify, HearthMessages, NoEvents, Pipe, PipeConfig};
pub use transport::{Connection, DeviceId, FoundDevice, ScanFilter, Transport};

/// Installs (once) a panic hook that keeps one known, harmless panic of the BlueZ stack out of
/// the crash logs and passes every other panic to the hook that was there before. It never
/// aborts and never swallows a panic of the app's own code.
///
/// The known panic: bluez-async 0.9.0 (`src/messagestream.rs`) unwraps `remove_match` in a
/// task it spawns when an event stream is dropped; when a D-Bus signal races the drop it
/// panics with "No match with that id found". Tokio contains it in that task; only the
/// default hook's stderr report would remain. [`BtleplugTransport::new`] calls this.
pub fn contain_known_stack_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if is_known_stack_panic(info.location().map(|l| l.file())) {
                tracing::debug!(%info, "contained bluez-async clean-up panic");
            } else {
                previous(info);
            }
        }));
    });
}

fn is_known_stack_panic(file: Option<&str>) -> bool {
    file.is_some_and(|file| file.contains("bluez-async") && file.ends_with("messagestream.rs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bluez_async_stream_clean_up_is_recognised() {
        assert!(is_known_stack_panic(Some(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/bluez-async-0.9.0/src/messagestream.rs"
        )));
        assert!(!is_known_stack_panic(Some("crates/app/ble/src/pipe.rs")));
        assert!(!is_known_stack_panic(Some(
            "/x/bluez-async-0.9.0/src/lib.rs"
        )));
        assert!(!is_known_stack_panic(None));
    }

    #[tokio::test]
    async fn a_panic_in_a_spawned_task_does_not_reach_the_caller() {
        contain_known_stack_panics();
        let task = tokio::spawn(async { panic!("No match with that id found") });
        let joined = task.await;
        assert!(joined.is_err_and(|e| e.is_panic()));
    }
}
