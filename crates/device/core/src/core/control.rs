//! Sealed control requests inside an authenticated session.
//!
//! EN 303 645 4.5-1: control only through the session. 4.11-1: removing a user
//! erases their per-user data; a resident or guest may remove only themselves;
//! only the owner manages users, changes the Wi-Fi network and resets the device.
//!
//! `SetWifi` fixes a wrong passphrase without a factory reset: it is allowed
//! in the provisioning session (which is the owner's session, kept open after
//! `ProvisioningAck`) and in any later owner session.

use super::{DeviceCore, Link, encode};
use crate::error::DeviceError;
use crate::secret::SecretBytes;
use crate::state::{Role, UsageEvent, WifiConfig};
use crate::storage::Storage;
use crate::users::{self, UserError};
use hearth_protocol::message::{
    self, DeviceError as WireError, Done, Event, Limits, PlugState, Request, Response,
    Role as WireRole, Sealed, SetWifi, Temperature, UserAdded,
};
use hearth_protocol::session::{SecureSession, SessionState};

/// What happens to the session once the answer is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    /// Keep the session.
    Keep,
    /// End it (the user removed themselves, or the device was reset).
    End,
}

/// The outcome of one control request.
struct Reply {
    response: Response,
    after: After,
    /// An event to push, sealed after the response (so the app opens them in
    /// that order): the Wi-Fi outcome of `SetWifi`.
    event: Option<Event>,
}

impl Reply {
    fn keep(response: Response) -> Self {
        Self {
            response,
            after: After::Keep,
            event: None,
        }
    }

    fn end(response: Response) -> Self {
        Self {
            response,
            after: After::End,
            event: None,
        }
    }
}

impl<S: Storage> DeviceCore<S> {
    /// Opens a sealed request, runs it as the session's user, and seals the answer.
    pub(super) fn sealed_request(
        &mut self,
        id: u32,
        sealed: &Sealed,
        now: u64,
    ) -> Result<Vec<u8>, DeviceError> {
        let (mut session, user_id) = match std::mem::take(&mut self.link) {
            Link::Session { session, user_id } => (session, user_id),
            other => {
                // This frame belongs to no session; whatever was in progress stays.
                self.link = other;
                return encode(id, Response::Error(WireError::NotAuthorised));
            }
        };
        let plaintext = match session.open(&sealed.ciphertext) {
            Ok(plaintext) => zeroize::Zeroizing::new(plaintext),
            Err(_) => {
                // A forged or replayed frame gets a plain refusal; the session
                // itself closes after repeated failures.
                if session.state() == SessionState::Open {
                    self.link = Link::Session { session, user_id };
                }
                return encode(id, Response::Error(WireError::NotAuthorised));
            }
        };
        let answer = self.run_sealed(&mut session, id, user_id, &plaintext, now)?;
        if answer.1 == After::Keep {
            self.link = Link::Session { session, user_id };
        }
        Ok(answer.0)
    }

    /// Decodes an opened request, runs it and seals the answer with the same session.
    pub(super) fn run_sealed(
        &mut self,
        session: &mut SecureSession,
        id: u32,
        user_id: u32,
        plaintext: &[u8],
        now: u64,
    ) -> Result<(Vec<u8>, After), DeviceError> {
        let (inner_id, reply) = match message::decode::<Request>(plaintext, &Limits::default()) {
            Ok(inner) => (inner.id, self.control(user_id, inner.body, now)?),
            Err(error) => (
                0,
                Reply::keep(Response::Error(super::refusal_for_decode(&error))),
            ),
        };
        let answer = Self::seal_response(session, id, inner_id, reply.response)?;
        if let Some(event) = reply.event {
            self.push_sealed_event(session, event)?;
        }
        Ok((answer, reply.after))
    }

    /// Runs one control request on behalf of `actor`.
    fn control(&mut self, actor: u32, request: Request, now: u64) -> Result<Reply, DeviceError> {
        let Some(actor_role) = self.state.user(actor).map(|u| u.role) else {
            // Removed (by the owner) since this session began.
            return Ok(Reply::end(Response::Error(WireError::NotAuthorised)));
        };
        let keep = |response| Ok(Reply::keep(response));
        match request {
            Request::GetDeviceInfo(_) => keep(Response::DeviceInfo(self.device_info())),
            Request::GetPlug(_) => keep(Response::Plug(PlugState {
                on: self.state.plug_on,
            })),
            Request::SetPlug(set) => {
                self.state.plug_on = set.on;
                if let Some(data) = self.state.user_data.get_mut(&actor) {
                    data.record_usage(UsageEvent {
                        at: now,
                        on: set.on,
                    });
                }
                self.persist()?;
                keep(Response::Plug(PlugState { on: set.on }))
            }
            Request::ReadTemperature(_) => keep(Response::Temperature(Temperature {
                centi_celsius: self.peripherals.sensor.read_centi_celsius(),
            })),
            Request::AddUser(add) => {
                let role = match add.role {
                    WireRole::Owner => Role::Owner,
                    WireRole::Resident => Role::Resident,
                    WireRole::Guest => Role::Guest,
                };
                let mut next = self.state.clone();
                match users::add_user(&mut next, actor, add.public_key, role, &add.name) {
                    Ok(user_id) => {
                        next.save(&mut self.storage)?;
                        self.state = next;
                        keep(Response::UserAdded(UserAdded { user_id }))
                    }
                    Err(error) => keep(Response::Error(user_refusal(error))),
                }
            }
            Request::RemoveUser(remove) => {
                let mut next = self.state.clone();
                match users::remove_user(&mut next, actor, remove.user_id) {
                    Ok(()) => {
                        next.save(&mut self.storage)?;
                        self.state = next;
                        let after = if remove.user_id == actor {
                            After::End
                        } else {
                            After::Keep
                        };
                        Ok(Reply {
                            response: Response::Done(Done {}),
                            after,
                            event: None,
                        })
                    }
                    Err(error) => keep(Response::Error(user_refusal(error))),
                }
            }
            Request::FactoryReset(_) => {
                if actor_role != Role::Owner {
                    return keep(Response::Error(WireError::NotAuthorised));
                }
                let mut next = self.state.clone();
                next.factory_reset();
                next.save(&mut self.storage)?;
                self.state = next;
                self.window.open(now);
                Ok(Reply::end(Response::Done(Done {})))
            }
            Request::SetWifi(set) => {
                if actor_role != Role::Owner {
                    return keep(Response::Error(WireError::NotAuthorised));
                }
                self.set_wifi(set)
            }
            Request::PairingParams(_)
            | Request::Pake1(_)
            | Request::Pake3(_)
            | Request::OwnerHello(_)
            | Request::OwnerAuth(_)
            | Request::Sealed(_) => keep(Response::Error(WireError::UnexpectedMessage)),
        }
    }
}

impl<S: Storage> DeviceCore<S> {
    /// Stores the new Wi-Fi configuration, then tries it.
    ///
    /// The configuration is stored whatever the outcome (as provisioning
    /// does): the owner may be configuring a network that is not in range
    /// yet; the status event tells the app, and another `SetWifi` replaces it.
    /// Persisted before answering, so a power cut cannot leave the app
    /// believing in a change that was lost. No user, key or per-user data is
    /// touched: this is the no-reset path.
    fn set_wifi(&mut self, set: SetWifi) -> Result<Reply, DeviceError> {
        let mut next = self.state.clone();
        next.wifi = Some(WifiConfig {
            ssid: set.ssid,
            passphrase: SecretBytes::new(set.passphrase.expose().as_bytes().to_vec()),
        });
        next.save(&mut self.storage)?;
        self.state = next;
        let event = self.try_stored_wifi().map(Event::WifiStatus);
        Ok(Reply {
            response: Response::Done(Done {}),
            after: After::Keep,
            event,
        })
    }
}

/// User-management refusals on the wire. The protocol has no finer codes yet;
/// the device logs the exact [`UserError::code`].
fn user_refusal(error: UserError) -> WireError {
    match error {
        UserError::NotAuthorised | UserError::LastOwner | UserError::SecondOwner => {
            WireError::NotAuthorised
        }
        UserError::NoSuchUser
        | UserError::TooManyUsers
        | UserError::DuplicateKey
        | UserError::InvalidName => WireError::UnexpectedMessage,
    }
}
