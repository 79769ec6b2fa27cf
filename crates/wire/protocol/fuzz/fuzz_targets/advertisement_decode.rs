//! `Advertisement::decode` on any service data (any radio nearby can send
//! it): never panics, and what decodes encodes back to the same bytes apart
//! from flag bits this version ignores.
#![no_main]

use hearth_protocol::gatt::Advertisement;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(advertisement) = Advertisement::decode(data) else {
        return;
    };
    let encoded = advertisement.encode();
    assert_eq!(encoded[..3], data[..3], "version and discriminator");
    assert_eq!(encoded[3], data[3] & 0b11, "the known flags");
    assert_eq!(Advertisement::decode(&encoded), Ok(advertisement));
});
