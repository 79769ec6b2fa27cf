//! What a published update says, shared by the vendor's publisher (`hearth-publish`) and the
//! app's update client (`hearth-updates`), so both parse and validate the very same types.
//!
//! - [`notice`]: the plain-language notice of one image in one locale (EN 303 645 4.3-2, 4.3-5:
//!   the person is told that an update is needed, what it fixes, why it matters, how long it
//!   takes, whether the device keeps working, and until when it is supported — 4.3-4),
//!   validated field by field, refused with an error that names the field and the locale;
//! - [`target`]: the flat TUF target names (`hearth-plug-1_0.2.0_image.bin`,
//!   `hearth-plug-1_0.2.0_notice_de.json`) and the `custom` metadata the targets carry;
//! - [`version`]: release versions (`MAJOR.MINOR.PATCH`), ordered numerically;
//! - [`locale`]: the four shipped locales.

pub mod locale;
pub mod notice;
pub mod target;
mod text;
pub mod version;

pub use locale::Locale;
pub use notice::{DuringInstall, Notice, NoticeError, NoticeSet, Problem, Severity, WhyItMatters};
pub use target::{ImageMeta, NoticeMeta, TargetMeta};
pub use version::Version;
