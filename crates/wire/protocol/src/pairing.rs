//! The app's side of pairing and of later owner sessions, sans-IO: message
//! bytes in, message bytes out (frame them with [`crate::frame`]).
//!
//! # Pairing (3 round trips, EN 303 645 provision 4.12-1)
//! 1. `PairingParamsRequest` → `PairingParamsResponse` (salt, iterations,
//!    device info, attempts left).
//! 2. `Pake1 { shareP }` → `Pake2 { shareV, confirmV, chain, signature }`.
//!    The client checks `confirmV` (a wrong setup code fails here, costing
//!    the device exactly one online guess, provision 4.1-1), then the
//!    certificate chain to the vendor root and the identity key's signature
//!    over this run's transcript ([`crate::attestation::verify_device`]).
//! 3. Only then: `Pake3 { confirmP, sealed Provisioning }` → sealed
//!    `ProvisioningAck { user_id }`. The Wi-Fi passphrase and owner key never
//!    leave the app unencrypted or towards an unattested device (4.5-1, 4.5-2).
//!
//! The result, [`Paired`], holds a [`Channel`] (the established
//! [`SecureSession`]) and the attested device identity to remember for
//! [`OwnerSessionClient`] on later connections.
//!
//! A client runs once: after any error it is finished, and a new attempt
//! starts with a new client (and costs another online guess).

use std::fmt;

use rand::CryptoRng;

use crate::attestation::{self, AttestationError, AttestedDevice, Certificate, Expected};
use crate::handshake::{self, HandshakeError, OwnerHandshake, OwnerKey};
use crate::message::{
    self, DeviceError, DeviceHello, DeviceInfo, Envelope, Event, FromDevice, Limits, MessageError,
    OwnerAuth, OwnerHello, PairingParamsRequest, PairingParamsResponse, Pake1, Pake2, Pake3,
    Provisioning, Request, Response, Sealed,
};
use crate::session::{Role, SecureSession, SessionError};
use crate::setup_code::{ParsedSetupCode, Passcode};
use crate::spake2::{PairingProver, Spake2Error};

/// Why pairing or an owner session failed. Each variant has a stable
/// machine code ([`PairingError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingError {
    /// The device's key confirmation did not match ours: the setup code is
    /// wrong (or an active attacker altered the exchange).
    #[error("wrong setup code; the device allows {attempts_left} more attempts")]
    WrongCode { attempts_left: u32 },
    /// Too many wrong setup codes: the device refuses pairing until someone
    /// presses its button (the UI says exactly that; EN 303 645 v2.1.1 5.1-5).
    #[error("too many wrong setup codes; press the button on the device, then try again")]
    LockedUntilButton,
    /// The device is not a genuine device of this vendor, or did not prove
    /// it holds its identity key in this session.
    #[error("the device failed attestation: {0}")]
    AttestationFailed(#[source] AttestationError),
    /// The device refused, with its typed reason.
    #[error("the device refused: {0}")]
    Device(#[source] DeviceError),
    /// The device's parameters or share are unusable.
    #[error("pairing failed: {0}")]
    Spake2(#[source] Spake2Error),
    #[error("owner handshake failed: {0}")]
    Handshake(#[source] HandshakeError),
    #[error("secure session failed: {0}")]
    Session(#[source] SessionError),
    #[error("unreadable message: {0}")]
    Message(#[source] MessageError),
    /// A well-formed message that does not answer what we asked.
    #[error("expected {expected}, got {got}")]
    UnexpectedResponse {
        expected: &'static str,
        got: &'static str,
    },
    #[error("response to request {got}, expected {expected}")]
    WrongRequestId { expected: u32, got: u32 },
    /// The client was used after it finished or failed.
    #[error("this pairing attempt is over")]
    Finished,
}

impl PairingError {
    /// A stable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongCode { .. } => "pairing.wrong_code",
            Self::LockedUntilButton => "pairing.locked_until_button",
            Self::AttestationFailed(_) => "pairing.attestation_failed",
            Self::Device(error) => error.code(),
            Self::Spake2(error) => error.code(),
            Self::Handshake(error) => error.code(),
            Self::Session(error) => error.code(),
            Self::Message(error) => error.code(),
            Self::UnexpectedResponse { .. } => "pairing.unexpected_response",
            Self::WrongRequestId { .. } => "pairing.wrong_request_id",
            Self::Finished => "pairing.finished",
        }
    }
}

impl From<MessageError> for PairingError {
    fn from(error: MessageError) -> Self {
        Self::Message(error)
    }
}

impl From<SessionError> for PairingError {
    fn from(error: SessionError) -> Self {
        Self::Session(error)
    }
}

/// A device refusal, with the wrong-code and press-the-button cases lifted so
/// the UI handles each in one place whichever round trip reported it.
fn refused(error: DeviceError) -> PairingError {
    match error {
        DeviceError::WrongCode { attempts_left } => PairingError::WrongCode { attempts_left },
        DeviceError::LockedUntilButton => PairingError::LockedUntilButton,
        other => PairingError::Device(other),
    }
}

/// What the client does next.
#[derive(Debug)]
pub enum PairingStep {
    /// Send this message and pass the answer to [`PairingClient::handle`].
    Send(Vec<u8>),
    /// The device pushed an event before pairing finished; nothing to send.
    Ignored,
    /// Pairing and provisioning are done.
    Paired(Box<Paired>),
}

/// A paired device: the open session and who the device proved to be.
#[derive(Debug)]
pub struct Paired {
    /// The session to send sealed requests on and open events with.
    pub channel: Channel,
    /// The identity attested by the vendor's chain; keep
    /// `device.identity_key` to authenticate later owner sessions.
    pub device: AttestedDevice,
    /// What the device said about itself (its model and serial match the
    /// attested certificate).
    pub device_info: DeviceInfo,
    /// The owner's user id on the device, for [`OwnerSessionClient`].
    pub user_id: u32,
}

enum State {
    Ready,
    AwaitingParams,
    AwaitingPake2 {
        prover: Box<PairingProver>,
        params: PairingParamsResponse,
    },
    AwaitingAck {
        session: Box<SecureSession>,
        device: AttestedDevice,
        device_info: DeviceInfo,
    },
    Finished,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::AwaitingParams => "awaiting_params",
            Self::AwaitingPake2 { .. } => "awaiting_pake2",
            Self::AwaitingAck { .. } => "awaiting_ack",
            Self::Finished => "finished",
        }
    }
}

/// The app-side pairing state machine. See the module documentation.
pub struct PairingClient {
    passcode: Passcode,
    provisioning: Provisioning,
    vendor_root: [u8; 32],
    expected_model: Option<String>,
    limits: Limits,
    id: u32,
    state: State,
}

impl fmt::Debug for PairingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairingClient")
            .field("state", &self.state.name())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl PairingClient {
    /// A client for the device whose label gave `setup_code`, provisioning
    /// it with `provisioning`, trusting devices certified under
    /// `vendor_root` (from the vendor profile).
    pub fn new(
        setup_code: &ParsedSetupCode,
        provisioning: Provisioning,
        vendor_root: [u8; 32],
    ) -> Self {
        Self {
            passcode: setup_code.passcode.clone(),
            provisioning,
            vendor_root,
            expected_model: None,
            limits: Limits::default(),
            id: 0,
            state: State::Ready,
        }
    }

    /// Also require the attested model to be `model` (the one the user chose).
    #[must_use]
    pub fn expect_model(mut self, model: impl Into<String>) -> Self {
        self.expected_model = Some(model.into());
        self
    }

    /// Round trip 1's request.
    ///
    /// # Errors
    /// [`PairingError::Finished`] if called twice.
    pub fn start(&mut self) -> Result<Vec<u8>, PairingError> {
        if !matches!(self.state, State::Ready) {
            return Err(PairingError::Finished);
        }
        self.state = State::AwaitingParams;
        self.request(Request::PairingParams(PairingParamsRequest {}))
    }

    fn request(&mut self, body: Request) -> Result<Vec<u8>, PairingError> {
        self.id = self.id.wrapping_add(1);
        Ok(message::encode(&Envelope::new(self.id, body))?)
    }

    /// Consumes the device's answer; `now` (unix seconds) checks certificate
    /// validity, `rng` makes the SPAKE2+ share.
    ///
    /// # Errors
    /// Any [`PairingError`]; the client is then finished.
    pub fn handle<R: CryptoRng + ?Sized>(
        &mut self,
        message: &[u8],
        now: u64,
        rng: &mut R,
    ) -> Result<PairingStep, PairingError> {
        let response = match message::decode_from_device(message, &self.limits) {
            Ok(FromDevice::Event(_)) => return Ok(PairingStep::Ignored),
            Ok(FromDevice::Response(response)) => response,
            Err(error) => {
                self.state = State::Finished;
                return Err(error.into());
            }
        };
        let state = std::mem::replace(&mut self.state, State::Finished);
        if let Response::Error(error) = response.body {
            return Err(refused(error));
        }
        if response.id != self.id {
            return Err(PairingError::WrongRequestId {
                expected: self.id,
                got: response.id,
            });
        }
        match (state, response.body) {
            (State::AwaitingParams, Response::PairingParams(params)) => self.on_params(params, rng),
            (State::AwaitingPake2 { prover, params }, Response::Pake2(pake2)) => {
                self.on_pake2(*prover, params, &pake2, now)
            }
            (
                State::AwaitingAck {
                    session,
                    device,
                    device_info,
                },
                Response::Sealed(sealed),
            ) => {
                let mut channel = Channel {
                    session: *session,
                    next_id: self.id,
                    limits: self.limits,
                };
                match channel.open_response(&sealed)?.body {
                    Response::ProvisioningAck(ack) => Ok(PairingStep::Paired(Box::new(Paired {
                        channel,
                        device,
                        device_info,
                        user_id: ack.user_id,
                    }))),
                    Response::Error(error) => Err(refused(error)),
                    other => Err(unexpected("provisioning_ack", &other)),
                }
            }
            (State::AwaitingParams, other) => Err(unexpected("pairing_params_response", &other)),
            (State::AwaitingPake2 { .. }, other) => Err(unexpected("pake2", &other)),
            (State::AwaitingAck { .. }, other) => Err(unexpected("sealed_response", &other)),
            (State::Ready | State::Finished, _) => Err(PairingError::Finished),
        }
    }

    fn on_params<R: CryptoRng + ?Sized>(
        &mut self,
        params: PairingParamsResponse,
        rng: &mut R,
    ) -> Result<PairingStep, PairingError> {
        if !params.window_open {
            return Err(PairingError::Device(DeviceError::PairingWindowClosed));
        }
        let prover = PairingProver::start(
            &self.passcode,
            &params.salt,
            params.iterations,
            &params.device_info.serial,
            rng,
        )
        .map_err(PairingError::Spake2)?;
        let share_p = prover.share_p();
        let bytes = self.request(Request::Pake1(Pake1 { share_p }))?;
        self.state = State::AwaitingPake2 {
            prover: Box::new(prover),
            params,
        };
        Ok(PairingStep::Send(bytes))
    }

    fn on_pake2(
        &mut self,
        prover: PairingProver,
        params: PairingParamsResponse,
        pake2: &Pake2,
        now: u64,
    ) -> Result<PairingStep, PairingError> {
        let outcome =
            prover
                .finish(&pake2.share_v, &pake2.confirm_v)
                .map_err(|error| match error {
                    // The device counted this attempt when it answered Pake1.
                    Spake2Error::ConfirmationFailed => PairingError::WrongCode {
                        attempts_left: params.attempts_left.saturating_sub(1),
                    },
                    other => PairingError::Spake2(other),
                })?;
        let chain = chain_bytes(pake2).map_err(PairingError::AttestationFailed)?;
        let info = &params.device_info;
        if self
            .expected_model
            .as_ref()
            .is_some_and(|m| *m != info.model)
        {
            return Err(PairingError::AttestationFailed(
                AttestationError::ModelMismatch,
            ));
        }
        // The certificate must name the model and serial the device reported
        // (and the serial SPAKE2+ bound as idVerifier), so the UI never shows
        // an identity the vendor did not certify.
        let device = attestation::verify_device(
            &chain,
            &self.vendor_root,
            now,
            Expected {
                model: Some(&info.model),
                serial: Some(&info.serial),
            },
            &outcome.transcript_hash,
            &pake2.attestation_signature,
        )
        .map_err(PairingError::AttestationFailed)?;

        let mut session = SecureSession::from_pake(&outcome.key, Role::App);
        let plaintext = self.provisioning.encode()?;
        let sealed_provisioning = session.seal(&plaintext)?;
        let bytes = self.request(Request::Pake3(Pake3 {
            confirm_p: outcome.confirm_p,
            sealed_provisioning,
        }))?;
        self.state = State::AwaitingAck {
            session: Box::new(session),
            device,
            device_info: params.device_info,
        };
        Ok(PairingStep::Send(bytes))
    }
}

/// `Pake2` carries the certificates one by one (device first); the
/// attestation module verifies them as one canonical CBOR chain.
fn chain_bytes(pake2: &Pake2) -> Result<Vec<u8>, AttestationError> {
    let [device, ca] = pake2.certificate_chain.as_slice() else {
        return Err(AttestationError::Malformed);
    };
    Ok(attestation::encode_chain(
        &Certificate::from_bytes(device)?,
        &Certificate::from_bytes(ca)?,
    ))
}

fn unexpected(expected: &'static str, got: &Response) -> PairingError {
    use message::Body;
    PairingError::UnexpectedResponse {
        expected,
        got: got.tag(),
    }
}

/// An open session with a device: seals requests and opens what the device
/// sends. Requests get increasing ids; device messages must be opened in the
/// order they arrive (the session rejects replays and reordering).
pub struct Channel {
    session: SecureSession,
    next_id: u32,
    limits: Limits,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("session", &self.session)
            .field("next_id", &self.next_id)
            .finish()
    }
}

impl Channel {
    /// Seals `body` as the next request; returns its id and the message.
    ///
    /// # Errors
    /// [`PairingError::Session`] if the session is closed,
    /// [`PairingError::Message`] if the body breaks its bounds.
    pub fn request(&mut self, body: Request) -> Result<(u32, Vec<u8>), PairingError> {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let sealed = self.seal(id, &body)?;
        Ok((
            id,
            message::encode(&Envelope::new(id, Request::Sealed(sealed)))?,
        ))
    }

    fn seal(&mut self, id: u32, body: &Request) -> Result<Sealed, PairingError> {
        let inner = zeroize::Zeroizing::new(message::encode(&Envelope::new(id, body.clone()))?);
        Ok(Sealed {
            ciphertext: self.session.seal(&inner)?,
        })
    }

    /// Opens a message from the device: a sealed response or event is
    /// opened and its inner envelope returned; a plain `error` response
    /// (the device could not open our request) is passed through.
    ///
    /// # Errors
    /// [`PairingError::Session`] for forged, replayed or reordered frames,
    /// [`PairingError::Message`] for undecodable ones,
    /// [`PairingError::UnexpectedResponse`] for other unsealed messages.
    pub fn open(&mut self, message: &[u8]) -> Result<FromDevice, PairingError> {
        match message::decode_from_device(message, &self.limits)? {
            FromDevice::Response(Envelope {
                body: Response::Sealed(sealed),
                ..
            }) => Ok(FromDevice::Response(self.open_response(&sealed)?)),
            FromDevice::Event(Envelope {
                body: Event::Sealed(sealed),
                ..
            }) => {
                let plaintext = zeroize::Zeroizing::new(self.session.open(&sealed.ciphertext)?);
                Ok(FromDevice::Event(message::decode(
                    &plaintext,
                    &self.limits,
                )?))
            }
            FromDevice::Response(
                response @ Envelope {
                    body: Response::Error(_),
                    ..
                },
            ) => Ok(FromDevice::Response(response)),
            FromDevice::Response(other) => Err(unexpected("sealed_response", &other.body)),
            FromDevice::Event(_) => Err(PairingError::UnexpectedResponse {
                expected: "sealed_event",
                got: "wifi_status",
            }),
        }
    }

    fn open_response(&mut self, sealed: &Sealed) -> Result<Envelope<Response>, PairingError> {
        let plaintext = zeroize::Zeroizing::new(self.session.open(&sealed.ciphertext)?);
        Ok(message::decode(&plaintext, &self.limits)?)
    }

    /// The underlying session (state, rejection counts).
    pub fn session(&self) -> &SecureSession {
        &self.session
    }
}

/// The app's side of an owner session on a later connection: no setup code,
/// the per-device owner key and the identity key attested at pairing
/// (EN 303 645 provisions 4.1-1, 4.5-1).
///
/// `OwnerHello` → `DeviceHello` → `OwnerAuth` (+ optional first sealed
/// request) → sealed answer: one and a half round trips, or two with a
/// first request.
pub struct OwnerSessionClient {
    handshake: OwnerHandshake,
    id: u32,
    limits: Limits,
}

impl fmt::Debug for OwnerSessionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerSessionClient")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl OwnerSessionClient {
    /// Starts the handshake; returns the client and the `OwnerHello` message.
    ///
    /// # Errors
    /// [`PairingError::Message`] only if encoding fails.
    pub fn start<R: CryptoRng + ?Sized>(
        owner: &OwnerKey,
        user_id: u32,
        device_identity_key: &[u8; 32],
        rng: &mut R,
    ) -> Result<(Self, Vec<u8>), PairingError> {
        let (handshake, hello) = OwnerHandshake::start(owner, device_identity_key, rng);
        let id = 1;
        let bytes = message::encode(&Envelope::new(
            id,
            Request::OwnerHello(OwnerHello {
                user_id,
                ephemeral_public: hello.ephemeral,
                nonce: hello.nonce,
            }),
        ))?;
        Ok((
            Self {
                handshake,
                id,
                limits: Limits::default(),
            },
            bytes,
        ))
    }

    /// Checks the device's `DeviceHello` against the remembered identity
    /// key and answers with `OwnerAuth`, carrying `first_request` sealed if
    /// given. The device's answer (a sealed response) is read with
    /// [`Channel::open`].
    ///
    /// # Errors
    /// [`PairingError::Handshake`] if the device is not the one paired with,
    /// [`PairingError::Device`] for a refusal (e.g. unknown user).
    pub fn handle(
        self,
        message: &[u8],
        first_request: Option<Request>,
    ) -> Result<(Channel, Vec<u8>), PairingError> {
        let response = message::decode::<Response>(message, &self.limits)?;
        let hello: DeviceHello = match response.body {
            Response::DeviceHello(hello) => hello,
            Response::Error(error) => return Err(PairingError::Device(error)),
            other => return Err(unexpected("device_hello", &other)),
        };
        if response.id != self.id {
            return Err(PairingError::WrongRequestId {
                expected: self.id,
                got: response.id,
            });
        }
        let (auth, session) = self
            .handshake
            .finish(&handshake::DeviceHello {
                ephemeral: hello.ephemeral_public,
                nonce: hello.nonce,
                signature: hello.signature,
            })
            .map_err(PairingError::Handshake)?;
        let mut channel = Channel {
            session,
            next_id: self.id,
            limits: self.limits,
        };
        let id = channel.next_id.wrapping_add(1);
        channel.next_id = id;
        let first_request = match first_request {
            Some(body) => Some(channel.seal(id, &body)?),
            None => None,
        };
        let bytes = message::encode(&Envelope::new(
            id,
            Request::OwnerAuth(OwnerAuth {
                signature: auth.signature,
                first_request,
            }),
        ))?;
        Ok((channel, bytes))
    }
}
