//! The pseudonym period keys at rest (EN 303 645 4.4-1 secure storage, 4.10-2 [6-5]).
//!
//! Each period's random key (see [`crate::pseudonym`]) is kept in the database — every instance
//! must find the same one — but only wrapped: ChaCha20-Poly1305 under the wrapping key in
//! `pseudonym-wrap.key` (32 bytes hex, 0600, beside the other secrets; every instance sharing a
//! database needs the same file, as with the catalogue key), with a random nonce and the period
//! as associated data, so a wrapped key cannot be moved to another period. The database alone —
//! a copy, a backup, a file others can read — then does not turn device ids into pseudonyms.
//! Erasing a period's row still erases its key: the wrapping key cannot recreate it.
//!
//! Databases written before keys were wrapped hold them in plaintext (`pseudonym_keys`);
//! [`PeriodKeys::open`] wraps those into `period_keys` and deletes the plaintext at start, so
//! devices keep their pseudonym for the rest of the period.

use std::path::Path;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use zeroize::Zeroizing;

use crate::db::Database;
use crate::error::{ApiError, StartError};
use crate::files;

const AAD_LABEL: &[u8] = b"hearth-pseudonym-period-key/v1";
const NONCE_LEN: usize = 12;

/// The wrapping key; opens and seals period keys.
pub struct PeriodKeys {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for PeriodKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PeriodKeys(<redacted>)")
    }
}

/// Why a stored period key could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("the period key of period {0} does not open with this pseudonym-wrap.key")]
pub struct WrongWrappingKey(pub i64);

impl PeriodKeys {
    /// Loads the wrapping key from `path`, creating it (0600) for a set-up made before keys were
    /// wrapped, and wraps any plaintext period keys left in `db`.
    ///
    /// # Errors
    /// [`StartError::Io`] or [`StartError::Random`] for the key file, [`StartError::KeyWrap`] if
    /// it is malformed or does not open the keys already in the database (another instance uses
    /// a different file), [`StartError::Database`] if the keys cannot be moved.
    pub async fn open(path: &Path, db: &Database) -> Result<Self, StartError> {
        if !path.exists() {
            tracing::info!(path = %path.display(), "creating the pseudonym key-wrapping key");
            files::write_new(path, new_key_hex()?.as_bytes(), true)?;
        }
        files::restrict_secret(path)?;
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| StartError::io(path, e))?);
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), key.as_mut())
            .map_err(|e| StartError::KeyWrap(format!("{}: {e}", path.display())))?;
        let keys = Self {
            cipher: ChaCha20Poly1305::new(&Key::from(*key)),
        };
        let database = |source| StartError::Database {
            url: "pseudonym keys".into(),
            source,
        };
        for (period, plaintext, created_at) in db.plaintext_period_keys().await.map_err(database)? {
            let wrapped = keys.seal(period, &plaintext).map_err(StartError::Random)?;
            db.replace_plaintext_period_key(period, &wrapped, created_at)
                .await
                .map_err(database)?;
            tracing::info!(period, "wrapped a plaintext pseudonym period key");
        }
        for (period, wrapped) in db.wrapped_period_keys().await.map_err(database)? {
            keys.open_key(period, &wrapped)
                .map_err(|e| StartError::KeyWrap(format!("{}: {e}", path.display())))?;
        }
        Ok(keys)
    }

    /// The key of `period`, created if none exists yet (the first one written wins across
    /// instances).
    ///
    /// # Errors
    /// [`ApiError::Storage`] if the database fails, the random generator fails or the stored
    /// key does not open.
    pub async fn key_for(
        &self,
        db: &Database,
        period: i64,
        now: i64,
    ) -> Result<Zeroizing<[u8; 32]>, ApiError> {
        let mut candidate = Zeroizing::new([0u8; 32]);
        let internal = |m: String| ApiError::Storage(sqlx::Error::Protocol(m));
        getrandom::fill(candidate.as_mut())
            .map_err(|e| internal(format!("random generator failed: {e}")))?;
        let sealed = self.seal(period, &candidate).map_err(internal)?;
        let stored = db.period_key(period, &sealed, now).await?;
        self.open_key(period, &stored)
            .map_err(|e| internal(e.to_string()))
    }

    /// `hex(nonce || ciphertext || tag)`.
    fn seal(&self, period: i64, key: &[u8; 32]) -> Result<String, String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
        let aad = aad(period);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: key,
                    aad: &aad,
                },
            )
            .map_err(|_| "sealing a period key failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(hex::encode(out))
    }

    fn open_key(
        &self,
        period: i64,
        wrapped: &str,
    ) -> Result<Zeroizing<[u8; 32]>, WrongWrappingKey> {
        let bytes = hex::decode(wrapped).map_err(|_| WrongWrappingKey(period))?;
        let (nonce, sealed) = bytes
            .split_first_chunk::<NONCE_LEN>()
            .ok_or(WrongWrappingKey(period))?;
        let aad = aad(period);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    &Nonce::from(*nonce),
                    Payload {
                        msg: sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| WrongWrappingKey(period))?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != key.len() {
            return Err(WrongWrappingKey(period));
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }
}

fn aad(period: i64) -> Vec<u8> {
    let mut aad = AAD_LABEL.to_vec();
    aad.push(0);
    aad.extend_from_slice(&period.to_be_bytes());
    aad
}

/// A fresh wrapping key, hex, for `init` and for set-ups that predate it.
///
/// # Errors
/// [`StartError::Random`].
pub fn new_key_hex() -> Result<Zeroizing<String>, StartError> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut()).map_err(|e| StartError::Random(e.to_string()))?;
    Ok(Zeroizing::new(hex::encode(key.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(byte: u8) -> PeriodKeys {
        PeriodKeys {
            cipher: ChaCha20Poly1305::new(&Key::from([byte; 32])),
        }
    }

    #[test]
    fn a_sealed_key_opens_only_for_its_period_and_wrapping_key() {
        let k = keys(1);
        let sealed = k.seal(7, &[9u8; 32]).expect("seals");
        assert_eq!(*k.open_key(7, &sealed).expect("opens"), [9u8; 32]);
        assert!(k.open_key(8, &sealed).is_err(), "moved to another period");
        assert!(
            keys(2).open_key(7, &sealed).is_err(),
            "another wrapping key"
        );
        assert!(
            !sealed.contains(&hex::encode([9u8; 32])),
            "no plaintext in it"
        );
        assert_ne!(
            sealed,
            k.seal(7, &[9u8; 32]).expect("seals"),
            "a fresh nonce each time"
        );
        let mut tampered = sealed.into_bytes();
        tampered[30] = if tampered[30] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).expect("hex");
        assert!(k.open_key(7, &tampered).is_err());
    }
}
