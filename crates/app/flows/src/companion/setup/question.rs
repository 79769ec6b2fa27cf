//! The window's way of asking before pairing ([`crate::before_pairing`]): the question goes
//! to the window as a progress step named `confirm`, numbered as the step that found the
//! device, and the setup waits for [`Companion::answer_setup`]. The setup holds the radio
//! meanwhile (other conversations queue), so an unanswered question ends it after
//! [`ANSWER_WAIT`]; the window answers no at once when the person leaves the setup screen.

use std::sync::Mutex;

use hearth_ble::Transport;
use hearth_vendor_info::SupportView;

use super::{SetupProgress, setup_progress};
use crate::before_pairing::Ask;
use crate::companion::Companion;
use crate::companion::radio::lock;
use crate::error::FlowError;
use crate::pair::BoxFuture;
use crate::progress::Step;

/// How long a setup waits for the person's answer.
pub const ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The running setup's question, waiting for its answer.
#[derive(Debug, Default)]
pub(crate) struct Question {
    waiting: Mutex<Option<tokio::sync::oneshot::Sender<bool>>>,
}

impl Question {
    /// Gives the waiting setup `go_on`; whether one was waiting.
    pub(crate) fn answer(&self, go_on: bool) -> bool {
        lock(&self.waiting)
            .take()
            .is_some_and(|question| question.send(go_on).is_ok())
    }
}

/// [`Ask`] through the window: the question on the setup's progress channel.
pub(crate) struct InTheWindow<'c, T: Transport> {
    pub companion: &'c Companion<T>,
    pub progress: &'c (dyn Fn(SetupProgress) + Send + Sync),
}

impl<T: Transport + 'static> Ask for InTheWindow<'_, T> {
    fn ask<'a>(
        &'a mut self,
        model: &'a str,
        _view: SupportView,
    ) -> BoxFuture<'a, Result<(), FlowError>> {
        // The window shows the support period itself, from the model in step `found`.
        let progress = self.progress;
        Box::pin(self.companion.ask_before_pairing(model, progress))
    }
}

impl<T: Transport + 'static> Companion<T> {
    /// Asks the person whether the running setup goes on with a device of `model`: `notify`
    /// gets the question, the answer comes from [`Companion::answer_setup`].
    ///
    /// # Errors
    /// [`FlowError::Declined`] for a no; [`FlowError::NoAnswer`] when no answer came within
    /// [`ANSWER_WAIT`] (or the question was dropped).
    pub async fn ask_before_pairing(
        &self,
        model: &str,
        notify: impl FnOnce(SetupProgress),
    ) -> Result<(), FlowError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        *lock(&self.setup.question.waiting) = Some(answer);
        // A sub-state of the step that found the device: same number, its own name.
        let found = Step::Found {
            name: String::new(),
            model: model.to_owned(),
        };
        notify(SetupProgress {
            name: "confirm".to_owned(),
            message_id: hearth_i18n::id!("setup-confirm-title").to_owned(),
            args: vec![("model".to_owned(), model.to_owned())],
            ..setup_progress(&found)
        });
        let answer = tokio::time::timeout(ANSWER_WAIT, answered).await;
        lock(&self.setup.question.waiting).take();
        let outcome = match answer {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(FlowError::Declined),
            Ok(Err(_)) | Err(_) => Err(FlowError::NoAnswer),
        };
        tracing::info!(
            model,
            answer = outcome
                .as_ref()
                .map_or_else(|e| e.code().as_str(), |()| "yes"),
            "asked before pairing"
        );
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::companion::{ENTRY_STEPS, FlowsOpener, MakerInfo};

    /// A companion with no Bluetooth and no vendor profile: enough for the questions.
    async fn companion(dir: &std::path::Path) -> Arc<Companion<hearth_ble::BtleplugTransport>> {
        let database = hearth_core::Database::open(dir).await.expect("database");
        let opener: FlowsOpener<hearth_ble::BtleplugTransport> =
            Box::new(|| Box::pin(async { Err(FlowError::BluetoothOff) }));
        let vendor = Err(FlowError::VendorProfile {
            reason: "none in this test".into(),
        });
        let clock: Arc<dyn crate::Clock> = Arc::new(crate::SystemClock);
        let maker = MakerInfo::from_env(&database, Arc::clone(&clock));
        Arc::new(Companion::new(&database, opener, vendor, maker, clock))
    }

    #[tokio::test]
    async fn a_question_before_pairing_takes_one_answer_while_it_is_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let companion = companion(dir.path()).await;
        assert!(!companion.answer_setup(true), "nothing was asked");

        let (shown, on_screen) = tokio::sync::oneshot::channel();
        let asking = tokio::spawn({
            let companion = Arc::clone(&companion);
            async move {
                companion
                    .ask_before_pairing("hearth-sensor-0", |step| {
                        let _ = shown.send(step);
                    })
                    .await
            }
        });
        let step = on_screen.await.expect("the question is shown");
        assert_eq!(step.name, "confirm");
        assert_eq!(step.number, 4, "numbered as the step that found the device");
        assert_eq!(step.count, Step::COUNT + ENTRY_STEPS);
        assert_eq!(step.message_id, "setup-confirm-title");
        assert_eq!(
            step.args,
            vec![("model".to_owned(), "hearth-sensor-0".to_owned())]
        );
        assert!(companion.answer_setup(false), "the setup was waiting");
        let no = asking.await.expect("task");
        assert!(matches!(no, Err(FlowError::Declined)), "{no:?}");
        assert!(!companion.answer_setup(true), "answered already");

        let (shown, on_screen) = tokio::sync::oneshot::channel();
        let asking = tokio::spawn({
            let companion = Arc::clone(&companion);
            async move {
                companion
                    .ask_before_pairing("hearth-sensor-0", |step| {
                        let _ = shown.send(step);
                    })
                    .await
            }
        });
        on_screen.await.expect("asked again");
        assert!(companion.answer_setup(true));
        let yes = asking.await.expect("task");
        assert!(yes.is_ok(), "{yes:?}");
    }

    #[tokio::test]
    async fn a_question_nobody_answers_ends_the_setup_after_the_wait() {
        let dir = tempfile::tempdir().expect("temp dir");
        let companion = companion(dir.path()).await;
        // Paused time (after the database is open): the runtime jumps to the deadline once
        // nothing else can run.
        tokio::time::pause();
        let started = tokio::time::Instant::now();
        let none = companion
            .ask_before_pairing("hearth-sensor-0", |_| {})
            .await;
        assert!(matches!(none, Err(FlowError::NoAnswer)), "{none:?}");
        assert!(started.elapsed() >= ANSWER_WAIT);
        assert!(!companion.answer_setup(true), "the question is gone");
    }
}
