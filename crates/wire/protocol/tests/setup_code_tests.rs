//! Setup codes: generation rules, both printed forms, typed parse errors, and
//! the Verhoeff digit's guarantees.

use hearth_protocol::setup_code::{
    Discriminator, DiscriminatorHint, Passcode, SetupCode, SetupCodeError, verhoeff_check_digit,
    verhoeff_validate,
};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn code(discriminator: u16, passcode: u32) -> SetupCode {
    SetupCode {
        version: 0,
        discriminator: Discriminator::new(discriminator).unwrap(),
        passcode: Passcode::new(passcode).unwrap(),
    }
}

#[test]
fn forbidden_passcodes_are_refused() {
    for bad in [
        0,
        11_111_111,
        22_222_222,
        33_333_333,
        44_444_444,
        55_555_555,
        66_666_666,
        77_777_777,
        88_888_888,
        12_345_678,
        87_654_321,
        99_999_999,
        100_000_000,
        u32::MAX,
    ] {
        assert_eq!(
            Passcode::new(bad),
            Err(SetupCodeError::InvalidPasscode),
            "{bad}"
        );
    }
    assert!(Passcode::new(1).is_ok());
    assert!(Passcode::new(99_999_998).is_ok());
    assert!(Passcode::new(20_202_021).is_ok());
}

#[test]
fn generated_passcodes_are_allowed_and_spread() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..2000 {
        let passcode = Passcode::generate(&mut rng);
        assert!(Passcode::new(passcode.expose_secret()).is_ok());
        seen.insert(passcode.expose_secret());
    }
    assert!(seen.len() > 1990, "random passcodes should rarely repeat");
}

#[test]
fn passcode_never_prints() {
    let passcode = Passcode::new(20_202_021).unwrap();
    assert_eq!(passcode.to_string(), "<redacted>");
    assert!(!format!("{passcode:?}").contains("20202021"));
    let setup = code(0xF00, 20_202_021);
    assert!(!format!("{setup:?}").contains("20202021"));
}

#[test]
fn manual_code_matches_matters_layout() {
    // Matter's well-known test code: discriminator 3840, passcode 20202021
    // gives 34970112332.
    let setup = code(3840, 20_202_021);
    assert_eq!(setup.manual_digits(), "34970112332");
    assert_eq!(setup.manual_code(), "3497-011-2332");
}

#[test]
fn manual_parse_errors_name_the_part() {
    assert_eq!(
        SetupCode::parse("3497-011-233").unwrap_err(),
        SetupCodeError::WrongLength(10)
    );
    assert_eq!(
        SetupCode::parse("3497-0x1-2332").unwrap_err(),
        SetupCodeError::NonDigit
    );
    assert_eq!(
        SetupCode::parse("3497-011-2333").unwrap_err(),
        SetupCodeError::BadCheckDigit
    );
    // First digit 4..=9: a layout this build does not issue.
    let body = "4497011233";
    let check = verhoeff_check_digit(body.as_bytes());
    assert!(matches!(
        SetupCode::parse(&format!("{body}{check}")).unwrap_err(),
        SetupCodeError::UnknownVersion(_)
    ));
    // A well-formed code carrying a forbidden passcode (0).
    let body = "0000000000";
    let check = verhoeff_check_digit(body.as_bytes());
    assert_eq!(
        SetupCode::parse(&format!("{body}{check}")).unwrap_err(),
        SetupCodeError::InvalidPasscode
    );
    assert_eq!(
        SetupCode::parse("3497 011 2332").unwrap().passcode,
        Passcode::new(20_202_021).unwrap()
    );
}

#[test]
fn qr_parse_errors_name_the_part() {
    let payload = code(3840, 20_202_021).qr_payload();
    assert!(payload.starts_with("HRT1:"));
    assert_eq!(payload.len(), 5 + 14);
    assert_eq!(
        SetupCode::parse(&payload.replacen("HRT1", "HRT2", 1)).unwrap_err(),
        SetupCodeError::BadQrPrefix
    );
    assert_eq!(
        SetupCode::parse(&payload[..payload.len() - 1]).unwrap_err(),
        SetupCodeError::MalformedQr
    );
    assert_eq!(
        SetupCode::parse(&format!("{}a", &payload[..payload.len() - 1])).unwrap_err(),
        SetupCodeError::MalformedQr
    );
    // Changing any one character is caught (checksum or structure).
    let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";
    for at in 5..payload.len() {
        for replacement in alphabet.chars() {
            let mut damaged: Vec<char> = payload.chars().collect();
            if damaged[at] == replacement {
                continue;
            }
            damaged[at] = replacement;
            let damaged: String = damaged.into_iter().collect();
            assert!(SetupCode::parse(&damaged).is_err(), "{damaged}");
        }
    }
    let version_1 = {
        // Re-encode with version 1 by hand through the public type.
        let mut setup = code(3840, 20_202_021);
        setup.version = 1;
        setup.qr_payload()
    };
    assert_eq!(
        SetupCode::parse(&version_1).unwrap_err(),
        SetupCodeError::UnknownVersion(1)
    );
}

#[test]
fn verhoeff_catches_every_single_digit_error_and_adjacent_transposition() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..300 {
        let setup = SetupCode::generate(&mut rng);
        let digits: Vec<u8> = setup.manual_digits().into_bytes();
        assert!(verhoeff_validate(&digits));
        for at in 0..digits.len() {
            for replacement in b'0'..=b'9' {
                if replacement == digits[at] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[at] = replacement;
                assert!(!verhoeff_validate(&typo), "{typo:?}");
            }
            if at + 1 < digits.len() && digits[at] != digits[at + 1] {
                let mut swapped = digits.clone();
                swapped.swap(at, at + 1);
                assert!(!verhoeff_validate(&swapped), "{swapped:?}");
            }
        }
    }
}

#[test]
fn short_discriminator_matches_its_family_only() {
    let parsed = SetupCode::parse(&code(0xABC, 1234).manual_code()).unwrap();
    assert_eq!(parsed.discriminator, DiscriminatorHint::Short(0xA));
    assert!(
        parsed
            .discriminator
            .matches(Discriminator::new(0xA00).unwrap())
    );
    assert!(
        !parsed
            .discriminator
            .matches(Discriminator::new(0xB00).unwrap())
    );
}

fn allowed_passcode() -> impl Strategy<Value = u32> {
    (1u32..=99_999_998).prop_filter("allowed", |p| Passcode::new(*p).is_ok())
}

proptest! {
    #[test]
    fn manual_code_round_trips(discriminator in 0u16..=0x0FFF, passcode in allowed_passcode()) {
        let setup = code(discriminator, passcode);
        let parsed = SetupCode::parse(&setup.manual_code()).unwrap();
        prop_assert_eq!(parsed.passcode.expose_secret(), passcode);
        prop_assert_eq!(parsed.discriminator, DiscriminatorHint::Short(setup.discriminator.short()));
        prop_assert_eq!(parsed.version, 0);
        prop_assert_eq!(setup.manual_digits().len(), 11);
    }

    #[test]
    fn qr_payload_round_trips(discriminator in 0u16..=0x0FFF, passcode in allowed_passcode()) {
        let setup = code(discriminator, passcode);
        let parsed = SetupCode::parse(&setup.qr_payload()).unwrap();
        prop_assert_eq!(parsed.passcode.expose_secret(), passcode);
        prop_assert_eq!(parsed.discriminator, DiscriminatorHint::Full(setup.discriminator));
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,40}") {
        let _ = SetupCode::parse(&text);
    }
}
