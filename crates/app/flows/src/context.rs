//! What every flow needs: the Bluetooth transport, the app database, the keyring, a clock
//! and a random source.

use std::sync::Mutex;
use std::time::Duration;

use hearth_ble::{BtleplugConfig, BtleplugTransport, PipeConfig, Transport};
use hearth_core::Database;
use hearth_core::devices::{DeviceStore, DeviceSummary};
use hearth_core::pairings::PairingStore;
use hearth_keystore::Keystore;
use hearth_protocol::handshake::OwnerKey;
use rand::CryptoRng;

pub use hearth_clock::{Clock, SystemClock};

use crate::error::FlowError;

/// Timeouts of the flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowConfig {
    /// How long to listen for a device before calling it out of range.
    pub scan_timeout: Duration,
    /// Connect, discover, subscribe.
    pub connect_timeout: Duration,
    /// From the provisioning answer to the device's Wi-Fi status.
    pub wifi_timeout: Duration,
    /// Framing and per-request timeout.
    pub pipe: PipeConfig,
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            scan_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(15),
            wifi_timeout: Duration::from_secs(20),
            pipe: PipeConfig::default(),
        }
    }
}

/// The flows over one transport, database and keyring.
pub struct Flows<T: Transport> {
    pub(crate) transport: T,
    database: Database,
    pub(crate) devices: DeviceStore,
    pub(crate) pairings: PairingStore,
    pub(crate) keystore: Keystore,
    pub(crate) clock: Box<dyn Clock>,
    rng: Mutex<Box<dyn CryptoRng + Send>>,
    pub(crate) config: FlowConfig,
}

impl<T: Transport> std::fmt::Debug for Flows<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flows")
            .field("keystore", &self.keystore)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Flows<T> {
    /// Flows over `transport`, the app's `database` and `keystore`.
    ///
    /// Keyring calls run on tokio's blocking threads. With the kernel keyring (keyutils) the
    /// session keyring lives in each *thread's* credentials and is installed by the first
    /// thread that uses it; a thread created before that has none and is refused the keys
    /// (EACCES, [`FlowError::KeyringUnavailable`]). Open the keystore before starting the
    /// runtime, as the CLI does, so every runtime thread inherits it.
    #[must_use]
    pub fn new(
        transport: T,
        database: &Database,
        keystore: Keystore,
        clock: Box<dyn Clock>,
        rng: Box<dyn CryptoRng + Send>,
        config: FlowConfig,
    ) -> Self {
        Self {
            transport,
            database: database.clone(),
            devices: database.devices(),
            pairings: database.pairings(),
            keystore,
            clock,
            rng: Mutex::new(rng),
            config,
        }
    }

    /// The transport (for scans).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Every remembered device, as the Home screen lists them.
    ///
    /// # Errors
    /// [`FlowError::Database`].
    pub async fn devices(&self) -> Result<Vec<DeviceSummary>, FlowError> {
        Ok(self.devices.list().await?)
    }

    /// The remembered device whose id, or else whose name (ignoring case), is `query`.
    ///
    /// # Errors
    /// [`FlowError::UnknownDevice`], [`FlowError::AmbiguousDevice`], [`FlowError::Database`].
    pub async fn find_device(&self, query: &str) -> Result<DeviceSummary, FlowError> {
        let all = self.devices.list().await?;
        if let Some(device) = all.iter().find(|d| d.id == query) {
            return Ok(device.clone());
        }
        let mut named: Vec<_> = all
            .into_iter()
            .filter(|d| d.name.eq_ignore_ascii_case(query.trim()))
            .collect();
        match named.len() {
            0 => Err(FlowError::UnknownDevice {
                query: query.to_owned(),
            }),
            1 => Ok(named.remove(0)),
            count => Err(FlowError::AmbiguousDevice {
                query: query.to_owned(),
                count,
            }),
        }
    }

    /// Runs `f` with the random source. Never held across an await.
    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut (dyn CryptoRng + Send)) -> R) -> R {
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(rng.as_mut())
    }

    /// The owner key of `device_id`, read on a blocking thread (keyring calls block).
    pub(crate) async fn load_owner_key(&self, device_id: &str) -> Result<OwnerKey, FlowError> {
        self.on_keyring(device_id, |keystore, id| keystore.load_owner_key(id))
            .await
    }

    /// Stores the owner key of `device_id` on a blocking thread.
    pub(crate) async fn store_owner_key(
        &self,
        device_id: &str,
        key: OwnerKey,
    ) -> Result<(), FlowError> {
        self.on_keyring(device_id, move |keystore, id| {
            keystore.store_owner_key(id, &key)
        })
        .await
    }

    /// Deletes the owner key of `device_id` (absent is fine).
    pub(crate) async fn delete_owner_key(&self, device_id: &str) -> Result<(), FlowError> {
        self.on_keyring(device_id, |keystore, id| keystore.delete_owner_key(id))
            .await
    }

    /// Runs `call` on the keyring for `device_id` on a blocking thread.
    async fn on_keyring<V: Send + 'static>(
        &self,
        device_id: &str,
        call: impl FnOnce(&Keystore, &str) -> Result<V, hearth_keystore::KeystoreError> + Send + 'static,
    ) -> Result<V, FlowError> {
        let keystore = self.keystore.clone();
        let id = device_id.to_owned();
        tokio::task::spawn_blocking(move || call(&keystore, &id))
            .await
            .map_err(|e| FlowError::Protocol {
                code: "flow.keyring_task",
                detail: e.to_string(),
            })?
            .map_err(FlowError::from_keystore)
    }

    /// Closes the app database these flows were given: the one handle, so everything else on
    /// it closes too. For the end of a CLI command or a test, never inside the app.
    pub async fn close(&self) {
        self.database.close().await;
    }
}

impl Flows<BtleplugTransport> {
    /// The flows as the window and the CLI run them: the system's Bluetooth (btleplug over
    /// BlueZ's D-Bus API, or the simulated radio), the app's `database`, `keystore`, the
    /// system clock, the OS random source and the default timeouts.
    ///
    /// # Errors
    /// [`FlowError::BluetoothOff`] or [`FlowError::NoAdapter`] when there is no usable
    /// adapter.
    pub async fn on_system_bluetooth(
        database: &Database,
        keystore: Keystore,
    ) -> Result<Self, FlowError> {
        let transport = BtleplugTransport::new(BtleplugConfig::default()).await?;
        Ok(Self::new(
            transport,
            database,
            keystore,
            Box::new(SystemClock),
            Box::new(rand::rand_core::UnwrapErr(rand::rngs::SysRng)),
            FlowConfig::default(),
        ))
    }
}
