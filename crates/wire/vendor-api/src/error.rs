//! Errors of the wire types and of the vendor client.

/// Everything that can be wrong with what the vendor service sent, or with reaching it.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("value cannot be encoded canonically: {0}")]
    NotCanonicalisable(&'static str),
    #[error("catalogue entry breaks a rule: {0}")]
    InvalidCatalogueEntry(String),
    #[error("catalogue entry is signed with an unknown algorithm")]
    UnknownSignatureAlgorithm,
    #[error("catalogue entry is signed with a key other than the vendor profile's")]
    UnknownCatalogueKey,
    #[error("catalogue signature does not match the entry (altered in transit or forged)")]
    BadSignature,
    #[error("response is not the expected JSON: {0}")]
    Malformed(String),
}

impl WireError {
    /// Stable machine code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotCanonicalisable(_) => "wire.not_canonicalisable",
            Self::InvalidCatalogueEntry(_) => "wire.invalid_catalogue_entry",
            Self::UnknownSignatureAlgorithm => "wire.unknown_signature_algorithm",
            Self::UnknownCatalogueKey => "wire.unknown_catalogue_key",
            Self::BadSignature => "wire.bad_signature",
            Self::Malformed(_) => "wire.malformed",
        }
    }
}
