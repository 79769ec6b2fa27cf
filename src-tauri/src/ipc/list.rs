// The one list of the window's commands (EN 303 645 4.6-1: the window may call exactly these).
// From it come the handler the app registers (`ipc::handler`), the manifest `build.rs` gives
// tauri-build (which `include!`s this file with its own `commands!`), the capability files and
// the typed TypeScript functions the UI calls (`tests/generated.rs` checks all of them).
//
// Each entry is `fn name(state, argument: Type, …) -> Answer { body }`: the body is one line
// into the state or the companion, returns `Result<Answer, ErrorDto>`, and runs off the main
// thread (every command is async; blocking work goes to a blocking thread below).
commands! {
    /// The language setting and what "follow the system" resolves to.
    fn get_language(state) -> LanguageState {
        Ok(state.language_state())
    }

    /// Saves the language choice (a file write and fsync, on a blocking thread).
    fn set_language(state, choice: LanguageChoice) -> LanguageState {
        state.set_language(choice).await
    }

    /// The app's version and the licences of every bundled component.
    fn get_about(state) -> AboutInfo {
        state.about().await
    }

    /// Sends the device list now and on every change until the window drops the channel.
    /// Returns the watcher's id, for `unwatch_devices`.
    fn watch_devices(state, on_change: Channel<Vec<DeviceView>>) -> u64 {
        let watcher = move |devices: &[DeviceView]| on_change.send(devices.to_vec()).is_ok();
        Ok(state.companion.watch(Box::new(watcher)).await)
    }

    /// Stops watcher `id`.
    fn unwatch_devices(state, id: u64) -> () {
        state.companion.unwatch(id);
        Ok(())
    }

    /// How far the typed setup code is: complete, still typing, or the exact mistake.
    fn check_setup_code(_state, code: String) -> CodeCheck {
        hearth_flows::companion::check_code(&code)
    }

    /// The setup code in a photo of the label (seconds for a large photo, on a blocking
    /// thread). The photo's bytes are the raw request body, not a JSON number array.
    fn decode_label_photo(state, photo: RawBody) -> String {
        state.companion.decode_label(photo.0).await
    }

    /// Sets a device up, telling `on_progress` each step as it starts (and a question before
    /// pairing a model without security updates ahead: step `confirm`).
    fn set_up_device(
        state,
        request: SetupRequest,
        on_progress: Channel<SetupProgress>,
    ) -> SetupResult {
        let progress = move |step| {
            let _ = on_progress.send(step);
        };
        state.companion.set_up(request, state.language(), &progress).await
    }

    /// The person's answer to the question a running setup asked: whether to go on. Returns
    /// whether a setup was waiting for it.
    fn answer_setup(state, go_on: bool) -> bool {
        Ok(state.companion.answer_setup(go_on))
    }

    /// Reads the plug and temperature of device `id` now.
    fn refresh_device(state, id: String) -> DeviceView {
        state.companion.refresh(&id).await
    }

    /// Switches the plug of device `id`.
    fn set_plug(state, id: String, on: bool) -> DeviceView {
        state.companion.set_plug(&id, on).await
    }

    /// Gives device `id` corrected Wi-Fi settings, without a reset.
    fn set_device_wifi(state, id: String, request: WifiRequest) -> DeviceView {
        state.companion.set_wifi(&id, request).await
    }

    /// Resets device `id` and forgets it (an unreachable device is not forgotten).
    fn forget_device(state, id: String) -> () {
        state.companion.forget(&id).await
    }

    /// The diagnostics report for support staff: no names, ids, Wi-Fi details or keys.
    fn get_diagnostics(state) -> DiagnosticsReport {
        let version = env!("CARGO_PKG_VERSION");
        Ok(state.companion.diagnostics(version, state.language()).await)
    }

    /// The support period of `model`, fresh or from the cache (marked with when it was
    /// checked).
    fn get_support(state, model: String) -> SupportView {
        state.companion.support(&model, state.language()).await
    }

    /// What `model` collects, and why.
    fn get_collects(state, model: String) -> CollectsView {
        state.companion.collects(&model, state.language()).await
    }

    /// The maker's security contact from its security.txt.
    fn get_security_contact(state) -> SecurityContactView {
        state.companion.security_contact().await
    }
}
