//! `decode_label_photo` on any file a person might pick, with the app's size
//! and dimension limits.
//!
//! Inputs are raw bytes; a PNG header declaring a width and height taken
//! from the input, followed by input bytes (so the pixel limits are reached
//! without large inputs); or byte edits of a genuine label picture (a
//! Hearth QR code rendered as PNG, as the factory prints it).
//!
//! Never panics; a picture over `MAX_PHOTO_PIXELS` or `MAX_PHOTO_SIDE` is
//! refused as too large before it is decoded; whatever it reads is a valid
//! Hearth setup code; the genuine label reads back its own code.
#![no_main]

// The app's decoder itself, compiled here without the rest of hearth-flows.
#[allow(dead_code)]
#[path = "../../src/label.rs"]
mod label;

use std::sync::OnceLock;

use hearth_protocol::setup_code::SetupCode;
use image::{GrayImage, ImageFormat, Luma};
use label::{LabelError, MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, decode_label_photo};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The setup code on the genuine label.
fn payload() -> &'static str {
    static PAYLOAD: OnceLock<String> = OnceLock::new();
    PAYLOAD.get_or_init(|| SetupCode::generate(&mut StdRng::seed_from_u64(1)).qr_payload())
}

/// A label as a phone would photograph it: the QR code, 6 pixels a module,
/// with its quiet zone, as PNG.
fn genuine() -> &'static Vec<u8> {
    static LABEL: OnceLock<Vec<u8>> = OnceLock::new();
    LABEL.get_or_init(|| {
        let code = qrcode::QrCode::new(payload().as_bytes()).expect("fits a QR code");
        let width = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (6u32, 4u32);
        let side = (width as u32 + 2 * quiet) * scale;
        let image = GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let dark = mx >= quiet
                && my >= quiet
                && mx - quiet < width as u32
                && my - quiet < width as u32
                && colors[((my - quiet) as usize) * width + (mx - quiet) as usize]
                    == qrcode::Color::Dark;
            Luma([if dark { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
            .expect("encodes");
        png
    })
}

/// A well-formed PNG (8-bit greyscale) declaring `width` × `height`, with
/// `data` as its one IDAT chunk (rarely valid zlib, which is the point).
fn png(width: u32, height: u32, data: &[u8]) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [(b"IHDR", &ihdr[..]), (b"IDAT", data), (b"IEND", &[][..])] {
        let len = u32::try_from(body.len()).expect("a fuzz input is small");
        out.extend_from_slice(&len.to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(body);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn edit(genuine: &[u8], edits: &[u8]) -> Vec<u8> {
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
    let (bytes, declared) = match mode % 3 {
        0 => (rest.to_vec(), None),
        1 => {
            let Some((dims, body)) = rest.split_first_chunk::<4>() else {
                return;
            };
            // Sides from 1 to 65,536 (a quarter of the u32 range would only
            // repeat the same refusals).
            let width = u32::from(u16::from_be_bytes([dims[0], dims[1]])) + 1;
            let height = u32::from(u16::from_be_bytes([dims[2], dims[3]])) + 1;
            (png(width, height, body), Some((width, height)))
        }
        _ => (edit(genuine(), rest), None),
    };
    let result = decode_label_photo(&bytes);
    if let Some((width, height)) = declared {
        let too_large = width > MAX_PHOTO_SIDE
            || height > MAX_PHOTO_SIDE
            || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS;
        if too_large {
            assert!(
                matches!(result, Err(LabelError::TooManyPixels { .. })),
                "{width}×{height} was not refused as too large: {result:?}"
            );
        }
    }
    match result {
        Ok(read) => {
            SetupCode::parse(&read).expect("a decoded payload is a setup code");
            if bytes == *genuine() {
                assert_eq!(read, payload(), "the genuine label read another code");
            }
        }
        Err(_) if bytes == *genuine() => panic!("the genuine label did not read"),
        Err(_) => {}
    }
});
