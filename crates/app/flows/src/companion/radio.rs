//! The radio the features share: the flows, opened on first use (the adapter may be missing
//! or off when the app starts, and may come back), and one radio conversation at a time
//! (set-up, status, plug, Wi-Fi, forget), so the background check at start and a person's
//! click queue instead of competing for the adapter.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use hearth_ble::Transport;
use hearth_core::ErrorCode;

use crate::context::Flows;
use crate::error::FlowError;

/// Opens the flows (the transport may need the adapter, which may be missing or off).
pub type FlowsOpener<T> = Box<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<Flows<T>, FlowError>> + Send>> + Send + Sync,
>;

/// Whether the adapter could be opened, as the diagnostics report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdapterState {
    /// Nothing has needed the radio yet.
    NotChecked,
    Available,
    /// The last try failed with this code (`flow.bluetooth_off`, `flow.no_adapter`, …).
    Failed(ErrorCode),
}

impl AdapterState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::NotChecked => "not-checked",
            Self::Available => "available",
            Self::Failed(code) => code.as_str(),
        }
    }
}

pub(crate) struct Radio<T: Transport> {
    opener: FlowsOpener<T>,
    flows: tokio::sync::Mutex<Option<Arc<Flows<T>>>>,
    conversation: tokio::sync::Mutex<()>,
    adapter: Mutex<AdapterState>,
}

pub(crate) fn lock<V>(m: &Mutex<V>) -> MutexGuard<'_, V> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<T: Transport + 'static> Radio<T> {
    pub(crate) fn new(opener: FlowsOpener<T>) -> Self {
        Self {
            opener,
            flows: tokio::sync::Mutex::new(None),
            conversation: tokio::sync::Mutex::new(()),
            adapter: Mutex::new(AdapterState::NotChecked),
        }
    }

    /// Waits for the radio to be free; the conversation lasts while the guard lives.
    pub(crate) async fn conversation(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.conversation.lock().await
    }

    /// The flows, opening them now if needed. A failure is kept for the next try.
    pub(crate) async fn flows(&self) -> Result<Arc<Flows<T>>, FlowError> {
        let mut slot = self.flows.lock().await;
        if let Some(flows) = slot.as_ref() {
            return Ok(Arc::clone(flows));
        }
        match (self.opener)().await {
            Ok(flows) => {
                *lock(&self.adapter) = AdapterState::Available;
                let flows = Arc::new(flows);
                *slot = Some(Arc::clone(&flows));
                Ok(flows)
            }
            Err(e) => {
                *lock(&self.adapter) = AdapterState::Failed(e.code());
                Err(e)
            }
        }
    }

    pub(crate) fn adapter(&self) -> AdapterState {
        *lock(&self.adapter)
    }
}
