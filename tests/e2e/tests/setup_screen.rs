//! What a newcomer meets on the first setup screen (issue 16), in the real window: the code
//! field has the focus when the screen opens, the code shows grouped as the label prints it
//! (`1272-461-6634`) while only digits are typed, and the step label names the step in the
//! reader's language while its stable id stays in the page for support staff.

use hearth_e2e::App;
use hearth_e2e::ui::{Ui, en, en_with, screenshots};
use hearth_protocol::setup_code::{Discriminator, Passcode, SetupCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_field_is_ready_and_shows_the_code_as_printed() {
    let home = tempfile::tempdir().expect("temp HEARTH_HOME");
    let code = SetupCode {
        version: 0,
        discriminator: Discriminator::new(0x0A8).expect("12 bits"),
        passcode: Passcode::new(20_406_121).expect("allowed"),
    };
    let app = App::launch(home.path())
        .await
        .expect("the app window comes up");
    let ui = Ui {
        app: &app,
        shots: screenshots(),
    };
    ui.click("#setup-button").await;
    ui.heading("setup-code-title").await;
    let focused = app
        .client()
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .expect("read the focus");
    assert_eq!(focused, "setup-code", "the code field has the focus");

    // Typed straight on, as a person would, with no dashes: shown as the label prints it.
    ui.press(&code.manual_digits()).await;
    ui.expect_text("#code-status", &en("setup-code-ok")).await;
    assert_eq!(ui.value("#setup-code").await, code.manual_code());

    ui.expect_text(
        ".support-step",
        &en_with(
            "setup-step-label",
            &[
                ("number", "1"),
                ("count", "9"),
                ("name", &en("setup-step-code")),
            ],
        ),
    )
    .await;
    ui.expect_attribute(".support-step", "data-step-name", "code")
        .await;
    app.quit().await.expect("quit");
}
