//! Where the window may go (EN 303 645 4.6: attack surface). The window shows only the app's
//! own pages; a link the UI offers (a maker's `https:` or `mailto:` address, filtered again
//! by the UI) opens in the system's browser or mail program, never inside the window, and
//! anything else is refused.

use tauri::Url;

/// Whether the main window may load `url`: only the app's own pages (`tauri://localhost`, or
/// `http(s)://tauri.localhost` where the platform uses that). An outside address the person
/// clicked is handed to the system instead.
pub fn may_navigate(url: &Url) -> bool {
    let own = url.scheme() == "tauri"
        || (matches!(url.scheme(), "http" | "https") && url.host_str() == Some("tauri.localhost"));
    if !own {
        open_outside(url);
    }
    own
}

/// Opens `url` in the system's browser or mail program, if it is `https:` or `mailto:`.
pub fn open_outside(url: &Url) {
    if !matches!(url.scheme(), "https" | "mailto") {
        tracing::warn!(scheme = url.scheme(), "refused to open a link");
        return;
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    // The address is one argument, never a shell line.
    match std::process::Command::new(program)
        .arg(url.as_str())
        .spawn()
    {
        Ok(_) => tracing::info!(scheme = url.scheme(), "opened a link outside the app"),
        Err(e) => tracing::warn!(program, "could not open a link: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_apps_own_pages_load_in_the_window() {
        let url = |s: &str| Url::parse(s).expect("url");
        assert!(may_navigate(&url("tauri://localhost/index.html")));
        assert!(may_navigate(&url("http://tauri.localhost/index.html")));
        // `javascript:` and `file:` are refused and never handed to the system.
        assert!(!may_navigate(&url("javascript:alert(1)")));
        assert!(!may_navigate(&url("file:///etc/passwd")));
        assert!(!may_navigate(&url("http://tauri.localhost.example/")));
    }
}
