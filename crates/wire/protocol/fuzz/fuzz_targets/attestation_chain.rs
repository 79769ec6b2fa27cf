//! The attestation chain decoder and verifier on any bytes (the chain arrives
//! in `Pake2` from whatever answers the app's pairing request).
//!
//! Never panics; a certificate that decodes re-encodes to exactly its bytes
//! (one encoding per certificate); and the only chain that verifies under the
//! vendor root is the genuine one, inside its validity. Inputs are raw bytes,
//! byte edits of the genuine chain (to reach the signature and validity
//! checks), or the genuine chain at a time taken from the input.
#![no_main]

use std::sync::OnceLock;

use hearth_protocol::attestation::{AttestationError, Certificate, Expected, verify_device};
use hearth_protocol_fuzz::{MODEL, NOW, SERIAL, edit, genuine};
use libfuzzer_sys::fuzz_target;

const TRANSCRIPT: [u8; 32] = [5; 32];

fn proof() -> &'static [u8; 64] {
    static PROOF: OnceLock<[u8; 64]> = OnceLock::new();
    PROOF.get_or_init(|| genuine().identity.sign_attestation(&TRANSCRIPT))
}

fuzz_target!(|data: &[u8]| {
    let g = genuine();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if let Ok(certificate) = Certificate::from_bytes(rest) {
        assert_eq!(certificate.to_bytes(), rest, "a second encoding decoded");
    }
    let (chain, now) = match mode % 3 {
        0 => (rest.to_vec(), NOW),
        1 => (edit(&g.chain_bytes, rest), NOW),
        _ => {
            let mut now = [0u8; 8];
            let n = rest.len().min(8);
            now[..n].copy_from_slice(&rest[..n]);
            (g.chain_bytes.clone(), u64::from_le_bytes(now))
        }
    };
    let expected = Expected {
        model: Some(MODEL),
        serial: Some(SERIAL),
    };
    let result = verify_device(&chain, &g.root_public, now, expected, &TRANSCRIPT, proof());
    let valid_now = (g.validity.not_before..=g.validity.not_after).contains(&now);
    match result {
        Ok(device) => {
            assert_eq!(
                chain, g.chain_bytes,
                "a chain the vendor never issued verified"
            );
            assert!(valid_now, "verified outside its validity");
            assert_eq!(device.identity_key, g.identity.public());
            assert_eq!(
                (device.model.as_str(), device.serial.as_str()),
                (MODEL, SERIAL)
            );
        }
        Err(error) if chain == g.chain_bytes => {
            assert!(!valid_now, "the genuine chain was refused: {error:?}");
            assert!(matches!(
                error,
                AttestationError::Expired | AttestationError::NotYetValid
            ));
        }
        Err(_) => {}
    }
    // The same chain with a proof from another transcript never verifies.
    assert!(
        verify_device(&chain, &g.root_public, now, expected, &[6; 32], proof()).is_err(),
        "a proof of possession verified for another pairing run"
    );
});
