//! `SetupCode::parse` on any text never panics, and a code read from a QR
//! payload re-encodes (QR and manual code) to codes that read back the same.
#![no_main]

use hearth_protocol::setup_code::{DiscriminatorHint, SetupCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = SetupCode::parse(text) else {
        return;
    };
    let DiscriminatorHint::Full(discriminator) = parsed.discriminator else {
        return;
    };
    let code = SetupCode {
        version: parsed.version,
        discriminator,
        passcode: parsed.passcode.clone(),
    };
    assert_eq!(
        SetupCode::parse(&code.qr_payload()).expect("own QR payload"),
        parsed
    );
    let manual = SetupCode::parse(&code.manual_code()).expect("own manual code");
    assert_eq!(manual.passcode, parsed.passcode);
    assert!(manual.discriminator.matches(discriminator));
});
