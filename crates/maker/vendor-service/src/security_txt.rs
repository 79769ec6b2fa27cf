//! `/.well-known/security.txt` (RFC 9116) and the pages it points to (EN 303 645 4.2-1
//! [5.2-1]: a public point of contact and a vulnerability disclosure policy): the policy and a
//! page that says how to report. Every URL security.txt names is served here; the config
//! refuses an `https:` contact under the service's own URL that is not one of [`PAGES`].

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Config;

/// The pages this service serves that security.txt may name.
pub const PAGES: [&str; 2] = [REPORT_PATH, POLICY_PATH];
/// How to report a problem (a `Contact:` of `init`'s set-up).
pub const REPORT_PATH: &str = "/security/report";
/// The disclosure policy (`Policy:`).
pub const POLICY_PATH: &str = "/security/policy";

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
    out.push_str(&format!("Policy: {base}{POLICY_PATH}\n"));
    out.push_str("Preferred-Languages: en, de, fr, es\n");
    out.push_str(&format!("Canonical: {base}/.well-known/security.txt\n"));
    out
}

/// How to report a security problem, in plain words, served at [`REPORT_PATH`]: where to
/// write (the `mailto:` contacts), what to put in the report, and what happens next.
pub fn report_page(config: &Config) -> String {
    let addresses: Vec<&str> = config
        .security
        .contacts
        .iter()
        .filter_map(|c| c.strip_prefix("mailto:"))
        .collect();
    let write_to = if addresses.is_empty() {
        "Write to us at one of the contacts listed in /.well-known/security.txt.".to_owned()
    } else {
        format!("Send an email to {}.", addresses.join(" or "))
    };
    let policy = format!("{}{POLICY_PATH}", config.public_url.trim_end_matches('/'));
    format!(
        "{vendor}: how to report a security problem\n\n\
         If you think you found a security problem in one of our devices, our app or this \
         service, please tell us. {write_to}\n\n\
         Please tell us:\n\
         - which device model, app or service it is about,\n\
         - which software version you use,\n\
         - what happened, and the steps to make it happen again.\n\n\
         Please do not send us other people's personal data, and do not test on devices or \
         accounts that are not yours.\n\n\
         We will answer within 5 working days and keep you up to date until the problem is \
         fixed. How we handle reports: {policy}\n",
        vendor = config.vendor_name,
    )
}

/// The plain-language disclosure policy served at [`POLICY_PATH`].
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
