//! The world's moving parts: device processes and their physical side, the radio's faults,
//! the vendor service, and going down.

use std::sync::atomic::Ordering;

use hearth_radio::control::Radio1Proxy;

use super::{Command, DeviceOptions, Status, VendorService, World, device};
use crate::radio::RadioHandle;
use crate::{CENTRAL_ADAPTER, Error, bins, fail};

impl World {
    // ----- device processes --------------------------------------------------------------------

    /// Starts device `index`'s process (again) on its adapter; it keeps its flash.
    ///
    /// # Errors
    /// No such device; it is already running; the binary did not start.
    pub async fn start_device(&self, index: usize) -> Result<(), Error> {
        self.start_device_with(index, DeviceOptions::default())
            .await
    }

    /// [`World::start_device`] with another Wi-Fi in range or another sensor seed.
    ///
    /// # Errors
    /// As [`World::start_device`].
    pub async fn start_device_with(
        &self,
        index: usize,
        options: DeviceOptions,
    ) -> Result<(), Error> {
        let device = self.device(index)?;
        let mut processes = self
            .processes
            .lock()
            .map_err(|_| fail("the device table is poisoned by a panic"))?;
        let slot = processes
            .get_mut(index)
            .ok_or_else(|| fail(format!("the world has no device {index}")))?;
        if slot.is_some() {
            return Err(fail(format!("device {index} is already running")));
        }
        let wifi = options
            .wifi_networks
            .unwrap_or_else(|| self.wifi.networks_file.clone());
        *slot = Some(device::spawn(
            &self.refdevice,
            device,
            self.bus_address(),
            &wifi,
            options.seed.or(self.seed),
        )?);
        Ok(())
    }

    /// Stops device `index`'s process with SIGTERM (a clean shutdown) and checks that it
    /// exited cleanly.
    ///
    /// # Errors
    /// No such device or it is not running; it did not exit cleanly within [`crate::STEP`].
    pub async fn stop_device(&self, index: usize) -> Result<(), Error> {
        let process = self
            .processes
            .lock()
            .map_err(|_| fail("the device table is poisoned by a panic"))?
            .get_mut(index)
            .and_then(Option::take)
            .ok_or_else(|| fail(format!("device {index} is not running")))?;
        device::terminate(process, &self.device(index)?.serial).await
    }

    /// Whether device `index`'s process was started and not stopped.
    pub fn device_running(&self, index: usize) -> bool {
        self.processes
            .lock()
            .is_ok_and(|p| p.get(index).is_some_and(Option::is_some))
    }

    /// The process id of device `index`'s process while it runs.
    pub fn device_pid(&self, index: usize) -> Option<u32> {
        self.processes.lock().ok().and_then(|p| {
            p.get(index)
                .and_then(Option::as_ref)
                .and_then(|d| d.child.id())
        })
    }

    /// Everything device `index`'s process has logged (empty if none yet).
    pub fn device_log(&self, index: usize) -> String {
        self.devices
            .get(index)
            .and_then(|d| std::fs::read_to_string(&d.log).ok())
            .unwrap_or_default()
    }

    // ----- the devices' physical side ----------------------------------------------------------

    /// Sends `command` through device `index`'s control socket (its button, its power).
    ///
    /// # Errors
    /// No such device, its process is not running, or it refused.
    pub async fn control(&self, index: usize, command: Command) -> Result<Status, Error> {
        let device = self.device(index)?;
        device::send(&device.state, command)
            .await
            .map_err(|e| fail(format!("device {index} ({}): {e}", device.serial)))
    }

    /// Presses device `index`'s pairing button (it opens the pairing window).
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn press_button(&self, index: usize) -> Result<Status, Error> {
        self.control(index, Command::PressButton).await
    }

    /// Device `index`'s status (powered, pairing window, owner, link, relay, …).
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn status(&self, index: usize) -> Result<Status, Error> {
        self.control(index, Command::Status).await
    }

    /// Cuts device `index`'s power (it stops advertising and drops its link).
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_off(&self, index: usize) -> Result<Status, Error> {
        self.control(index, Command::PowerOff).await
    }

    /// Restores device `index`'s power.
    ///
    /// # Errors
    /// As [`World::control`].
    pub async fn power_on(&self, index: usize) -> Result<Status, Error> {
        self.control(index, Command::PowerOn).await
    }

    // ----- the radio ---------------------------------------------------------------------------

    fn radio_handle(&self) -> &RadioHandle {
        match &self.radio {
            Some(radio) => radio,
            None => unreachable!("the radio lives until the world goes down"),
        }
    }

    /// The private bus's address.
    pub fn bus_address(&self) -> &str {
        self.radio.as_ref().map_or("", RadioHandle::address)
    }

    /// The radio's control interface (`org.hearth.Radio1`), for anything not wrapped here
    /// (counters, link parameters, RSSI).
    pub fn radio(&self) -> &Radio1Proxy<'static> {
        &self.radio_handle().control
    }

    /// Drops the link to device `index` now, as a lost radio link; returns how many links
    /// were dropped (0 when none was up).
    ///
    /// # Errors
    /// No such device; the radio refused.
    pub async fn drop_link(&self, index: usize) -> Result<u32, Error> {
        let adapter = &self.device(index)?.adapter;
        self.radio_handle().drop_link(adapter).await
    }

    /// Arms a one-shot drop of the next link to device `index` right after it has completed
    /// `after_round_trips` round trips (≥ 1); see the radio's `ArmLinkDrop`.
    ///
    /// # Errors
    /// No such device; the radio refused (0 round trips).
    pub async fn arm_link_drop(&self, index: usize, after_round_trips: u32) -> Result<(), Error> {
        let adapter = &self.device(index)?.adapter;
        self.radio_handle()
            .arm_link_drop(adapter, after_round_trips)
            .await
    }

    /// Switches the app's Bluetooth (the radio's central adapter `hci0`) on or off.
    ///
    /// # Errors
    /// The radio refused.
    pub async fn set_bluetooth(&self, on: bool) -> Result<(), Error> {
        self.radio_handle().set_powered(CENTRAL_ADAPTER, on).await
    }

    /// Scans on the central adapter until every running device is heard advertising, then
    /// leaves the central as it found it; returns the adapters heard. Only while the app is
    /// not running: the central is the app's.
    ///
    /// # Errors
    /// A device is not heard within [`crate::STEP`]; the radio refused.
    pub async fn scan(&self) -> Result<Vec<String>, Error> {
        let running: Vec<String> = self
            .devices
            .iter()
            .enumerate()
            .filter(|(i, _)| self.device_running(*i))
            .map(|(_, d)| d.adapter.clone())
            .collect();
        self.radio_handle().scan(&running).await
    }

    // ----- the vendor service ------------------------------------------------------------------

    fn vendor_service_dir_path(&self) -> &std::path::Path {
        &self.vendor_service_dir
    }

    /// Starts the vendor service (`hearth-vendor serve`, SQLite in its folder) and returns
    /// once it listens. The first call sets it up (`hearth-vendor init`) on a port the world
    /// keeps; later calls (after [`World::stop_vendor_service`]) serve the same config, port
    /// and database again. Its log is [`World::vendor_service_log`].
    ///
    /// # Errors
    /// It is already running; `init` failed; it exited or did not listen within
    /// [`crate::STEP`] (its log is in the message, a port taken by another program too).
    pub async fn start_vendor_service(&self) -> Result<(), Error> {
        let taken = self
            .vendor_service
            .lock()
            .map_err(|_| fail("the vendor service's slot is poisoned by a panic"))?
            .take();
        let mut service = match taken {
            Some(service) => service,
            None if self.vendor_service_running.load(Ordering::SeqCst) => {
                return Err(fail("the vendor service is already running"));
            }
            None => VendorService::init(
                &bins::vendor_service()?,
                self.vendor_service_dir_path(),
                self.logs().join("vendor-service.log"),
            )?,
        };
        let started = service.start().await;
        self.vendor_service_running
            .store(service.running(), Ordering::SeqCst);
        // Kept (not running) even when the start fails: the folder and port stay the world's.
        if let Ok(mut slot) = self.vendor_service.lock() {
            *slot = Some(service);
        }
        started
    }

    /// Stops the vendor service with SIGTERM (its graceful shutdown) and checks that it
    /// exited cleanly; until it starts again its port refuses connections, as a service that
    /// is down, and stays the world's.
    ///
    /// # Errors
    /// It is not running; it did not exit cleanly within [`crate::STEP`].
    pub async fn stop_vendor_service(&self) -> Result<(), Error> {
        let taken = self
            .vendor_service
            .lock()
            .map_err(|_| fail("the vendor service's slot is poisoned by a panic"))?
            .take();
        let mut service = taken.ok_or_else(|| fail("the vendor service is not running"))?;
        let stopped = service.stop().await;
        self.vendor_service_running
            .store(service.running(), Ordering::SeqCst);
        if let Ok(mut slot) = self.vendor_service.lock() {
            *slot = Some(service);
        }
        stopped
    }

    /// The vendor service's client profile (`vendor-profile.json`: its URL, CA and catalogue
    /// key), what `HEARTH_VENDOR_SERVICE` names; `None` before it was first set up.
    pub fn vendor_service_profile(&self) -> Option<std::path::PathBuf> {
        let profile = self.vendor_service_dir_path().join("vendor-profile.json");
        profile.is_file().then_some(profile)
    }

    /// The vendor service's folder (`config.toml`, `catalogue/`, keys, database); `None`
    /// before it was first set up.
    pub fn vendor_service_dir(&self) -> Option<&std::path::Path> {
        let dir = self.vendor_service_dir_path();
        dir.join("config.toml").is_file().then_some(dir)
    }

    /// The vendor service's `https://` base URL; `None` before it was first set up.
    pub fn vendor_service_url(&self) -> Option<String> {
        let profile = self.vendor_service_profile()?;
        let text = std::fs::read_to_string(profile).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value["service_url"].as_str().map(str::to_owned)
    }

    /// Whether the vendor service is running.
    pub fn vendor_service_running(&self) -> bool {
        self.vendor_service_running.load(Ordering::SeqCst)
    }

    /// Everything the vendor service has logged, over all its starts (empty if none yet).
    pub fn vendor_service_log(&self) -> String {
        std::fs::read_to_string(self.logs().join("vendor-service.log")).unwrap_or_default()
    }

    // ----- going down --------------------------------------------------------------------------

    /// Stops the vendor service (if running) and the devices, then the radio and the bus,
    /// clears the private keyring, and removes a temporary folder.
    ///
    /// # Errors
    /// The vendor service or a device did not exit cleanly, the radio could not be stopped,
    /// or the keyring could not be cleared; everything is stopped regardless.
    pub fn down(mut self) -> Result<(), Error> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), Error> {
        let mut problems = Vec::new();
        if self.vendor_service_running()
            && let Err(e) = self.block_on(self.stop_vendor_service())
        {
            problems.push(e.0);
        }
        for index in 0..self.devices.len() {
            if self.device_running(index)
                && let Err(e) = self.block_on(self.stop_device(index))
            {
                problems.push(e.0);
            }
        }
        if let Some(radio) = self.radio.take()
            && let Err(e) = self.block_on(radio.down())
        {
            problems.push(e.0);
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(crate::wait::RUNTIME_SHUTDOWN);
        }
        if let Some(keyring) = &self.keyring
            && let Err(e) = keyring.clear()
        {
            problems.push(e.0);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(fail(problems.join("; ")))
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if self.runtime.is_some() {
            let _ = self.shut_down();
        }
    }
}
