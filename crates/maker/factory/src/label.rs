//! The device label: the setup code as a QR code (PNG and SVG) and as text.
//!
//! ETSI EN 303 645 4.1-1 / 4.12-1: the code is unique per device and easy to
//! enter; the QR payload and the 11-digit manual code come from
//! [`hearth_protocol::setup_code::SetupCode`]. The PNG is drawn straight from
//! the QR module matrix with the small `png` crate (no image library).

use crate::error::FactoryError;
use hearth_protocol::setup_code::SetupCode;
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module in the PNG.
pub const PNG_MODULE_PX: usize = 8;
/// Quiet zone around the code, in modules (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE: usize = 4;

/// A rendered label.
#[derive(Debug)]
pub struct Label {
    /// 8-bit greyscale PNG of the QR code.
    pub png: Vec<u8>,
    /// SVG of the QR code.
    pub svg: String,
    /// Human-readable label text.
    pub text: String,
}

fn qr(code: &SetupCode) -> Result<QrCode, FactoryError> {
    // Medium error correction survives a scuffed sticker and keeps the code small.
    QrCode::with_error_correction_level(code.qr_payload(), EcLevel::M)
        .map_err(|e| FactoryError::Label(e.to_string()))
}

/// Renders the label for a device.
///
/// # Errors
/// [`FactoryError::Label`] if QR or PNG encoding fails.
pub fn render(code: &SetupCode, serial: &str, model: &str) -> Result<Label, FactoryError> {
    let qr = qr(code)?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .build();
    let png = render_png(&qr)?;
    let text = format!(
        "Hearth device\nModel: {model}\nSerial: {serial}\nSetup code: {manual}\nDiscriminator: {disc}\nQR payload: {payload}\n\nScan the QR code or type the setup code in the Hearth app.\nThis code is unique to this device; keep the label.\n",
        manual = code.manual_code(),
        disc = code.discriminator.value(),
        payload = code.qr_payload(),
    );
    Ok(Label { png, svg, text })
}

fn render_png(qr: &QrCode) -> Result<Vec<u8>, FactoryError> {
    let modules = qr.width();
    let colors = qr.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * PNG_MODULE_PX;
    let mut pixels = vec![0xFFu8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (index % modules + QUIET_ZONE, index / modules + QUIET_ZONE);
        for dy in 0..PNG_MODULE_PX {
            let row = (my * PNG_MODULE_PX + dy) * side;
            let start = row + mx * PNG_MODULE_PX;
            if let Some(run) = pixels.get_mut(start..start + PNG_MODULE_PX) {
                run.fill(0);
            }
        }
    }
    let side_u32 =
        u32::try_from(side).map_err(|_| FactoryError::Label("QR code too large".into()))?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| FactoryError::Label(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| FactoryError::Label(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| FactoryError::Label(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn decode_png(png_bytes: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn png_label_scans_back_to_the_setup_code() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let code = SetupCode::generate(&mut rng);
        let label = render(&code, "PLUG-00000001", "PLUG").unwrap();
        let payload = decode_png(&label.png);
        assert_eq!(payload, code.qr_payload());
        let parsed = SetupCode::parse(&payload).unwrap();
        assert_eq!(parsed.passcode, code.passcode);
        assert!(label.svg.starts_with("<?xml") && label.svg.contains("<path"));
        assert!(label.text.contains(&code.manual_code()));
        let manual = label
            .text
            .lines()
            .find_map(|l| l.strip_prefix("Setup code: "))
            .unwrap();
        assert_eq!(SetupCode::parse(manual).unwrap().passcode, code.passcode);
    }
}
