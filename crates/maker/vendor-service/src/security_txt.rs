//! `/.well-known/security.txt` (RFC 9116) and the disclosure policy it points to
//! (EN 303 645 4.2-1 [5.2-1]: a public point of contact and a vulnerability disclosure policy).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Config;

/// Renders security.txt for `now`: `Expires:` is `expires_days` ahead (under a year, RFC 9116
/// §2.5.5), recomputed on every request so the file never goes stale.
pub fn render(config: &Config, now: i64) -> String {
    let expires = OffsetDateTime::from_unix_timestamp(now)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .saturating_add(time::Duration::days(i64::from(
            config.security.expires_days,
        )));
    let expires = expires
        .replace_nanosecond(0)
        .unwrap_or(expires)
        .format(&Rfc3339)
        .unwrap_or_default();
    let base = config.public_url.trim_end_matches('/');
    let mut out = String::new();
    for contact in &config.security.contacts {
        out.push_str(&format!("Contact: {contact}\n"));
    }
    out.push_str(&format!("Expires: {expires}\n"));
    out.push_str(&format!("Policy: {base}/security/policy\n"));
    out.push_str("Preferred-Languages: en, de, fr, es\n");
    out.push_str(&format!("Canonical: {base}/.well-known/security.txt\n"));
    out
}

/// The plain-language disclosure policy served at `/security/policy`.
pub fn policy(config: &Config) -> String {
    format!(
        "{vendor}: vulnerability disclosure policy\n\n\
         If you find a security problem in one of our devices, our app or this service, tell us \
         at the contacts listed in /.well-known/security.txt. Please include the device model, \
         the software version and how to reproduce the problem.\n\n\
         We acknowledge every report within 5 working days and keep you informed until the \
         problem is fixed. We will not take legal action against good-faith research that \
         respects our users' privacy and does not degrade our services. We publish fixed \
         vulnerabilities in the update notices, crediting you if you wish.\n",
        vendor = config.vendor_name
    )
}
