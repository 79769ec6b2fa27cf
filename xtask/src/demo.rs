//! The devices for `cargo xtask demo`: a private system bus with the simulated
//! radio, a demo vendor, three minted devices (labels on disk: two plugs and one
//! sensor that cannot be updated, which the app asks about before pairing), three reference
//! devices advertising on the radio, and the vendor service (`hearth-vendor`,
//! SQLite) over HTTPS on loopback, so the app and the `hearth` CLI have
//! something real to pair with and a maker's catalogue to read.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::steps::{Failure, run, target_dir};

/// The demo Wi-Fi the reference devices can "join".
pub const WIFI_SSID: &str = "Hearth Demo WiFi";
const WIFI_PASSPHRASE: &str = "demo passphrase, not a secret";
/// The models the demo devices are minted as, and how many of each; the vendor service's
/// catalogue must have them. The sensor cannot be updated (EN 303 645 4.3-8).
const DEVICE_MODELS: [(&str, usize); 2] = [("hearth-plug-1", 2), ("hearth-sensor-0", 1)];
/// What `hearth-vendor serve` logs once it accepts connections.
const SERVICE_READY_LINE: &str = "vendor service listening";
/// How long the vendor service may take to open its database and start listening.
const SERVICE_START_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the demo started; dropping it stops the vendor service, the devices, then
/// the radio.
pub struct DemoWorld {
    pub dir: PathBuf,
    pub bus_address: String,
    pub labels: Vec<PathBuf>,
    /// The vendor service's `https://` base URL.
    pub service_url: String,
    children: Vec<Child>,
}

fn bin(name: &str) -> PathBuf {
    target_dir().join("debug").join(name)
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

impl Drop for DemoWorld {
    fn drop(&mut self) {
        // Devices first, so they leave the bus before the radio goes.
        for child in self.children.iter_mut().rev() {
            terminate(child);
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

impl DemoWorld {
    /// Starts the bus and radio, mints devices on first use, starts the devices.
    pub fn up() -> Result<Self, Failure> {
        let dir = target_dir().join("demo");
        let (vendor, devices, state) = (dir.join("vendor"), dir.join("devices"), dir.join("state"));
        let logs = dir.join("logs");
        for d in [&dir, &state, &dir.join("home"), &logs] {
            std::fs::create_dir_all(d).map_err(|e| Failure(format!("{}: {e}", d.display())))?;
        }
        if !vendor.join("vendor-profile.json").exists() {
            run(Command::new(bin("hearth-factory"))
                .args([
                    "init-vendor",
                    "--vendor-name",
                    "Hearth Demo Devices",
                    "--out",
                ])
                .arg(&vendor))?;
        }
        // Mints what is missing of each model (a demo folder from before a model was added
        // gets just that model's devices).
        let existing = label_files(&devices);
        for (model, count) in DEVICE_MODELS {
            let have = existing
                .iter()
                .filter(|label| {
                    std::fs::read_to_string(label)
                        .is_ok_and(|text| text.lines().any(|l| l == format!("Model: {model}")))
                })
                .count();
            if have < count {
                run(Command::new(bin("hearth-factory"))
                    .args([
                        "mint",
                        "--model",
                        model,
                        "--count",
                        &(count - have).to_string(),
                    ])
                    .arg("--vendor")
                    .arg(&vendor)
                    .arg("--out")
                    .arg(&devices))?;
            }
        }
        let labels = label_files(&devices);
        write(
            &dir.join("wifi.toml"),
            &format!("[networks]\n\"{WIFI_SSID}\" = \"{WIFI_PASSPHRASE}\"\n"),
        )?;
        write(&dir.join("wifi-passphrase.txt"), WIFI_PASSPHRASE)?;

        let mut radio = Command::new(bin("hearth-radio"))
            .args(["up", "--peripherals", &labels.len().to_string(), "--dir"])
            .arg(dir.join("radio"))
            .stdout(Stdio::piped())
            .stderr(log_file(&logs.join("radio.log"))?)
            .spawn()
            .map_err(|e| Failure(format!("could not start the simulated radio: {e}")))?;
        let mut line = String::new();
        let read = radio
            .stdout
            .take()
            .map(|out| BufReader::new(out).read_line(&mut line));
        let Some(bus_address) = line
            .trim()
            .strip_prefix("DBUS_SYSTEM_BUS_ADDRESS=")
            .map(str::to_owned)
        else {
            terminate(&mut radio);
            return Err(Failure(format!(
                "the simulated radio did not start ({read:?}: {line:?})"
            )));
        };
        let mut world = Self {
            dir: dir.clone(),
            bus_address,
            labels: labels.clone(),
            service_url: String::new(),
            children: vec![radio],
        };
        for (i, label) in labels.iter().enumerate() {
            let identity = label.parent().unwrap_or(&devices).to_owned();
            let name = identity
                .file_name()
                .map(|n| n.to_owned())
                .unwrap_or_default();
            let device = Command::new(bin("hearth-refdevice"))
                .arg("--identity")
                .arg(&identity)
                .arg("--state")
                .arg(state.join(&name))
                .args(["--adapter", &format!("hci{}", i + 1)])
                .arg("--wifi-networks")
                .arg(dir.join("wifi.toml"))
                .env("DBUS_SYSTEM_BUS_ADDRESS", &world.bus_address)
                .stderr(log_file(
                    &logs.join(format!("{}.log", name.to_string_lossy())),
                )?)
                .spawn()
                .map_err(|e| Failure(format!("could not start a reference device: {e}")))?;
            world.children.push(device);
        }
        world.start_vendor_service()?;
        Ok(world)
    }

    /// Runs `hearth-vendor init` on first use, then `hearth-vendor serve` (SQLite in the
    /// service's folder) as a child, and waits until it logs that it is listening.
    fn start_vendor_service(&mut self) -> Result<(), Failure> {
        let dir = self.vendor_service_dir();
        if !dir.join("config.toml").exists() {
            // A free port now, kept in the config and profile for later runs (8443 may be
            // someone else's on a shared machine).
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| Failure(format!("no free loopback port for the vendor service: {e}")))?
                .port();
            run(Command::new(bin("hearth-vendor"))
                .args(["init", "--listen", &format!("127.0.0.1:{port}"), "--dir"])
                .arg(&dir)
                .stdout(Stdio::null()))?;
        }
        for (model, _) in DEVICE_MODELS {
            let catalogue_entry = dir.join("catalogue").join(format!("{model}.toml"));
            if !catalogue_entry.is_file() {
                return Err(Failure(format!(
                    "the vendor service's catalogue has no entry for the demo devices' model \
                     ({} is missing); delete {} to set the service up again",
                    catalogue_entry.display(),
                    dir.display()
                )));
            }
        }
        self.service_url = service_url(&self.vendor_service_profile())?;
        let log_path = self.dir.join("logs").join("vendor-service.log");
        let log = log_file(&log_path)?;
        let log_err = log
            .try_clone()
            .map_err(|e| Failure(format!("{}: {e}", log_path.display())))?;
        let service = Command::new(bin("hearth-vendor"))
            .arg("serve")
            .arg("--config")
            .arg(dir.join("config.toml"))
            .env("NO_COLOR", "1")
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| Failure(format!("could not start the vendor service: {e}")))?;
        self.children.push(service);
        let deadline = Instant::now() + SERVICE_START_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains(SERVICE_READY_LINE) {
                return Ok(());
            }
            let exited = self
                .children
                .last_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                return Err(Failure(format!(
                    "the vendor service stopped at start-up ({status}); see {} (if its port \
                     is taken, free it or delete {} to pick a new one)",
                    log_path.display(),
                    dir.display()
                )));
            }
            if Instant::now() >= deadline {
                return Err(Failure(format!(
                    "the vendor service did not start listening within {} s; see {}",
                    SERVICE_START_TIMEOUT.as_secs(),
                    log_path.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Where `hearth-vendor init` put the service's keys, config and database.
    fn vendor_service_dir(&self) -> PathBuf {
        self.dir.join("vendor-service")
    }

    /// The client profile the service's `init` wrote (service URL, CA, catalogue key):
    /// the value of `HEARTH_VENDOR_SERVICE` for the app and the CLI.
    pub fn vendor_service_profile(&self) -> PathBuf {
        self.vendor_service_dir().join("vendor-profile.json")
    }

    /// Tells the user where each device's label and setup code are, that the app is
    /// opening, and how to use the CLI beside it.
    pub fn explain(&self) {
        let logs = self.dir.join("logs");
        println!(
            "\nxtask: the demo is ready.\
             \n  Vendor service (SQLite): {url}\
             \n  Logs (radio, devices, vendor service): {logs}",
            url = self.service_url,
            logs = logs.display(),
        );
        println!(
            "\n{count} simulated devices are switched on and waiting to be set up.\
             \nEach one has a label with a QR code and a setup code. A model that gets no\
             \nsecurity updates (hearth-sensor-0) makes the app ask you before it pairs:",
            count = self.labels.len()
        );
        for (i, label) in self.labels.iter().enumerate() {
            let text = std::fs::read_to_string(label).unwrap_or_default();
            let line = |prefix: &str| {
                text.lines().find(|l| l.starts_with(prefix)).map_or_else(
                    || format!("{prefix} (not found in {})", label.display()),
                    str::to_owned,
                )
            };
            let png = label.with_file_name("label.png");
            println!(
                "\n  Device {n}  ({serial}, {model})\
                 \n    Label picture: {png}\
                 \n    Label text:    {txt}\
                 \n    {code}",
                n = i + 1,
                serial = line("Serial:"),
                model = line("Model:"),
                png = png.display(),
                txt = label.display(),
                code = line("Setup code:"),
            );
        }
        println!(
            "\nThe Hearth app window is opening now, with these {count} devices ready to set up.\
             \nIn the app, choose \"Set up a device\" and type a setup code from the list above\
             \n(or choose \"Use a photo of the label\" and pick a label.png).\
             \nThe devices can join this Wi-Fi:\
             \n  Wi-Fi name:       {WIFI_SSID}\
             \n  Wi-Fi passphrase: {WIFI_PASSPHRASE}",
            count = self.labels.len()
        );
        println!(
            "\nIn a second terminal, point the `hearth` CLI at the same radio and data:\n\
             \n  export DBUS_SYSTEM_BUS_ADDRESS='{bus}'\
             \n  export HEARTH_HOME='{home}'\
             \n  export HEARTH_VENDOR_PROFILE='{vendor}'\
             \n  export HEARTH_VENDOR_SERVICE='{service}'\
             \n  export HEARTH_KEYRING=keyutils   # or secret-service on a desktop\
             \n  {cli} pair --code <setup code> --wifi-ssid '{WIFI_SSID}' --wifi-pass-file '{pass}' --name Kitchen\
             \n  {cli} plug on Kitchen\n",
            bus = self.bus_address,
            home = self.dir.join("home").display(),
            vendor = self.dir.join("vendor/vendor-profile.json").display(),
            service = self.vendor_service_profile().display(),
            pass = self.dir.join("wifi-passphrase.txt").display(),
            cli = bin("hearth").display(),
        );
    }

    /// The factory's vendor profile (the vendor root key devices are checked against).
    pub fn vendor_profile(&self) -> PathBuf {
        self.dir.join("vendor/vendor-profile.json")
    }

    /// The app's folder, shared with the CLI.
    pub fn home(&self) -> PathBuf {
        self.dir.join("home")
    }
}

/// The `service_url` of a vendor profile written by `hearth-vendor init`.
fn service_url(profile: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(profile)
        .map_err(|e| Failure(format!("{}: {e}", profile.display())))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure(format!("{}: {e}", profile.display())))?;
    value["service_url"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Failure(format!("{} has no service_url", profile.display())))
}

fn log_file(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::create(path).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn label_files(devices: &Path) -> Vec<PathBuf> {
    let mut labels: Vec<PathBuf> = std::fs::read_dir(devices)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("label.txt"))
        .filter(|p| p.is_file())
        .collect();
    labels.sort();
    labels
}
