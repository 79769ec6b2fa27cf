//! The window as tests drive it: find, type, click, wait for text or an attribute, read a
//! field, and check a state (screenshot plus axe-core). Waits poll once per painted frame,
//! bounded by [`WAIT`]; nothing sleeps.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::{App, message};

/// How long one step (a pairing included) may take in the window before a test gives up.
pub const WAIT: Duration = Duration::from_secs(60);

/// The folder named by `HEARTH_SCREENSHOTS`, created; `None` when unset.
pub fn screenshots() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("HEARTH_SCREENSHOTS")?);
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    Some(dir)
}

/// The English message `id`.
pub fn en(id: &str) -> String {
    message("en", id).unwrap_or_else(|e| panic!("{id}: {e:?}"))
}

/// An English message with its arguments filled in (plain `{ $name }` placeables only).
pub fn en_with(id: &str, args: &[(&str, &str)]) -> String {
    let mut text = en(id);
    for (name, value) in args {
        text = text.replace(&format!("{{ ${name} }}"), value);
    }
    text
}

/// The window as the tests drive it: find, type, click, wait, check.
#[derive(Debug)]
pub struct Ui<'a> {
    pub app: &'a App,
    pub shots: Option<PathBuf>,
}

impl Ui<'_> {
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.app
            .client()
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// Clicks `css` once it is enabled (a busy button is disabled, and a click on it
    /// would be lost, as it would for a person).
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let element = self.element(css).await;
            if element.is_enabled().await.unwrap_or(false) {
                element
                    .click()
                    .await
                    .unwrap_or_else(|e| panic!("click {css}: {e}"));
                return;
            }
            assert!(Instant::now() < deadline, "{css} stayed disabled");
            self.next_frame().await;
        }
    }

    /// Replaces the field's text as a person would: select all, then type.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Waits until the element shows exactly `expected` (trimmed), up to [`WAIT`].
    pub async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.app.client().find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.trim() == expected {
                    return;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} shows {last:?}, expected {expected:?}"
            );
            self.next_frame().await;
        }
    }

    /// Waits until `css` carries `attribute` = `value`.
    pub async fn expect_attribute(&self, css: &str, attribute: &str, value: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        loop {
            if let Ok(element) = self.app.client().find(Locator::Css(css)).await
                && let Ok(now) = element.attr(attribute).await
            {
                if now.as_deref() == Some(value) {
                    return;
                }
                last = now;
            }
            assert!(
                Instant::now() < deadline,
                "{css} has {attribute}={last:?}, expected {value:?}"
            );
            self.next_frame().await;
        }
    }

    /// Waits for the browser to paint a frame: the window's own clock, not a sleep.
    pub async fn next_frame(&self) {
        let _ = self
            .app
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => done(true));",
                vec![],
            )
            .await;
    }

    pub async fn heading(&self, id: &str) {
        self.expect_text("main h1", &en(id)).await;
    }

    pub async fn value(&self, css: &str) -> String {
        let value = self
            .app
            .client()
            .execute(
                "return document.querySelector(arguments[0]).value;",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await
            .unwrap_or_else(|e| panic!("value of {css}: {e}"));
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Screenshot (if asked for) and axe-core, which must find nothing.
    pub async fn check(&self, name: &str) {
        if let Some(dir) = &self.shots {
            self.app
                .screenshot(&dir.join(format!("{name}.png")))
                .await
                .expect("screenshot");
        }
        let violations = self.app.axe().await.expect("axe runs");
        assert!(violations.is_empty(), "{name}: axe found {violations:#?}");
    }

    /// From Home to the Wi-Fi step with `code` typed.
    pub async fn start_with_code(&self, code: &str) {
        self.click("#setup-button").await;
        self.heading("setup-code-title").await;
        self.fill("#setup-code", code).await;
        self.expect_text("#code-status", &en("setup-code-ok")).await;
        self.click("#code-continue").await;
        self.heading("setup-wifi-title").await;
    }

    pub async fn fill_wifi(&self, ssid: &str, passphrase: &str, name: &str) {
        self.fill("#wifi-ssid", ssid).await;
        self.fill("#wifi-passphrase", passphrase).await;
        if !name.is_empty() {
            self.fill("#device-name", name).await;
        }
    }

    /// Clicks "Set up the device" and waits for the failure screen with `error`.
    pub async fn setup_fails_with(&self, start: &str, error: &str) {
        self.click(start).await;
        self.heading("setup-failed-title").await;
        self.expect_text(".error p:last-child", error).await;
    }

    /// Sends `keys` to whatever has the keyboard focus, as a keyboard would.
    pub async fn press(&self, keys: &str) {
        self.app
            .client()
            .active_element()
            .await
            .expect("something has the focus")
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
    }

    /// Presses Tab until the element with `id` has the focus, failing after 40 presses:
    /// proof it is reachable by keyboard, in the page's own order.
    pub async fn tab_to(&self, id: &str) {
        for _ in 0..40 {
            let focused = self
                .app
                .client()
                .execute(
                    "return document.activeElement && document.activeElement.id;",
                    vec![],
                )
                .await
                .expect("read the focus");
            if focused.as_str() == Some(id) {
                return;
            }
            self.press(&fantoccini::key::Key::Tab).await;
        }
        panic!("#{id} cannot be reached with Tab");
    }
}
