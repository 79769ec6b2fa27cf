//! The factory bundle (`device.bundle`, which the reference device reads
//! through `Identity::from_bundle` after capping it at 64 KiB) and the state
//! record on flash (`DeviceState::from_cbor`), on any bytes.
//!
//! Never panics; a bundle that decodes re-encodes to a bundle that decodes
//! the same; a device booted from any decodable bundle answers a pairing
//! request and a `pake1` with a decodable response or a typed error, never a
//! panic (a damaged verifier or identity key is `BadIdentity`).
//! Inputs are raw bytes or byte edits of the genuine bundle.
#![no_main]

use hearth_device::DeviceCore;
use hearth_device::state::{DeviceState, Identity};
use hearth_device::storage::MemoryStorage;
use hearth_device_fuzz::{START, minted, peripherals};
use hearth_protocol::message::{
    self, Envelope, Limits, PairingParamsRequest, Pake1, Request, Response,
};
use libfuzzer_sys::fuzz_target;

/// The reference device's cap on a bundle file.
const MAX_BUNDLE_LEN: usize = 64 * 1024;

fn edited(genuine: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut out = genuine.to_vec();
    // One to four edits (the first byte says how many): a run of many random
    // edits would almost never leave a message whose later checks matter.
    let Some((&count, edits)) = edits.split_first() else {
        return out;
    };
    for chunk in edits.chunks_exact(3).take(usize::from(count % 4) + 1) {
        let position = usize::from(u16::from_be_bytes([chunk[0], chunk[1]]));
        match (chunk[0] >> 6, out.len()) {
            (_, 0) => out.push(chunk[2]),
            (0, len) => out.insert(position % (len + 1), chunk[2]),
            (1, len) => {
                out.remove(position % len);
            }
            (_, len) => out[position % len] = chunk[2],
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let genuine = minted().identity.to_bundle().expect("encodes");
        edited(&genuine, rest)
    };
    if bytes.len() > MAX_BUNDLE_LEN {
        return;
    }
    let _ = DeviceState::from_cbor(&bytes);
    let Ok(identity) = Identity::from_bundle(&bytes) else {
        return;
    };
    let again = identity.to_bundle().expect("a decoded bundle encodes");
    assert_eq!(Identity::from_bundle(&again).expect("re-decodes"), identity);

    let Ok(mut core) =
        DeviceCore::boot(MemoryStorage::new(), Some(identity), peripherals(3), START)
    else {
        return;
    };
    let params = message::encode(&Envelope::new(
        1,
        Request::PairingParams(PairingParamsRequest {}),
    ))
    .expect("encodes");
    // A point on P-256 as a real app would send (any valid share will do).
    let pake1 = message::encode(&Envelope::new(
        2,
        Request::Pake1(Pake1 {
            share_p: *b"\x04\x6b\x17\xd1\xf2\xe1\x2c\x42\x47\xf8\xbc\xe6\xe5\x63\xa4\x40\xf2\x77\x03\x7d\x81\x2d\xeb\x33\xa0\xf4\xa1\x39\x45\xd8\x98\xc2\x96\x4f\xe3\x42\xe2\xfe\x1a\x7f\x9b\x8e\xe7\xeb\x4a\x7c\x0f\x9e\x16\x2b\xce\x33\x57\x6b\x31\x5e\xce\xcb\xb6\x40\x68\x37\xbf\x51\xf5",
        }),
    ))
    .expect("encodes");
    for request in [params, pake1] {
        if let Ok(answer) = core.handle(&request, START) {
            message::decode::<Response>(&answer, &Limits::default())
                .expect("the device answers with a decodable response");
        }
    }
});
