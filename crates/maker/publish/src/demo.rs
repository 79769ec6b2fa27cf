//! The demo releases of `hearth-plug-1` (0.2.0, a security fix; 0.2.1, a small fix), whose
//! notices are in this crate's `demo/` folder.
//!
//! **The demo images are not firmware.** Until the signed image format exists (issue part 2),
//! a demo image is a deterministic block of bytes that names its model and version and says
//! it is a placeholder; it is published as the image target so the whole TUF path (publish,
//! serve, verify, download) runs on real bytes. Nothing can boot it.

use std::path::{Path, PathBuf};

use hearth_update_notice::Version;

use crate::PublishError;
use crate::release::{Release, load_notices};

/// The demo model.
pub const MODEL: &str = "hearth-plug-1";

/// The demo versions with their security counters: 0.2.0 raises the counter (a security fix
/// that older images must not be reinstalled over), 0.2.1 keeps it.
pub const RELEASES: [(Version, u64); 2] = [(Version::new(0, 2, 0), 2), (Version::new(0, 2, 1), 2)];

/// Size of a demo image.
pub const IMAGE_BYTES: usize = 64 * 1024;

/// The notice folder of `model` `version` under `root` (the crate's `demo/` folder).
#[must_use]
pub fn notice_dir(root: &Path, model: &str, version: Version) -> PathBuf {
    root.join(model).join(version.to_string())
}

/// A placeholder image: a text header naming model and version and saying it is not
/// firmware, then [`IMAGE_BYTES`] in all of bytes derived from the header by SHA-256 in
/// counter mode — the same bytes on every run, different for every version.
#[must_use]
pub fn placeholder_image(model: &str, version: Version) -> Vec<u8> {
    let header =
        format!("HEARTH PLACEHOLDER IMAGE - NOT FIRMWARE\nmodel {model}\nversion {version}\n\n");
    let mut image = header.clone().into_bytes();
    let mut block = 0u64;
    while image.len() < IMAGE_BYTES {
        let mut input = header.clone().into_bytes();
        input.extend_from_slice(&block.to_be_bytes());
        image.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, &input).as_ref());
        block += 1;
    }
    image.truncate(IMAGE_BYTES);
    image
}

/// The demo releases read from `root` (the crate's `demo/` folder), with placeholder images.
///
/// # Errors
/// As [`Release::load`].
pub fn releases(root: &Path) -> Result<Vec<Release>, PublishError> {
    RELEASES
        .into_iter()
        .map(|(version, counter)| {
            let notices = load_notices(&notice_dir(root, MODEL, version), MODEL, version)?;
            Release::new(
                MODEL,
                version,
                counter,
                placeholder_image(MODEL, version),
                notices,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_images_say_what_they_are_and_differ_per_version() {
        let a = placeholder_image(MODEL, Version::new(0, 2, 0));
        let b = placeholder_image(MODEL, Version::new(0, 2, 1));
        assert_eq!(a.len(), IMAGE_BYTES);
        assert!(a.starts_with(
            b"HEARTH PLACEHOLDER IMAGE - NOT FIRMWARE\nmodel hearth-plug-1\nversion 0.2.0\n"
        ));
        assert_eq!(a, placeholder_image(MODEL, Version::new(0, 2, 0)));
        assert_ne!(a, b);
    }

    #[test]
    fn the_shipped_demo_notices_are_valid_in_every_locale() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo");
        let releases = releases(&root).expect("demo releases load");
        assert_eq!(releases.len(), 2);
        assert!(
            releases[0].notices.security_fix(),
            "0.2.0 is the security fix"
        );
        assert!(!releases[1].notices.security_fix(), "0.2.1 is a small fix");
    }
}
