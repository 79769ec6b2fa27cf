//! Every message between the app and a device, as CBOR (RFC 8949) in an
//! envelope `{ "v": u16, "id": u32, "body": { "<tag>": { ..fields } } }`.
//!
//! The body is a single-entry map from a snake_case tag to the message's own
//! map, so firmware in C can dispatch on one text string and ignore what it
//! does not know. Tags are unique across [`Request`] (app → device),
//! [`Response`] (device → app, answering a request with the same `id`) and
//! [`Event`] (device → app, unsolicited), so a notification can be classified
//! without context ([`decode_from_device`]).
//!
//! Crypto values travel as plain CBOR byte strings (fixed-size where the
//! algorithm fixes the size); this module does not depend on the crypto
//! modules, and they do not depend on it.
//!
//! Decoding is bounded (ETSI EN 303 645 provision 4.13-1): a cap on the input
//! size, on nesting depth, on every text and byte string and on every array
//! and map — all checked before a typed value is built — then per-message
//! semantic checks ([`Body::validate`]). An unknown tag is a typed
//! [`MessageError::UnknownMessage`], so new messages (updates, consent,
//! deletion) can be added without breaking old peers.
//!
//! Control messages ([`Request::SetPlug`], [`Request::SetWifi`], user
//! management, factory reset …) are only honoured inside a [`Sealed`]
//! request of an authenticated session (provision 4.5-1); enforcing that is
//! the device core's job.
//!
//! # Files, by role
//! - `request.rs`: what the app sends ([`Request`] and its bodies);
//! - `response.rs`: what the device answers ([`Response`], [`DeviceError`]);
//! - `event.rs`: what the device pushes unasked ([`Event`], [`WifiStatus`]);
//! - `provisioning.rs`: the secrets sealed inside `Pake3` ([`Provisioning`]);
//! - `values.rs`: value types both directions share, and their bounds;
//! - `codec.rs`: the bounded encoder and decoders ([`Limits`], [`decode`]);
//! - `error.rs`: [`MessageError`].
//!
//! Every item is re-exported here, so `message::Pake1` names it whichever
//! file it lives in, and a firmware author reads one file per direction.

mod codec;
mod error;
mod event;
mod provisioning;
mod request;
mod response;
mod values;

pub use codec::{FromDevice, Limits, decode, decode_from_device, encode};
pub use error::MessageError;
pub use event::{Event, WifiAuthFailure, WifiStatus};
pub use provisioning::Provisioning;
pub use request::{
    AddUser, FactoryReset, GetDeviceInfo, GetPlug, OwnerAuth, OwnerHello, PairingParamsRequest,
    Pake1, Pake3, ReadTemperature, RemoveUser, Request, SetPlug, SetWifi,
};
pub use response::{
    DeviceError, DeviceHello, Done, ITERATIONS, MAX_CERTIFICATES, PairingParamsResponse, Pake2,
    PlugState, ProvisioningAck, Response, SALT_LEN, Temperature, UserAdded,
};
pub use values::{Capability, DeviceInfo, Passphrase, Role, Sealed};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The protocol version this crate speaks, carried in every envelope's `v`.
pub const PROTOCOL_VERSION: u16 = 1;

/// The outer frame of every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<B> {
    /// Protocol version of the sender ([`PROTOCOL_VERSION`]).
    pub v: u16,
    /// Request id chosen by the app; a response repeats it. Events count
    /// their own ids on the device.
    pub id: u32,
    pub body: B,
}

impl<B> Envelope<B> {
    /// An envelope at this crate's [`PROTOCOL_VERSION`].
    pub fn new(id: u32, body: B) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            id,
            body,
        }
    }
}

/// A message kind that can sit in an envelope's body.
pub trait Body: Serialize + DeserializeOwned {
    /// Every tag this kind encodes to; any other tag is
    /// [`MessageError::UnknownMessage`] for this kind.
    const TAGS: &'static [&'static str];

    /// The tag this value encodes to.
    fn tag(&self) -> &'static str;

    /// Semantic checks beyond the generic bounds (sizes the protocol fixes).
    ///
    /// # Errors
    /// [`MessageError::InvalidField`] naming the first offending field.
    fn validate(&self) -> Result<(), MessageError> {
        Ok(())
    }
}
