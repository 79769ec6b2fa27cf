//! Drives the real Hearth window through tauri-driver and WebKitWebDriver, for
//! the end-to-end tests and for `cargo xtask demo --screenshots DIR`.
//!
//! The app binary comes from `HEARTH_APP_BIN` (set by `cargo xtask test`); every
//! launch gets its own `HEARTH_HOME`, so runs never share settings or data.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

pub mod ui;
pub mod world;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    process::{Child, Command},
};

/// Anything that stops a run; the message says what to look at.
#[derive(Debug)]
pub struct E2eError(pub String);

impl std::fmt::Display for E2eError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for E2eError {}

fn fail(what: impl std::fmt::Display) -> E2eError {
    E2eError(what.to_string())
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One screen of the app, reached through the main menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Settings,
    About,
}

impl Screen {
    /// Every screen, in menu order.
    pub const ALL: [Screen; 3] = [Screen::Home, Screen::Settings, Screen::About];

    /// A short name used in file names and element ids.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Home => "home",
            Screen::Settings => "settings",
            Screen::About => "about",
        }
    }

    /// The Fluent id of the screen's heading.
    pub fn heading_id(self) -> &'static str {
        match self {
            Screen::Home => "home-title",
            Screen::Settings => "settings-title",
            Screen::About => "about-title",
        }
    }
}

/// Reads a one-line message from the `.ftl` files of `locales/<lang>/`, with
/// `{ -brand }` resolved, so tests compare against the translators' text and fail
/// when a translation is missing.
pub fn message(lang: &str, id: &str) -> Result<String, E2eError> {
    let dir = root().join(format!("locales/{lang}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| fail(format!("{}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    let mut text = String::new();
    for path in files {
        text.push_str(
            &std::fs::read_to_string(&path)
                .map_err(|e| fail(format!("{}: {e}", path.display())))?,
        );
        text.push('\n');
    }
    let brand = text
        .lines()
        .find_map(|l| l.strip_prefix("-brand = "))
        .unwrap_or("Hearth")
        .trim()
        .to_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{id} = ")))
        .map(|v| v.trim().replace("{ -brand }", &brand))
        .ok_or_else(|| fail(format!("locales/{lang} has no message {id}")))
}

/// A running app under tauri-driver, with a WebDriver session on its window.
pub struct App {
    driver: Child,
    client: Client,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("driver", &self.driver.id())
            .finish_non_exhaustive()
    }
}

/// A loopback port for one of the drivers, held (bound, never listening) until the driver
/// listens on it: tauri-driver and WebKitWebDriver take a port number but cannot bind port 0
/// and report theirs, and a port read from a released socket can be taken by another test's
/// driver in between — whose app this test would then drive. Both drivers set
/// `SO_REUSEADDR`, so they can bind the held port (`hearth_testkit::ports`).
fn reserve_port() -> Result<hearth_testkit::ports::RefusingPort, E2eError> {
    hearth_testkit::ports::RefusingPort::reserve()
        .map_err(|e| fail(format!("no loopback port for the driver: {e}")))
}

/// `GET /status` over plain HTTP/1.0; `None` until the driver listens.
async fn status(port: u16) -> Option<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    stream
        .write_all(b"GET /status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    let body = response.split("\r\n\r\n").nth(1)?;
    serde_json::from_str(body).ok()
}

impl App {
    /// Starts the app (`HEARTH_APP_BIN`) with `home` as its `HEARTH_HOME` and
    /// waits until its window shows a screen heading.
    pub async fn launch(home: &Path) -> Result<Self, E2eError> {
        Self::launch_with(home, &[]).await
    }

    /// [`App::launch`] with `env` added to the app's environment (it reaches the app
    /// through tauri-driver and WebKitWebDriver), e.g. [`world::World::app_env`].
    pub async fn launch_with(home: &Path, env: &[(String, String)]) -> Result<Self, E2eError> {
        let app = std::env::var_os("HEARTH_APP_BIN")
            .map(PathBuf::from)
            .ok_or_else(|| {
                fail("HEARTH_APP_BIN is not set: run these tests through `cargo xtask test`")
            })?;
        if !app.is_file() {
            return Err(fail(format!(
                "the app binary {} does not exist",
                app.display()
            )));
        }
        let (held, native_held) = (reserve_port()?, reserve_port()?);
        let (port, native_port) = (held.port(), native_held.port());
        let log = std::fs::File::create(home.join("tauri-driver.log"))
            .map_err(|e| fail(e.to_string()))?;
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("HEARTH_HOME", home)
            .env("LANG", "en_US.UTF-8")
            .env("LANGUAGE", "en")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(false)
            .spawn()
            .map_err(|e| {
                fail(format!(
                    "could not start tauri-driver (cargo xtask setup installs it): {e}"
                ))
            })?;
        let mut driver = driver;
        // Creating the session as soon as the port opens fails: poll until ready.
        let ready = async {
            loop {
                if status(port)
                    .await
                    .is_some_and(|s| s["value"]["ready"] == true)
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), ready)
            .await
            .is_err()
        {
            stop(&mut driver).await;
            return Err(fail("tauri-driver did not become ready within 30 s"));
        }
        // Both drivers listen now (tauri-driver's status comes from WebKitWebDriver).
        held.release();
        native_held.release();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app }));
        // WebKitWebDriver waits without end for an app that exits at once, so
        // bound the session creation: a window that does not come up is a failure.
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await;
        let client = match client {
            Ok(Ok(client)) => client,
            Ok(Err(e)) => {
                stop(&mut driver).await;
                return Err(fail(format!("the app window did not come up: {e}")));
            }
            Err(_) => {
                stop(&mut driver).await;
                return Err(fail("the app window did not come up within 60 s"));
            }
        };
        let app = Self { driver, client };
        app.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("main h1"))
            .await
            .map_err(|e| fail(format!("the app shows no screen: {e}")))?;
        Ok(app)
    }

    /// The WebDriver session, for anything this type does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `screen` from the main menu and waits for its heading.
    pub async fn open(&self, screen: Screen) -> Result<(), E2eError> {
        self.client
            .find(Locator::Css(&format!(
                "nav [data-screen='{}']",
                screen.name()
            )))
            .await
            .map_err(|e| fail(format!("no menu entry for {}: {e}", screen.name())))?
            .click()
            .await
            .map_err(|e| fail(e.to_string()))?;
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!(
                "main[data-screen='{}'] h1",
                screen.name()
            )))
            .await
            .map_err(|e| fail(format!("{} did not open: {e}", screen.name())))?;
        Ok(())
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> Result<String, E2eError> {
        self.client
            .find(Locator::Css(css))
            .await
            .map_err(|e| fail(format!("{css}: {e}")))?
            .text()
            .await
            .map_err(|e| fail(format!("{css}: {e}")))
    }

    /// Waits until the element matching `css` shows exactly `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<(), E2eError> {
        let wanted = expected.to_owned();
        let css_owned = css.to_owned();
        let waited = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&format!(
                "//*[normalize-space(.)={}]",
                xpath_literal(&wanted)
            )))
            .await;
        match waited {
            Ok(_) => {
                let now = self.text(&css_owned).await?;
                if now.trim() == wanted {
                    Ok(())
                } else {
                    Err(fail(format!(
                        "{css_owned} shows {now:?}, expected {wanted:?}"
                    )))
                }
            }
            Err(_) => Err(fail(format!(
                "{css_owned} shows {:?}, expected {wanted:?}",
                self.text(&css_owned).await.unwrap_or_default()
            ))),
        }
    }

    /// Picks `value` in the `<select>` matching `css`, as a user would.
    pub async fn select(&self, css: &str, value: &str) -> Result<(), E2eError> {
        self.client
            .find(Locator::Css(css))
            .await
            .map_err(|e| fail(format!("{css}: {e}")))?
            .select_by_value(value)
            .await
            .map_err(|e| fail(format!("{css} = {value}: {e}")))
    }

    /// Saves a PNG of the window, once the latest DOM change has been painted
    /// (a snapshot taken right after a click can show the previous frame).
    pub async fn screenshot(&self, path: &Path) -> Result<(), E2eError> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .map_err(|e| fail(format!("waiting for a painted frame: {e}")))?;
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| fail(e.to_string()))?;
        std::fs::write(path, png).map_err(|e| fail(format!("{}: {e}", path.display())))
    }

    /// Runs axe-core on the page for the WCAG 2.1 A and AA rules and returns
    /// one line per violation (empty when the page passes).
    pub async fn axe(&self) -> Result<Vec<String>, E2eError> {
        let path = root().join("ui/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path)
            .map_err(|e| fail(format!("{} (npm ci installs it): {e}", path.display())))?;
        self.client
            .execute(
                &format!("{source}\n;window.axe = axe; return true;"),
                vec![],
            )
            .await
            .map_err(|e| fail(format!("injecting axe-core: {e}")))?;
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                     .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
                     .catch(e => done(['axe-core failed: ' + e]));"#,
                vec![],
            )
            .await
            .map_err(|e| fail(format!("running axe-core: {e}")))?;
        Ok(result
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("unexpected axe result: {result}")]))
    }

    /// Ends the session (which closes the app) and stops tauri-driver.
    pub async fn quit(mut self) -> Result<(), E2eError> {
        let closed = self.client.clone().close().await;
        stop(&mut self.driver).await;
        closed.map_err(|e| fail(format!("closing the session: {e}")))
    }
}

/// SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver, which
/// keeps the output pipe open and hangs the run.
async fn stop(driver: &mut Child) {
    if let Some(pid) = driver.id() {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), driver.wait()).await;
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Visits every screen in `lang` (switching the language in Settings first),
/// checks each heading against the locale's text and axe-core, and saves
/// `<screen>-<lang>.png` into `dir` when given. Returns the axe violations found.
pub async fn tour(app: &App, lang: &str, dir: Option<&Path>) -> Result<Vec<String>, E2eError> {
    app.open(Screen::Settings).await?;
    // English is what the tests' system asks for, so show "follow the system" for it.
    let choice = if lang == "en" { "system" } else { lang };
    app.select("#language", choice).await?;
    app.wait_for_text("main h1", &message(lang, "settings-title")?)
        .await?;
    let mut violations = Vec::new();
    for screen in Screen::ALL {
        app.open(screen).await?;
        app.wait_for_text("main h1", &message(lang, screen.heading_id())?)
            .await?;
        for v in app.axe().await? {
            violations.push(format!("{}-{lang}: {v}", screen.name()));
        }
        if let Some(dir) = dir {
            app.screenshot(&dir.join(format!("{}-{lang}.png", screen.name())))
                .await?;
        }
    }
    Ok(violations)
}
