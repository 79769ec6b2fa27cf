//! The header and query decoders (admin token, idempotency key, anomaly window) on any bytes:
//! never panic, and accept only exactly what they document — a token with nothing around it,
//! a key of 1 to 64 of `[A-Za-z0-9_-]`, a window of 1 s to 30 days.
#![no_main]

use hearth_vendor_service::decode;
use http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.clone());
        headers.insert("idempotency-key", value);
        if let Some(token) = decode::bearer_token(&headers) {
            assert!(!token.is_empty());
            assert!(!token.bytes().any(|b| b.is_ascii_whitespace()), "{token:?}");
            let whole = std::str::from_utf8(data).expect("a token came from text");
            assert!(whole.len() == token.len() + 7 && whole[..7].eq_ignore_ascii_case("bearer "));
        }
        if let Ok(Some(key)) = decode::idempotency_key(&headers) {
            assert!((1..=64).contains(&key.len()));
            assert!(
                key.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
        }
    }
    if let Ok(query) = std::str::from_utf8(data) {
        if let Ok(window) = decode::anomaly_window(Some(query), 900) {
            assert!(
                (1..=decode::MAX_WINDOW_SECS).contains(&window),
                "{query:?} -> {window}"
            );
        }
    }
});
