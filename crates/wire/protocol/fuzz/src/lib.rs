//! What the protocol's fuzz targets share: a genuine device made as the
//! factory makes one (vendor root, device-CA, certified identity key,
//! SPAKE2+ verifier), an honest device side of pairing built from the
//! protocol's own primitives, and a way to turn fuzz bytes into edits of a
//! genuine message.
//!
//! Everything is deterministic (seeded RNGs), so a crash reproduces from its
//! input alone.

use std::sync::OnceLock;

use hearth_protocol::attestation::{DeviceCa, IdentityKey, Validity, VendorRoot};
use hearth_protocol::message::{
    self, Capability, DeviceInfo, Envelope, Limits, PairingParamsResponse, Pake2, ProvisioningAck,
    Request, Response, Sealed,
};
use hearth_protocol::session::{Role as SessionRole, SecureSession};
use hearth_protocol::setup_code::{ParsedSetupCode, SetupCode};
use hearth_protocol::spake2::{PairingVerifier, Verifier};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The clock every target uses (unix seconds); certificates are valid around it.
pub const NOW: u64 = 1_750_000_000;
/// The genuine device's model and serial.
pub const MODEL: &str = "PLUG";
pub const SERIAL: &str = "PLUG-0001";

/// A device as the factory made it.
pub struct Genuine {
    pub code: ParsedSetupCode,
    pub verifier: Verifier,
    pub identity: IdentityKey,
    /// `[device certificate, device-CA certificate]`, each as CBOR.
    pub chain: Vec<Vec<u8>>,
    /// The chain as `verify_device` takes it.
    pub chain_bytes: Vec<u8>,
    pub root_public: [u8; 32],
    pub validity: Validity,
}

/// The one genuine device (made once per process: issuing costs signatures).
pub fn genuine() -> &'static Genuine {
    static GENUINE: OnceLock<Genuine> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(1);
        let validity = Validity {
            not_before: NOW - 1_000,
            not_after: NOW + 1_000,
        };
        let root = VendorRoot::generate(&mut rng);
        let ca_key = IdentityKey::generate(&mut rng);
        let ca_cert = root
            .issue_device_ca(&ca_key.public(), "Fuzz CA", validity)
            .expect("valid fields");
        let ca = DeviceCa::new(ca_key, ca_cert).expect("matching key");
        let identity = IdentityKey::generate(&mut rng);
        let cert = ca
            .issue_device_certificate(&identity.public(), MODEL, SERIAL, validity)
            .expect("valid fields");
        let code = SetupCode::generate(&mut rng);
        // The least work the protocol allows, so a run stays fast.
        let verifier = Verifier::from_passcode(&code.passcode, &[9; 16], 1000).expect("verifier");
        Genuine {
            code: SetupCode::parse(&code.qr_payload()).expect("own payload"),
            verifier,
            chain_bytes: ca.chain_for(&cert),
            chain: vec![cert.to_bytes(), ca.certificate().to_bytes()],
            identity,
            root_public: root.public_key(),
            validity,
        }
    })
}

/// The honest device side of pairing, answering like a real device would.
pub struct HonestDevice {
    rng: StdRng,
    run: Option<PairingVerifier>,
    /// The session after a correct `Pake3`.
    pub session: Option<SecureSession>,
}

impl HonestDevice {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            run: None,
            session: None,
        }
    }

    /// The answer to one request, or `None` where a device would refuse.
    pub fn answer(&mut self, request: &[u8]) -> Option<Vec<u8>> {
        let g = genuine();
        let envelope = message::decode::<Request>(request, &Limits::default()).ok()?;
        let body = match envelope.body {
            Request::PairingParams(_) => Response::PairingParams(PairingParamsResponse {
                salt: g.verifier.salt().to_vec(),
                iterations: g.verifier.iterations(),
                device_info: DeviceInfo {
                    model: MODEL.into(),
                    serial: SERIAL.into(),
                    firmware_version: "1.0.0".into(),
                    capabilities: vec![Capability::Plug],
                },
                attempts_left: 20,
                window_open: true,
            }),
            Request::Pake1(pake1) => {
                let (run, reply) =
                    PairingVerifier::respond(&g.verifier, SERIAL, &pake1.share_p, &mut self.rng)
                        .ok()?;
                self.run = Some(run);
                Response::Pake2(Pake2 {
                    share_v: reply.share_v,
                    confirm_v: reply.confirm_v,
                    certificate_chain: g.chain.iter().cloned().map(Into::into).collect(),
                    attestation_signature: g.identity.sign_attestation(&reply.transcript_hash),
                })
            }
            Request::Pake3(pake3) => {
                let key = self.run.take()?.finish(&pake3.confirm_p).ok()?;
                let mut session = SecureSession::from_pake(&key, SessionRole::Device);
                session.open(&pake3.sealed_provisioning).ok()?;
                let inner = message::encode(&Envelope::new(
                    envelope.id,
                    Response::ProvisioningAck(ProvisioningAck { user_id: 1 }),
                ))
                .ok()?;
                let ciphertext = session.seal(&inner).ok()?;
                self.session = Some(session);
                Response::Sealed(Sealed { ciphertext })
            }
            _ => return None,
        };
        message::encode(&Envelope::new(envelope.id, body)).ok()
    }
}

/// Applies edits read from `edits` to `genuine`: a count, then per edit 3
/// bytes (position high, position low, value) that overwrite, insert or
/// remove one byte, so the result stays close to a real message and reaches
/// deep checks.
pub fn edit(genuine: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut out = genuine.to_vec();
    // One to four edits (the first byte says how many): a run of many random
    // edits would almost never leave a message whose later checks matter.
    let Some((&count, edits)) = edits.split_first() else {
        return out;
    };
    for chunk in edits.chunks_exact(3).take(usize::from(count % 4) + 1) {
        let position = usize::from(u16::from_be_bytes([chunk[0], chunk[1]]));
        let value = chunk[2];
        let len = out.len();
        match (chunk[0] >> 6, len) {
            (_, 0) => out.push(value),
            (0, _) => out.insert(position % (len + 1), value),
            (1, _) => {
                out.remove(position % len);
            }
            _ => out[position % len] = value,
        }
    }
    out
}
