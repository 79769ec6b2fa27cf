//! The envelope's encoder and its bounded decoders (EN 303 645 provision
//! 4.13-1): every size, depth and count is checked on the generic CBOR value
//! before a typed message is built.

use ciborium::Value;
use serde::Serialize;

use super::{Body, Envelope, Event, MessageError, PROTOCOL_VERSION, Response};

/// Bounds applied while decoding untrusted bytes (provision 4.13-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded message accepted, in bytes.
    pub max_input_len: usize,
    /// Deepest nesting of arrays, maps and tags.
    pub max_depth: usize,
    /// Longest text string, in bytes.
    pub max_text_len: usize,
    /// Longest byte string.
    pub max_bytes_len: usize,
    /// Most entries in any array or map.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_len: 64 * 1024,
            // The deepest real message (envelope/body/pake2/chain/cert) nests 5 levels.
            max_depth: 16,
            max_text_len: 256,
            max_bytes_len: 16 * 1024,
            max_items: 64,
        }
    }
}

/// Encode an envelope.
///
/// # Errors
/// [`MessageError::InvalidField`] if the body breaks its own bounds, and
/// [`MessageError::TooLarge`] if it would not fit the default [`Limits`] —
/// so a peer never has to reject what we send.
pub fn encode<B: Body>(envelope: &Envelope<B>) -> Result<Vec<u8>, MessageError> {
    envelope.body.validate()?;
    // A borrowed mirror of the envelope, so field order on the wire is fixed.
    #[derive(Serialize)]
    struct Out<'a, B> {
        v: u16,
        id: u32,
        body: &'a B,
    }
    let mut bytes = Vec::new();
    ciborium::into_writer(
        &Out {
            v: envelope.v,
            id: envelope.id,
            body: &envelope.body,
        },
        &mut bytes,
    )
    .map_err(|e| MessageError::Encode {
        reason: e.to_string(),
    })?;
    let max = Limits::default().max_input_len;
    if bytes.len() > max {
        return Err(MessageError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    Ok(bytes)
}

/// Decode an envelope of one kind (e.g. a device decodes `Envelope<Request>`).
///
/// # Errors
/// Bounds ([`MessageError::TooLarge`], [`MessageError::TooDeep`],
/// [`MessageError::OutOfBounds`]), CBOR errors, [`MessageError::TrailingBytes`],
/// [`MessageError::UnsupportedVersion`], [`MessageError::UnknownMessage`] for a
/// tag outside `B::TAGS`, and [`MessageError::Malformed`] /
/// [`MessageError::InvalidField`] for a known tag with bad contents.
pub fn decode<B: Body>(bytes: &[u8], limits: &Limits) -> Result<Envelope<B>, MessageError> {
    let raw = decode_raw(bytes, limits)?;
    if !B::TAGS.contains(&raw.tag.as_str()) {
        return Err(MessageError::UnknownMessage { tag: raw.tag });
    }
    raw.into_envelope()
}

/// A message from the device: an answer or an unsolicited event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromDevice {
    Response(Envelope<Response>),
    Event(Envelope<Event>),
}

/// Decode a notification from the device, telling responses from events by tag.
///
/// # Errors
/// As [`decode`].
pub fn decode_from_device(bytes: &[u8], limits: &Limits) -> Result<FromDevice, MessageError> {
    let raw = decode_raw(bytes, limits)?;
    if Response::TAGS.contains(&raw.tag.as_str()) {
        raw.into_envelope().map(FromDevice::Response)
    } else if Event::TAGS.contains(&raw.tag.as_str()) {
        raw.into_envelope().map(FromDevice::Event)
    } else {
        Err(MessageError::UnknownMessage { tag: raw.tag })
    }
}

struct RawEnvelope {
    v: u16,
    id: u32,
    tag: String,
    body: Value,
}

impl RawEnvelope {
    fn into_envelope<B: Body>(self) -> Result<Envelope<B>, MessageError> {
        let body: B = self.body.deserialized().map_err(MessageError::malformed)?;
        body.validate()?;
        Ok(Envelope {
            v: self.v,
            id: self.id,
            body,
        })
    }
}

fn decode_raw(bytes: &[u8], limits: &Limits) -> Result<RawEnvelope, MessageError> {
    let value = decode_value(bytes, limits)?;
    let Value::Map(entries) = value else {
        return Err(MessageError::malformed("envelope is not a map"));
    };
    let (mut v, mut id, mut body) = (None, None, None);
    for (key, value) in entries {
        let slot = match key.as_text() {
            Some("v") => &mut v,
            Some("id") => &mut id,
            Some("body") => &mut body,
            // Unknown envelope fields are ignored so later versions can add some.
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(MessageError::malformed("duplicate envelope field"));
        }
    }
    let v = integer(v, "v")?;
    if v != u64::from(PROTOCOL_VERSION) {
        return Err(MessageError::UnsupportedVersion { got: v });
    }
    let id = u32::try_from(integer(id, "id")?)
        .map_err(|_| MessageError::invalid("id", "must fit in 32 bits"))?;
    let body = body.ok_or_else(|| MessageError::malformed("envelope has no body"))?;
    let tag = match &body {
        Value::Text(tag) => tag.clone(),
        Value::Map(entries) => match entries.as_slice() {
            [(Value::Text(tag), _)] => tag.clone(),
            _ => return Err(MessageError::malformed("body is not a single-entry map")),
        },
        _ => return Err(MessageError::malformed("body is not a map")),
    };
    Ok(RawEnvelope {
        v: PROTOCOL_VERSION,
        id,
        tag,
        body,
    })
}

fn integer(value: Option<Value>, field: &'static str) -> Result<u64, MessageError> {
    let value = value.ok_or(MessageError::InvalidField {
        field,
        reason: "missing",
    })?;
    value
        .as_integer()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or(MessageError::InvalidField {
            field,
            reason: "must be an unsigned integer",
        })
}

/// Parse CBOR into a generic value within `limits`, then check every string
/// and collection against them before any typed value is built.
pub(super) fn decode_value(bytes: &[u8], limits: &Limits) -> Result<Value, MessageError> {
    if bytes.len() > limits.max_input_len {
        return Err(MessageError::TooLarge {
            len: bytes.len(),
            max: limits.max_input_len,
        });
    }
    let mut reader = bytes;
    let value: Value =
        ciborium::de::from_reader_with_recursion_limit(&mut reader, limits.max_depth).map_err(
            |e| match e {
                ciborium::de::Error::Io(_) => MessageError::Truncated,
                ciborium::de::Error::Syntax(offset) => MessageError::Syntax { offset },
                ciborium::de::Error::Semantic(_, reason) => MessageError::Malformed { reason },
                ciborium::de::Error::RecursionLimitExceeded => MessageError::TooDeep {
                    max: limits.max_depth,
                },
            },
        )?;
    if !reader.is_empty() {
        return Err(MessageError::TrailingBytes {
            count: reader.len(),
        });
    }
    check_bounds(&value, limits)?;
    Ok(value)
}

fn check_bounds(value: &Value, limits: &Limits) -> Result<(), MessageError> {
    let out_of_bounds = |kind, len, max| Err(MessageError::OutOfBounds { kind, len, max });
    // The tree is at most `max_depth` deep (the parser enforced it), so
    // recursion here is bounded too.
    match value {
        Value::Text(text) if text.len() > limits.max_text_len => {
            out_of_bounds("text string", text.len(), limits.max_text_len)
        }
        Value::Bytes(bytes) if bytes.len() > limits.max_bytes_len => {
            out_of_bounds("byte string", bytes.len(), limits.max_bytes_len)
        }
        Value::Array(items) => {
            if items.len() > limits.max_items {
                return out_of_bounds("array", items.len(), limits.max_items);
            }
            items.iter().try_for_each(|item| check_bounds(item, limits))
        }
        Value::Map(entries) => {
            if entries.len() > limits.max_items {
                return out_of_bounds("map", entries.len(), limits.max_items);
            }
            entries.iter().try_for_each(|(key, value)| {
                check_bounds(key, limits)?;
                check_bounds(value, limits)
            })
        }
        Value::Tag(_, inner) => check_bounds(inner, limits),
        _ => Ok(()),
    }
}
