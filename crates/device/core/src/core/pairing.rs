//! Pairing: `PairingParamsRequest`, `Pake1`, `Pake3` (SPAKE2+, RFC 9383 §3.3–3.4).
//!
//! Brute-force rule (EN 303 645 v2.1.1 5.1-5): a `Pake1` is counted as a
//! failure — and persisted — *before* `Pake2` is sent, because `Pake2`'s
//! `confirm_v` already lets the app (or an attacker) test its guess; counting
//! only a wrong `confirm_p` would let an attacker test one code per run and
//! simply never send `Pake3`. A correct `confirm_p` clears the counter.

use super::{DeviceCore, Link, encode, refusal_to_wire};
use crate::error::DeviceError;
use crate::peripherals::WifiJoin;
use crate::secret::SecretBytes;
use crate::state::{Role, WifiConfig};
use crate::storage::Storage;
use crate::users;
use hearth_protocol::message::{
    DeviceError as WireError, Event, Limits, PairingParamsResponse, Pake1, Pake2, Pake3,
    Provisioning, ProvisioningAck, Response, Role as WireRole, WifiAuthFailure, WifiStatus,
};
use hearth_protocol::session::{Role as SessionRole, SecureSession};
use hearth_protocol::spake2::{PairingVerifier, Verifier};

/// State kept between `Pake2` and `Pake3`.
#[derive(Debug)]
pub(super) struct PendingPake {
    verifier: PairingVerifier,
}

impl<S: Storage> DeviceCore<S> {
    fn verifier(&self) -> Result<Verifier, DeviceError> {
        Verifier::from_bytes(self.state.identity.verifier.expose())
            .map_err(|_| DeviceError::BadIdentity("stored SPAKE2+ verifier is malformed"))
    }

    /// Round trip 1: SPAKE2+ parameters and device info, or why pairing is refused now.
    ///
    /// # Errors
    /// [`DeviceError::BadIdentity`] if the stored verifier is unusable.
    pub(super) fn pairing_params(&self, now: u64) -> Result<Response, DeviceError> {
        if let Err(refusal) =
            self.window
                .admit(self.state.is_paired(), &self.state.brute_force, now)
        {
            return Ok(Response::Error(refusal_to_wire(refusal)));
        }
        let verifier = self.verifier()?;
        Ok(Response::PairingParams(PairingParamsResponse {
            salt: verifier.salt().to_vec(),
            iterations: verifier.iterations(),
            device_info: self.device_info(),
            attempts_left: self.state.brute_force.attempts_left(),
            window_open: true,
        }))
    }

    /// Round trip 2: counts the attempt, persists, then answers with `Pake2` and attestation.
    pub(super) fn pake1(&mut self, pake1: &Pake1, now: u64) -> Result<Response, DeviceError> {
        if let Err(refusal) =
            self.window
                .admit(self.state.is_paired(), &self.state.brute_force, now)
        {
            return Ok(Response::Error(refusal_to_wire(refusal)));
        }
        let verifier = self.verifier()?;
        // A new attempt replaces any unfinished one (which stays counted).
        self.link = Link::Idle;
        self.state.brute_force.record_failure(now);
        // Persist before answering: a power cut after Pake2 must not erase the attempt.
        self.persist()?;
        let serial = self.state.identity.serial.clone();
        let (run, reply) = match PairingVerifier::respond(
            &verifier,
            &serial,
            &pake1.share_p,
            &mut self.peripherals.rng,
        ) {
            Ok(ok) => ok,
            Err(error) => {
                return Ok(Response::Error(WireError::Malformed {
                    reason: error.code().to_owned(),
                }));
            }
        };
        let attestation_signature =
            super::owner::sign_pairing_transcript(&self.state.identity, &reply.transcript_hash)?;
        let certificate_chain = self.state.identity.certificate_chain.clone();
        self.link = Link::PakeStarted(Box::new(PendingPake { verifier: run }));
        Ok(Response::Pake2(Pake2 {
            share_v: reply.share_v,
            confirm_v: reply.confirm_v,
            certificate_chain,
            attestation_signature,
        }))
    }

    /// Round trip 3: checks `confirm_p` before opening anything, then provisions.
    pub(super) fn pake3(&mut self, id: u32, pake3: &Pake3) -> Result<Vec<u8>, DeviceError> {
        let pending = match std::mem::take(&mut self.link) {
            Link::PakeStarted(pending) => pending,
            other => {
                self.link = other;
                return encode(id, Response::Error(WireError::UnexpectedMessage));
            }
        };
        let Ok(key) = pending.verifier.finish(&pake3.confirm_p) else {
            // Already counted at Pake1.
            return encode(
                id,
                Response::Error(WireError::WrongCode {
                    attempts_left: self.state.brute_force.attempts_left(),
                }),
            );
        };
        // The app proved it knows this device's code: the attempt was not an attack.
        self.state.brute_force.clear();
        self.persist()?;
        let mut session = SecureSession::from_pake(&key, SessionRole::Device);
        let response = match self.provision(&mut session, &pake3.sealed_provisioning)? {
            Ok(user_id) => Response::ProvisioningAck(ProvisioningAck { user_id }),
            Err(refusal) => Response::Error(refusal),
        };
        let owner = match &response {
            Response::ProvisioningAck(ack) => Some(ack.user_id),
            _ => None,
        };
        let answer = Self::seal_response(&mut session, id, id, response)?;
        if let Some(user_id) = owner {
            self.link = Link::Session {
                session: Box::new(session),
                user_id,
            };
            self.join_wifi()?;
        }
        Ok(answer)
    }

    /// Opens and applies the sealed provisioning; returns the owner's user id,
    /// or the refusal to send back.
    ///
    /// # Errors
    /// [`DeviceError::State`] if the new owner cannot be persisted (then nothing changes).
    fn provision(
        &mut self,
        session: &mut SecureSession,
        sealed: &[u8],
    ) -> Result<Result<u32, WireError>, DeviceError> {
        let malformed = |code: &str| {
            Ok(Err(WireError::Malformed {
                reason: code.to_owned(),
            }))
        };
        let plaintext = match session.open(sealed) {
            Ok(plaintext) => zeroize::Zeroizing::new(plaintext),
            Err(e) => return malformed(e.code()),
        };
        let provisioning = match Provisioning::decode(&plaintext, &Limits::default()) {
            Ok(p) => p,
            Err(e) => return malformed(e.code()),
        };
        if provisioning.role != WireRole::Owner {
            return Ok(Err(WireError::NotAuthorised));
        }
        let mut next = self.state.clone();
        let Ok(user_id) = users::insert_user(
            &mut next,
            provisioning.owner_public_key,
            Role::Owner,
            &provisioning.device_name,
        ) else {
            return Ok(Err(WireError::UnexpectedMessage));
        };
        next.wifi = Some(WifiConfig {
            ssid: provisioning.wifi_ssid.clone(),
            passphrase: SecretBytes::new(provisioning.wifi_passphrase.expose().as_bytes().to_vec()),
        });
        next.save(&mut self.storage)?;
        self.state = next;
        self.window.close();
        Ok(Ok(user_id))
    }

    /// Tries the provisioned Wi-Fi and queues the outcome as an event.
    fn join_wifi(&mut self) -> Result<(), DeviceError> {
        let Some(status) = self.try_stored_wifi() else {
            return Ok(());
        };
        self.push_event(Event::WifiStatus(status))
    }

    /// Tries to join the stored Wi-Fi network through the radio; `None` if
    /// no network is configured.
    pub(super) fn try_stored_wifi(&mut self) -> Option<WifiStatus> {
        let wifi = self.state.wifi.clone()?;
        Some(
            match self
                .peripherals
                .wifi
                .join(&wifi.ssid, wifi.passphrase.expose())
            {
                WifiJoin::Joined => WifiStatus::Joined { ssid: wifi.ssid },
                WifiJoin::WrongPassphrase => WifiStatus::WrongPassphrase {
                    reason: WifiAuthFailure::HandshakeRejected,
                },
                WifiJoin::NoNetwork => WifiStatus::NoNetwork { ssid: wifi.ssid },
            },
        )
    }
}
