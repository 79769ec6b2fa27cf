//! What the device maker publishes, in the real window, with the real vendor service
//! (`hearth-vendor`, HTTPS on loopback, SQLite) — then without it (issue 6):
//!
//! - the device page's "Security updates" card shows the support period of the catalogue
//!   entry the service serves, with "Last checked";
//! - "What this device collects" lists every telemetry field of the model's manifest;
//! - About → "Report a security problem" shows the contacts of the service's security.txt;
//! - with the service stopped, the card, the table and the contact still show, from the
//!   app's cache, marked as such with the same "Last checked", and the plug still switches;
//! - with the service started again (same port, same data), the card is fetched afresh.
//!
//! Expected values come from the service's own files (its catalogue entry and config), not
//! from the app. Every state passes axe-core; screenshots go to `HEARTH_SCREENSHOTS`.
//! A plain `#[test]` whose world comes up first (see `hearth_e2e::world`).

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use hearth_e2e::ui::{Ui, WAIT, en, en_with, screenshots};
use hearth_e2e::world::{DEVICE_MODEL, World};
use hearth_e2e::{App, Screen};

/// The device's name in the app.
const DEVICE_NAME: &str = "Living room plug";
/// Days before the end of support from which the app warns
/// (`hearth_vendor_info::views::ENDING_SOON_DAYS`).
const ENDING_SOON_DAYS: i64 = 180;

/// One telemetry field of the manifest: its name and its English description.
#[derive(Debug)]
struct Field {
    name: String,
    description: String,
}

/// What the service publishes for the world's model, read from the service's own files.
#[derive(Debug)]
struct Published {
    /// `support.end_date`, `YYYY-MM-DD`.
    end_date: String,
    /// The English support policy.
    policy: String,
    fields: Vec<Field>,
    /// security.txt's `Contact:` lines, in order (the config's `security.contacts`).
    contacts: Vec<String>,
}

fn read_toml(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn string_at<'a>(value: &'a toml::Value, path: &[&str]) -> &'a str {
    let mut at = value;
    for key in path {
        at = at
            .get(key)
            .unwrap_or_else(|| panic!("no {} in {value}", path.join(".")));
    }
    at.as_str()
        .unwrap_or_else(|| panic!("{} is not a string", path.join(".")))
}

/// Reads the catalogue entry the service serves for [`DEVICE_MODEL`] and its config.
fn published(service_dir: &Path) -> Published {
    let entry = toml::Value::Table(read_toml(
        &service_dir
            .join("catalogue")
            .join(format!("{DEVICE_MODEL}.toml")),
    ));
    let fields = entry
        .get("telemetry")
        .and_then(toml::Value::as_array)
        .expect("the catalogue entry has a telemetry manifest")
        .iter()
        .map(|f| Field {
            name: string_at(f, &["name"]).to_owned(),
            description: string_at(f, &["description", "en"]).to_owned(),
        })
        .collect();
    let config = toml::Value::Table(read_toml(&service_dir.join("config.toml")));
    let contacts = config
        .get("security")
        .and_then(|s| s.get("contacts"))
        .and_then(toml::Value::as_array)
        .expect("the config has security.contacts")
        .iter()
        .map(|c| c.as_str().expect("a contact is a string").to_owned())
        .collect();
    Published {
        end_date: string_at(&entry, &["support", "end_date"]).to_owned(),
        policy: string_at(&entry, &["support", "policy", "en"]).to_owned(),
        fields,
        contacts,
    }
}

/// `(year, month, day)` of a `YYYY-MM-DD` date.
fn ymd(iso: &str) -> (i64, usize, i64) {
    let parts: Vec<i64> = iso
        .split('-')
        .map(|p| p.parse().unwrap_or_else(|e| panic!("{iso}: {e}")))
        .collect();
    let [year, month, day] = parts[..] else {
        panic!("{iso} is not YYYY-MM-DD");
    };
    (year, usize::try_from(month).expect("a month"), day)
}

/// `2031-12-31` as an English reader sees it ("December 31, 2031": `Intl`'s long date in
/// `en`, what the window uses).
fn long_english_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, day) = ymd(iso);
    format!("{} {day}, {year}", MONTHS[month - 1])
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(iso: &str) -> i64 {
    let (year, month, day) = ymd(iso);
    let month = i64::try_from(month).expect("a month");
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The card's `data-status` for a support period ending on `end_date`, today (UTC).
fn expected_status(end_date: &str) -> &'static str {
    let today = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
        / 86_400;
    let left = days_from_civil(end_date) - i64::try_from(today).expect("days fit");
    if left < 0 {
        "ended"
    } else if left < ENDING_SOON_DAYS {
        "ending-soon"
    } else {
        "supported"
    }
}

/// Whether nothing in the window matches `css` now.
async fn absent(app: &App, css: &str) -> bool {
    app.client()
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("looking for {css}: {e}"))
        .is_empty()
}

/// The trimmed texts of everything matching `css`, in document order.
async fn texts(app: &App, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in app
        .client()
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("looking for {css}: {e}"))
    {
        let text = element
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"));
        out.push(text.trim().to_owned());
    }
    out
}

/// Waits until a paragraph in the screen shows exactly `text`.
async fn expect_paragraph(app: &App, text: &str) {
    assert!(
        !text.contains('"'),
        "the XPath below quotes with \": {text}"
    );
    app.client()
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//main//p[normalize-space(.)=\"{text}\"]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no paragraph shows {text:?}: {e}"));
}

/// Scrolls the element matching `css` to the top of the window, so a screenshot (which
/// shows the window, not the page) has it in view.
async fn scroll_to(app: &App, css: &str) {
    app.client()
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' });",
            vec![serde_json::Value::String(css.to_owned())],
        )
        .await
        .unwrap_or_else(|e| panic!("scrolling to {css}: {e}"));
}

/// From Home to the device page of [`DEVICE_NAME`], once the support card has answered
/// (fresh or from the cache); returns its "Last checked" text.
/// The contacts as people read them: an e-mail address without its `mailto:`.
fn shown_contacts(contacts: &[String]) -> Vec<String> {
    contacts
        .iter()
        .map(|c| c.strip_prefix("mailto:").unwrap_or(c).to_owned())
        .collect()
}

async fn open_device_page(ui: &Ui<'_>) -> String {
    ui.app.open(Screen::Home).await.expect("Home");
    ui.click(&format!("[data-device='{DEVICE_NAME}'] .open-device"))
        .await;
    ui.expect_text("#device-name", DEVICE_NAME).await;
    ui.element("#support-checked")
        .await
        .attr("data-last-checked")
        .await
        .expect("read #support-checked")
        .expect("#support-checked says when it was fetched")
}

#[test]
fn the_device_page_shows_what_the_maker_publishes_and_keeps_it_when_the_service_is_down() {
    let mut world = World::up(1).expect("the world comes up");
    world
        .start_vendor_service()
        .expect("the vendor service starts");
    let published = published(
        world
            .vendor_service_dir()
            .expect("the vendor service has a folder"),
    );
    assert!(!published.fields.is_empty(), "{published:?}");
    let device = world.device(0).expect("one device").clone();
    let until = en_with(
        "support-updates-until",
        &[("date", &long_english_date(&published.end_date))],
    );
    let status = expected_status(&published.end_date);

    let app = world
        .block_on(App::launch_with(&world.home(), &world.app_env()))
        .expect("the app window comes up in the world");
    let ui = Ui {
        app: &app,
        shots: screenshots(),
    };

    // Online: set the device up, then everything the maker publishes, fresh.
    let checked_online = world.block_on(async {
        let started = Instant::now();
        ui.start_with_code(&device.manual_code).await;
        ui.fill_wifi(world.wifi_ssid(), world.wifi_passphrase(), DEVICE_NAME)
            .await;
        ui.click("#setup-start").await;
        ui.heading("setup-done-title").await;
        println!("set-up in the window: {:?}", started.elapsed());
        ui.click("#open-device").await;
        ui.expect_text("#device-name", DEVICE_NAME).await;

        let started = Instant::now();
        ui.expect_text("#support-title", &until).await;
        ui.expect_attribute("#support-title", "data-status", status)
            .await;
        println!("support card answered (online): {:?}", started.elapsed());
        ui.element("#support-checked").await;
        assert!(absent(&app, "#support-offline").await, "fresh, not cached");
        let card = app.text("#support").await.expect("the card's text");
        assert!(
            card.contains(&published.policy),
            "the card shows the maker's policy {:?}:\n{card}",
            published.policy
        );
        // The page's own refresh of the device is done (its buttons are enabled again).
        ui.element("#plug-toggle:enabled").await;
        scroll_to(&app, "#support").await;
        ui.check("device-support-en").await;

        ui.click("#open-collects").await;
        ui.heading("support-collects-title").await;
        for field in &published.fields {
            ui.expect_text(
                &format!("#collects-table tr[data-field='{}'] th", field.name),
                &field.description,
            )
            .await;
        }
        let rows = texts(&app, "#collects-table tbody tr").await;
        assert_eq!(
            rows.len(),
            published.fields.len(),
            "one row per manifest field, no more: {rows:#?}"
        );
        ui.check("collects-en").await;
        // Back to the device page with the screen's own back button.
        ui.click("#collects-back").await;
        ui.expect_text("#device-name", DEVICE_NAME).await;

        app.open(Screen::About).await.expect("About");
        ui.expect_text("#security-title", &en("support-contact-title"))
            .await;
        ui.element("#security-contact ul").await;
        assert_eq!(
            texts(&app, "#security-contact li").await,
            shown_contacts(&published.contacts),
            "the contacts of the service's security.txt, in its order"
        );
        for contact in &published.contacts {
            let link = format!("#security-contact a[href='{contact}']");
            assert!(!absent(&app, &link).await, "{contact} is a link");
        }
        // The maker's policy address is a link too (opened outside the app), and the
        // languages a report may be written in read as names, not codes (issue 16).
        assert!(
            !absent(&app, "#contact-policy a[href^='https://'][target='_blank']").await,
            "the policy address is a link: {:?}",
            texts(&app, "#contact-policy").await
        );
        ui.expect_text(
            "#contact-languages",
            &en_with(
                "support-contact-languages",
                &[("languages", "English, Deutsch, Français, Español")],
            ),
        )
        .await;
        assert!(
            absent(&app, "#contact-expired").await,
            "security.txt expires in the future"
        );
        ui.check("about-security-en").await;

        // The last fresh answer for the card: what the cache must show later.
        let checked = open_device_page(&ui).await;
        assert!(absent(&app, "#support-offline").await, "fresh, not cached");
        checked
    });

    // The service stops: the same card from the cache, marked; the plug still switches.
    let started = Instant::now();
    world
        .stop_vendor_service()
        .expect("the vendor service stops");
    println!("vendor service stopped: {:?}", started.elapsed());
    world.block_on(async {
        let started = Instant::now();
        let checked_offline = open_device_page(&ui).await;
        println!("support card answered (offline): {:?}", started.elapsed());
        ui.expect_text("#support-offline", &en("support-offline"))
            .await;
        ui.expect_text("#support-title", &until).await;
        ui.expect_attribute("#support-title", "data-status", status)
            .await;
        assert_eq!(
            checked_offline, checked_online,
            "the cached copy says when it was last fetched"
        );
        ui.expect_attribute("#plug-state", "data-plug", "off").await;
        // A click while the page refreshes the device would be lost on a disabled button.
        ui.element("#plug-toggle:enabled").await;
        let started = Instant::now();
        ui.click("#plug-toggle").await;
        ui.expect_attribute("#plug-state", "data-plug", "on").await;
        println!(
            "plug switched with the service down: {:?}",
            started.elapsed()
        );
        let truth = world.status(0).await.expect("device status");
        assert!(truth.plug_on, "the device's own relay is on: {truth:?}");
        ui.element("#plug-toggle:enabled").await;
        scroll_to(&app, "#support").await;
        ui.check("device-support-offline-en").await;

        // The table and the contact come from the cache too.
        ui.click("#open-collects").await;
        ui.heading("support-collects-title").await;
        expect_paragraph(&app, &en("support-offline")).await;
        for field in &published.fields {
            ui.element(&format!("#collects-table tr[data-field='{}']", field.name))
                .await;
        }
        app.open(Screen::About).await.expect("About");
        ui.element("#security-contact ul").await;
        expect_paragraph(&app, &en("support-offline")).await;
        assert_eq!(
            texts(&app, "#security-contact li").await,
            shown_contacts(&published.contacts)
        );
    });

    // The service comes back on the same port with the same data: fetched afresh.
    let profile_before = std::fs::read_to_string(
        world
            .vendor_service_profile()
            .expect("the service's profile"),
    )
    .expect("the service's profile");
    let started = Instant::now();
    world
        .start_vendor_service()
        .expect("the vendor service starts again on its port");
    println!("vendor service restarted: {:?}", started.elapsed());
    let profile_after = std::fs::read_to_string(
        world
            .vendor_service_profile()
            .expect("the service's profile"),
    )
    .expect("the service's profile");
    assert_eq!(profile_before, profile_after, "same URL, CA and keys");
    world.block_on(async {
        let checked_again = open_device_page(&ui).await;
        assert!(
            absent(&app, "#support-offline").await,
            "fetched afresh once the service is back"
        );
        ui.expect_text("#support-title", &until).await;
        let (online, again): (u64, u64) = (
            checked_online.parse().expect("unix seconds"),
            checked_again.parse().expect("unix seconds"),
        );
        assert!(again >= online, "fetched again: {online} then {again}");
        println!("last checked: online {online}, after the restart {again}");
    });
    world.block_on(app.quit()).expect("quit");
    let log = world.vendor_service_log();
    assert_eq!(
        log.matches("vendor service listening").count(),
        2,
        "one start, one restart:\n{log}"
    );
    world.down().expect("the world stops cleanly");
}
