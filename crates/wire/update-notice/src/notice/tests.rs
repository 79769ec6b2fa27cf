use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn english() -> Value {
    json!({
        "model": "hearth-plug-1",
        "version": "0.2.0",
        "locale": "en",
        "security_fix": true,
        "fixes": "Fixes a flaw in pairing. The limit on wrong setup codes now holds.",
        "why_it_matters": { "severity": "high", "text": "Someone nearby could take control of the plug." },
        "install_minutes": 4,
        "during_install": { "keeps_working": true, "pauses": "You cannot switch it from the app for about a minute." },
        "support_until": "2031-12-31"
    })
}

fn in_locale(locale: Locale) -> Value {
    let mut v = english();
    v["locale"] = json!(locale.tag());
    v
}

fn parse(v: &Value, locale: Option<Locale>) -> Result<Notice, NoticeError> {
    Notice::from_json(&serde_json::to_vec(v).expect("json"), locale)
}

fn refusal(v: &Value) -> (Option<Locale>, &'static str, Problem) {
    let e = parse(v, None).expect_err("refused");
    (e.locale, e.field, e.problem)
}

#[test]
fn a_valid_notice_round_trips() {
    let notice = parse(&english(), Some(Locale::En)).expect("valid");
    assert_eq!(notice.version, Version::new(0, 2, 0));
    assert_eq!(notice.why_it_matters.severity, Severity::High);
    let again =
        Notice::from_json(&notice.to_json().expect("json"), Some(Locale::En)).expect("again");
    assert_eq!(again, notice);
}

#[test]
fn every_missing_field_is_named() {
    let fields = [
        ("model", "model"),
        ("version", "version"),
        ("security_fix", "security_fix"),
        ("fixes", "fixes"),
        ("why_it_matters", "why_it_matters"),
        ("install_minutes", "install_minutes"),
        ("during_install", "during_install"),
        ("support_until", "support_until"),
    ];
    for (key, field) in fields {
        let mut v = in_locale(Locale::De);
        v.as_object_mut().expect("object").remove(key);
        assert_eq!(
            refusal(&v),
            (Some(Locale::De), field, Problem::Missing),
            "{key}"
        );
    }
    for (outer, inner, field) in [
        ("why_it_matters", "severity", "why_it_matters.severity"),
        ("why_it_matters", "text", "why_it_matters.text"),
        (
            "during_install",
            "keeps_working",
            "during_install.keeps_working",
        ),
        ("during_install", "pauses", "during_install.pauses"),
    ] {
        let mut v = in_locale(Locale::Fr);
        v[outer].as_object_mut().expect("object").remove(inner);
        assert_eq!(
            refusal(&v),
            (Some(Locale::Fr), field, Problem::Missing),
            "{field}"
        );
    }
    let mut v = english();
    v.as_object_mut().expect("object").remove("locale");
    assert_eq!(refusal(&v), (None, "locale", Problem::Missing));
}

#[test]
fn texts_are_bounded_in_length_and_sentences() {
    let mut v = in_locale(Locale::Es);
    v["fixes"] = json!(format!("{}.", "a".repeat(255)));
    assert_eq!(
        refusal(&v),
        (
            Some(Locale::Es),
            "fixes",
            Problem::TooLong {
                max: 255,
                found: 256
            }
        )
    );
    v["fixes"] = json!(format!("{}.", "ä".repeat(254)));
    assert!(parse(&v, None).is_ok(), "255 characters (not bytes) pass");
    v["fixes"] = json!("One. Two. Three.");
    assert_eq!(
        refusal(&v).2,
        Problem::TooManySentences { max: 2, found: 3 }
    );
    v["fixes"] = json!("No full stop");
    assert_eq!(refusal(&v).2, Problem::NotASentence);
    let mut v = english();
    v["why_it_matters"]["text"] = json!(format!("{}.", "b".repeat(300)));
    assert_eq!(refusal(&v).1, "why_it_matters.text");
    let mut v = english();
    v["during_install"]["pauses"] = json!("");
    assert_eq!(
        refusal(&v),
        (Some(Locale::En), "during_install.pauses", Problem::Empty)
    );
}

#[test]
fn only_plain_printable_text_passes() {
    for (text, problem) in [
        ("Fixes pairing.\nReally.", Problem::Character(0x0A)),
        ("Fixes \u{202E}gniriap.", Problem::Character(0x202E)),
        ("Fixes pair\u{200B}ing.", Problem::Character(0x200B)),
        ("Fixes  pairing.", Problem::Spacing),
    ] {
        let mut v = in_locale(Locale::De);
        v["fixes"] = json!(text);
        assert_eq!(
            refusal(&v),
            (Some(Locale::De), "fixes", problem),
            "{text:?}"
        );
    }
}

#[test]
fn values_out_of_range_unknown_fields_and_wrong_types_are_refused() {
    let mut v = english();
    v["install_minutes"] = json!(0);
    assert_eq!(
        refusal(&v).2,
        Problem::OutOfRange {
            min: 1,
            max: 240,
            found: 0
        }
    );
    let mut v = english();
    v["install_minutes"] = json!("four");
    assert!(matches!(
        refusal(&v),
        (_, "install_minutes", Problem::WrongType(_))
    ));
    let mut v = english();
    v["support_until"] = json!("2031-02-30");
    assert_eq!(refusal(&v).2, Problem::NotADate("2031-02-30".into()));
    let mut v = english();
    v["why_it_matters"]["severity"] = json!("apocalyptic");
    assert_eq!(refusal(&v).1, "why_it_matters.severity");
    let mut v = english();
    v["colour"] = json!("red");
    assert_eq!(refusal(&v).2, Problem::Unknown("colour".into()));
    let mut v = english();
    v["during_install"]["reboots"] = json!(true);
    assert_eq!(refusal(&v).2, Problem::Unknown("reboots".into()));
    let mut v = english();
    v["model"] = json!("Hearth Plug");
    assert_eq!(refusal(&v).1, "model");
    assert!(matches!(
        Notice::from_json(b"[1]", Some(Locale::Fr)),
        Err(NoticeError {
            locale: Some(Locale::Fr),
            field: "notice",
            problem: Problem::NotJson(_)
        })
    ));
}

#[test]
fn a_notice_in_another_locale_than_its_file_is_refused() {
    let e = parse(&in_locale(Locale::Fr), Some(Locale::De)).expect_err("refused");
    assert_eq!(e.field, "locale");
    assert_eq!(e.locale, Some(Locale::De));
    assert_eq!(
        e.to_string(),
        "notice (de): locale: is \"fr\" where \"de\" was expected"
    );
}

fn all_locales() -> Vec<Notice> {
    Locale::ALL
        .into_iter()
        .map(|l| parse(&in_locale(l), Some(l)).expect("valid"))
        .collect()
}

#[test]
fn a_set_has_every_locale_once_and_they_agree() {
    let v = Version::new(0, 2, 0);
    let set = NoticeSet::new("hearth-plug-1", v, all_locales()).expect("complete");
    assert!(set.security_fix());
    assert_eq!(set.get(Locale::Es).locale, Locale::Es);
    assert_eq!(
        set.iter().map(|n| n.locale).collect::<Vec<_>>(),
        Locale::ALL
    );

    let without_spanish: Vec<_> = all_locales()
        .into_iter()
        .filter(|n| n.locale != Locale::Es)
        .collect();
    let e = NoticeSet::new("hearth-plug-1", v, without_spanish).expect_err("incomplete");
    assert_eq!(
        (e.locale, e.field, e.problem),
        (Some(Locale::Es), "locale", Problem::NoNotice)
    );

    let mut twice = all_locales();
    twice.push(twice[1].clone());
    assert_eq!(
        NoticeSet::new("hearth-plug-1", v, twice)
            .expect_err("twice")
            .problem,
        Problem::Duplicate
    );

    let mut inconsistent = all_locales();
    inconsistent[2].why_it_matters.severity = Severity::Low;
    let e = NoticeSet::new("hearth-plug-1", v, inconsistent).expect_err("inconsistent");
    assert_eq!(
        (e.locale, e.field),
        (Some(Locale::Fr), "why_it_matters.severity")
    );

    let e =
        NoticeSet::new("hearth-plug-1", Version::new(0, 2, 1), all_locales()).expect_err("version");
    assert_eq!((e.locale, e.field), (Some(Locale::En), "version"));
    let e = NoticeSet::new("hearth-sensor-1", v, all_locales()).expect_err("model");
    assert_eq!(e.field, "model");
}

proptest! {
    #[test]
    fn any_fixes_text_is_either_refused_or_plain(text in "\\PC{0,300}|[\\x00-\\x20\\u{200B}\\u{202E}a. ]{0,40}") {
        let mut v = english();
        v["fixes"] = json!(text.clone());
        if let Ok(notice) = parse(&v, None) {
            prop_assert!(notice.fixes.chars().count() <= FIXES_MAX_CHARS);
            let hidden = ['\u{202E}', '\u{200B}'];
            let plain = !notice.fixes.chars().any(|c| c.is_control() || hidden.contains(&c));
            prop_assert!(plain, "accepted {:?}", notice.fixes);
        }
    }
}
