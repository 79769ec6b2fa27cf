//! What an owner does with a paired device: switch the plug, read the temperature, fix the
//! Wi-Fi settings, forget it. Each call is one owner session.

use hearth_ble::Transport;
use hearth_protocol::message::{
    FactoryReset, GetPlug, ReadTemperature, Request, Response, SetPlug, SetWifi, WifiStatus,
};

use crate::context::Flows;
use crate::error::FlowError;
use crate::pair::WifiCredentials;

/// What [`Flows::forget`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgetOutcome {
    /// The device was factory-reset (back to its own label code), then the key and the row
    /// were deleted.
    ResetAndForgotten,
    /// The device could not be reached and `even_if_unreachable` was set: the key and the row
    /// were deleted, the device still has this owner until it is reset on the device itself.
    ForgottenWithoutReset,
    /// The device refused this owner key (it was reset already, or has another owner now):
    /// the key and the row were deleted.
    DeviceNoLongerTrustedUs,
}

/// What [`Flows::read_status`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStatus {
    pub plug_on: bool,
    /// Hundredths of a degree Celsius.
    pub centi_celsius: i32,
}

fn unexpected(expected: &'static str, got: &Response) -> FlowError {
    FlowError::Protocol {
        code: "flow.unexpected_response",
        detail: format!("expected {expected}, got {got:?}"),
    }
}

impl<T: Transport> Flows<T> {
    /// Switches the plug of `device_id`; returns the state the device reports.
    ///
    /// # Errors
    /// As [`Flows::connect_owner`].
    pub async fn set_plug(&self, device_id: &str, on: bool) -> Result<bool, FlowError> {
        let (session, response) = self
            .connect_owner(device_id, Request::SetPlug(SetPlug { on }))
            .await?;
        session.close().await;
        match response {
            Response::Plug(state) => Ok(state.on),
            other => Err(unexpected("plug", &other)),
        }
    }

    /// Whether the plug of `device_id` is on.
    ///
    /// # Errors
    /// As [`Flows::connect_owner`].
    pub async fn plug_state(&self, device_id: &str) -> Result<bool, FlowError> {
        let (session, response) = self
            .connect_owner(device_id, Request::GetPlug(GetPlug {}))
            .await?;
        session.close().await;
        match response {
            Response::Plug(state) => Ok(state.on),
            other => Err(unexpected("plug", &other)),
        }
    }

    /// The plug state and the temperature of `device_id`, in one owner session.
    ///
    /// # Errors
    /// As [`Flows::connect_owner`].
    pub async fn read_status(&self, device_id: &str) -> Result<DeviceStatus, FlowError> {
        let (mut session, response) = self
            .connect_owner(device_id, Request::GetPlug(GetPlug {}))
            .await?;
        let plug_on = match response {
            Response::Plug(state) => state.on,
            other => {
                session.close().await;
                return Err(unexpected("plug", &other));
            }
        };
        let temperature = session
            .request(Request::ReadTemperature(ReadTemperature {}))
            .await;
        session.close().await;
        match temperature? {
            Response::Temperature(t) => Ok(DeviceStatus {
                plug_on,
                centi_celsius: t.centi_celsius,
            }),
            other => Err(unexpected("temperature", &other)),
        }
    }

    /// The temperature at `device_id`, in hundredths of a degree Celsius.
    ///
    /// # Errors
    /// As [`Flows::connect_owner`].
    pub async fn read_temperature(&self, device_id: &str) -> Result<i32, FlowError> {
        let (session, response) = self
            .connect_owner(device_id, Request::ReadTemperature(ReadTemperature {}))
            .await?;
        session.close().await;
        match response {
            Response::Temperature(t) => Ok(t.centi_celsius),
            other => Err(unexpected("temperature", &other)),
        }
    }

    /// Gives `device_id` new Wi-Fi settings (a corrected passphrase, another network) without
    /// a reset, and waits for the device to report the outcome.
    ///
    /// # Errors
    /// [`FlowError::WifiWrongPassphrase`], [`FlowError::WifiNoNetwork`],
    /// [`FlowError::WifiNoAnswer`], and as [`Flows::connect_owner`].
    pub async fn set_wifi(&self, device_id: &str, wifi: WifiCredentials) -> Result<(), FlowError> {
        let request = Request::SetWifi(SetWifi {
            ssid: wifi.ssid,
            passphrase: wifi.passphrase,
        });
        let (mut session, response) = self.connect_owner(device_id, request).await?;
        if !matches!(response, Response::Done(_)) {
            session.close().await;
            return Err(unexpected("done", &response));
        }
        let status = session.next_wifi_status(self.config.wifi_timeout).await;
        session.close().await;
        let device_id = device_id.to_owned();
        match status {
            Some(WifiStatus::Joined { .. }) => Ok(()),
            Some(WifiStatus::WrongPassphrase { .. }) => {
                Err(FlowError::WifiWrongPassphrase { device_id })
            }
            Some(WifiStatus::NoNetwork { ssid }) => {
                Err(FlowError::WifiNoNetwork { device_id, ssid })
            }
            None => Err(FlowError::WifiNoAnswer { device_id }),
        }
    }

    /// Forgets `device_id`: factory-resets the device over an owner session (it returns to
    /// its own label code, EN 303 645 4.1-1), then deletes the owner key and the rows.
    ///
    /// If the device cannot be reached, nothing is deleted and the error is
    /// [`FlowError::ForgetUnreachable`], unless `even_if_unreachable`: then the key and rows
    /// are deleted and the device keeps this (now unusable) owner until it is reset on the
    /// device itself. A device that no longer accepts this owner (already reset) is forgotten.
    ///
    /// # Errors
    /// [`FlowError::ForgetUnreachable`], keyring and database failures.
    pub async fn forget(
        &self,
        device_id: &str,
        even_if_unreachable: bool,
    ) -> Result<ForgetOutcome, FlowError> {
        let outcome = match self
            .connect_owner(device_id, Request::FactoryReset(FactoryReset {}))
            .await
        {
            Ok((session, Response::Done(_))) => {
                session.close().await;
                ForgetOutcome::ResetAndForgotten
            }
            Ok((session, other)) => {
                session.close().await;
                return Err(unexpected("done", &other));
            }
            // Reset already (or owned by someone else): it no longer trusts this key.
            Err(FlowError::NotAuthorised) => ForgetOutcome::DeviceNoLongerTrustedUs,
            Err(e) if e.is_unreachable() || matches!(e, FlowError::OwnerKeyMissing) => {
                if !even_if_unreachable {
                    return Err(FlowError::ForgetUnreachable {
                        detail: e.to_string(),
                    });
                }
                ForgetOutcome::ForgottenWithoutReset
            }
            Err(e) => return Err(e),
        };
        self.delete_owner_key(device_id).await?;
        self.pairings.forget_device(device_id).await?;
        tracing::info!(device_id, ?outcome, "device forgotten");
        Ok(outcome)
    }
}
