//! Reading a device's setup code from a photo of its label.
//!
//! The app lets a person pick a picture (a PNG, or a JPEG straight from a phone camera) instead
//! of pointing a live camera at the device. [`decode_label_photo`] takes the file's bytes and
//! returns the label's QR payload (`HRT1:…`), checked with [`SetupCode::parse`], or a
//! [`LabelError`] that says what to do next (a sharper photo, or typing the 11-digit code:
//! EN 303 645 provision 4.1-1 keeps both ways to enter the per-device code).
//!
//! The input is untrusted: it is capped in bytes ([`MAX_PHOTO_BYTES`]) and in pixels
//! ([`MAX_PHOTO_PIXELS`], checked from the header before decoding, and enforced again through
//! the decoder's [`image::Limits`]) so a small file cannot unpack into gigabytes. Large photos
//! are scanned at growing sizes (longest side 1024, 2048, then 4096 pixels), each with the QR
//! reader's own local threshold and then a global (Otsu) threshold, and the first code that
//! parses wins. Only PNG and JPEG decoders are built in.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use hearth_protocol::setup_code::{QR_PREFIX, SetupCode, SetupCodeError};
use image::{DynamicImage, GrayImage, ImageError, ImageFormat, ImageReader, Limits};

/// The largest file accepted, in bytes (20 MiB: more than any phone's JPEG of a label).
pub const MAX_PHOTO_BYTES: usize = 20 * 1024 * 1024;
/// The most pixels a picture may have (64 megapixels, a 48 MP phone camera with room to spare).
pub const MAX_PHOTO_PIXELS: u64 = 64_000_000;
/// The longest side a picture may have, in pixels.
pub const MAX_PHOTO_SIDE: u32 = 16_384;
/// What the decoder may allocate at once: an RGBA image of [`MAX_PHOTO_PIXELS`] and change.
const MAX_DECODE_ALLOC: u64 = 300 * 1024 * 1024;
/// Longest sides to scan at, smallest (fastest) first. A picture smaller than a step is scanned
/// at its own size; one larger than the last step is never scanned at full size.
const SCAN_SIDES: [u32; 3] = [1024, 2048, 4096];

/// Why no setup code came out of a picture.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    /// The file is larger than [`MAX_PHOTO_BYTES`].
    #[error("the file has {bytes} bytes; at most {MAX_PHOTO_BYTES} are read")]
    FileTooLarge {
        /// The file's size.
        bytes: usize,
    },
    /// The picture has more pixels than [`MAX_PHOTO_PIXELS`] or a side longer than
    /// [`MAX_PHOTO_SIDE`], or decoding it would need more memory than allowed.
    #[error("the picture is too large to decode: {detail}")]
    TooManyPixels {
        /// Dimensions or the decoder's limit message, for logs.
        detail: String,
    },
    /// The bytes are not a picture, or a damaged one.
    #[error("not a readable picture: {detail}")]
    NotAnImage {
        /// What the decoder said, for logs.
        detail: String,
    },
    /// A picture in a format this build does not read (GIF, WebP, HEIC, …).
    #[error("unsupported picture format: {format}")]
    UnsupportedFormat {
        /// The format's name, for logs.
        format: String,
    },
    /// No QR code could be read: blurry, too small, cut off, or not in the picture.
    #[error("no QR code found in the picture")]
    NoCodeFound,
    /// A QR code was read but it is not a Hearth setup code (a web link, another product's code).
    #[error("the QR code is not a Hearth setup code")]
    ForeignCode,
    /// A code that starts like a Hearth setup code but does not check out.
    #[error("the Hearth setup code in the picture is damaged: {0}")]
    DamagedCode(#[source] SetupCodeError),
}

/// Reads the Hearth setup code from a photo or scan of a device label.
///
/// Returns the QR payload (`HRT1:` and 14 characters), trimmed, exactly as
/// [`SetupCode::parse`] accepts it. When a picture holds several QR codes, the first Hearth
/// setup code found wins; other codes are ignored.
///
/// # Errors
/// - [`LabelError::FileTooLarge`] over [`MAX_PHOTO_BYTES`];
/// - [`LabelError::TooManyPixels`] over [`MAX_PHOTO_PIXELS`] or [`MAX_PHOTO_SIDE`];
/// - [`LabelError::NotAnImage`] for bytes that are no picture, or a damaged one;
/// - [`LabelError::UnsupportedFormat`] for a picture that is not PNG or JPEG;
/// - [`LabelError::DamagedCode`] when the only Hearth-looking code fails its check;
/// - [`LabelError::ForeignCode`] when only other QR codes were read;
/// - [`LabelError::NoCodeFound`] when no QR code could be read at all.
pub fn decode_label_photo(bytes: &[u8]) -> Result<String, LabelError> {
    let gray = decode_gray(bytes)?;
    scan(&gray)
}

/// Decodes `bytes` into a greyscale picture within the caps.
fn decode_gray(bytes: &[u8]) -> Result<GrayImage, LabelError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(LabelError::FileTooLarge { bytes: bytes.len() });
    }
    let format = match image::guess_format(bytes) {
        Ok(format) => format,
        // HEIF/HEIC (iPhone photos) and AVIF are ISO base media files: `ftyp` at offset 4.
        Err(_) if bytes.get(4..8) == Some(b"ftyp") => {
            return Err(LabelError::UnsupportedFormat {
                format: "HEIF".into(),
            });
        }
        Err(e) => {
            return Err(LabelError::NotAnImage {
                detail: e.to_string(),
            });
        }
    };
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(LabelError::UnsupportedFormat {
            format: format!("{format:?}"),
        });
    }
    // The header alone tells the size, before anything large is allocated.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(from_image_error)?;
    if width > MAX_PHOTO_SIDE
        || height > MAX_PHOTO_SIDE
        || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS
    {
        return Err(LabelError::TooManyPixels {
            detail: format!("{width}×{height}"),
        });
    }
    if width == 0 || height == 0 {
        return Err(LabelError::NotAnImage {
            detail: "empty picture".into(),
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let image: DynamicImage = reader.decode().map_err(from_image_error)?;
    Ok(image.into_luma8())
}

fn from_image_error(error: ImageError) -> LabelError {
    match error {
        ImageError::Limits(e) => LabelError::TooManyPixels {
            detail: e.to_string(),
        },
        ImageError::Unsupported(e) => LabelError::UnsupportedFormat {
            format: e.to_string(),
        },
        other => LabelError::NotAnImage {
            detail: other.to_string(),
        },
    }
}

/// What the scans have seen so far, for the error when no setup code turns up.
#[derive(Default)]
struct Findings {
    damaged: Option<SetupCodeError>,
    foreign: bool,
}

impl Findings {
    /// Notes one decoded QR text; returns the payload if it is a valid Hearth setup code.
    fn consider(&mut self, text: &str) -> Option<String> {
        let text = text.trim();
        let looks_hearth = text
            .get(..QR_PREFIX.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(QR_PREFIX));
        if !looks_hearth {
            // A manual code in a QR code, a web link, another product's code: not a label's.
            self.foreign = true;
            return None;
        }
        match SetupCode::parse(text) {
            Ok(_) => Some(text.to_owned()),
            Err(e) => {
                self.damaged.get_or_insert(e);
                None
            }
        }
    }

    fn into_error(self) -> LabelError {
        match (self.damaged, self.foreign) {
            (Some(e), _) => LabelError::DamagedCode(e),
            (None, true) => LabelError::ForeignCode,
            (None, false) => LabelError::NoCodeFound,
        }
    }
}

/// Scans `gray` at growing sizes, with two thresholds each, until a setup code is read.
fn scan(gray: &GrayImage) -> Result<String, LabelError> {
    let mut findings = Findings::default();
    let longest = gray.width().max(gray.height());
    for side in SCAN_SIDES {
        let scaled;
        let view = if longest > side {
            let scale = f64::from(side) / f64::from(longest);
            // Rounded sizes of at least one pixel; the casts cannot overflow (≤ `side`).
            let w = ((f64::from(gray.width()) * scale).round() as u32).max(1);
            let h = ((f64::from(gray.height()) * scale).round() as u32).max(1);
            scaled = image::imageops::thumbnail(gray, w, h);
            &scaled
        } else {
            gray
        };
        for threshold in [Threshold::Local, Threshold::Otsu] {
            if let Some(payload) = scan_once(view, threshold, &mut findings) {
                return Ok(payload);
            }
        }
        if longest <= side {
            break;
        }
    }
    Err(findings.into_error())
}

#[derive(Debug, Clone, Copy)]
enum Threshold {
    /// The QR reader's own moving-average threshold: copes with uneven light.
    Local,
    /// One threshold for the whole picture (Otsu's method): copes with low contrast and with
    /// a code that fills most of the frame.
    Otsu,
}

/// Runs the QR reader once; a payload if it read a valid setup code.
fn scan_once(gray: &GrayImage, threshold: Threshold, findings: &mut Findings) -> Option<String> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let pixels = gray.as_raw();
    // rqrr can still panic on odd pictures (an assertion in its perspective code, WanzenBug/rqrr
    // issue 54); a photo must never take the app down, so such a pass just finds nothing.
    let texts = catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = match threshold {
            Threshold::Local => {
                rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x])
            }
            Threshold::Otsu => {
                let cut = otsu_threshold(pixels);
                rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| pixels[y * w + x] <= cut)
            }
        };
        prepared
            .detect_grids()
            .iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
            .collect::<Vec<_>>()
    }));
    let Ok(texts) = texts else {
        tracing::debug!(?threshold, w, h, "the QR reader panicked on a photo");
        return None;
    };
    texts.iter().find_map(|text| findings.consider(text))
}

/// The grey level that best splits `pixels` into dark and light (Otsu, 1979): the largest
/// between-class variance. Pixels at or below it count as dark.
fn otsu_threshold(pixels: &[u8]) -> u8 {
    let mut histogram = [0u64; 256];
    for &p in pixels {
        histogram[usize::from(p)] += 1;
    }
    let total = pixels.len() as f64;
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(level, &count)| level as f64 * count as f64)
        .sum();
    let (mut weight_dark, mut sum_dark) = (0.0, 0.0);
    let (mut best, mut best_variance) = (127u8, -1.0);
    for (level, &count) in histogram.iter().enumerate() {
        weight_dark += count as f64;
        sum_dark += level as f64 * count as f64;
        let weight_light = total - weight_dark;
        if weight_dark == 0.0 || weight_light == 0.0 {
            continue;
        }
        let mean_dark = sum_dark / weight_dark;
        let mean_light = (sum_all - sum_dark) / weight_light;
        let variance = weight_dark * weight_light * (mean_dark - mean_light).powi(2);
        if variance > best_variance {
            best_variance = variance;
            // `level` is a histogram index, below 256.
            best = level as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_splits_two_levels() {
        let mut pixels = vec![30u8; 100];
        pixels.extend([220u8; 100]);
        let cut = otsu_threshold(&pixels);
        assert!((30..220).contains(&cut), "cut at {cut}");
    }

    #[test]
    fn findings_rank_damaged_over_foreign() {
        let mut findings = Findings::default();
        assert_eq!(findings.consider("https://example.com"), None);
        assert!(matches!(
            Findings::default().into_error(),
            LabelError::NoCodeFound
        ));
        assert_eq!(findings.consider("HRT1:0000000000000"), None);
        assert!(matches!(findings.into_error(), LabelError::DamagedCode(_)));
    }

    #[test]
    fn every_error_has_a_code_and_message() {
        let errors = [
            LabelError::FileTooLarge { bytes: 1 },
            LabelError::TooManyPixels { detail: "x".into() },
            LabelError::NotAnImage { detail: "x".into() },
            LabelError::UnsupportedFormat { format: "x".into() },
            LabelError::NoCodeFound,
            LabelError::ForeignCode,
            LabelError::DamagedCode(SetupCodeError::BadQrChecksum),
        ];
        for e in errors {
            assert!(e.code().as_str().starts_with("label."));
            assert!(e.message_id().starts_with("label-error-"));
        }
    }
}
