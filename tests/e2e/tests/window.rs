//! The real app window, driven through tauri-driver: Home's empty state, every
//! screen in English and German with axe-core's WCAG 2.1 A/AA rules, and the
//! language choice surviving a restart. Screenshots go to `HEARTH_SCREENSHOTS`.

use std::path::PathBuf;

use hearth_e2e::{App, Screen, message, tour};

fn screenshots() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("HEARTH_SCREENSHOTS")?);
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    Some(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_in_english_and_german_passes_axe_and_the_language_persists() {
    let home = tempfile::tempdir().expect("temp HEARTH_HOME");
    let shots = screenshots();

    let app = App::launch(home.path())
        .await
        .expect("the app window comes up");
    // A fresh install follows the system language (the test runs with LANG=en_US).
    app.wait_for_text("main h1", &message("en", "home-title").unwrap())
        .await
        .expect("Home opens first");
    assert_eq!(
        app.text("#empty-title").await.unwrap(),
        message("en", "home-empty-title").unwrap()
    );
    let global = app
        .client()
        .execute("return typeof window.__TAURI__;", vec![])
        .await
        .expect("script runs");
    assert_eq!(global, "undefined", "withGlobalTauri must stay off");

    let mut violations = tour(&app, "en", shots.as_deref())
        .await
        .expect("English tour");
    violations.extend(
        tour(&app, "de", shots.as_deref())
            .await
            .expect("German tour"),
    );
    assert!(
        violations.is_empty(),
        "axe-core found:\n{}",
        violations.join("\n")
    );
    app.quit().await.expect("quit");

    let app = App::launch(home.path())
        .await
        .expect("the app comes up again");
    app.wait_for_text("main h1", &message("de", "home-title").unwrap())
        .await
        .expect("German survived the restart");
    app.open(Screen::Settings).await.unwrap();
    let chosen = app
        .client()
        .execute("return document.querySelector('#language').value;", vec![])
        .await
        .unwrap();
    assert_eq!(chosen, "de");
    app.quit().await.expect("quit");
}
