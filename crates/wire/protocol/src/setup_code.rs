//! Per-device setup codes: a random passcode and a discriminator, printed as
//! a QR payload and an 11-digit manual code (ETSI EN 303 645 provision 4.1-1:
//! no universal default password; each device gets its own, unpredictable one).
//!
//! # Passcode
//! 27 random bits from the caller's CSPRNG, redrawn until the value is one
//! Matter allows (`1..=99_999_998`, and none of `11111111`…`88888888`,
//! `12345678`, `87654321`). It is never derived from MAC, serial or model.
//! The device keeps only the SPAKE2+ verifier made from it (see
//! [`crate::spake2`]).
//!
//! # Manual code (11 digits), after Matter's manual pairing code (Core spec 5.1.4.1)
//! ```text
//! digit  1      : version (bit 2, must be 0) | short discriminator bits 3..2
//! digits 2..6   : short discriminator bits 1..0 << 14 | passcode bits 13..0
//! digits 7..10  : passcode bits 26..14
//! digit  11     : Verhoeff check digit over digits 1..10
//! ```
//! The short discriminator is the top 4 bits of the 12-bit discriminator, so
//! a manual code narrows the device down to 1 in 16 discriminators only;
//! [`DiscriminatorHint`] says which form was read. It is printed as
//! `DDDD-DDD-DDDD`; [`SetupCode::parse`] ignores spaces and dashes.
//!
//! # QR payload
//! `HRT1:` then 14 characters of Matter's base-38 alphabet
//! (`0-9A-Z-.`, all in the QR alphanumeric mode) encoding 8 bytes:
//! ```text
//! bytes 0..6 : little-endian 48-bit word: version (3 bits) | discriminator (12) << 3
//!              | passcode (27) << 15 | 6 reserved zero bits
//! bytes 6..8 : first two bytes of SHA-256("hearth/setup-code/v1" || bytes 0..6)
//! ```
//! The checksum catches scanning and typing damage; it is not a MAC.

use std::fmt;

use rand::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The only setup code version this build issues and accepts.
pub const SETUP_CODE_VERSION: u8 = 0;
/// The prefix of every QR payload.
pub const QR_PREFIX: &str = "HRT1:";

const PASSCODE_BITS: u32 = 27;
const PASSCODE_MASK: u32 = (1 << PASSCODE_BITS) - 1;
const PASSCODE_MAX: u32 = 99_999_998;
const DISCRIMINATOR_MAX: u16 = 0x0FFF;
const QR_BODY_LEN: usize = 14;
const QR_BYTES: usize = 8;
const QR_CHECKSUM_DOMAIN: &[u8] = b"hearth/setup-code/v1";
const BASE38: &[u8; 38] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";

/// Why a setup code, passcode or discriminator was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupCodeError {
    /// A manual code without 11 digits (after removing spaces and dashes).
    #[error("a manual setup code has 11 digits, this one has {0}")]
    WrongLength(usize),
    /// A manual code with a character that is not a digit, space or dash.
    #[error("the manual setup code contains a character that is not a digit")]
    NonDigit,
    /// The Verhoeff check digit does not match: a typo.
    #[error("the check digit of the manual setup code does not match")]
    BadCheckDigit,
    /// A version this build does not know.
    #[error("setup code version {0} is not supported")]
    UnknownVersion(u8),
    /// Text that is neither a manual code nor starts with `HRT1:`.
    #[error("the QR payload does not start with {QR_PREFIX}")]
    BadQrPrefix,
    /// A QR payload of the wrong length or with a character outside base-38.
    #[error("the QR payload is malformed")]
    MalformedQr,
    /// The QR payload's checksum does not match.
    #[error("the QR payload's checksum does not match")]
    BadQrChecksum,
    /// A passcode Matter's rules forbid (0, repeated digits, sequences, too large).
    #[error("the passcode is not an allowed value")]
    InvalidPasscode,
    /// A discriminator of more than 12 bits.
    #[error("the discriminator {0} does not fit in 12 bits")]
    InvalidDiscriminator(u16),
}

impl SetupCodeError {
    /// A stable machine code for the UI and logs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength(_) => "setup_code.wrong_length",
            Self::NonDigit => "setup_code.non_digit",
            Self::BadCheckDigit => "setup_code.bad_check_digit",
            Self::UnknownVersion(_) => "setup_code.unknown_version",
            Self::BadQrPrefix => "setup_code.bad_qr_prefix",
            Self::MalformedQr => "setup_code.malformed_qr",
            Self::BadQrChecksum => "setup_code.bad_qr_checksum",
            Self::InvalidPasscode => "setup_code.invalid_passcode",
            Self::InvalidDiscriminator(_) => "setup_code.invalid_discriminator",
        }
    }
}

/// The secret half of a setup code: a 27-bit number Matter's rules allow.
///
/// Invariant: always an allowed value. `Debug` and `Display` print
/// `<redacted>`; the value is zeroized on drop and never serialized.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Passcode(u32);

impl Passcode {
    /// Accepts `value` if Matter's rules allow it.
    ///
    /// # Errors
    /// [`SetupCodeError::InvalidPasscode`] for 0, 11111111…88888888,
    /// 12345678, 87654321 and anything above 99999998.
    pub fn new(value: u32) -> Result<Self, SetupCodeError> {
        if is_allowed_passcode(value) {
            Ok(Self(value))
        } else {
            Err(SetupCodeError::InvalidPasscode)
        }
    }

    /// Draws a fresh passcode from `rng`, which must be the OS CSPRNG (or a
    /// seeded one in tests): 27 random bits, redrawn until allowed.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        loop {
            let candidate = rng.next_u32() & PASSCODE_MASK;
            if is_allowed_passcode(candidate) {
                return Self(candidate);
            }
        }
    }

    /// The number itself, for deriving the SPAKE2+ secret and printing the
    /// label. Keep it out of logs.
    #[must_use]
    pub fn expose_secret(&self) -> u32 {
        self.0
    }
}

impl fmt::Debug for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passcode(<redacted>)")
    }
}

impl fmt::Display for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Matter's rule (Core spec 5.1.7.1) for passcodes a device may be given.
fn is_allowed_passcode(value: u32) -> bool {
    const REJECTED: [u32; 11] = [
        11_111_111, 22_222_222, 33_333_333, 44_444_444, 55_555_555, 66_666_666, 77_777_777,
        88_888_888, 12_345_678, 87_654_321, 0,
    ];
    (1..=PASSCODE_MAX).contains(&value) && !REJECTED.contains(&value)
}

/// A 12-bit number that tells devices in pairing mode apart in BLE
/// advertisements. Public, not secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Discriminator(u16);

impl Discriminator {
    /// # Errors
    /// [`SetupCodeError::InvalidDiscriminator`] above `0x0FFF`.
    pub fn new(value: u16) -> Result<Self, SetupCodeError> {
        if value <= DISCRIMINATOR_MAX {
            Ok(Self(value))
        } else {
            Err(SetupCodeError::InvalidDiscriminator(value))
        }
    }

    /// A random discriminator.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        // Truncating to 12 bits is the point.
        Self((rng.next_u32() & u32::from(DISCRIMINATOR_MAX)) as u16)
    }

    /// The 12-bit value.
    #[must_use]
    pub fn value(self) -> u16 {
        self.0
    }

    /// The top 4 bits, all a manual code carries.
    #[must_use]
    pub fn short(self) -> u8 {
        // At most 4 bits remain after the shift.
        (self.0 >> 8) as u8
    }
}

/// What a parsed code says about the discriminator: all 12 bits (QR) or
/// only the top 4 (manual code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscriminatorHint {
    /// From a QR payload.
    Full(Discriminator),
    /// From a manual code: the top 4 bits.
    Short(u8),
}

impl DiscriminatorHint {
    /// Whether an advertised discriminator may belong to this code.
    #[must_use]
    pub fn matches(self, advertised: Discriminator) -> bool {
        match self {
            Self::Full(full) => full == advertised,
            Self::Short(short) => short == advertised.short(),
        }
    }
}

/// A device's setup code as the factory issues it and prints on the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupCode {
    /// Setup code format version; [`SETUP_CODE_VERSION`].
    pub version: u8,
    /// Tells devices apart before pairing.
    pub discriminator: Discriminator,
    /// The secret.
    pub passcode: Passcode,
}

/// A setup code as read from a label: from a manual code only the short
/// discriminator is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSetupCode {
    /// Setup code format version.
    pub version: u8,
    /// The full or short discriminator.
    pub discriminator: DiscriminatorHint,
    /// The secret.
    pub passcode: Passcode,
}

impl SetupCode {
    /// A fresh code with a random discriminator and passcode.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            version: SETUP_CODE_VERSION,
            discriminator: Discriminator::generate(rng),
            passcode: Passcode::generate(rng),
        }
    }

    /// The 11-digit manual code, grouped `DDDD-DDD-DDDD` for the label.
    #[must_use]
    pub fn manual_code(&self) -> String {
        let digits = self.manual_digits();
        format!(
            "{}-{}-{}",
            digits.get(0..4).unwrap_or_default(),
            digits.get(4..7).unwrap_or_default(),
            digits.get(7..11).unwrap_or_default()
        )
    }

    /// The 11 digits of the manual code with no separators.
    #[must_use]
    pub fn manual_digits(&self) -> String {
        let short = u32::from(self.discriminator.short());
        let passcode = self.passcode.expose_secret();
        let first = (u32::from(self.version & 1) << 2) | (short >> 2);
        let second = ((short & 0x3) << 14) | (passcode & 0x3FFF);
        let third = passcode >> 14;
        let mut digits = format!("{first:01}{second:05}{third:04}");
        digits.push(char::from(b'0' + verhoeff_check_digit(digits.as_bytes())));
        digits
    }

    /// The QR payload: `HRT1:` and 14 base-38 characters.
    #[must_use]
    pub fn qr_payload(&self) -> String {
        let word = u64::from(self.version & 0x7)
            | (u64::from(self.discriminator.value()) << 3)
            | (u64::from(self.passcode.expose_secret()) << 15);
        let mut bytes = [0u8; QR_BYTES];
        let (data, check) = bytes.split_at_mut(6);
        data.copy_from_slice(word.to_le_bytes().get(..6).unwrap_or(&[0; 6]));
        check.copy_from_slice(&qr_checksum(data));
        let mut payload = String::from(QR_PREFIX);
        payload.push_str(&base38_encode(&bytes));
        payload
    }

    /// Reads a manual code (digits with optional spaces and dashes) or a QR
    /// payload (`HRT1:…`).
    ///
    /// # Errors
    /// Says which part is wrong: [`SetupCodeError::WrongLength`],
    /// [`NonDigit`](SetupCodeError::NonDigit),
    /// [`BadCheckDigit`](SetupCodeError::BadCheckDigit),
    /// [`UnknownVersion`](SetupCodeError::UnknownVersion),
    /// [`BadQrPrefix`](SetupCodeError::BadQrPrefix),
    /// [`MalformedQr`](SetupCodeError::MalformedQr),
    /// [`BadQrChecksum`](SetupCodeError::BadQrChecksum),
    /// [`InvalidPasscode`](SetupCodeError::InvalidPasscode).
    pub fn parse(text: &str) -> Result<ParsedSetupCode, SetupCodeError> {
        let text = text.trim();
        // A QR payload starts with a letter; a manual code never contains one
        // there, so a stray letter later in a manual code reads as `NonDigit`.
        if text.contains(':') || text.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return parse_qr(text);
        }
        parse_manual(text)
    }
}

fn parse_manual(text: &str) -> Result<ParsedSetupCode, SetupCodeError> {
    let mut digits = Vec::with_capacity(11);
    for c in text.chars() {
        match c {
            ' ' | '-' => {}
            '0'..='9' => digits.push(c as u8 - b'0'),
            _ => return Err(SetupCodeError::NonDigit),
        }
    }
    let [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, check] = digits[..] else {
        return Err(SetupCodeError::WrongLength(digits.len()));
    };
    let body = [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9];
    let ascii = body.map(|d| d + b'0');
    if verhoeff_check_digit(&ascii) != check {
        return Err(SetupCodeError::BadCheckDigit);
    }
    let number = |ds: &[u8]| ds.iter().fold(0u32, |acc, d| acc * 10 + u32::from(*d));
    let first = u32::from(d0);
    if first > 3 {
        // Bit 2 set would mean a longer code with vendor and product ids.
        return Err(SetupCodeError::UnknownVersion(d0 >> 2));
    }
    let second = number(&[d1, d2, d3, d4, d5]);
    let third = number(&[d6, d7, d8, d9]);
    if second > 0xFFFF || third > 0x1FFF {
        return Err(SetupCodeError::InvalidPasscode);
    }
    let short = ((first & 0x3) << 2) | (second >> 14);
    let passcode = Passcode::new((third << 14) | (second & 0x3FFF))?;
    Ok(ParsedSetupCode {
        version: SETUP_CODE_VERSION,
        // At most 4 bits.
        discriminator: DiscriminatorHint::Short(short as u8),
        passcode,
    })
}

fn parse_qr(text: &str) -> Result<ParsedSetupCode, SetupCodeError> {
    let body = text
        .strip_prefix(QR_PREFIX)
        .ok_or(SetupCodeError::BadQrPrefix)?;
    if body.len() != QR_BODY_LEN {
        return Err(SetupCodeError::MalformedQr);
    }
    let bytes = base38_decode(body.as_bytes()).ok_or(SetupCodeError::MalformedQr)?;
    let (data, check) = bytes.split_at(6);
    if qr_checksum(data) != check {
        return Err(SetupCodeError::BadQrChecksum);
    }
    let mut word_bytes = [0u8; 8];
    word_bytes
        .get_mut(..6)
        .ok_or(SetupCodeError::MalformedQr)?
        .copy_from_slice(data);
    let word = u64::from_le_bytes(word_bytes);
    // Each field is masked to its width before narrowing.
    let version = (word & 0x7) as u8;
    if version != SETUP_CODE_VERSION {
        return Err(SetupCodeError::UnknownVersion(version));
    }
    if word >> 42 != 0 {
        return Err(SetupCodeError::MalformedQr);
    }
    let discriminator = Discriminator::new(((word >> 3) & 0x0FFF) as u16)?;
    let passcode = Passcode::new(((word >> 15) & u64::from(PASSCODE_MASK)) as u32)?;
    Ok(ParsedSetupCode {
        version,
        discriminator: DiscriminatorHint::Full(discriminator),
        passcode,
    })
}

fn qr_checksum(data: &[u8]) -> [u8; 2] {
    let digest = Sha256::new()
        .chain_update(QR_CHECKSUM_DOMAIN)
        .chain_update(data)
        .finalize();
    [digest[0], digest[1]]
}

/// Matter's base-38 (Core spec 5.1.3.1): 3 bytes → 5 chars, 2 → 4, 1 → 2,
/// least significant character first.
fn base38_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value = chunk
            .iter()
            .rev()
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        let chars = match chunk.len() {
            3 => 5,
            2 => 4,
            _ => 2,
        };
        let mut rest = value;
        for _ in 0..chars {
            out.push(char::from(BASE38[(rest % 38) as usize]));
            rest /= 38;
        }
    }
    out
}

fn base38_decode(text: &[u8]) -> Option<[u8; QR_BYTES]> {
    let mut out = Vec::with_capacity(QR_BYTES);
    // 14 chars = 5 + 5 + 4: two 3-byte chunks and one 2-byte chunk.
    for (chunk, bytes) in text.chunks(5).zip([3usize, 3, 2]) {
        let chars = if bytes == 3 { 5 } else { 4 };
        if chunk.len() != chars {
            return None;
        }
        let mut value: u32 = 0;
        for c in chunk.iter().rev() {
            let digit = BASE38.iter().position(|a| a == c)?;
            value = value
                .checked_mul(38)?
                .checked_add(u32::try_from(digit).ok()?)?;
        }
        if value >> (8 * bytes) != 0 {
            return None;
        }
        out.extend_from_slice(value.to_le_bytes().get(..bytes)?);
    }
    out.try_into().ok()
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// The Verhoeff check digit of ASCII digits (non-digits count as 0; callers
/// pass digits only). Catches every single-digit error and every adjacent
/// transposition.
#[must_use]
pub fn verhoeff_check_digit(ascii_digits: &[u8]) -> u8 {
    let mut c = 0u8;
    for (i, ch) in ascii_digits.iter().rev().enumerate() {
        let digit = usize::from(ch.wrapping_sub(b'0') % 10);
        let p = VERHOEFF_P[(i + 1) % 8][digit];
        c = VERHOEFF_D[usize::from(c)][usize::from(p)];
    }
    VERHOEFF_INV[usize::from(c)]
}

/// Whether `ascii_digits` ends in its correct Verhoeff check digit.
#[must_use]
pub fn verhoeff_validate(ascii_digits: &[u8]) -> bool {
    let Some((check, body)) = ascii_digits.split_last() else {
        return false;
    };
    check.wrapping_sub(b'0') == verhoeff_check_digit(body)
}
