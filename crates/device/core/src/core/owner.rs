//! Later connections: `OwnerHello` / `OwnerAuth` (authenticated X25519, both
//! sides sign the transcript; see `hearth_protocol::handshake`), and the
//! identity key's signatures.
//!
//! Every user (owner, resident, guest) opens sessions this way with their own
//! Ed25519 key; the message names the user by the id the device assigned.

use super::control::After;
use super::{DeviceCore, Link, encode};
use crate::error::DeviceError;
use crate::state::Identity;
use crate::storage::Storage;
use hearth_protocol::attestation::{IdentityKey, KeyId};
use hearth_protocol::handshake::{self, DeviceHandshake};
use hearth_protocol::message::{
    DeviceError as WireError, DeviceHello, Done, OwnerAuth, OwnerHello, Response,
};

/// State kept between `DeviceHello` and `OwnerAuth`.
#[derive(Debug)]
pub(super) struct PendingHandshake {
    handshake: DeviceHandshake,
    user_id: u32,
}

/// The device's identity key, restored from the bundle.
pub(super) fn identity_key(identity: &Identity) -> Result<IdentityKey, DeviceError> {
    let secret: &[u8; 32] = identity
        .identity_key
        .expose()
        .try_into()
        .map_err(|_| DeviceError::BadIdentity("identity key is not 32 bytes"))?;
    Ok(IdentityKey::from_secret_bytes(secret))
}

/// Proof of possession for a pairing run (attestation, sent in `Pake2`).
pub(super) fn sign_pairing_transcript(
    identity: &Identity,
    transcript_hash: &[u8; 32],
) -> Result<[u8; 64], DeviceError> {
    Ok(identity_key(identity)?.sign_attestation(transcript_hash))
}

impl<S: Storage> DeviceCore<S> {
    /// Answers `OwnerHello` with a signed `DeviceHello`.
    pub(super) fn owner_hello(&mut self, hello: &OwnerHello) -> Result<Response, DeviceError> {
        self.link = Link::Idle;
        let Some(public_key) = self
            .state
            .user(hello.user_id)
            .and_then(|user| <[u8; 32]>::try_from(user.public_key.as_slice()).ok())
        else {
            return Ok(Response::Error(WireError::NotAuthorised));
        };
        let identity = identity_key(&self.state.identity)?;
        let wire_hello = handshake::OwnerHello {
            owner_key_id: KeyId::of(&public_key).0,
            ephemeral: hello.ephemeral_public,
            nonce: hello.nonce,
        };
        match DeviceHandshake::respond(
            &identity,
            &public_key,
            &wire_hello,
            &mut self.peripherals.rng,
        ) {
            Ok((handshake, reply)) => {
                self.link = Link::HandshakeStarted(Box::new(PendingHandshake {
                    handshake,
                    user_id: hello.user_id,
                }));
                Ok(Response::DeviceHello(DeviceHello {
                    ephemeral_public: reply.ephemeral,
                    nonce: reply.nonce,
                    signature: reply.signature,
                }))
            }
            Err(_) => Ok(Response::Error(WireError::NotAuthorised)),
        }
    }

    /// Checks the user's signature, opens the session, and runs the first request if any.
    pub(super) fn owner_auth(
        &mut self,
        id: u32,
        auth: OwnerAuth,
        now: u64,
    ) -> Result<Vec<u8>, DeviceError> {
        let pending = match std::mem::take(&mut self.link) {
            Link::HandshakeStarted(pending) => pending,
            other => {
                self.link = other;
                return encode(id, Response::Error(WireError::UnexpectedMessage));
            }
        };
        let PendingHandshake { handshake, user_id } = *pending;
        let Ok(mut session) = handshake.finish(&handshake::OwnerAuth {
            signature: auth.signature,
        }) else {
            return encode(id, Response::Error(WireError::NotAuthorised));
        };
        let (answer, after) = match auth.first_request {
            Some(first) => match session.open(&first.ciphertext) {
                Ok(plaintext) => {
                    let plaintext = zeroize::Zeroizing::new(plaintext);
                    self.run_sealed(&mut session, id, user_id, &plaintext, now)?
                }
                Err(_) => (
                    encode(id, Response::Error(WireError::NotAuthorised))?,
                    After::End,
                ),
            },
            None => (
                Self::seal_response(&mut session, id, id, Response::Done(Done {}))?,
                After::Keep,
            ),
        };
        if after == After::Keep {
            self.link = Link::Session {
                session: Box::new(session),
                user_id,
            };
        }
        Ok(answer)
    }
}
