//! Reading the setup code from a picture of a real label, as the factory tool prints it:
//! the PNG itself, a phone-sized JPEG photo of it, and the pictures that must fail with their
//! own error (blurred, someone else's QR code, a damaged Hearth code, not a picture, too big).

use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

use hearth_flows::label::{LabelError, MAX_PHOTO_BYTES, decode_label_photo};
use hearth_protocol::setup_code::SetupCode;
use hearth_testkit::Clock as _;
use hearth_testkit::Device;
use hearth_testkit::factory::TestVendor;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use proptest::prelude::*;

/// A label minted by the factory library: its `label.png` and the QR payload from `label.txt`.
struct MintedLabel {
    png: Vec<u8>,
    payload: String,
}

fn mint_label(dir: &Path) -> MintedLabel {
    let now = hearth_testkit::SystemClock.now_unix();
    let vendor = TestVendor::init(&dir.join("vendor"), "Acme", now).unwrap();
    let folder = &vendor.mint(&dir.join("out"), "PLUG", 1, now).unwrap()[0];
    let label = Device::from_label(folder, dir.join("state"), 1, dir.join("log")).unwrap();
    MintedLabel {
        png: std::fs::read(&label.label_png).unwrap(),
        payload: label.qr_payload,
    }
}

fn with_label(body: impl FnOnce(MintedLabel)) {
    let dir = tempfile::tempdir().unwrap();
    body(mint_label(dir.path()));
}

fn png_bytes(image: &GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A QR code of `text` drawn like the factory's labels: 8 pixels a module, 4 modules of margin.
fn qr_image(text: &str) -> GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let (px, quiet) = (8, 4);
    let side = u32::try_from((modules + 2 * quiet) * px).unwrap();
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / px, y as usize / px);
        let inside =
            (quiet..quiet + modules).contains(&mx) && (quiet..quiet + modules).contains(&my);
        let dark = inside && colors[(my - quiet) * modules + (mx - quiet)] == qrcode::Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    })
}

/// A phone-camera-like picture: the label, scaled to `label_side` pixels, printed grey on
/// off-white, turned by `degrees`, on an unevenly lit grey table of `width`×`height`.
fn photo_of(label: &GrayImage, width: u32, height: u32, label_side: u32, degrees: f64) -> RgbImage {
    let label = imageops::resize(label, label_side, label_side, FilterType::Triangle);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let centre = (f64::from(width) * 0.42, f64::from(height) * 0.55);
    let half = f64::from(label_side) / 2.0;
    RgbImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (f64::from(x) - centre.0, f64::from(y) - centre.1);
        // Where this photo pixel falls on the (unturned) label.
        let (u, v) = (cos * dx + sin * dy + half, -sin * dx + cos * dy + half);
        let light = 0.8 + 0.2 * f64::from(x) / f64::from(width);
        let level = if (0.0..f64::from(label_side)).contains(&u)
            && (0.0..f64::from(label_side)).contains(&v)
        {
            let ink = f64::from(label.get_pixel(u as u32, v as u32).0[0]) / 255.0;
            // Black ink is never quite black, paper never quite white.
            (40.0 + ink * 195.0) * light
        } else {
            130.0 * light
        };
        let g = level as u8;
        Rgb([g, g.saturating_sub(6), g.saturating_sub(12)])
    })
}

fn jpeg_bytes(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .unwrap();
    out
}

#[test]
fn the_factory_label_png_reads_back_as_its_code() {
    with_label(|label| {
        let read = decode_label_photo(&label.png).unwrap();
        assert_eq!(read, label.payload);
        assert!(SetupCode::parse(&read).is_ok());
    });
}

#[test]
fn a_phone_sized_jpeg_photo_of_the_label_reads_back() {
    with_label(|label| {
        let png = image::load_from_memory(&label.png).unwrap().into_luma8();
        let photo = photo_of(&png, 3000, 4000, 1200, 7.0);
        let jpeg = jpeg_bytes(&photo, 85);
        let started = Instant::now();
        let read = decode_label_photo(&jpeg);
        println!(
            "decode_label_photo: 3000×4000 JPEG of {} KiB read in {:?}",
            jpeg.len() / 1024,
            started.elapsed()
        );
        assert_eq!(read.unwrap(), label.payload);
    });
}

#[test]
fn a_small_label_in_a_large_photo_reads_back_at_a_finer_scan() {
    with_label(|label| {
        let png = image::load_from_memory(&label.png).unwrap().into_luma8();
        // The code spans 4.5% of the photo's width: too few pixels at the first, coarse scan.
        let photo = photo_of(&png, 4000, 3000, 180, -4.0);
        let read = decode_label_photo(&jpeg_bytes(&photo, 90)).unwrap();
        assert_eq!(read, label.payload);
    });
}

#[test]
fn a_hearth_code_wins_over_another_code_in_the_same_picture() {
    with_label(|label| {
        let hearth = image::load_from_memory(&label.png).unwrap().into_luma8();
        let other = qr_image("https://example.com");
        let mut both = GrayImage::from_pixel(
            other.width() + hearth.width(),
            other.height().max(hearth.height()),
            Luma([255]),
        );
        imageops::replace(&mut both, &other, 0, 0);
        imageops::replace(&mut both, &hearth, i64::from(other.width()), 0);
        assert_eq!(
            decode_label_photo(&png_bytes(&both)).unwrap(),
            label.payload
        );
    });
}

#[test]
fn a_strongly_blurred_label_is_no_code_found() {
    with_label(|label| {
        let png = image::load_from_memory(&label.png).unwrap().into_luma8();
        let blurred = imageops::blur(&png, 10.0);
        let error = decode_label_photo(&png_bytes(&blurred)).unwrap_err();
        assert!(matches!(error, LabelError::NoCodeFound), "{error:?}");
        assert_eq!(error.code(), "label.no_code_found");
        assert_eq!(error.message_id(), "label-error-no-code-found");
    });
}

#[test]
fn a_plain_picture_without_a_code_is_no_code_found() {
    let grey = GrayImage::from_pixel(640, 480, Luma([128]));
    let error = decode_label_photo(&png_bytes(&grey)).unwrap_err();
    assert!(matches!(error, LabelError::NoCodeFound), "{error:?}");
}

#[test]
fn a_web_link_qr_code_is_a_foreign_code() {
    let error = decode_label_photo(&png_bytes(&qr_image("https://example.com"))).unwrap_err();
    assert!(matches!(error, LabelError::ForeignCode), "{error:?}");
    assert_eq!(error.code(), "label.foreign_code");
    assert_eq!(error.message_id(), "label-error-foreign-code");
}

#[test]
fn a_manual_code_in_a_qr_code_is_a_foreign_code() {
    // The label's QR code carries `HRT1:`; digits alone are for typing, not scanning.
    let error = decode_label_photo(&png_bytes(&qr_image("34970112332"))).unwrap_err();
    assert!(matches!(error, LabelError::ForeignCode), "{error:?}");
}

#[test]
fn a_hearth_code_with_a_bad_checksum_is_damaged() {
    with_label(|label| {
        // Change the last base-38 character: the checksum no longer matches.
        let mut damaged = label.payload.clone();
        let last = damaged.pop().unwrap();
        damaged.push(if last == '0' { '1' } else { '0' });
        let error = decode_label_photo(&png_bytes(&qr_image(&damaged))).unwrap_err();
        assert!(matches!(error, LabelError::DamagedCode(_)), "{error:?}");
        assert_eq!(error.code(), "label.damaged_code");
        assert_eq!(error.message_id(), "label-error-damaged-code");
    });
}

#[test]
fn random_bytes_are_not_an_image() {
    // A fixed xorshift stream: reproducible noise with no picture format's magic bytes.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    let error = decode_label_photo(&bytes).unwrap_err();
    assert!(matches!(error, LabelError::NotAnImage { .. }), "{error:?}");
    assert_eq!(error.code(), "label.not_an_image");
    assert_eq!(error.message_id(), "label-error-not-an-image");
}

#[test]
fn a_truncated_png_is_not_an_image() {
    with_label(|label| {
        let half = &label.png[..label.png.len() / 2];
        let error = decode_label_photo(half).unwrap_err();
        assert!(matches!(error, LabelError::NotAnImage { .. }), "{error:?}");
    });
}

#[test]
fn other_picture_formats_are_unsupported() {
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    let error = decode_label_photo(gif).unwrap_err();
    assert!(
        matches!(error, LabelError::UnsupportedFormat { .. }),
        "{error:?}"
    );
    assert_eq!(error.message_id(), "label-error-unsupported-format");
    // The start of an iPhone photo (HEIC).
    let heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
    let error = decode_label_photo(heic).unwrap_err();
    assert!(
        matches!(error, LabelError::UnsupportedFormat { .. }),
        "{error:?}"
    );
}

#[test]
fn an_oversized_file_is_too_large_before_any_decoding() {
    let mut bytes = vec![0u8; MAX_PHOTO_BYTES + 1];
    bytes[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    let error = decode_label_photo(&bytes).unwrap_err();
    assert!(
        matches!(error, LabelError::FileTooLarge { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "label.file_too_large");
    assert_eq!(error.message_id(), "label-error-too-large");
}

/// CRC-32 (ISO-HDLC) as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_decompression_bomb_is_too_large_before_decoding() {
    // A tiny real PNG whose header then claims 30000×30000 pixels (900 megapixels).
    let mut png = png_bytes(&GrayImage::from_pixel(1, 1, Luma([255])));
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ..., CRC after 13 bytes.
    png[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let error = decode_label_photo(&png).unwrap_err();
    assert!(
        matches!(error, LabelError::TooManyPixels { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "label.too_many_pixels");
    assert_eq!(error.message_id(), "label-error-too-large");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode_label_photo(&bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_png_or_jpeg_signature_never_panic(
        jpeg in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = if jpeg {
            b"\xff\xd8\xff\xe0".to_vec()
        } else {
            b"\x89PNG\r\n\x1a\n".to_vec()
        };
        bytes.extend(tail);
        let _ = decode_label_photo(&bytes);
    }
}

#[test]
fn every_label_error_has_a_message_in_every_language() {
    let errors = [
        LabelError::FileTooLarge { bytes: 1 },
        LabelError::NotAnImage {
            detail: String::new(),
        },
        LabelError::UnsupportedFormat {
            format: String::new(),
        },
        LabelError::NoCodeFound,
        LabelError::ForeignCode,
        LabelError::DamagedCode(hearth_protocol::setup_code::SetupCodeError::BadQrChecksum),
    ];
    for lang in hearth_i18n::languages() {
        let localizer = hearth_i18n::Localizer::new(lang).unwrap();
        for error in &errors {
            let text = localizer.t(error.message_id());
            assert_ne!(text, error.message_id(), "{lang} lacks {}", error.code());
            assert!(!text.contains('{'), "{lang}: {text}");
        }
        let foreign = localizer.t(LabelError::ForeignCode.message_id());
        assert!(foreign.contains("Hearth"), "{lang}: {foreign}");
    }
}
