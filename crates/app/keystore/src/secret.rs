//! The owner key's bytes as they travel to and from the keyring.
//!
//! A record is `version (1 byte, = 1) || Ed25519 secret (32 bytes)`. The
//! version byte lets a later build change the format and still tell an old
//! record from a damaged one.

use std::fmt;

use hearth_protocol::handshake::OwnerKey;
use zeroize::{Zeroize, Zeroizing};

use crate::error::CorruptProblem;

/// The only format this build writes.
const VERSION: u8 = 1;
/// Length of a record in the keyring.
pub(crate) const RECORD_LEN: usize = 33;

/// Secret bytes bound for or read from the keyring.
///
/// Wiped on drop, `Debug` prints `<redacted>`, no `Display`, no `Serialize`,
/// no `Clone`: the bytes exist once, for as short as the call that needs
/// them (ETSI EN 303 645 provision 4.4-1 [5.4-1]).
pub(crate) struct SecretRecord(Zeroizing<Vec<u8>>);

impl fmt::Debug for SecretRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretRecord(<redacted>)")
    }
}

impl SecretRecord {
    /// The record for `key`.
    pub(crate) fn encode(key: &OwnerKey) -> Self {
        let secret = key.secret_bytes();
        let mut record = Zeroizing::new(Vec::with_capacity(RECORD_LEN));
        record.push(VERSION);
        record.extend_from_slice(secret.as_ref());
        Self(record)
    }

    /// Takes ownership of bytes read from a store, so they are wiped on every
    /// path out of the caller.
    pub(crate) fn from_store(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The bytes to hand to the store.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The owner key in this record.
    ///
    /// # Errors
    /// A [`CorruptProblem`] when the record is not one this build wrote.
    pub(crate) fn decode(&self) -> Result<OwnerKey, CorruptProblem> {
        let Some((&version, secret)) = self.0.split_first() else {
            return Err(CorruptProblem::WrongLength { actual: 0 });
        };
        if self.0.len() != RECORD_LEN {
            return Err(CorruptProblem::WrongLength {
                actual: self.0.len(),
            });
        }
        if version != VERSION {
            return Err(CorruptProblem::UnknownVersion(version));
        }
        let mut fixed = Zeroizing::new([0u8; 32]);
        fixed.copy_from_slice(secret);
        let key = OwnerKey::from_secret_bytes(&fixed);
        fixed.zeroize();
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_decode_is_the_same_key(secret in any::<[u8; 32]>()) {
            let key = OwnerKey::from_secret_bytes(&secret);
            let record = SecretRecord::encode(&key);
            prop_assert_eq!(record.as_bytes().len(), RECORD_LEN);
            let back = record.decode().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back.public(), key.public());
            prop_assert_eq!(*back.secret_bytes(), secret);
        }

        #[test]
        fn any_other_length_is_wrong_length(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assume!(bytes.len() != RECORD_LEN);
            let len = bytes.len();
            prop_assert_eq!(
                SecretRecord::from_store(bytes).decode().err(),
                Some(CorruptProblem::WrongLength { actual: len })
            );
        }
    }

    #[test]
    fn unknown_version_is_refused() {
        let mut bytes = vec![2u8];
        bytes.extend_from_slice(&[7u8; 32]);
        assert_eq!(
            SecretRecord::from_store(bytes).decode().err(),
            Some(CorruptProblem::UnknownVersion(2))
        );
    }

    #[test]
    fn debug_is_redacted() {
        let key = OwnerKey::from_secret_bytes(&[0xAB; 32]);
        let shown = format!("{:?}", SecretRecord::encode(&key));
        assert_eq!(shown, "SecretRecord(<redacted>)");
        assert!(!shown.to_lowercase().contains("ab"));
    }
}
