//! The devices for `cargo xtask demo`: a private system bus with the simulated
//! radio, a demo vendor, three minted devices (labels on disk) and three
//! reference devices advertising on the radio, so the `hearth` CLI (and the app
//! once it can set devices up) has something real to pair with.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use crate::steps::{Failure, run, target_dir};

/// The demo Wi-Fi the reference devices can "join".
pub const WIFI_SSID: &str = "Hearth Demo WiFi";
const WIFI_PASSPHRASE: &str = "demo passphrase, not a secret";
const DEVICES: usize = 3;

/// Everything the demo started; dropping it stops the devices, then the radio.
pub struct DemoWorld {
    pub dir: PathBuf,
    pub bus_address: String,
    pub labels: Vec<PathBuf>,
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
        let mut labels = label_files(&devices);
        if labels.is_empty() {
            run(Command::new(bin("hearth-factory"))
                .args([
                    "mint",
                    "--model",
                    "hearth-plug-1",
                    "--count",
                    &DEVICES.to_string(),
                ])
                .arg("--vendor")
                .arg(&vendor)
                .arg("--out")
                .arg(&devices))?;
            labels = label_files(&devices);
        }
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
        Ok(world)
    }

    /// Tells the user where the labels are and how to use the CLI beside the app.
    pub fn explain(&self) {
        println!(
            "\nxtask: the radio's and devices' logs are in {}",
            self.dir.join("logs").display()
        );
        println!(
            "\nxtask: {} simulated devices are advertising. Their labels:",
            self.labels.len()
        );
        for label in &self.labels {
            let text = std::fs::read_to_string(label).unwrap_or_default();
            let code = text
                .lines()
                .find_map(|l| l.strip_prefix("Setup code: "))
                .unwrap_or("?");
            println!(
                "  {}  (setup code {code}; QR in label.png beside it)",
                label.display()
            );
        }
        println!(
            "\nIn a second terminal, point the `hearth` CLI at the same radio and data:\n\
             \n  export DBUS_SYSTEM_BUS_ADDRESS='{bus}'\
             \n  export HEARTH_HOME='{home}'\
             \n  export HEARTH_VENDOR_PROFILE='{vendor}'\
             \n  export HEARTH_KEYRING=keyutils   # or secret-service on a desktop\
             \n  {cli} pair --code <setup code> --wifi-ssid '{WIFI_SSID}' --wifi-pass-file '{pass}' --name Kitchen\
             \n  {cli} plug on Kitchen\n",
            bus = self.bus_address,
            home = self.dir.join("home").display(),
            vendor = self.dir.join("vendor/vendor-profile.json").display(),
            pass = self.dir.join("wifi-passphrase.txt").display(),
            cli = bin("hearth").display(),
        );
    }

    /// The app's folder, shared with the CLI.
    pub fn home(&self) -> PathBuf {
        self.dir.join("home")
    }
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
