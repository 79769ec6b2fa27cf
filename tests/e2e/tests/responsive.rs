//! Nothing blocks the window (issue 16): while a large photo of a label decodes (seconds of
//! JPEG decoding and QR search), the window still answers another command. Through the real
//! window: the photo is chosen in "Use a photo of the label", and while the window says it is
//! reading it, a digit typed into the code field is checked by `check_setup_code` and its
//! answer shown; only then does the photo's code arrive and replace it.
//!
//! What turns it red: a decode that runs on the main thread (as the synchronous
//! `decode_label_photo` command did), which holds every other command — and WebDriver itself —
//! until it ends, so the photo's code arrives before the digit's check.

use std::path::Path;
use std::time::{Duration, Instant};

use hearth_e2e::App;
use hearth_e2e::ui::{Ui, en, en_with, screenshots};
use hearth_protocol::setup_code::{Discriminator, Passcode, SetupCode};
use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, Luma, Rgb, RgbImage, imageops};

/// The photo: 6000×4500 pixels, more than any phone camera's default.
const PHOTO: (u32, u32) = (6000, 4500);
/// The label's QR code is small in it, so only the finer scans (the slow ones) find it.
const MODULE_PX: u32 = 6;

/// A QR code of `text`, `MODULE_PX` pixels a module, 4 modules of quiet zone.
fn qr_image(text: &str) -> GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("a QR code");
    let modules = u32::try_from(code.width()).expect("small");
    let colors = code.to_colors();
    let quiet = 4;
    let side = (modules + 2 * quiet) * MODULE_PX;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / MODULE_PX, y / MODULE_PX);
        let inside =
            (quiet..quiet + modules).contains(&mx) && (quiet..quiet + modules).contains(&my);
        let dark = inside
            && usize::try_from((my - quiet) * modules + (mx - quiet))
                .is_ok_and(|i| colors.get(i) == Some(&qrcode::Color::Dark));
        Luma([if dark { 30 } else { 235 }])
    })
}

/// A large JPEG of a grey table with the label's QR code on it; returns its path.
fn large_label_photo(dir: &Path, payload: &str) -> std::path::PathBuf {
    let (width, height) = PHOTO;
    let mut photo = RgbImage::from_pixel(width, height, Rgb([128, 124, 118]));
    let qr = qr_image(payload);
    let mut label = RgbImage::from_pixel(qr.width(), qr.height(), Rgb([0, 0, 0]));
    for (x, y, p) in qr.enumerate_pixels() {
        label.put_pixel(x, y, Rgb([p.0[0], p.0[0], p.0[0].saturating_sub(8)]));
    }
    imageops::replace(
        &mut photo,
        &label,
        i64::from(width / 3),
        i64::from(height / 2),
    );
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&photo)
        .expect("encode the photo");
    let path = dir.join("large-label.jpg");
    std::fs::write(&path, &jpeg).expect("write the photo");
    println!(
        "label photo: {width}×{height} JPEG of {} KiB",
        jpeg.len() / 1024
    );
    path
}

/// What the window shows now, read in one script so the three belong to one moment.
async fn moment(ui: &Ui<'_>) -> (String, String, String) {
    let read = ui
        .app
        .client()
        .execute(
            "const text = (css) => (document.querySelector(css)?.textContent ?? '').trim();
             return [text('#code-status'), text('#photo-status'),
                     document.querySelector('#setup-code')?.value ?? ''];",
            vec![],
        )
        .await
        .expect("read the window");
    let field = |i: usize| read[i].as_str().unwrap_or_default().to_owned();
    (field(0), field(1), field(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_answers_while_a_large_label_photo_decodes() {
    let home = tempfile::tempdir().expect("temp HEARTH_HOME");
    let code = SetupCode {
        version: 0,
        discriminator: Discriminator::new(0x0A8).expect("12 bits"),
        passcode: Passcode::new(20_406_121).expect("allowed"),
    };
    let payload = code.qr_payload();
    let photo = large_label_photo(home.path(), &payload);

    let app = App::launch(home.path())
        .await
        .expect("the app window comes up");
    let ui = Ui {
        app: &app,
        shots: screenshots(),
    };
    ui.click("#setup-button").await;
    ui.heading("setup-code-title").await;

    // The photo goes to the decoder...
    let chosen = Instant::now();
    ui.element("#label-photo")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose the photo");
    ui.expect_text("#photo-status", &en("setup-photo-reading"))
        .await;

    // ...and while it decodes, another command answers: a typed digit is checked.
    ui.fill("#setup-code", "1").await;
    let still_typing = en_with(
        "setup-code-progress",
        &[("digits", "1"), ("expected", "11")],
    );
    let found = en("setup-photo-found");
    let deadline = Instant::now() + Duration::from_secs(60);
    let answered = loop {
        let (status, photo_status, field) = moment(&ui).await;
        assert_ne!(
            photo_status, found,
            "the photo's code arrived before the window answered the typed digit: the decode \
             blocked the other command"
        );
        if status == still_typing {
            assert_eq!(
                field, "1",
                "the photo's code has not replaced the digit yet"
            );
            break chosen.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "no answer to the digit: {status:?}"
        );
        ui.next_frame().await;
    };

    // The decode still finishes, with the label's code.
    ui.expect_text("#photo-status", &found).await;
    let decoded = chosen.elapsed();
    assert_eq!(ui.value("#setup-code").await, payload);
    ui.expect_text("#code-status", &en("setup-code-ok")).await;
    println!(
        "the code check answered {answered:?} after the photo was chosen; the photo's code \
         arrived after {decoded:?}"
    );
    assert!(answered < decoded, "{answered:?} is not before {decoded:?}");
    app.quit().await.expect("quit");
}
