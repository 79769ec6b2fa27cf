//! Later sessions with a paired device: found by its discriminator, authenticated with the
//! owner key from the keyring and the identity key attested at pairing; no setup code
//! (EN 303 645 provisions 4.1-1, 4.5-1).

use hearth_ble::{HearthMessages, Pipe, Transport};
use hearth_protocol::message::{FromDevice, Request, Response, WifiStatus};
use hearth_protocol::pairing::{Channel, OwnerSessionClient};
use hearth_protocol::setup_code::{Discriminator, DiscriminatorHint};

use crate::context::Flows;
use crate::error::FlowError;

/// An authenticated session with a paired device. Dropping it disconnects.
#[derive(Debug)]
pub struct OwnerSession {
    pipe: Pipe,
    channel: Channel,
    device_id: String,
}

impl OwnerSession {
    /// The remembered device this session is with.
    #[must_use]
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Sends `body` sealed and returns the device's answer; a refusal is an error.
    ///
    /// # Errors
    /// Link failures, [`FlowError::from_device`] refusals, [`FlowError::Protocol`].
    pub async fn request(&mut self, body: Request) -> Result<Response, FlowError> {
        let (id, bytes) = self.channel.request(body)?;
        let answer = self.pipe.request(bytes).await?;
        expect_response(&mut self.channel, &answer, Some(id))
    }

    /// The next Wi-Fi status the device pushes within `timeout`.
    pub async fn next_wifi_status(&mut self, timeout: std::time::Duration) -> Option<WifiStatus> {
        crate::pair::wait_wifi_status(&mut self.pipe, &mut self.channel, timeout).await
    }

    /// Ends the session and disconnects.
    pub async fn close(self) {
        if let Err(e) = self.pipe.close().await {
            tracing::debug!(code = e.code(), "disconnect: {e}");
        }
    }
}

/// Opens a device answer and checks it answers request `id` (if given).
fn expect_response(
    channel: &mut Channel,
    answer: &[u8],
    id: Option<u32>,
) -> Result<Response, FlowError> {
    match channel.open(answer)? {
        FromDevice::Response(envelope) => {
            if let Response::Error(error) = envelope.body {
                return Err(FlowError::from_device(error));
            }
            if id.is_some_and(|id| id != envelope.id) {
                return Err(FlowError::Protocol {
                    code: "flow.wrong_request_id",
                    detail: format!("answer to request {}", envelope.id),
                });
            }
            Ok(envelope.body)
        }
        FromDevice::Event(_) => Err(FlowError::Protocol {
            code: "flow.unexpected_event",
            detail: "an event where an answer was expected".into(),
        }),
    }
}

impl<T: Transport> Flows<T> {
    /// Opens an owner session with the remembered device `device_id`, carrying `first` as its
    /// first request (two round trips in all), and returns the session and that answer.
    ///
    /// # Errors
    /// [`FlowError::UnknownDevice`], [`FlowError::OwnerKeyMissing`],
    /// [`FlowError::KeyringUnavailable`], [`FlowError::OutOfRange`] and other link failures,
    /// [`FlowError::NotGenuine`] (another device answers under that discriminator),
    /// [`FlowError::NotAuthorised`] (the device no longer knows this owner).
    pub async fn connect_owner(
        &self,
        device_id: &str,
        first: Request,
    ) -> Result<(OwnerSession, Response), FlowError> {
        let record =
            self.pairings
                .get(device_id)
                .await?
                .ok_or_else(|| FlowError::UnknownDevice {
                    query: device_id.to_owned(),
                })?;
        let owner = self.load_owner_key(device_id).await?;
        let discriminator =
            Discriminator::new(record.discriminator).map_err(|e| FlowError::Protocol {
                code: e.code(),
                detail: e.to_string(),
            })?;
        let found = self
            .transport
            .find(
                DiscriminatorHint::Full(discriminator),
                self.config.scan_timeout,
            )
            .await?;
        let connection = self
            .transport
            .connect(&found.id, self.config.connect_timeout)
            .await?;
        let pipe = Pipe::open(connection, self.config.pipe, HearthMessages::default())?;
        let (client, hello) = self.with_rng(|rng| {
            OwnerSessionClient::start(&owner, record.user_id, &record.identity_key, rng)
        })?;
        let opened = async {
            let device_hello = pipe.request(hello).await?;
            let (mut channel, auth) = client.handle(&device_hello, Some(first))?;
            let answer = pipe.request(auth).await?;
            let response = expect_response(&mut channel, &answer, None)?;
            Ok::<_, FlowError>((channel, response))
        }
        .await;
        match opened {
            Ok((channel, response)) => Ok((
                OwnerSession {
                    pipe,
                    channel,
                    device_id: device_id.to_owned(),
                },
                response,
            )),
            Err(e) => {
                let _ = pipe.close().await;
                Err(e)
            }
        }
    }
}
