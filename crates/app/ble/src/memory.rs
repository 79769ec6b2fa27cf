//! An in-memory [`Connection`]: the app's end is a [`MemoryConnection`], the device's end a
//! [`MemoryPeer`] driven by the test (or an in-process device core). It enforces what a GATT
//! link enforces — segments of at most `mtu - 3` bytes, order, loss of the link by either side
//! — and nothing else, so pipe logic can be tested without a radio.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::error::BleError;
use crate::transport::Connection;

type LinkState = Arc<watch::Sender<Option<BleError>>>;

/// The app's end of an in-memory link.
#[derive(Debug)]
pub struct MemoryConnection {
    mtu: u16,
    to_peer: mpsc::UnboundedSender<Vec<u8>>,
    from_peer: mpsc::UnboundedReceiver<Vec<u8>>,
    state: LinkState,
}

/// The device's end of an in-memory link.
#[derive(Debug)]
pub struct MemoryPeer {
    writes: mpsc::UnboundedReceiver<Vec<u8>>,
    notify: mpsc::UnboundedSender<Vec<u8>>,
    state: LinkState,
}

/// A fresh link with the given ATT MTU.
pub fn link(mtu: u16) -> (MemoryConnection, MemoryPeer) {
    let (to_peer, writes) = mpsc::unbounded_channel();
    let (notify, from_peer) = mpsc::unbounded_channel();
    let state = Arc::new(watch::Sender::new(None));
    (
        MemoryConnection {
            mtu,
            to_peer,
            from_peer,
            state: state.clone(),
        },
        MemoryPeer {
            writes,
            notify,
            state,
        },
    )
}

fn lose(state: &watch::Sender<Option<BleError>>, why: BleError) {
    state.send_if_modified(|s| {
        if s.is_some() {
            return false;
        }
        *s = Some(why);
        true
    });
}

fn current(state: &watch::Sender<Option<BleError>>) -> Option<BleError> {
    state.borrow().clone()
}

impl MemoryPeer {
    /// The next segment the app wrote; `None` once the link is gone and drained.
    pub async fn next_write(&mut self) -> Option<Vec<u8>> {
        let mut state = self.state.subscribe();
        tokio::select! {
            biased;
            write = self.writes.recv() => write,
            _ = state.wait_for(Option::is_some) => self.writes.try_recv().ok(),
        }
    }

    /// Notifies one segment to the app.
    ///
    /// # Errors
    /// The loss's error if the link is gone.
    pub fn notify(&self, segment: Vec<u8>) -> Result<(), BleError> {
        if let Some(why) = current(&self.state) {
            return Err(why);
        }
        self.notify
            .send(segment)
            .map_err(|_| BleError::Disconnected)
    }

    /// Loses the link as a supervision timeout would: both ends see `why`.
    pub fn drop_link(&self, why: BleError) {
        lose(&self.state, why);
    }
}

impl Drop for MemoryPeer {
    fn drop(&mut self) {
        lose(&self.state, BleError::Disconnected);
    }
}

impl Connection for MemoryConnection {
    fn mtu(&self) -> u16 {
        self.mtu
    }

    async fn write(&self, segment: &[u8]) -> Result<(), BleError> {
        if let Some(why) = current(&self.state) {
            return Err(why);
        }
        let max = usize::from(self.mtu).saturating_sub(3);
        if segment.len() > max {
            return Err(BleError::Gatt(format!(
                "write of {} bytes exceeds the {max}-byte ATT payload",
                segment.len()
            )));
        }
        self.to_peer
            .send(segment.to_vec())
            .map_err(|_| BleError::Disconnected)
    }

    async fn recv(&mut self) -> Result<Vec<u8>, BleError> {
        let mut state = self.state.subscribe();
        tokio::select! {
            biased;
            Some(segment) = self.from_peer.recv() => Ok(segment),
            _ = state.wait_for(Option::is_some) => match self.from_peer.try_recv() {
                // Segments that arrived before the loss are still delivered.
                Ok(segment) => Ok(segment),
                Err(_) => Err(current(&self.state).unwrap_or(BleError::Disconnected)),
            },
        }
    }

    async fn disconnect(&mut self) -> Result<(), BleError> {
        lose(&self.state, BleError::Disconnected);
        Ok(())
    }

    fn closed(&self) -> impl Future<Output = BleError> + Send + 'static {
        let mut state = self.state.subscribe();
        async move {
            match state.wait_for(Option::is_some).await {
                Ok(why) => why.clone().unwrap_or(BleError::Disconnected),
                Err(_) => BleError::Disconnected,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn segments_flow_both_ways_and_loss_reaches_both_ends() {
        let (mut app, mut device) = link(23);
        app.write(&[1, 2, 3]).await.expect("write");
        assert_eq!(device.next_write().await, Some(vec![1, 2, 3]));
        device.notify(vec![9]).expect("notify");
        assert_eq!(app.recv().await, Ok(vec![9]));
        assert!(
            app.write(&[0; 21]).await.is_err(),
            "longer than MTU - 3 is refused"
        );

        device.notify(vec![7]).expect("notify");
        let closed = app.closed();
        device.drop_link(BleError::Disconnected);
        assert_eq!(closed.await, BleError::Disconnected);
        assert_eq!(app.recv().await, Ok(vec![7]), "delivered before the loss");
        assert_eq!(app.recv().await, Err(BleError::Disconnected));
        assert_eq!(app.write(&[1]).await, Err(BleError::Disconnected));
        assert_eq!(device.notify(vec![1]), Err(BleError::Disconnected));
    }

    #[tokio::test]
    async fn dropping_the_device_end_loses_the_link() {
        let (mut app, device) = link(23);
        drop(device);
        assert_eq!(app.recv().await, Err(BleError::Disconnected));
    }
}
