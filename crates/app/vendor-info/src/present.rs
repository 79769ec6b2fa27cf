//! Verified vendor data → the view types the UI and the CLI show, in one language.

use crate::views::{
    CollectedField, CollectsView, DataUseView, ENDING_SOON_DAYS, SecurityContactView,
    SupportStatus, SupportView,
};
use hearth_vendor_api::catalogue::{DeviceModel, Localized};
use hearth_vendor_client::SecurityContact;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// When a view's data was fetched, and whether it comes from the cache.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Freshness {
    pub fetched_at: u64,
    pub from_cache: bool,
}

/// Where a model stands on `today`. Not updatable wins over any date: such a model never gets
/// security updates, whatever its support period says about replacements.
pub fn support_status(updatable: bool, end_date: Date, today: Date) -> SupportStatus {
    if !updatable {
        SupportStatus::NotUpdatable
    } else if today > end_date {
        SupportStatus::Ended
    } else if (end_date - today).whole_days() < ENDING_SOON_DAYS {
        SupportStatus::EndingSoon
    } else {
        SupportStatus::Supported
    }
}

pub(crate) fn support_view(
    model: &DeviceModel,
    language: &str,
    now: u64,
    freshness: Freshness,
) -> SupportView {
    let end = iso_date(model.support.end_date);
    let non_updatable = model.non_updatable.as_ref();
    SupportView {
        model: model.model.clone(),
        model_name: model.display_name.clone(),
        maker: model.maker.clone(),
        updatable: model.updatable,
        security_updates_until: model.updatable.then(|| end.clone()),
        support_until: end,
        status: support_status(model.updatable, model.support.end_date, date_of(now)),
        policy: pick(&model.support.policy, language),
        rationale: non_updatable.map(|n| pick(&n.rationale, language)),
        advice: non_updatable.map(|n| pick(&n.isolation_advice, language)),
        replacement: non_updatable.map(|n| pick(&n.replacement_plan, language)),
        last_checked: freshness.fetched_at,
        from_cache: freshness.from_cache,
    }
}

pub(crate) fn collects_view(
    model: &DeviceModel,
    language: &str,
    freshness: Freshness,
) -> CollectsView {
    CollectsView {
        model: model.model.clone(),
        model_name: model.display_name.clone(),
        data_use: DataUseView {
            controller: model.data_use.controller.clone(),
            personal_data: model
                .data_use
                .personal_data
                .iter()
                .map(|item| pick(item, language))
                .collect(),
            statement: pick(&model.data_use.statement, language),
        },
        fields: model
            .telemetry
            .iter()
            .map(|f| CollectedField {
                name: f.name.clone(),
                description: pick(&f.description, language),
                purpose: pick(&f.purpose, language),
                recipient: pick(&f.recipient, language),
                retention_days: f.retention_days,
                personal: f.personal,
                anonymisation: pick(&f.anonymisation, language),
            })
            .collect(),
        last_checked: freshness.fetched_at,
        from_cache: freshness.from_cache,
    }
}

/// A contact whose `Expires:` cannot be read counts as expired: the app cannot vouch for it.
pub(crate) fn security_contact_view(
    contact: &SecurityContact,
    now: u64,
    freshness: Freshness,
) -> SecurityContactView {
    let expires = OffsetDateTime::parse(&contact.expires, &Rfc3339).ok();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    SecurityContactView {
        contacts: contact.contacts.clone(),
        policy: contact.policy.clone(),
        expires: contact.expires.clone(),
        expires_date: expires.map_or_else(
            || contact.expires.clone(),
            |e| iso_date(e.to_offset(time::UtcOffset::UTC).date()),
        ),
        expired: expires.is_none_or(|e| e.unix_timestamp() <= now),
        preferred_languages: contact.preferred_languages.clone(),
        preferred_language_names: contact
            .preferred_languages
            .iter()
            .map(|tag| language_name(tag))
            .collect(),
        canonical: contact.canonical.clone(),
        last_checked: freshness.fetched_at,
        from_cache: freshness.from_cache,
    }
}

/// A BCP 47 tag as people read it, in its own language ("Deutsch" for `de` or `de-AT`): the
/// names the language menu shows. A language the app does not ship keeps its tag, which is
/// still what the vendor wrote.
pub fn language_name(tag: &str) -> String {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let id = match primary.as_str() {
        "en" => hearth_i18n::id!("language-en"),
        "de" => hearth_i18n::id!("language-de"),
        "fr" => hearth_i18n::id!("language-fr"),
        "es" => hearth_i18n::id!("language-es"),
        _ => return tag.to_owned(),
    };
    hearth_i18n::Localizer::new(&primary).map_or_else(|_| tag.to_owned(), |l| l.t(id))
}

/// The text in `language`, else English, else any (the catalogue requires English).
fn pick(text: &Localized, language: &str) -> String {
    text.get(language)
        .or_else(|| text.get(hearth_i18n::SOURCE_LANGUAGE))
        .or_else(|| text.values().next())
        .cloned()
        .unwrap_or_default()
}

/// `YYYY-MM-DD`.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The UTC date of a Unix time.
pub fn date_of(unix: u64) -> Date {
    OffsetDateTime::from_unix_timestamp(i64::try_from(unix).unwrap_or(i64::MAX))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn status_follows_the_calendar() {
        let end = date!(2030 - 06 - 30);
        let s = |today| support_status(true, end, today);
        assert_eq!(s(date!(2029 - 12 - 31)), SupportStatus::Supported);
        assert_eq!(s(date!(2030 - 01 - 01)), SupportStatus::Supported);
        assert_eq!(s(date!(2030 - 01 - 02)), SupportStatus::EndingSoon);
        assert_eq!(s(end), SupportStatus::EndingSoon);
        assert_eq!(s(date!(2030 - 07 - 01)), SupportStatus::Ended);
        assert_eq!(
            support_status(false, end, date!(2020 - 01 - 01)),
            SupportStatus::NotUpdatable
        );
    }

    #[test]
    fn report_languages_read_as_names() {
        let names: Vec<String> = ["en", "de", "fr", "es", "de-AT", "nl"]
            .iter()
            .map(|t| language_name(t))
            .collect();
        assert_eq!(
            names,
            ["English", "Deutsch", "Français", "Español", "Deutsch", "nl"]
        );
        for shipped in hearth_i18n::languages() {
            assert_ne!(language_name(shipped), shipped, "{shipped} has a name");
        }
    }

    #[test]
    fn text_falls_back_to_english() {
        let text: Localized = [
            ("en".to_owned(), "Hi".to_owned()),
            ("de".to_owned(), "Hallo".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(pick(&text, "de"), "Hallo");
        assert_eq!(pick(&text, "fr"), "Hi");
    }

    #[test]
    fn an_unreadable_or_past_expiry_counts_as_expired() {
        let contact = |expires: &str| SecurityContact {
            contacts: vec!["mailto:a@b.invalid".into()],
            policy: None,
            expires: expires.into(),
            preferred_languages: vec![],
            canonical: None,
        };
        let fresh = Freshness {
            fetched_at: 0,
            from_cache: false,
        };
        let now = 1_800_000_000; // 2027-01-15
        let v = security_contact_view(&contact("2027-06-01T00:00:00Z"), now, fresh);
        assert!(!v.expired);
        assert_eq!(v.expires_date, "2027-06-01");
        assert!(security_contact_view(&contact("2026-06-01T00:00:00Z"), now, fresh).expired);
        assert!(security_contact_view(&contact("soon"), now, fresh).expired);
    }
}
