//! What an owner does with a device from its page: switch the plug, fix the Wi-Fi settings
//! without a reset, forget it (a factory reset first; an unreachable device is not forgotten,
//! EN 303 645 4.1-1). Each is one radio conversation; the result lands in the device's live
//! state, so every watcher sees it.

use hearth_ble::Transport;
use hearth_core::ErrorDto;
use hearth_protocol::message::Passphrase;
use serde::Deserialize;
use ts_rs::TS;

use super::{Companion, Connection, DeviceView};
use crate::pair::WifiCredentials;

/// New Wi-Fi settings for a device that is already set up.
#[derive(Clone, Deserialize, TS)]
pub struct WifiRequest {
    pub wifi_ssid: String,
    pub wifi_passphrase: String,
}

impl std::fmt::Debug for WifiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WifiRequest { <redacted> }")
    }
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![WifiRequest::decl(cfg)]
}

impl<T: Transport + 'static> Companion<T> {
    /// Switches the plug of `device_id`.
    ///
    /// # Errors
    /// Any flow failure as its DTO; the view keeps it as `last_error` too.
    pub async fn set_plug(&self, device_id: &str, on: bool) -> Result<DeviceView, ErrorDto> {
        let radio = self.radio.conversation().await;
        let flows = self
            .radio
            .flows()
            .await
            .map_err(|e| self.failed("plug", &e))?;
        let result = flows.set_plug(device_id, on).await;
        drop(radio);
        let outcome = match result {
            Ok(state) => {
                self.devices.update(device_id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.plug_on = Some(state);
                    l.last_error = None;
                });
                Ok(())
            }
            Err(e) => {
                let dto = self.failed("plug", &e);
                self.devices.update(device_id, |l| {
                    if e.is_unreachable() {
                        l.connection = Some(Connection::Unreachable);
                    }
                    l.last_error = Some(dto.clone());
                });
                Err(dto)
            }
        };
        self.publish().await;
        outcome?;
        self.view_of(device_id).await
    }

    /// Gives `device_id` corrected Wi-Fi settings, without a reset.
    ///
    /// # Errors
    /// Any flow failure as its DTO (a still-wrong passphrase is
    /// [`hearth_core::ErrorCode::WifiWrongPassphrase`] again).
    pub async fn set_wifi(
        &self,
        device_id: &str,
        request: WifiRequest,
    ) -> Result<DeviceView, ErrorDto> {
        let _radio = self.radio.conversation().await;
        let flows = self
            .radio
            .flows()
            .await
            .map_err(|e| self.failed("wifi", &e))?;
        let wifi = WifiCredentials {
            ssid: request.wifi_ssid,
            passphrase: Passphrase::new(request.wifi_passphrase),
        };
        match flows.set_wifi(device_id, wifi).await {
            Ok(()) => {
                self.devices.update(device_id, |l| {
                    l.connection = Some(Connection::Connected);
                    l.last_error = None;
                });
                self.read_into_live(&flows, device_id).await;
                self.publish().await;
                self.view_of(device_id).await
            }
            Err(e) => {
                let dto = self.failed("wifi", &e);
                self.devices
                    .update(device_id, |l| l.last_error = Some(dto.clone()));
                self.publish().await;
                Err(dto)
            }
        }
    }

    /// Resets `device_id` and forgets it; an unreachable device is not forgotten.
    ///
    /// # Errors
    /// [`hearth_core::ErrorCode::ForgetUnreachable`] and other flow failures.
    pub async fn forget(&self, device_id: &str) -> Result<(), ErrorDto> {
        let radio = self.radio.conversation().await;
        let flows = self
            .radio
            .flows()
            .await
            .map_err(|e| self.failed("forget", &e))?;
        let result = flows.forget(device_id, false).await;
        drop(radio);
        if result.is_ok() {
            self.devices.drop_live(device_id);
        }
        self.publish().await;
        result.map(|_| ()).map_err(|e| self.failed("forget", &e))
    }
}
