//! The setup code checked as the person types, before any radio work: fewer than 11 digits is
//! not an error yet (they are still typing); a complete code with a wrong check digit is a
//! typo, caught here (EN 303 645 4.1-1: the code is per device and printed on its label).

use hearth_core::{ErrorCode, ErrorDto};
use hearth_protocol::setup_code::{SetupCode, SetupCodeError};

use super::CodeCheck;

/// A manual code's length.
const MANUAL_DIGITS: u8 = 11;

/// Checks the code typed so far.
///
/// # Errors
/// The exact problem: [`ErrorCode::CodeTypo`], [`ErrorCode::CodeNotDigits`],
/// [`ErrorCode::CodeTooLong`], [`ErrorCode::CodeNotValid`], [`ErrorCode::CodeDamagedQr`].
pub fn check_code(text: &str) -> Result<CodeCheck, ErrorDto> {
    let trimmed = text.trim();
    if trimmed.starts_with("HRT") {
        return SetupCode::parse(trimmed)
            .map(|_| CodeCheck {
                complete: true,
                digits: MANUAL_DIGITS,
                expected: MANUAL_DIGITS,
            })
            .map_err(|_| ErrorDto::new(ErrorCode::CodeDamagedQr));
    }
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
    {
        return Err(ErrorDto::new(ErrorCode::CodeNotDigits));
    }
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let typed = u8::try_from(digits).unwrap_or(u8::MAX);
    if typed < MANUAL_DIGITS {
        return Ok(CodeCheck {
            complete: false,
            digits: typed,
            expected: MANUAL_DIGITS,
        });
    }
    if typed > MANUAL_DIGITS {
        return Err(ErrorDto::new(ErrorCode::CodeTooLong));
    }
    match SetupCode::parse(trimmed) {
        Ok(_) => Ok(CodeCheck {
            complete: true,
            digits: typed,
            expected: MANUAL_DIGITS,
        }),
        Err(SetupCodeError::BadCheckDigit) => Err(ErrorDto::new(ErrorCode::CodeTypo)),
        Err(_) => Err(ErrorDto::new(ErrorCode::CodeNotValid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::setup_code::{Discriminator, Passcode};

    fn label() -> SetupCode {
        SetupCode {
            version: 0,
            discriminator: Discriminator::new(0xABC).expect("12 bits"),
            passcode: Passcode::new(20_202_021).expect("allowed"),
        }
    }

    #[test]
    fn a_partial_code_counts_digits_and_is_not_an_error() {
        let manual = label().manual_code();
        let partial: String = manual.chars().take(6).collect();
        let check = check_code(&partial).expect("still typing");
        assert!(!check.complete);
        assert_eq!(check.digits, 5, "{partial}: the dash is not a digit");
        assert_eq!(check.expected, 11);
        assert!(!check_code("").expect("empty").complete);
    }

    #[test]
    fn complete_codes_pass_in_both_forms() {
        assert!(check_code(&label().manual_code()).expect("manual").complete);
        assert!(
            check_code(&label().manual_digits())
                .expect("digits")
                .complete
        );
        assert!(check_code(&label().qr_payload()).expect("qr").complete);
        assert!(
            check_code(&format!("  {}  ", label().qr_payload()))
                .expect("qr")
                .complete
        );
    }

    #[test]
    fn each_typing_mistake_has_its_own_message() {
        let digits = label().manual_digits();
        let last = digits
            .chars()
            .last()
            .and_then(|c| c.to_digit(10))
            .expect("digit");
        let typo = format!("{}{}", &digits[..10], (last + 1) % 10);
        let cases = [
            (typo, ErrorCode::CodeTypo, "setup-code-typo"),
            (
                format!("{digits}1"),
                ErrorCode::CodeTooLong,
                "setup-code-too-long",
            ),
            (
                "1234a".to_owned(),
                ErrorCode::CodeNotDigits,
                "setup-code-not-digits",
            ),
            (
                "HRT1:0000".to_owned(),
                ErrorCode::CodeDamagedQr,
                "setup-code-damaged-qr",
            ),
        ];
        for (text, code, id) in cases {
            let error = check_code(&text).expect_err(&text);
            assert_eq!(error.code, code, "{text}");
            assert_eq!(error.message_id, id, "{text}");
        }
    }
}
