//! The devices for `cargo xtask demo`, in the test world of `hearth-testkit` kept in
//! `target/demo`: a private system bus with the simulated radio, a demo vendor, three minted
//! devices (labels on disk: two plugs and one sensor that cannot be updated, which the app asks
//! about before pairing), their reference devices advertising on the radio, and the vendor
//! service (`hearth-vendor`, SQLite) over HTTPS on loopback, so the app and the `hearth` CLI
//! have something real to pair with and a maker's catalogue to read. What was minted and paired
//! stays for the next run; the keyring is the person's own.
//!
//! `cargo xtask press N` presses device N's button from a second terminal: the pairing window
//! of a device closes after 15 minutes, and only its button opens it again.

use std::path::PathBuf;

use hearth_testkit::{Command, KeyringMode, World};

use crate::steps::{Failure, target_dir};

/// The demo Wi-Fi the reference devices can "join".
pub const WIFI_SSID: &str = "Hearth Demo WiFi";
const WIFI_PASSPHRASE: &str = "demo passphrase, not a secret";
/// The models the demo devices are minted as, in order; the vendor service's catalogue has
/// them. The sensor cannot be updated (EN 303 645 4.3-8).
const DEVICE_MODELS: [&str; 3] = ["hearth-plug-1", "hearth-plug-1", "hearth-sensor-0"];
/// The vendor name on the demo devices.
const VENDOR_NAME: &str = "Hearth Demo Devices";
/// How long a device's pairing window stays open after its button is pressed (the device
/// core's `lockout::WINDOW_SECS`).
const WINDOW_MINUTES: u64 = 15;

/// Everything the demo started; dropping it stops the vendor service, the devices, then the
/// radio.
pub struct DemoWorld {
    world: World,
}

fn failure(e: hearth_testkit::Error) -> Failure {
    Failure(e.0)
}

/// The demo's folder.
fn demo_dir() -> PathBuf {
    target_dir().join("demo")
}

impl DemoWorld {
    /// Starts the bus and radio, mints devices on first use, starts the devices and the
    /// vendor service, and returns once every device is heard advertising.
    pub fn up() -> Result<Self, Failure> {
        let world = World::builder()
            .folder(&demo_dir())
            .models(&DEVICE_MODELS)
            .vendor_name(VENDOR_NAME)
            .wifi(WIFI_SSID, WIFI_PASSPHRASE)
            .keyring(KeyringMode::Inherit)
            .with_vendor_service()
            .up()
            .map_err(failure)?;
        for model in DEVICE_MODELS {
            let dir = world
                .vendor_service_dir()
                .ok_or_else(|| Failure("the vendor service has no folder".into()))?;
            let entry = dir.join("catalogue").join(format!("{model}.toml"));
            if !entry.is_file() {
                return Err(Failure(format!(
                    "the vendor service's catalogue has no entry for the demo devices' model \
                     ({} is missing); delete {} to set the service up again",
                    entry.display(),
                    dir.display()
                )));
            }
        }
        Ok(Self { world })
    }

    /// The environment the app and the CLI need in the demo: its bus, vendor profile and
    /// vendor service, and its home.
    pub fn app_env(&self) -> Vec<(String, String)> {
        let mut env = self.world.app_env();
        env.push((
            "HEARTH_HOME".into(),
            self.world.home().display().to_string(),
        ));
        env
    }

    /// Tells the user where each device's label and setup code are, how to press its button,
    /// that the app is opening, and how to use the CLI beside it.
    pub fn explain(&self) {
        let world = &self.world;
        println!(
            "\nxtask: the demo is ready.\
             \n  Vendor service (SQLite): {url}\
             \n  Logs (devices, vendor service): {logs}",
            url = world.vendor_service_url().unwrap_or_default(),
            logs = world.logs().display(),
        );
        println!(
            "\n{count} simulated devices are switched on and waiting to be set up.\
             \nEach one has a label with a QR code and a setup code. A model that gets no\
             \nsecurity updates (hearth-sensor-0) makes the app ask you before it pairs.\
             \nA device can be set up for {WINDOW_MINUTES} minutes after it is switched on or its\
             \nbutton is pressed; after that the app says \"Press its button\", and so do you:",
            count = world.devices().len()
        );
        for (i, device) in world.devices().iter().enumerate() {
            println!(
                "\n  Device {n}  (Serial: {serial}, Model: {model})\
                 \n    Label picture: {png}\
                 \n    Label text:    {txt}\
                 \n    Setup code:    {code}\
                 \n    Press its button: cargo xtask press {n}",
                n = i + 1,
                serial = device.serial,
                model = device.model,
                png = device.label_png.display(),
                txt = device.label_txt.display(),
                code = device.setup_code,
            );
        }
        println!(
            "\nThe Hearth app window is opening now, with these {count} devices ready to set up.\
             \nIn the app, choose \"Set up a device\" and type a setup code from the list above\
             \n(or choose \"Use a photo of the label\" and pick a label.png).\
             \nThe devices can join this Wi-Fi:\
             \n  Wi-Fi name:       {WIFI_SSID}\
             \n  Wi-Fi passphrase: {WIFI_PASSPHRASE}",
            count = world.devices().len()
        );
        let bin = |name: &str| target_dir().join("debug").join(name);
        println!(
            "\nIn a second terminal, press a device's button (it answers with what it does now):\n\
             \n  cargo xtask press 1\
             \n  # the same, through the device's own control socket:\
             \n  {refdevice} press --state '{state}'\n",
            refdevice = bin("hearth-refdevice").display(),
            state = world
                .devices()
                .first()
                .map(|d| d.state.display().to_string())
                .unwrap_or_default(),
        );
        let var = |name: &str| {
            self.app_env()
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
        };
        println!(
            "Or point the `hearth` CLI at the same radio and data:\n\
             \n  export DBUS_SYSTEM_BUS_ADDRESS='{bus}'\
             \n  export HEARTH_HOME='{home}'\
             \n  export HEARTH_VENDOR_PROFILE='{vendor}'\
             \n  export HEARTH_VENDOR_SERVICE='{service}'\
             \n  export HEARTH_KEYRING=keyutils   # or secret-service on a desktop\
             \n  {cli} pair --code <setup code> --wifi-ssid '{WIFI_SSID}' --wifi-pass-file '{pass}' --name Kitchen\
             \n  {cli} plug on Kitchen\n",
            bus = world.bus_address(),
            home = world.home().display(),
            vendor = world.vendor_profile().display(),
            service = var("HEARTH_VENDOR_SERVICE"),
            pass = world.wifi().passphrase_file.display(),
            cli = bin("hearth").display(),
        );
    }

    /// Stops everything the demo started (the folder stays for the next run).
    pub fn down(self) -> Result<(), Failure> {
        self.world.down().map_err(failure)
    }
}

/// `cargo xtask press N`: presses the button of the demo's device N (1-based, as the demo
/// lists them) through its control socket, and says what it does now.
pub fn press(args: &[String]) -> Result<(), Failure> {
    let usage = || Failure("usage: cargo xtask press <device number, as the demo lists it>".into());
    let n: usize = match args {
        [n] => n.parse().map_err(|_| usage())?,
        _ => return Err(usage()),
    };
    let dir = demo_dir();
    let folders = hearth_testkit::factory::label_folders(&dir.join("devices"));
    let folder = n
        .checked_sub(1)
        .and_then(|i| folders.get(i))
        .ok_or_else(|| {
            Failure(format!(
                "the demo has {} devices (in {}); there is no device {n}",
                folders.len(),
                dir.display()
            ))
        })?;
    let state = hearth_testkit::factory::state_folder(&dir, folder);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("tokio runtime: {e}")))?;
    let status = runtime
        .block_on(hearth_testkit::device::send(&state, Command::PressButton))
        .map_err(|e| {
            Failure(format!(
                "{e}\nIs the demo running (`cargo xtask demo` in another terminal)?"
            ))
        })?;
    let name = folder
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if status.has_owner {
        println!(
            "xtask: pressed the button of device {n} ({name}). It already has an owner; to set \
             it up again, forget it in the app first."
        );
    } else if status.pairing_open {
        println!(
            "xtask: pressed the button of device {n} ({name}). It can be set up for the next \
             {WINDOW_MINUTES} minutes."
        );
    } else {
        println!(
            "xtask: pressed the button of device {n} ({name}), but it is switched off \
             (powered: {}).",
            status.powered
        );
    }
    Ok(())
}
