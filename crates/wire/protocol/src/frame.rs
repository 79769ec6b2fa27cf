//! GATT framing, sans-IO: messages split into ATT-sized segments and put back
//! together, with sequence numbers and a sliding window so bulk data (firmware
//! images) flows without a round trip per segment.
//!
//! Modelled on Matter's BTP (Matter core spec §4.18,
//! rs-matter `transport/network/btp.rs`), simplified: no handshake (both ends
//! are configured with the same [`FrameConfig`]) and acks carry no sequence
//! number of their own.
//!
//! # Segment layout
//! ```text
//! byte 0        flags: 0x01 START, 0x02 CONTINUE, 0x04 END, 0x08 ACK; others 0
//! [1 byte]      ack: last data sequence number received in order   (if ACK)
//! [1 byte]      seq: this segment's sequence number       (if START/CONTINUE/END)
//! [4 bytes]     total message length, u32 little-endian              (if START)
//! [rest]        payload
//! ```
//! A data segment is exactly one of START, CONTINUE, END or START|END, with
//! ACK optionally piggybacked; an ack-only segment is `[0x08, ack]`. Sequence
//! numbers count data segments per direction from 0, wrapping at 256, across
//! messages. A segment is at most `mtu - 3` bytes (the ATT payload).
//!
//! # Window
//! A sender has at most `window` data segments unacknowledged. A receiver
//! acknowledges after every `window / 2` segments (rounded up) and at the end
//! of every message, piggybacking on its own data when it has any.
//!
//! # Errors
//! Every malformed or out-of-order segment is a typed [`FrameError`]; none
//! panics (EN 303 645 provision 4.13-1). After an error the link's state
//! cannot be trusted: the transport should drop the connection.

use std::collections::VecDeque;

const START: u8 = 0x01;
const CONTINUE: u8 = 0x02;
const END: u8 = 0x04;
const ACK: u8 = 0x08;
const DATA_FLAGS: u8 = START | CONTINUE | END;
const START_END: u8 = START | END;

/// Bytes of the ATT header that an MTU includes but a payload cannot use.
const ATT_OVERHEAD: usize = 3;
/// BLE's minimum ATT MTU (Core spec Vol 3 Part F §3.2.8).
pub const MIN_MTU: usize = 23;
/// Largest ATT MTU BLE allows.
pub const MAX_MTU: usize = 517;
/// Largest window that still lets a receiver tell a duplicate from a gap
/// with 8-bit sequence numbers.
pub const MAX_WINDOW: u8 = 127;

/// Why a segment was rejected or a message could not be framed. Each variant
/// has a stable machine code ([`FrameError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("MTU {mtu} is outside {MIN_MTU}..={MAX_MTU}")]
    InvalidMtu { mtu: usize },
    #[error("window {window} is outside 1..={MAX_WINDOW}")]
    InvalidWindow { window: u8 },
    #[error("segment of {len} bytes is shorter than its header")]
    Truncated { len: usize },
    #[error("segment of {len} bytes exceeds the {max}-byte ATT payload")]
    SegmentTooLong { len: usize, max: usize },
    #[error("invalid flag combination {flags:#04x}")]
    InvalidFlags { flags: u8 },
    #[error("ack-only segment has {count} trailing bytes")]
    TrailingBytes { count: usize },
    #[error("message of {len} bytes exceeds the {max}-byte limit")]
    MessageTooLarge { len: usize, max: usize },
    #[error("segment {got} repeats one already received (expected {expected})")]
    Duplicate { expected: u8, got: u8 },
    #[error("segment {got} skips ahead (expected {expected}): a segment is missing")]
    Gap { expected: u8, got: u8 },
    #[error("segment {got} is outside the receive window (expected {expected})")]
    OutOfWindow { expected: u8, got: u8 },
    #[error("peer sent more than {window} segments without waiting for an ack")]
    WindowExceeded { window: u8 },
    #[error("continue or end segment without a start")]
    ContinueWithoutStart,
    #[error("start segment while a message is still being received")]
    StartDuringMessage,
    #[error("data segment carries no payload")]
    EmptySegment,
    #[error("message declared {declared} bytes but segments carry {received}")]
    LengthMismatch { declared: usize, received: usize },
    #[error("ack {ack} does not match any segment in flight")]
    InvalidAck { ack: u8 },
}

impl FrameError {
    /// A stable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidMtu { .. } => "frame.invalid_mtu",
            Self::InvalidWindow { .. } => "frame.invalid_window",
            Self::Truncated { .. } => "frame.truncated",
            Self::SegmentTooLong { .. } => "frame.segment_too_long",
            Self::InvalidFlags { .. } => "frame.invalid_flags",
            Self::TrailingBytes { .. } => "frame.trailing_bytes",
            Self::MessageTooLarge { .. } => "frame.message_too_large",
            Self::Duplicate { .. } => "frame.duplicate",
            Self::Gap { .. } => "frame.gap",
            Self::OutOfWindow { .. } => "frame.out_of_window",
            Self::WindowExceeded { .. } => "frame.window_exceeded",
            Self::ContinueWithoutStart => "frame.continue_without_start",
            Self::StartDuringMessage => "frame.start_during_message",
            Self::EmptySegment => "frame.empty_segment",
            Self::LengthMismatch { .. } => "frame.length_mismatch",
            Self::InvalidAck { .. } => "frame.invalid_ack",
        }
    }
}

/// Framing parameters both ends agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameConfig {
    mtu: usize,
    window: u8,
    max_message_len: usize,
}

impl FrameConfig {
    /// Default largest message: 64 KiB.
    pub const DEFAULT_MAX_MESSAGE_LEN: usize = 64 * 1024;
    /// Default window: 6 unacknowledged segments.
    pub const DEFAULT_WINDOW: u8 = 6;

    /// # Errors
    /// [`FrameError::InvalidMtu`] or [`FrameError::InvalidWindow`].
    pub fn new(mtu: usize, window: u8, max_message_len: usize) -> Result<Self, FrameError> {
        if !(MIN_MTU..=MAX_MTU).contains(&mtu) {
            return Err(FrameError::InvalidMtu { mtu });
        }
        if !(1..=MAX_WINDOW).contains(&window) {
            return Err(FrameError::InvalidWindow { window });
        }
        Ok(Self {
            mtu,
            window,
            max_message_len: max_message_len.min(u32::MAX as usize),
        })
    }

    /// The given MTU with the default window and message limit.
    ///
    /// # Errors
    /// [`FrameError::InvalidMtu`].
    pub fn with_mtu(mtu: usize) -> Result<Self, FrameError> {
        Self::new(mtu, Self::DEFAULT_WINDOW, Self::DEFAULT_MAX_MESSAGE_LEN)
    }

    pub fn mtu(&self) -> usize {
        self.mtu
    }

    pub fn window(&self) -> u8 {
        self.window
    }

    pub fn max_message_len(&self) -> usize {
        self.max_message_len
    }

    /// Largest segment: the ATT payload.
    pub fn max_segment_len(&self) -> usize {
        self.mtu - ATT_OVERHEAD
    }

    fn ack_threshold(&self) -> usize {
        usize::from(self.window.div_ceil(2))
    }
}

/// A parsed segment, borrowing its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment<'a> {
    ack: Option<u8>,
    data: Option<Data<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Data<'a> {
    seq: u8,
    start: bool,
    end: bool,
    total_len: Option<u32>,
    payload: &'a [u8],
}

fn parse(segment: &[u8], max_len: usize) -> Result<Segment<'_>, FrameError> {
    if segment.len() > max_len {
        return Err(FrameError::SegmentTooLong {
            len: segment.len(),
            max: max_len,
        });
    }
    let truncated = || FrameError::Truncated { len: segment.len() };
    let (&flags, mut rest) = segment.split_first().ok_or_else(truncated)?;
    let data_flags = flags & DATA_FLAGS;
    let valid = flags & !(DATA_FLAGS | ACK) == 0
        && matches!(data_flags, 0 | START | CONTINUE | END | START_END)
        && flags != 0;
    if !valid {
        return Err(FrameError::InvalidFlags { flags });
    }
    let ack = if flags & ACK != 0 {
        Some(take_byte(&mut rest).ok_or_else(truncated)?)
    } else {
        None
    };
    if data_flags == 0 {
        return if rest.is_empty() {
            Ok(Segment { ack, data: None })
        } else {
            Err(FrameError::TrailingBytes { count: rest.len() })
        };
    }
    let seq = take_byte(&mut rest).ok_or_else(truncated)?;
    let start = data_flags & START != 0;
    let total_len = if start {
        let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
        rest = tail;
        Some(u32::from_le_bytes(*len))
    } else {
        None
    };
    Ok(Segment {
        ack,
        data: Some(Data {
            seq,
            start,
            end: data_flags & END != 0,
            total_len,
            payload: rest,
        }),
    })
}

fn take_byte(rest: &mut &[u8]) -> Option<u8> {
    let (&byte, tail) = rest.split_first()?;
    *rest = tail;
    Some(byte)
}

/// Splits messages into segments and keeps at most `window` of them
/// unacknowledged.
#[derive(Debug)]
pub struct Segmenter {
    config: FrameConfig,
    queue: VecDeque<Vec<u8>>,
    /// Bytes of the front message already segmented.
    offset: usize,
    next_seq: u8,
    in_flight: u8,
}

impl Segmenter {
    pub fn new(config: FrameConfig) -> Self {
        Self {
            config,
            queue: VecDeque::new(),
            offset: 0,
            next_seq: 0,
            in_flight: 0,
        }
    }

    /// Queue a message for sending.
    ///
    /// # Errors
    /// [`FrameError::MessageTooLarge`] beyond the configured limit.
    pub fn push_message(&mut self, message: Vec<u8>) -> Result<(), FrameError> {
        if message.len() > self.config.max_message_len {
            return Err(FrameError::MessageTooLarge {
                len: message.len(),
                max: self.config.max_message_len,
            });
        }
        self.queue.push_back(message);
        Ok(())
    }

    /// Whether a data segment can be sent now (data queued, window open).
    pub fn can_send(&self) -> bool {
        !self.queue.is_empty() && self.in_flight < self.config.window
    }

    /// Data segments sent and not yet acknowledged.
    pub fn in_flight(&self) -> u8 {
        self.in_flight
    }

    /// Nothing queued and nothing waiting for an ack.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.in_flight == 0
    }

    /// The next data segment, with `ack` piggybacked if given; `None` when
    /// nothing is queued or the window is full.
    pub fn next_segment(&mut self, ack: Option<u8>) -> Option<Vec<u8>> {
        if !self.can_send() {
            return None;
        }
        let message = self.queue.front()?;
        let start = self.offset == 0;
        let mut segment = Vec::with_capacity(self.config.max_segment_len());
        segment.push(0);
        let mut flags = if start { START } else { CONTINUE };
        if let Some(ack) = ack {
            flags |= ACK;
            segment.push(ack);
        }
        segment.push(self.next_seq);
        if start {
            // push_message bounded the length by max_message_len <= u32::MAX.
            let total = u32::try_from(message.len()).unwrap_or(u32::MAX);
            segment.extend_from_slice(&total.to_le_bytes());
        }
        let room = self.config.max_segment_len() - segment.len();
        let end = (self.offset + room).min(message.len());
        segment.extend_from_slice(message.get(self.offset..end).unwrap_or_default());
        if end == message.len() {
            flags = (flags & !CONTINUE) | END;
            self.queue.pop_front();
            self.offset = 0;
        } else {
            self.offset = end;
        }
        if let Some(first) = segment.first_mut() {
            *first = flags;
        }
        self.next_seq = self.next_seq.wrapping_add(1);
        self.in_flight += 1;
        Some(segment)
    }

    /// Record the peer's ack of every segment up to and including `ack`.
    ///
    /// # Errors
    /// [`FrameError::InvalidAck`] if `ack` names no segment in flight.
    pub fn on_ack(&mut self, ack: u8) -> Result<(), FrameError> {
        // Segments in flight are next_seq - in_flight .. next_seq - 1.
        let behind = self.next_seq.wrapping_sub(ack).wrapping_sub(1);
        if behind >= self.in_flight {
            return Err(FrameError::InvalidAck { ack });
        }
        self.in_flight = behind;
        Ok(())
    }
}

/// Reassembles segments into messages, checking order, window and bounds.
#[derive(Debug)]
pub struct Reassembler {
    config: FrameConfig,
    expected_seq: u8,
    partial: Option<Partial>,
    /// Data segments received since the last ack we emitted.
    unacked: usize,
    message_ended: bool,
    peer_ack: Option<u8>,
}

#[derive(Debug)]
struct Partial {
    declared: usize,
    buffer: Vec<u8>,
}

impl Reassembler {
    pub fn new(config: FrameConfig) -> Self {
        Self {
            config,
            expected_seq: 0,
            partial: None,
            unacked: 0,
            message_ended: false,
            peer_ack: None,
        }
    }

    /// Take one received segment; returns a message when its last segment
    /// arrives. An ack the segment carries is kept for [`Self::take_peer_ack`].
    ///
    /// # Errors
    /// Any [`FrameError`] about segment syntax, order, window or size; the
    /// partial message is discarded.
    pub fn push(&mut self, segment: &[u8]) -> Result<Option<Vec<u8>>, FrameError> {
        let parsed = parse(segment, self.config.max_segment_len())?;
        if let Some(ack) = parsed.ack {
            self.peer_ack = Some(ack);
        }
        let Some(data) = parsed.data else {
            return Ok(None);
        };
        self.check_sequence(data.seq)?;
        let result = self.accept(&data);
        if result.is_err() {
            self.partial = None;
        }
        result
    }

    fn check_sequence(&mut self, seq: u8) -> Result<(), FrameError> {
        let expected = self.expected_seq;
        let ahead = seq.wrapping_sub(expected);
        let window = self.config.window;
        if ahead != 0 {
            return Err(if ahead < window {
                FrameError::Gap { expected, got: seq }
            } else if ahead >= 0u8.wrapping_sub(window) {
                FrameError::Duplicate { expected, got: seq }
            } else {
                FrameError::OutOfWindow { expected, got: seq }
            });
        }
        if self.unacked >= usize::from(window) {
            return Err(FrameError::WindowExceeded { window });
        }
        self.expected_seq = seq.wrapping_add(1);
        self.unacked += 1;
        Ok(())
    }

    fn accept(&mut self, data: &Data<'_>) -> Result<Option<Vec<u8>>, FrameError> {
        if data.payload.is_empty() && !(data.start && data.end) {
            return Err(FrameError::EmptySegment);
        }
        let mut partial = match (data.total_len, self.partial.take()) {
            (Some(_), Some(_)) => return Err(FrameError::StartDuringMessage),
            (None, None) => return Err(FrameError::ContinueWithoutStart),
            (None, Some(partial)) => partial,
            (Some(total), None) => {
                let declared = usize::try_from(total).unwrap_or(usize::MAX);
                if declared > self.config.max_message_len {
                    return Err(FrameError::MessageTooLarge {
                        len: declared,
                        max: self.config.max_message_len,
                    });
                }
                Partial {
                    declared,
                    buffer: Vec::with_capacity(declared),
                }
            }
        };
        let received = partial.buffer.len() + data.payload.len();
        let complete = received == partial.declared;
        if received > partial.declared || complete != data.end {
            return Err(FrameError::LengthMismatch {
                declared: partial.declared,
                received,
            });
        }
        partial.buffer.extend_from_slice(data.payload);
        if data.end {
            self.message_ended = true;
            Ok(Some(partial.buffer))
        } else {
            self.partial = Some(partial);
            Ok(None)
        }
    }

    /// Whether the peer needs an ack now: `window / 2` segments are
    /// unacknowledged, or a message has just ended.
    pub fn ack_due(&self) -> bool {
        self.unacked >= self.config.ack_threshold() || (self.unacked > 0 && self.message_ended)
    }

    /// The ack to send (last sequence number received), if any segment is
    /// unacknowledged; resets the count.
    pub fn take_ack(&mut self) -> Option<u8> {
        if self.unacked == 0 {
            return None;
        }
        self.unacked = 0;
        self.message_ended = false;
        Some(self.expected_seq.wrapping_sub(1))
    }

    /// The latest ack the peer sent us, for our [`Segmenter`].
    pub fn take_peer_ack(&mut self) -> Option<u8> {
        self.peer_ack.take()
    }
}

/// One end of a framed GATT link: a [`Segmenter`] and a [`Reassembler`] that
/// pass acks to each other.
#[derive(Debug)]
pub struct Link {
    segmenter: Segmenter,
    reassembler: Reassembler,
}

impl Link {
    pub fn new(config: FrameConfig) -> Self {
        Self {
            segmenter: Segmenter::new(config),
            reassembler: Reassembler::new(config),
        }
    }

    /// Queue a message.
    ///
    /// # Errors
    /// [`FrameError::MessageTooLarge`].
    pub fn send(&mut self, message: Vec<u8>) -> Result<(), FrameError> {
        self.segmenter.push_message(message)
    }

    /// Take a segment from the peer; returns a complete message if any.
    ///
    /// # Errors
    /// Any [`FrameError`]; the connection should then be dropped.
    pub fn receive(&mut self, segment: &[u8]) -> Result<Option<Vec<u8>>, FrameError> {
        let message = self.reassembler.push(segment)?;
        if let Some(ack) = self.reassembler.take_peer_ack() {
            self.segmenter.on_ack(ack)?;
        }
        Ok(message)
    }

    /// The next segment to write or notify: data (with any pending ack
    /// piggybacked) while the window allows, else a bare ack if one is due.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.segmenter.can_send() {
            let ack = self.reassembler.take_ack();
            return self.segmenter.next_segment(ack);
        }
        if self.reassembler.ack_due() {
            let ack = self.reassembler.take_ack()?;
            return Some(vec![ACK, ack]);
        }
        None
    }

    /// Nothing left to send and nothing waiting for the peer's ack.
    pub fn is_idle(&self) -> bool {
        self.segmenter.is_idle()
    }
}
